/** Counts and durations as a person writes them: "1 file", "2 files", "45 seconds", "1.5 hours". */
/** `n` and the noun, singular for exactly one. */
export declare function countOf(n: number, singular: string, plural?: string): string;
/** An age or a limit: seconds under a minute, minutes under an hour, hours under two days, then days. */
export declare function formatAge(ms: number): string;
/** Bytes per second in decimal units, so that a small backup does not read "0.0 MB/s". */
export declare function formatRate(bytesPerSecond: number): string;
