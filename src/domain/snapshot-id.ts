/**
 * Snapshot ids: "20261122T143022.123Z-7f3a". A UTC timestamp to the millisecond (so ids
 * of backups started in the same second still sort in start order), then 4 random hex
 * digits (so two backups started in the same millisecond still differ).
 */
import { randomBytes } from 'node:crypto';

const ID_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z-[0-9a-f]{4}$/;

export function createSnapshotId(at: Date = new Date(), random: string = randomBytes(2).toString('hex')): string {
  const stamp = at.toISOString().replace(/[-:]/g, ''); // 20261122T143022.123Z
  return `${stamp}-${random}`;
}

export function isSnapshotId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/** The creation time encoded in an id. */
export function snapshotIdTime(id: string): Date {
  const m = ID_PATTERN.exec(id);
  if (!m) throw new Error(`not a snapshot id: ${id}`);
  const [, y, mo, d, h, mi, s, ms] = m;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
}

/** Ids sort chronologically as plain strings; newest first is the reverse. */
export function compareNewestFirst(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}
