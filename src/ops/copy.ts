/**
 * copy: committed snapshots from one repository into another (local, S3, any Store), as
 * streams and without a key: the encrypted objects are copied byte for byte and checked
 * against the source's snapshot.json on the way and again once they have arrived.
 *
 * Per snapshot, in the order backup writes: archive and manifest (each hashed while it
 * streams; a mismatch errors the stream, so the destination store discards the write),
 * then both read back from the destination and hashed, then SHA256SUMS, then
 * snapshot.json LAST, read back too. Until snapshot.json lands the copy does not exist
 * for anyone; on any failure what was written is removed. A snapshot whose snapshot.json
 * is already in the destination is skipped when byte-identical and never overwritten
 * when it differs.
 *
 * planCopy reads and decides (a dry run stops there); applyCopy writes.
 */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { collectGarbageEvery } from '../archive/reclaim.ts';
import type { TransformCallback } from 'node:stream';
import { IntegrityError, NotFoundError, RipcordError, StorageError, UsageError } from '../domain/errors.ts';
import type { Reporter } from '../domain/events.ts';
import { silentReporter } from '../domain/events.ts';
import { isSnapshotId } from '../domain/snapshot-id.ts';
import type { ObjectChecksum, SnapshotMetadata } from '../domain/snapshot.ts';
import {
  ARCHIVE_OBJECT,
  CHECKSUMS_OBJECT,
  formatChecksums,
  MANIFEST_OBJECT,
  parseMetadata,
  SNAPSHOT_OBJECT,
} from '../domain/snapshot.ts';
import { chainOfSnapshot } from './incremental.ts';
import { copySignature } from './snapshot-signature.ts';
import type { Store } from '../storage/store.ts';
import { chain, drain } from './read-snapshot.ts';
import { forEachLimited, listFolders, readMetadata, readText, resolveSnapshot } from './repository.ts';

export interface CopyRequest {
  source: Store;
  destination: Store;
  /** snapshot ids, unique id prefixes or "latest"; ignored with all */
  references: readonly string[];
  /** every committed snapshot of the source */
  all?: boolean;
}

/**
 * copy: not in the destination yet. present: the destination has it, byte-identical.
 * conflict: the destination has a different snapshot.json under the same id.
 * damaged: the source snapshot fails its own checks and is not copied.
 */
export type CopyDecision = 'copy' | 'present' | 'conflict' | 'damaged';

export interface PlannedSnapshot {
  id: string;
  decision: CopyDecision;
  /** bytes of the four objects (0 when damaged) */
  bytes: number;
  /** one line, for conflict and damaged */
  problem?: string;
  /** the source's snapshot.json, parsed and exactly as stored (copy and present) */
  metadata?: SnapshotMetadata;
  record?: string;
}

export interface CopyPlan {
  source: Store;
  destination: Store;
  /** newest first: an interrupted run has copied the most recent snapshots */
  snapshots: PlannedSnapshot[];
}

export interface CopyOutcome {
  id: string;
  status: 'copied' | 'present' | 'failed';
  /** bytes written to the destination */
  bytes: number;
  problem?: string;
}

export interface CopyResult {
  snapshots: CopyOutcome[];
  copied: number;
  present: number;
  failed: number;
  /** bytes written to the destination */
  bytes: number;
}

const PARALLEL_CHECKS = 8;

export async function planCopy(request: CopyRequest): Promise<CopyPlan> {
  const { source, destination } = request;
  if (source.properties.location === destination.properties.location) {
    throw new UsageError(
      `the source and the destination are the same repository (${source.properties.location}): give another --to`,
    );
  }
  const ids = request.all ? await committedIds(source) : await resolveIds(source, request.references);
  const snapshots: PlannedSnapshot[] = new Array(ids.length);
  const indexed = ids.map((id, index) => ({ id, index }));
  await forEachLimited(indexed, PARALLEL_CHECKS, async ({ id, index }) => {
    snapshots[index] = await planSnapshot(source, destination, id, !request.all);
  });
  return { source, destination, snapshots };
}

/** Committed snapshot ids of the source, newest first (damaged ones included, to be reported). */
async function committedIds(store: Store): Promise<string[]> {
  const folders = await listFolders(store);
  const ids = [...folders.values()]
    .filter((f) => f.objects.some((o) => o.key === `${f.id}/${SNAPSHOT_OBJECT}`))
    .map((f) => f.id);
  if (ids.length === 0) throw new NotFoundError(`no snapshots in ${store.properties.location}: nothing to copy`);
  return ids.sort().reverse();
}

