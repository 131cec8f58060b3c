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
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createSnapshotId } from '../domain/snapshot-id.ts';
import { LockedError } from '../domain/errors.ts';
import type { Store } from '../storage/store.ts';
import { readText } from './repository.ts';

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
  /** how long a lease lasts without renewal (default 5 minutes) */
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
  now?: () => Date;
}

export interface HeldLock {
  key: string;
  release(): Promise<void>;
}

const PREFIX = 'locks';

export async function acquireLock(store: Store, name: string, owner: LockOwner, options: LockOptions = {}): Promise<HeldLock> {
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const renewMs = options.renewMs ?? Math.max(1000, Math.floor(leaseMs / 5));
  const pollMs = options.pollMs ?? 2000;
  const now = options.now ?? (() => new Date());
  const deadline = now().getTime() + (options.waitMs ?? 0);
  for (let attempt = 1; ; attempt += 1) {
    const acquired = now();
    const key = `${PREFIX}/${name}/${createSnapshotId(acquired)}.json`;
    const record = (at: Date): LockRecord => ({ ...owner, acquired: acquired.toISOString(), expires: new Date(at.getTime() + leaseMs).toISOString() });
    await store.put(key, Buffer.from(JSON.stringify(record(acquired))));
    const others = await otherLiveLocks(store, name, now(), options.sameMachine ?? false, key);
    if (others.length === 0) {
      let renewing: Promise<void> = Promise.resolve();
      const timer = setInterval(() => {
        renewing = store.put(key, Buffer.from(JSON.stringify(record(now())))).catch(() => {});
      }, renewMs);
      timer.unref();
      return {
        key,
        async release() {
          clearInterval(timer);
          await renewing;
          await store.delete([key]);
        },
      };
    }
    await store.delete([key]);
    const left = deadline - now().getTime();
    // Two contenders that meet with no holder both withdraw; a few quick retries let one
    // of them win even when the caller asked to fail at once.
    if (left <= 0 && attempt >= QUICK_ATTEMPTS) throw lockedBy(name, others[0]!.record, store, others[0]!.key);
    await sleep(left > 0 ? Math.min(left, pollMs * (0.5 + Math.random())) : 25 + Math.random() * 100);
  }
}

const QUICK_ATTEMPTS = 3;

/** Run `work` while holding the lock; the lock is released whatever happens. */
export async function withLock<T>(store: Store, name: string, owner: LockOwner, options: LockOptions, work: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(store, name, owner, options);
  try {
    return await work();
  } finally {
    await lock.release().catch(() => {});
  }
}

/** Live lock objects other than `own`, earliest first; expired ones (and ones of dead local processes) are removed. */
async function otherLiveLocks(store: Store, name: string, now: Date, sameMachine: boolean, own: string): Promise<{ key: string; record: LockRecord }[]> {
  const keys: string[] = [];
  for await (const object of store.list(`${PREFIX}/${name}/`)) if (object.key !== own) keys.push(object.key);
  keys.sort();
  const live: { key: string; record: LockRecord }[] = [];
  for (const key of keys) {
    let record: LockRecord;
    try {
      record = JSON.parse(await readText(store, key)) as LockRecord;
    } catch {
      continue; // withdrawn since the listing: not a holder
    }
    if (Date.parse(record.expires) <= now.getTime() || (sameMachine && !processAlive(record.pid))) {
      await store.delete([key]).catch(() => {});
      continue;
    }
    live.push({ key, record });
  }
  return live;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockedBy(name: string, holder: LockRecord, store: Store, key: string): LockedError {
  const who = `${holder.operation} by ${holder.user ? `${holder.user}@` : ''}${holder.host} (pid ${holder.pid}${holder.ciRun ? `, ${holder.ciRun}` : ''})`;
  return new LockedError(
    `${name} is locked in ${store.properties.location}: ${who} since ${holder.acquired}; its lease runs until ${holder.expires} and lapses by itself if that job is gone (or remove ${key})`,
  );
}

/** A lock owner for this process. */
export function lockOwner(operation: string, origin: { host: string; user?: string; ci?: { runUrl?: string; runId?: string } }): LockOwner {
  return { operation, host: origin.host, pid: process.pid, user: origin.user, ciRun: origin.ci?.runUrl ?? origin.ci?.runId };
}
