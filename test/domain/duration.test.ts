import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { DurationParseError, formatDuration, parseDuration } from '../../src/domain/duration.ts';
import { UsageError } from '../../src/domain/errors.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

test('parseDuration reads single units: s, m (minutes), h, d, w, y (365 days), ms', () => {
  const cases: [string, number][] = [
    ['45s', 45 * S],
    ['90m', 90 * M],
    ['12h', 12 * H],
    ['26h', 26 * H],
    ['30d', 30 * D],
    ['2w', 14 * D],
    ['1y', 365 * D],
    ['250ms', 250],
    ['0s', 0],
  ];
  for (const [text, ms] of cases) assert.is(parseDuration(text), ms, text);
});

test('parseDuration adds up combined units written from largest to smallest', () => {
  assert.is(parseDuration('1d12h'), 36 * H);
  assert.is(parseDuration('1h30m'), 90 * M);
  assert.is(parseDuration('1y2w3d4h5m6s7ms'), 365 * D + 14 * D + 3 * D + 4 * H + 5 * M + 6 * S + 7);
  assert.is(parseDuration('  7d  '), 7 * D, 'surrounding whitespace is ignored');
  assert.is(parseDuration('007d'), 7 * D);
});

test('parseDuration rejects garbage with a DurationParseError that quotes the input and shows the accepted form', () => {
  const bad = [
    '',
    '   ',
    '30',
    'd',
    '30x',
    '-5d',
    '1.5d',
    '1,5d',
    '1d 12h',
    '12h1d',
    '1d1d',
    '30D',
    '6mo',
    '1month',
    'abc',
    '5 days',
    'd5',
    '1d-',
    '+1d',
    '1e3s',
    'Infinityd',
  ];
  for (const text of bad) {
    try {
      parseDuration(text);
      assert.unreachable(`accepted ${JSON.stringify(text)}`);
    } catch (error) {
      assert.instance(error, DurationParseError, text);
      const message = (error as Error).message;
      assert.ok(message.includes(JSON.stringify(text)), `message quotes the input: ${message}`);
      assert.match(message, /e\.g\. "45s"/);
    }
  }
});

test('parseDuration explains the likely mistake', () => {
  const why = (text: string): string => {
    try {
      parseDuration(text);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`accepted ${text}`);
  };
  assert.match(why('30'), /unit is missing \(did you mean "30d"\?\)/);
  assert.match(why('-1d'), /cannot be negative/);
  assert.match(why('1.5d'), /fractions/);
  assert.match(why('6mo'), /months are not supported.*"m" means minutes/);
  assert.match(why('12h1d'), /largest to smallest/);
  assert.match(why('1d1d'), /appears twice/);
  assert.match(why('1d 12h'), /spaces/);
  assert.match(why('30x'), /cannot read "30x"/);
  assert.match(why('999999999999y'), /too large/);
});

test('DurationParseError is a usage error (exit code 2)', () => {
  try {
    parseDuration('soon');
    assert.unreachable();
  } catch (error) {
    assert.instance(error, UsageError);
    assert.is((error as UsageError).exitCode, 2);
  }
});

test('formatDuration writes the shortest exact form without weeks', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [250, '250ms'],
    [45 * S, '45s'],
    [90 * M, '1h30m'],
    [26 * H, '1d2h'],
    [36 * H, '1d12h'],
    [14 * D, '14d'],
    [365 * D, '1y'],
    [400 * D + 1, '1y35d1ms'],
    [-2 * H, '-2h'],
    [1.4, '1ms'],
  ];
  for (const [ms, text] of cases) assert.is(formatDuration(ms), text, String(ms));
});

test('formatDuration with maxParts truncates to the largest units, zeros counting as positions', () => {
  assert.is(formatDuration(D + 2 * H + 3 * M + 4 * S, { maxParts: 2 }), '1d2h');
  assert.is(formatDuration(D + 3 * M, { maxParts: 2 }), '1d');
  assert.is(formatDuration(3 * M + 4 * S + 5, { maxParts: 1 }), '3m');
  assert.is(formatDuration(0, { maxParts: 1 }), '0s');
  assert.throws(() => formatDuration(1, { maxParts: 0 }), /maxParts/);
  assert.throws(() => formatDuration(Number.NaN), /NaN/);
  assert.throws(() => formatDuration(Infinity), /Infinity/);
});

test('property: formatDuration output parses back to the same number of ms', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (ms) => {
      assert.is(parseDuration(formatDuration(ms)), ms);
    }),
    { numRuns: 1000 },
  );
});

test('property: parseDuration never throws anything but DurationParseError and never returns a negative or unsafe number', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9]{0,3}[a-z]{0,2}[0-9]{0,3}[a-z]{0,2}$/)), (text) => {
      try {
        const ms = parseDuration(text);
        assert.ok(Number.isSafeInteger(ms) && ms >= 0, `${text} -> ${ms}`);
      } catch (error) {
        assert.instance(error, DurationParseError);
      }
    }),
    { numRuns: 2000 },
  );
});

test.run();
