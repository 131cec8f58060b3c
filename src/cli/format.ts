/** Formatting for people: sizes, durations, tables. */
import { escapeControls } from '../domain/untrusted-text.ts';

/** A value read from a repository (or quoting one), as one line a terminal shows literally. */
export const terminalText = escapeControls;

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export function formatCount(n: number): string {
  // not toLocaleString('en-US'): its first call loads ICU's locale data, 20 ms of every command
  const [whole, fraction] = String(Math.round(n * 1000) / 1000).split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+$)/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** "2026-11-22 14:30:22Z" */
export function formatTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** A plain-text table with a header row; columns padded to their widest cell, each cell one line. */
export function formatTable(
  header: readonly string[],
  cells: readonly (readonly string[])[],
  rightAligned: readonly number[] = [],
): string {
  const rows = cells.map((row) => row.map((cell) => escapeControls(String(cell ?? ''))));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (rightAligned.includes(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