async function resolveIds(store: Store, references: readonly string[]): Promise<string[]> {
  if (references.length === 0) throw new UsageError('which snapshots? give ids, latest, or --all');
  const ids: string[] = [];
  for (const reference of references) {
    // A full id is taken as given, so that a damaged snapshot.json is reported as such below.
    const id = isSnapshotId(reference) ? reference : (await resolveSnapshot(store, reference)).id;
    if (!ids.includes(id)) ids.push(id);
    // An incremental or differential is restorable only with its chain: the links go too.
    const read = await readMetadata(store, id);
    if ('metadata' in read && read.metadata.level) {
      const chain = await chainOfSnapshot(store, read.metadata).catch((error: unknown) => {
        throw new IntegrityError(
          `${error instanceof Error ? error.message : String(error)}; refusing to copy a snapshot its copy could not restore`,
        );
      });
      for (const link of chain) if (!ids.includes(link.id)) ids.push(link.id);
    }
  }
  return ids.sort().reverse();
}

async function planSnapshot(source: Store, destination: Store, id: string, named: boolean): Promise<PlannedSnapshot> {
  const from = source.properties.location;
  const damaged = (problem: string): PlannedSnapshot => ({
    id,
    decision: 'damaged',
    bytes: 0,
    problem: `snapshot ${id} in ${from} is damaged and was not copied: ${problem} (run ripcord verify ${id} there)`,
  });

  let record: string;
  try {
    record = await readText(source, `${id}/${SNAPSHOT_OBJECT}`);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    if (named)
      throw new NotFoundError(`snapshot ${id} does not exist in ${from} (or was never completed): see ripcord list`);
    return damaged('snapshot.json disappeared while copying');
  }
  const parsed = parseMetadata(record, id);
  if ('problem' in parsed) return damaged(parsed.problem);
  const metadata = parsed.metadata;
  const checksums = formatChecksums(metadata.objects);
  const bytes =
    metadata.objects[ARCHIVE_OBJECT].bytes +
    metadata.objects[MANIFEST_OBJECT].bytes +
    Buffer.byteLength(checksums) +
    Buffer.byteLength(record);

  const existing = await readIfPresent(destination, `${id}/${SNAPSHOT_OBJECT}`);
  if (existing !== undefined) {
    if (existing === record) return { id, decision: 'present', bytes, metadata, record };
    return {
      id,
      decision: 'conflict',
      bytes: 0,
      problem: `snapshot ${id} already exists in ${destination.properties.location} with a different snapshot.json: refusing to overwrite a committed snapshot (compare ripcord show ${id} in both repositories)`,
    };
  }

  // The source must be whole before anything is written: SHA256SUMS as backup writes it,
  // both encrypted objects present with the sizes snapshot.json records.
  const sums = await readIfPresent(source, `${id}/${CHECKSUMS_OBJECT}`);
  if (sums === undefined) return damaged(`${CHECKSUMS_OBJECT} is missing`);
  if (sums !== checksums) return damaged(`${CHECKSUMS_OBJECT} disagrees with snapshot.json`);
  for (const object of [ARCHIVE_OBJECT, MANIFEST_OBJECT] as const) {
    const stat = await source.stat(`${id}/${object}`);
    const expected = metadata.objects[object].bytes;
    if (!stat) return damaged(`${object} is missing`);
    if (stat.size !== expected) return damaged(`${object} is ${stat.size} bytes, snapshot.json says ${expected}`);
  }
  return { id, decision: 'copy', bytes, metadata, record };
}

