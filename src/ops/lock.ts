/**
 * Locks with an owner and a lease, on any Store, so that a killed job never blocks the
 * next one until a human intervenes: a lock is live only while its holder keeps renewing
 * it. Stores have no atomic create-if-absent, so each contender writes its own lock object
 * under locks/<name>/ and then lists them: it holds the lock only if no other live lock
 * object is there. Otherwise it withdraws its object and waits (with jitter) or fails,
 * naming the earliest other. This is safe on any store whose list sees every write that
 * finished before it began (local disk, S3): of two contenders, the one that lists second
 * sees the other's object, because that object was written before the other listed.
 * "Earliest key wins" would not be: a key is named before it is written, so a slow write
 * can appear after a later contender has already listed and taken the lock.
 *
 * Anyone who can write a repository can write a lock object into it, so a lock object is
 * read as hostile: one larger than a lock record, or whose fields do not parse, or whose
 * lease runs past what ripcord ever grants, is live only until MAX_LEASE_MS after it was
 * last written (the store's own time for the object; renewals rewrite it), never for good.
 * S3 refuses requests from a clock more than 15 minutes off, well inside that margin.
 * Its fields are escaped when printed: nothing read from a lock reaches the terminal raw.
 */
import { systemClock } from '../domain/clock.ts';
import type { Clock } from '../domain/clock.ts';
import { createSnapshotId } from '../domain/snapshot-id.ts';
import { LockedError } from '../domain/errors.ts';
import { PARTIAL_MARKER } from '../storage/replace-file.ts';
import type { Store, StoredObject } from '../storage/store.ts';
import { processAlive } from './private-folder.ts';
import { escapeControls } from '../domain/untrusted-text.ts';

export interface LockOwner {
  operation: string;
  host: string;
  pid: number;
  user?: string | undefined;
  /** CI run URL or id, when there is one */
  ciRun?: string | undefined;
}

export interface LockRecord extends LockOwner {
  acquired: string;
  /** the lease: past this time the lock is dead unless renewed */
  expires: string;
}

export interface LockOptions {
  /** how long a lease lasts without renewal (default 5 minutes, at most MAX_LEASE_MS) */
  leaseMs?: number;
  /** how often a held lock renews its lease (default a fifth of the lease) */
  renewMs?: number;
  /** how long to wait for a held lock before failing (default 0: fail at once) */
  waitMs?: number;
  /** how often to look again while waiting (default 2 s) */
  pollMs?: number;
  /**
   * every holder runs on this machine (a lock in a local folder): a holder whose process
   * is gone is dead at once. Never for shared repositories, where host names can repeat.
   */
  sameMachine?: boolean;
  /** the system's unless a test gives one */
  clock?: Clock;
}

export interface HeldLock {
  key: string;
  release(): Promise<void>;
}

const PREFIX = 'locks';

/** The longest lease ripcord grants; no lock object stays live longer than this after its last write. */
export const MAX_LEASE_MS = 60 * 60_000;

/** A lock record is a few hundred bytes; anything much larger is not one, and is not read. */
const MAX_RECORD_BYTES = 16 << 10;

export async function acquireLock(
  store: Store,
  name: string,
  owner: LockOwner,
  options: LockOptions = {},
): Promise<HeldLock> {
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  if (!(leaseMs > 0 && leaseMs <= MAX_LEASE_MS))
    throw new RangeError(`a lock lease of ${leaseMs} ms: it must be positive and at most ${MAX_LEASE_MS} ms`);
  const renewMs = options.renewMs ?? Math.max(1000, Math.floor(leaseMs / 5));
  const pollMs = options.pollMs ?? 2000;
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const deadline = now().getTime() + (options.waitMs ?? 0);
  for (let attempt = 1; ; attempt += 1) {
    const acquired = now();
    const key = `${PREFIX}/${name}/${createSnapshotId(acquired)}.json`;
    const record = (at: Date): LockRecord => ({
      ...owner,
      acquired: acquired.toISOString(),
      expires: new Date(at.getTime() + leaseMs).toISOString(),
    });
    await store.put(key, Buffer.from(JSON.stringify(record(acquired))));
    const others = await otherLiveLocks(store, name, now(), options.sameMachine ?? false, key);
    if (others.length === 0) {
      let renewing: Promise<void> = Promise.resolve();
      const stopRenewing = clock.every(renewMs, () => {
        renewing = store.put(key, Buffer.from(JSON.stringify(record(now())))).catch(() => {});
        return renewing;
      });
      return {
        key,
        async release() {
          stopRenewing();
          await renewing;
          await store.delete([key]);
        },
      };
    }
    await store.delete([key]);
    const left = deadline - now().getTime();
    // Two contenders that meet with no holder both withdraw; a few quick retries let one
    // of them win even when the caller asked to fail at once.
    if (left <= 0 && attempt >= QUICK_ATTEMPTS) throw lockedBy(name, others[0]!, store);
    await clock.sleep(left > 0 ? Math.min(left, pollMs * (0.5 + Math.random())) : 25 + Math.random() * 100);
  }
}

