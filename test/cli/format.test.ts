/** The CLI's number formats: the same text as toLocaleString('en-US') gives, without loading ICU's locale data. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatCount } from '../../src/cli/format.ts';

test('formatCount groups thousands with commas, as en-US does, for counts and fractions', () => {
  for (const n of [0, 7, 999, 1000, 20030, 1234567, 9007199254740991, -1234567, 1.5, 1234.5678, 0.0004]) {
    assert.is(formatCount(n), n.toLocaleString('en-US'), String(n));
  }
});

test.run();