async function readIfPresent(store: Store, key: string): Promise<string | undefined> {
  try {
    return await readText(store, key);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

export interface ApplyCopyOptions {
  reporter?: Reporter;
}

/**
 * Copy what the plan decided. A snapshot that fails its checksums (in the source or on
 * arrival) is removed from the destination and reported in the result, and the others are
 * still copied; any other failure (a store unreachable, a disk full) removes what was
 * written for that snapshot and stops the run with one line naming the snapshot and object.
 */
export async function applyCopy(plan: CopyPlan, options: ApplyCopyOptions = {}): Promise<CopyResult> {
  const reporter = options.reporter ?? silentReporter;
  const pending = plan.snapshots.filter((s) => s.decision === 'copy');
  const total = { files: pending.length * 4, bytes: pending.reduce((sum, s) => sum + s.bytes, 0) };
  const done = { files: 0, bytes: 0 };
  const progress = {
    add(bytes: number) {
      done.bytes += bytes;
      reporter.emit({ type: 'progress', phase: 'copy', done: { ...done }, total });
    },
    object() {
      done.files += 1;
      reporter.emit({ type: 'progress', phase: 'copy', done: { ...done }, total });
    },
  };

  const outcomes: CopyOutcome[] = [];
  let position = 0;
  for (const planned of plan.snapshots) {
    if (planned.decision === 'present') {
      outcomes.push({ id: planned.id, status: 'present', bytes: 0 });
      continue;
    }
    if (planned.decision !== 'copy') {
      outcomes.push({ id: planned.id, status: 'failed', bytes: 0, problem: planned.problem! });
      continue;
    }
    position += 1;
    const label = `snapshot ${planned.id} (${position}/${pending.length})`;
    try {
      const status = await copySnapshot(plan, planned, { reporter, progress, label });
      outcomes.push({ id: planned.id, status, bytes: status === 'copied' ? planned.bytes : 0 });
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      outcomes.push({ id: planned.id, status: 'failed', bytes: 0, problem: error.message });
    }
  }
  const count = (status: CopyOutcome['status']) => outcomes.filter((o) => o.status === status).length;
  return {
    snapshots: outcomes,
    copied: count('copied'),
    present: count('present'),
    failed: count('failed'),
    bytes: outcomes.reduce((sum, o) => sum + o.bytes, 0),
  };
}

interface CopyProgress {
  reporter: Reporter;
  progress: { add(bytes: number): void; object(): void };
  label: string;
}

async function copySnapshot(
  plan: CopyPlan,
  planned: PlannedSnapshot,
  { reporter, progress, label }: CopyProgress,
): Promise<'copied' | 'present'> {
  const { source, destination } = plan;
  const { id } = planned;
  const metadata = planned.metadata!;
  const record = planned.record!;
  const from = source.properties.location;
  const to = destination.properties.location;
  const written: string[] = [];
  let object: string = ARCHIVE_OBJECT;
  let keepWritten = false;
  const step = (message: string) => reporter.emit({ type: 'phase', phase: 'copy', message: `${label}: ${message}` });

  try {
    for (const name of [ARCHIVE_OBJECT, MANIFEST_OBJECT] as const) {
      object = name;
      const expected = metadata.objects[name];
      step(`copying ${name} (${expected.bytes} bytes)`);
      const check = new ExpectedChecksum(
        expected,
        (actual) =>
          mismatch(
            id,
            name,
            `read from ${from}`,
            actual,
            expected,
            `the source copy is damaged; nothing was committed in ${to}`,
          ),
        (bytes) => progress.add(bytes),
      );
      written.push(`${id}/${name}`);
      const body = chain(await source.get(`${id}/${name}`), check);
      try {
        await destination.put(`${id}/${name}`, body, { size: expected.bytes });
      } catch (error) {
        body.destroy(); // releases the source stream when the store gave up without reading it all
        // The store may wrap the body's error in its own; the checksum verdict is the one to report.
        throw check.failure ?? error;
      }
      if (check.failure) throw check.failure;
      progress.object();
    }

    // Checksums verified on arrival: read the stored objects back from the destination.
    for (const name of [ARCHIVE_OBJECT, MANIFEST_OBJECT] as const) {
      object = name;
      const expected = metadata.objects[name];
      step(`verifying ${name} in ${to}`);
      const arrived = (actual: ObjectChecksum) =>
        mismatch(id, name, `as stored in ${to}`, actual, expected, 'the copy was removed; run ripcord copy again');
      const stat = await destination.stat(`${id}/${name}`);
      if (!stat)
        throw new IntegrityError(
          `snapshot ${id}: ${name} is missing in ${to} after it was written: the copy was removed; run ripcord copy again`,
        );
      if (stat.size !== expected.bytes) throw arrived({ sha256: '', bytes: stat.size });
      const check = new ExpectedChecksum(expected, arrived);
      await drain(chain(await destination.get(`${id}/${name}`), check));
    }

    object = CHECKSUMS_OBJECT;
    step(`writing ${CHECKSUMS_OBJECT}`);
    const checksums = formatChecksums(metadata.objects);
    written.push(`${id}/${CHECKSUMS_OBJECT}`);
    await destination.put(`${id}/${CHECKSUMS_OBJECT}`, Buffer.from(checksums));
    await expectStored(destination, id, CHECKSUMS_OBJECT, checksums);
    progress.add(Buffer.byteLength(checksums));
    progress.object();

    await copySignature(source, destination, id, written);

    object = SNAPSHOT_OBJECT;
    // Another copy may have committed this snapshot meanwhile: never write over it.
    const committed = await readIfPresent(destination, `${id}/${SNAPSHOT_OBJECT}`);
    if (committed !== undefined) {
      keepWritten = true;
      if (committed === record) return 'present';
      throw new RipcordError(
        `snapshot ${id} was committed in ${to} by someone else during the copy, with a different snapshot.json: run ripcord verify ${id} there`,
      );
    }
    step(`committing ${SNAPSHOT_OBJECT}`);
    written.push(`${id}/${SNAPSHOT_OBJECT}`);
    await destination.put(`${id}/${SNAPSHOT_OBJECT}`, Buffer.from(record));
    await expectStored(destination, id, SNAPSHOT_OBJECT, record);
    progress.add(Buffer.byteLength(record));
    progress.object();
    step(`copied to ${to}`);
    return 'copied';
  } catch (error) {
    if (!keepWritten) await removeWritten(destination, written);
    throw describeCopyFailure(error, id, object, to);
  }
}

async function expectStored(store: Store, id: string, object: string, content: string): Promise<void> {
  const stored = await readIfPresent(store, `${id}/${object}`);
  if (stored !== content) {
    throw new IntegrityError(
      `snapshot ${id}: ${object} as stored in ${store.properties.location} ${stored === undefined ? 'is missing after it was written' : 'differs from what was written'}: the copy was removed; run ripcord copy again`,
    );
  }
}

function mismatch(
  id: string,
  object: string,
  where: string,
  actual: ObjectChecksum,
  expected: ObjectChecksum,
  consequence: string,
): IntegrityError {
  const got =
    actual.sha256 === '' ? `${actual.bytes} bytes` : `${actual.bytes} bytes, sha256 ${actual.sha256.slice(0, 12)}…`;
  return new IntegrityError(
    `snapshot ${id}: ${object} ${where} does not match snapshot.json (${got}; expected ${expected.bytes} bytes, sha256 ${expected.sha256.slice(0, 12)}…): ${consequence}`,
  );
}

async function removeWritten(store: Store, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  try {
    await store.delete(keys);
  } catch {
    // Without snapshot.json the folder is an unfinished write: invisible, and prune removes it.
  }
}

function describeCopyFailure(error: unknown, id: string, object: string, to: string): Error {
  if (error instanceof IntegrityError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const message = `snapshot ${id} was not copied (${object}): ${reason}; nothing of it was committed in ${to}`;
  if (error instanceof StorageError) return new StorageError(message, { transient: error.transient, cause: error });
  if (error instanceof RipcordError) return new RipcordError(message, { exitCode: error.exitCode, cause: error });
  return new RipcordError(message, { cause: error });
}

/**
 * A pass-through that hashes and counts, and errors (instead of ending) when the bytes are
 * not the expected object, so that a store never completes the write of a wrong object.
 */
class ExpectedChecksum extends Transform {
  /** set when the bytes did not match */
  failure: IntegrityError | undefined;
  private readonly hash = createHash('sha256');
  private bytes = 0;
  /** an object is read in many short-lived buffers: return them as they go (see archive/reclaim.ts) */
  private readonly collect = collectGarbageEvery(16 << 20);

  constructor(
    private readonly expected: ObjectChecksum,
    private readonly describe: (actual: ObjectChecksum) => IntegrityError,
    private readonly onBytes: (bytes: number) => void = () => {},
  ) {
    super({ highWaterMark: 1 << 20 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.expected.bytes) {
      callback((this.failure = this.describe({ sha256: '', bytes: this.bytes })));
      return;
    }
    this.hash.update(chunk);
    this.onBytes(chunk.length);
    this.collect(chunk.length);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const actual = { sha256: this.hash.digest('hex'), bytes: this.bytes };
    if (actual.sha256 !== this.expected.sha256 || actual.bytes !== this.expected.bytes) {
      callback((this.failure = this.describe(actual)));
      return;
    }
    callback();
  }
}