const QUICK_ATTEMPTS = 3;

/** Run `work` while holding the lock; the lock is released whatever happens. */
export async function withLock<T>(
  store: Store,
  name: string,
  owner: LockOwner,
  options: LockOptions,
  work: () => Promise<T>,
): Promise<T> {
  const lock = await acquireLock(store, name, owner, options);
  try {
    return await work();
  } finally {
    await lock.release().catch(() => {});
  }
}

/** A lock object as read: its record when every field parses, and when it stops being live. */
interface FoundLock {
  key: string;
  record: LockRecord | undefined;
  /** what holds it, as far as the object says (escaped for printing) */
  holder: string;
  lapses: Date;
}

/** Live lock objects other than `own`, earliest first; lapsed ones (and ones of dead local processes) are removed. */
async function otherLiveLocks(
  store: Store,
  name: string,
  now: Date,
  sameMachine: boolean,
  own: string,
): Promise<FoundLock[]> {
  const objects: StoredObject[] = [];
  for await (const object of store.list(`${PREFIX}/${name}/`)) {
    if (object.key === own) continue;
    // A write of a record still under way, or killed midway (SIGKILL while a job took or
    // renewed its lock), on local disk: "<key>.partial-<random>", not a record. Its writer looks for
    // others only once its record is in place, and then sees ours, so passing it over lets
    // no two hold the lock; one older than the longest lease is a dead write, and removed.
    if (object.key.includes(PARTIAL_MARKER)) {
      if (now.getTime() - object.modified.getTime() > MAX_LEASE_MS) await store.delete([object.key]).catch(() => {});
      continue;
    }
    objects.push(object);
  }
  objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const live: FoundLock[] = [];
  for (const object of objects) {
    let content: unknown;
    try {
      content = await readRecord(store, object);
    } catch {
      continue; // withdrawn since the listing: not a holder
    }
    const found = parseLock(object, content);
    if (found.lapses.getTime() <= now.getTime() || (sameMachine && found.record && !processAlive(found.record.pid))) {
      await store.delete([object.key]).catch(() => {});
      continue;
    }
    live.push(found);
  }
  return live;
}

/** The object's JSON, or undefined when it is too large for a lock record or is not JSON. */
async function readRecord(store: Store, object: StoredObject): Promise<unknown> {
  if (object.size > MAX_RECORD_BYTES) return undefined;
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of await store.get(object.key)) {
    bytes += (chunk as Buffer).length;
    if (bytes > MAX_RECORD_BYTES) return undefined; // rewritten larger since the listing
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function parseLock(object: StoredObject, content: unknown): FoundLock {
  const fields =
    typeof content === 'object' && content !== null && !Array.isArray(content)
      ? (content as Record<string, unknown>)
      : {};
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const optional = (value: unknown) => value === undefined || typeof value === 'string';
  const written = object.modified.getTime();
  const longest = Number.isNaN(written) ? 0 : written + MAX_LEASE_MS;
  const expires = Date.parse(text(fields.expires) ?? '');
  const pid = fields.pid;
  const valid =
    text(fields.operation) !== undefined &&
    text(fields.host) !== undefined &&
    typeof pid === 'number' &&
    Number.isSafeInteger(pid) &&
    pid > 0 &&
    !Number.isNaN(Date.parse(text(fields.acquired) ?? '')) &&
    !Number.isNaN(expires) &&
    optional(fields.user) &&
    optional(fields.ciRun);
  const user = text(fields.user);
  const ciRun = text(fields.ciRun);
  const holder = valid
    ? `${printable(fields.operation as string)} by ${user ? `${printable(user)}@` : ''}${printable(fields.host as string)} (pid ${pid as number}${ciRun ? `, ${printable(ciRun)}` : ''}) since ${printable(fields.acquired as string)}`
    : `a lock record that does not parse${text(fields.operation) ? ` (${printable(fields.operation as string)})` : ''}`;
  return {
    key: object.key,
    record: valid ? (fields as unknown as LockRecord) : undefined,
    holder,
    lapses: new Date(valid ? Math.min(expires, longest) : longest),
  };
}

/** Text from a lock object made safe for a terminal: control and bidirectional characters escaped, length bounded. */
function printable(value: string): string {
  const escaped = escapeControls(value);
  return escaped.length > 200 ? `${escaped.slice(0, 200)}...` : escaped;
}

function lockedBy(name: string, holder: FoundLock, store: Store): LockedError {
  return new LockedError(
    `${name} is locked in ${store.properties.location}: ${holder.holder}; its lease runs until ${holder.lapses.toISOString()} and lapses by itself if that job is gone (or remove ${printable(holder.key)})`,
  );
}

/** A lock owner for this process. */
export function lockOwner(
  operation: string,
  origin: { host: string; user?: string; ci?: { runUrl?: string; runId?: string } },
): LockOwner {
  return {
    operation,
    host: origin.host,
    pid: process.pid,
    user: origin.user,
    ciRun: origin.ci?.runUrl ?? origin.ci?.runId,
  };
}
