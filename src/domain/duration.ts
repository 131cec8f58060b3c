/**
 * Short human durations for flags such as `--keep-within 30d`: "45s", "90m", "12h",
 * "26h", "1d12h", "2w", "1y". Pure, no clock.
 *
 * Every unit has a fixed length (no calendar arithmetic, no time zones):
 *   ms = 1 millisecond, s = 1000 ms, m = 60 s (MINUTES, not months), h = 60 m,
 *   d = 24 h, w = 7 d, y = 365 d.
 * Months are not a unit because their length varies; write "30d" instead.
 */
import { UsageError } from './errors.ts';

/** A duration string could not be understood. Exit code: usage (2). */
export class DurationParseError extends UsageError {}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const YEAR = 365 * DAY;

/** Units from largest to smallest; a duration must list its units in this order. */
const UNITS = [
  { unit: 'y', ms: YEAR },
  { unit: 'w', ms: WEEK },
  { unit: 'd', ms: DAY },
  { unit: 'h', ms: HOUR },
  { unit: 'm', ms: MINUTE },
  { unit: 's', ms: SECOND },
  { unit: 'ms', ms: 1 },
] as const;

type Unit = (typeof UNITS)[number]['unit'];

const UNIT_MS: Record<Unit, number> = Object.fromEntries(UNITS.map((u) => [u.unit, u.ms])) as Record<Unit, number>;
const UNIT_RANK: Record<Unit, number> = Object.fromEntries(UNITS.map((u, i) => [u.unit, i])) as Record<Unit, number>;

const EXAMPLES = '"45s", "90m", "12h", "30d", "1d12h", "2w", "1y"';
const UNIT_LIST = 'y (365 days), w (7 days), d, h, m (minutes), s, ms';

/** "ms" must be tried before "m" and "s". */
const PART = /(\d+)(ms|y|w|d|h|m|s)/y;

function fail(input: string, why: string): never {
  throw new DurationParseError(
    `invalid duration ${JSON.stringify(input)}: ${why}; expected whole numbers with units ${UNIT_LIST}, e.g. ${EXAMPLES}`,
  );
}

/**
 * Parse "30d", "12h", "90m", "2w", "1y", "26h", "1d12h", "45s" into milliseconds.
 * Units must appear from largest to smallest, at most once each ("1d12h", not "12h1d").
 * Surrounding whitespace is ignored; anything else that is not a number+unit pair is
 * rejected with a DurationParseError naming the input and the accepted form.
 */
export function parseDuration(input: string): number {
  if (typeof input !== 'string') fail(String(input), 'not a string');
  const text = input.trim();
  if (text === '') fail(input, 'it is empty');
  if (text.startsWith('-')) fail(input, 'durations cannot be negative');
  if (/^\d+$/.test(text)) fail(input, `a unit is missing (did you mean "${text}d"?)`);
  if (/\d[.,]\d/.test(text)) fail(input, 'fractions are not allowed (write "1d12h" rather than "1.5d")');
  if (/mo|month/i.test(text))
    fail(input, 'months are not supported because their length varies (use "30d"; note that "m" means minutes)');
  if (/[A-Z]/.test(text)) fail(input, 'units are lower case');
  if (/\s/.test(text)) fail(input, 'it contains spaces');

  let total = 0;
  let lastRank = -1;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const at = PART.lastIndex;
    const match = PART.exec(text);
    if (match === null) {
      fail(input, `cannot read ${JSON.stringify(text.slice(at))}`);
    }
    const amount = Number(match[1]);
    const unit = match[2] as Unit;
    const rank = UNIT_RANK[unit];
    if (rank === lastRank) fail(input, `the unit "${unit}" appears twice`);
    if (rank < lastRank) fail(input, `units must go from largest to smallest ("${unit}" comes too late)`);
    lastRank = rank;
    total += amount * UNIT_MS[unit];
  }
  if (!Number.isSafeInteger(total)) fail(input, 'it is too large');
  return total;
}

export interface FormatDurationOptions {
  /**
   * Precision: show at most this many unit positions starting at the largest non-zero
   * one, truncating the rest (with 2: 93_784_000 ms -> "1d2h" instead of "1d2h3m4s";
   * 86_580_000 ms -> "1d", because the hours position is zero). Default: all, so the
   * result parses back to the same value.
   */
  maxParts?: number;
}

/**
 * Format milliseconds as a short string that parseDuration reads back:
 * 0 -> "0s", 5_400_000 -> "1h30m", 93_600_000 -> "1d2h", 31_536_000_000 -> "1y".
 * Weeks are not used on output ("14d", not "2w"). Fractions of a millisecond are
 * rounded; a negative value gets a leading "-" (which parseDuration rejects).
 */
export function formatDuration(ms: number, options: FormatDurationOptions = {}): string {
  if (!Number.isFinite(ms)) throw new RangeError(`cannot format a duration of ${ms} ms`);
  const maxParts = options.maxParts ?? Infinity;
  if (!(maxParts >= 1)) throw new RangeError(`maxParts must be at least 1, got ${options.maxParts}`);
  let rest = Math.round(Math.abs(ms));
  const sign = ms < 0 && rest > 0 ? '-' : '';
  const parts: string[] = [];
  let used = 0; // unit positions consumed since the largest non-zero one (zeros count)
  for (const { unit, ms: size } of UNITS) {
    if (unit === 'w') continue;
    if (used >= maxParts) break;
    const amount = Math.floor(rest / size);
    if (amount > 0) {
      parts.push(`${amount}${unit}`);
      rest -= amount * size;
    }
    if (parts.length > 0) used += 1;
  }
  return parts.length === 0 ? '0s' : sign + parts.join('');
}
