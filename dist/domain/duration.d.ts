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
export declare class DurationParseError extends UsageError {
}
/**
 * Parse "30d", "12h", "90m", "2w", "1y", "26h", "1d12h", "45s" into milliseconds.
 * Units must appear from largest to smallest, at most once each ("1d12h", not "12h1d").
 * Surrounding whitespace is ignored; anything else that is not a number+unit pair is
 * rejected with a DurationParseError naming the input and the accepted form.
 */
export declare function parseDuration(input: string): number;
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
export declare function formatDuration(ms: number, options?: FormatDurationOptions): string;
