/** Counts and durations as a person writes them: "1 file", "2 files", "45 seconds", "1.5 hours". */

/** `n` and the noun, singular for exactly one. */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** An age or a limit: seconds under a minute, minutes under an hour, hours under two days, then days. */
export function formatAge(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return countOf(Math.round(seconds), 'second');
  if (seconds < 3600) return countOf(Math.round(seconds / 60), 'minute');
  const hours = seconds / 3600;
  if (hours < 48) return unitOf(trim(hours), 'hour');
  return unitOf(trim(hours / 24), 'day');
}

function unitOf(shown: string, unit: string): string {
  return `${shown} ${shown === '1' ? unit : `${unit}s`}`;
}

/** One decimal, without a trailing .0. */
function trim(x: number): string {
  return x.toFixed(1).replace(/\.0$/, '');
}

/** Bytes per second in decimal units, so that a small backup does not read "0.0 MB/s". */
export function formatRate(bytesPerSecond: number): string {
  const units = ['B/s', 'KB/s', 'MB/s', 'GB/s'];
  let value = bytesPerSecond;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
