/**
 * The audit log: one record per backup, restore, prune, copy, deploy and rollback,
 * successful or not, kept in the repository it concerns.
 *
 * Stores have no append (S3 cannot append at all, and two processes appending to one
 * local file can interleave their bytes), so every record is an object of its own,
 * written once and never changed:
 *
 *   audit/YYYY-MM/<UTC time, ms>-<12 random hex digits>.json    one JSON object + "\n"
 *
 * Concurrent writers never write the same key, and each put is atomic (the Store
 * contract), so any number of them leave that many whole records. Reading lists the
 * months asked for and merges the records in time order. The month folder is the UTC
 * month of the record's time. `cat audit/2026-11/*.json` is JSON Lines.
 */
import { randomBytes } from 'node:crypto';
import { NotFoundError, StorageError, UsageError } from '../domain/errors.ts';
import type { Store } from '../storage/store.ts';
import { forEachLimited, readText } from './repository.ts';

export const AUDIT_PREFIX = 'audit/';
export const AUDIT_FORMAT = 'ripcord-audit/1';
/** The operations that write an audit record. */
export const AUDITED_OPERATIONS = ['backup', 'restore', 'prune', 'copy', 'deploy', 'rollback'] as const;

export interface AuditRecord {
  format: typeof AUDIT_FORMAT;
  /** when the operation finished, ISO 8601 UTC */
  time: string;
  operation: string;
  result: 'success' | 'failure';
  /** snapshots made, restored, copied or removed */
  snapshots: string[];
  set?: string;
  /** GITHUB_ACTOR in GitHub Actions, else the OS user */
  actor: string;
  host: string;
  ciRunUrl?: string;
  exitCode: number;
  /** the one-line error, on failure */
  error?: string;
  /** a deploy that was rolled back, or a rollback */
  rolledBack?: boolean;
  durationMs: number;
  /** "ripcord 1.2.3" */
  tool: string;
}

export type AuditEntry = Omit<AuditRecord, 'format'>;

const KEY_PATTERN = /^audit\/(\d{4}-\d{2})\/(\d{8}T\d{6}\.\d{3}Z)-[0-9a-f]{12}\.json$/;

/** The key a record written at `time` gets: unique without coordination between writers. */
export function auditKey(time: Date, random: string = randomBytes(6).toString('hex')): string {
  const month = time.toISOString().slice(0, 7);
  const stamp = time.toISOString().replace(/[-:]/g, '');
  return `${AUDIT_PREFIX}${month}/${stamp}-${random}.json`;
}

/** Write one record; returns its key. */
export async function appendAudit(store: Store, entry: AuditEntry): Promise<string> {
  const record: AuditRecord = { format: AUDIT_FORMAT, ...entry };
  const time = new Date(record.time);
  if (Number.isNaN(time.getTime())) throw new TypeError(`audit record with an invalid time: ${record.time}`);
  const key = auditKey(time);
  await store.put(key, Buffer.from(`${JSON.stringify(record)}\n`));
  return key;
}

/**
 * Whether a run that ended with `error` (undefined: it succeeded) leaves a record. Not a
 * usage error (nothing was attempted), nor a failure to reach the repository (the record
 * could not get there either).
 */
export function isAuditable(error: unknown): boolean {
  return !(error instanceof UsageError) && !(error instanceof StorageError);
}

/**
 * The audit record of a finished run, for the adapters. A failed run in a repository that
 * holds nothing at all (a typo in --repo, a bucket prefix never used) leaves no record:
 * the repository is not created just to hold the record of its own failure. Returns the
 * key written, or undefined.
 */
export async function appendRunAudit(store: Store, entry: AuditEntry): Promise<string | undefined> {
  if (entry.result === 'failure') {
    let empty = true;
    for await (const _ of store.list('')) {
      empty = false;
      break;
    }
    if (empty) return undefined;
  }
  return appendAudit(store, entry);
}

export interface AuditQuery {
  /** only records at or after this time */
  since?: Date;
  /** only records of this operation */
  operation?: string;
}

export interface AuditListing {
  /** oldest first */
  records: AuditRecord[];
  /** objects under audit/ that are not readable records */
  damaged: { key: string; problem: string }[];
}

export async function readAudit(store: Store, query: AuditQuery = {}): Promise<AuditListing> {
  const sinceMonth = query.since?.toISOString().slice(0, 7);
  const keys: string[] = [];
  const damaged: AuditListing['damaged'] = [];
  for await (const object of store.list(AUDIT_PREFIX)) {
    const match = KEY_PATTERN.exec(object.key);
    if (!match) {
      // a write in progress on local disk ("….json.partial-…") is not a record yet
      if (!object.key.includes('.partial-')) damaged.push({ key: object.key, problem: 'not an audit record name' });
      continue;
    }
    if (sinceMonth === undefined || match[1]! >= sinceMonth) keys.push(object.key);
  }
  const records: { key: string; record: AuditRecord }[] = [];
  await forEachLimited(keys, 16, async (key) => {
    let text: string;
    try {
      text = await readText(store, key);
    } catch (error) {
      if (error instanceof NotFoundError) return; // removed while we listed
      throw error;
    }
    const read = parseAuditRecord(text);
    if ('problem' in read) damaged.push({ key, problem: read.problem });
    else records.push({ key, record: read.record });
  });
  const since = query.since?.getTime() ?? -Infinity;
  return {
    records: records
      .filter(
        ({ record }) =>
          Date.parse(record.time) >= since && (query.operation === undefined || record.operation === query.operation),
      )
      .sort((a, b) => Date.parse(a.record.time) - Date.parse(b.record.time) || (a.key < b.key ? -1 : 1))
      .map(({ record }) => record),
    damaged: damaged.sort((a, b) => (a.key < b.key ? -1 : 1)),
  };
}

export function parseAuditRecord(text: string): { record: AuditRecord } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'not valid JSON' };
  }
  const r = value as Partial<AuditRecord> | null;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return { problem: 'not a JSON object' };
  if (r.format !== AUDIT_FORMAT) return { problem: `unknown format ${JSON.stringify(r.format)}` };
  if (typeof r.time !== 'string' || Number.isNaN(Date.parse(r.time))) return { problem: 'no valid time' };
  if (typeof r.operation !== 'string' || r.operation === '') return { problem: 'no operation' };
  if (r.result !== 'success' && r.result !== 'failure') return { problem: 'no valid result' };
  if (!Array.isArray(r.snapshots) || !r.snapshots.every((s) => typeof s === 'string'))
    return { problem: 'no valid snapshot list' };
  if (typeof r.actor !== 'string' || typeof r.host !== 'string') return { problem: 'no actor or host' };
  return { record: r as AuditRecord };
}
