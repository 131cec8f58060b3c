import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { countOf, formatAge, formatRate } from '../../src/domain/wording.ts';

test('a count of one is singular and any other count plural, irregular plurals as given', () => {
  assert.equal(
    [0, 1, 2].map((n) => countOf(n, 'file')),
    ['0 files', '1 file', '2 files'],
  );
  assert.is(countOf(1, 'entry', 'entries'), '1 entry');
  assert.is(countOf(3, 'entry', 'entries'), '3 entries');
});

test('ages read in the unit a person would use, so a one-second limit is not "0 minutes"', () => {
  assert.is(formatAge(1000), '1 second');
  assert.is(formatAge(45_000), '45 seconds');
  assert.is(formatAge(60_000), '1 minute');
  assert.is(formatAge(26 * 60_000), '26 minutes');
  assert.is(formatAge(3_600_000), '1 hour');
  assert.is(formatAge(3_600_000 + 2000), '1 hour', 'one hour and two seconds is still read as 1 hour');
  assert.is(formatAge(26 * 3_600_000), '26 hours');
  assert.is(formatAge(90 * 60_000), '1.5 hours');
  assert.is(formatAge(72 * 3_600_000), '3 days');
});

test('throughput is given in the unit that fits, never 0.0 MB/s for a small backup', () => {
  assert.is(formatRate(120), '120 B/s');
  assert.is(formatRate(24_500), '24.5 KB/s');
  assert.is(formatRate(512_300_000), '512.3 MB/s');
});

test.run();
