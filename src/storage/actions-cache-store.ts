/**
 * A repository in the GitHub Actions cache: "actions-cache://NAME". The only module that
 * imports @actions/cache; open-store.ts loads it on demand.
 *
 * A fast tier, not a durable one. Each committed snapshot folder is ONE cache entry, key
 * "ripcord-NAME-<id>". Objects are written to a staging folder on the runner
 * ($RUNNER_TEMP/ripcord-actions-cache/NAME/objects, atomic like the local store); putting
 * "<id>/snapshot.json" (the commit marker, written last by backup) saves the folder, marker
 * included, as the entry, and only once the cache service has it does the marker appear in
 * the staging folder: a failed save fails the put, loudly, and leaves the snapshot unfinished.
 * Reads restore lazily, at most once per store instance: the exact key for "<id>/..." keys,
 * the newest entry under the prefix "ripcord-NAME-" for listings (the cache service answers
 * a prefix with its most recent match, so list('') sees the newest snapshot and whatever
 * this runner staged, never the whole history). Keys outside snapshot folders stay on this
 * runner. Committed snapshots cannot be deleted: entries only expire (7 days unused).
 *
 * Pre-restore snapshots are saved under "ripcord_undo-NAME-<id>" instead, which the prefix
 * never matches: a restore into a job's workspace must not become the newest entry, or the
 * next job's `latest` (which skips pre-restore snapshots) would find nothing. They are read
 * by their exact key, like any older snapshot.
 *
 * @actions/cache archives paths relative to GITHUB_WORKSPACE (else the working directory)
 * and hashes the path strings it is given into the entry's version, which must match on
 * restore. So every call runs with the working directory and GITHUB_WORKSPACE set to a
 * scratch folder holding exactly the snapshot, with the path ".": entries get the same
 * version and layout on every runner, whatever its RUNNER_TEMP or workspace. Those two are
 * process-wide, so calls run one at a time and put both back afterwards.
 *
 * @actions/cache reports most failures only as log warnings (a cache is optional to it):
 * saveCache returns -1 and restoreCache undefined. Here a save that did not happen is a
 * StorageError, and a restore looks the key up first, so an entry that exists but cannot be
 * downloaded is a StorageError too, not an empty repository.
 */
import * as cache from '@actions/cache';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { NotFoundError, StorageError, UsageError } from '../domain/errors.ts';
import { isSnapshotId } from '../domain/snapshot-id.ts';
import { SNAPSHOT_OBJECT } from '../domain/snapshot.ts';
import { assertValidKey } from './keys.ts';
import { LocalStore } from './local-store.ts';
import { PARTIAL_MARKER } from './replace-file.ts';
import type { GetOptions, ListOptions, PutOptions, Store, StoredObject, StoreProperties } from './store.ts';

export interface ActionsCacheStoreOptions {
  /** where the staging folder lives; default $RUNNER_TEMP, else the system temp folder */
  stagingRoot?: string;
}

/** The one path handed to @actions/cache: the scratch folder it runs in (see above). */
const CACHE_PATHS = ['.'];
/** Snapshot files are plain bytes: let Windows and Linux/macOS runners share entries. */
const CROSS_OS = true;
const NAME_PATTERN = /^[a-z0-9][a-z0-9_.]{0,99}$/;
const RETENTION_HINT = 'entries expire after 7 days unused; use an S3 repository for retention';

export async function createActionsCacheStore(
  repository: string,
  options: ActionsCacheStoreOptions = {},
): Promise<Store> {
  const name = /^actions-cache:\/\/([^/?#]*)\/?$/i.exec(repository)?.[1];
  if (name === undefined || !NAME_PATTERN.test(name)) {
    throw new UsageError(
      `${repository} is not a valid actions-cache repository: use actions-cache://NAME with a NAME of lowercase letters, digits, "_" and "." (no "-", so that one name's key prefix never matches another's)`,
    );
  }
  // The runner gives these to JavaScript actions only, not to `run:` steps.
  if (!process.env.ACTIONS_RUNTIME_TOKEN || !cache.isFeatureAvailable()) {
    throw new UsageError(
      `actions-cache:// repositories work only inside GitHub Actions, from the ripcord action: ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set here (a run: step does not get them); use a local path or s3://bucket/prefix`,
    );
  }
  if (cacheMode() === 'none') {
    throw new UsageError(
      `actions-cache://${name}: the runner's cache mode is "none" (ACTIONS_CACHE_MODE): this job can neither read nor write the cache`,
    );
  }
  const base = path.resolve(
    options.stagingRoot ?? (process.env.RUNNER_TEMP || tmpdir()),
    'ripcord-actions-cache',
    name,
  );
  const store = new ActionsCacheStore(name, base);
  try {
    await fs.mkdir(store.workRoot, { recursive: true, mode: 0o700 });
    await fs.mkdir(store.local.root, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StorageError(
      `actions-cache://${name}: cannot create the staging folder ${base}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return store;
}

class ActionsCacheStore implements Store {
  readonly properties: StoreProperties;
  /** objects on this runner: what was put here, and what was restored from the cache */
  readonly local: LocalStore;
  /** scratch folders for saves and restores, on the same file system as the objects */
  readonly workRoot: string;
  private readonly prefix: string;
  private readonly undoPrefix: string;
  private newest: Promise<void> | undefined;
  private readonly restored = new Map<string, Promise<void>>();
  private readonly lookups = new Map<string, Promise<string | undefined>>();

  constructor(name: string, base: string) {
    this.properties = { location: `actions-cache://${name}`, listable: false, deletable: false, durable: false };
    this.local = new LocalStore(path.join(base, 'objects'));
    this.workRoot = path.join(base, 'work');
    this.prefix = `ripcord-${name}-`;
    this.undoPrefix = `ripcord_undo-${name}-`;
  }

  private entryKey(id: string): string {
    return `${this.prefix}${id}`;
  }

  /** A pre-restore snapshot's entry: out of the prefix's reach (names have no "-", keys start "ripcord-"). */
  private undoKey(id: string): string {
    return `${this.undoPrefix}${id}`;
  }

  async put(key: string, body: Readable | Uint8Array, options: PutOptions = {}): Promise<void> {
    assertValidKey(key);
    const id = committedBy(key);
    if (id === undefined) return this.local.put(key, body, options);
    await this.commitSnapshot(id, await bytesOf(body));
  }

  async get(key: string, options?: GetOptions): Promise<Readable> {
    await this.restoreFolderOf(key);
    try {
      return await this.local.get(key, options);
    } catch (error) {
      throw error instanceof NotFoundError ? this.notFound(key, error) : error;
    }
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    await this.restoreFolderOf(key);
    return this.local.stat(key);
  }

  async *list(prefix: string, options?: ListOptions): AsyncIterable<StoredObject> {
    const id = prefix.split('/')[0] ?? '';
    // Inside one snapshot folder the exact key is enough; anything wider gets the newest entry.
    if (isSnapshotId(id)) await this.restoreSnapshot(id);
    else if (!prefix.includes('/')) await this.restoreNewest();
    yield* this.local.list(prefix, options);
  }

  async delete(keys: readonly string[]): Promise<void> {
    const refused = new Set<string>();
    for (const key of keys) {
      assertValidKey(key);
      const id = snapshotFolderOf(key);
      if (id !== undefined && !refused.has(id) && (await this.isCommitted(id))) refused.add(id);
    }
    if (refused.size > 0) {
      const ids = [...refused];
      throw new StorageError(
        `${this.properties.location} cannot delete snapshots: ${RETENTION_HINT} (refused: ${ids.slice(0, 3).join(', ')}${ids.length > 3 ? `, +${ids.length - 3} more` : ''})`,
      );
    }
    // Unfinished snapshot folders and keys outside snapshot folders live only on this runner.
    await this.local.delete(keys);
  }

  async close(): Promise<void> {
    await this.local.close();
  }

  // ---- saving ----

  /** Save the folder plus its marker as the entry; only then put the marker in place here. */
  private async commitSnapshot(id: string, marker: Buffer): Promise<void> {
    const markerKey = `${id}/${SNAPSHOT_OBJECT}`;
    const entry = kindOf(marker) === 'pre-restore' ? this.undoKey(id) : this.entryKey(id);
    const existing = await this.local.stat(markerKey);
    if (existing) {
      // Entries cannot be replaced: the same bytes again are a no-op, other bytes an error.
      const current = await bytesOf(await this.local.get(markerKey));
      if (current.equals(marker)) return;
      throw new StorageError(
        `${this.properties.location}: snapshot ${id} is already committed as cache entry ${entry}, and cache entries cannot be replaced`,
      );
    }
    const scratch = await fs.mkdtemp(path.join(this.workRoot, 'save-'));
    try {
      await linkFiles(path.join(this.local.root, id), scratch);
      await fs.writeFile(path.join(scratch, SNAPSHOT_OBJECT), marker, { mode: 0o600 });
      let entryId: number;
      try {
        entryId = await inFolder(scratch, () => cache.saveCache(CACHE_PATHS, entry, undefined, CROSS_OS));
      } catch (error) {
        throw new StorageError(
          `${this.properties.location}: cannot save snapshot ${id} as cache entry ${entry}: ${oneLine(error)}`,
          { cause: error },
        );
      }
      if (!(entryId >= 0)) {
        const mode = cacheMode();
        const reason =
          mode === 'read'
            ? `the runner's cache mode is "read" (ACTIONS_CACHE_MODE)`
            : 'the cache service refused the entry or the upload failed (see the warning from @actions/cache above; an entry with this key may already exist)';
        throw new StorageError(
          `${this.properties.location}: cannot save snapshot ${id} as cache entry ${entry}: ${reason}; the snapshot is not committed`,
        );
      }
      this.lookups.set(lookupMemo(entry, []), Promise.resolve(entry));
      await this.local.put(markerKey, marker);
    } finally {
      await fs.rm(scratch, { recursive: true, force: true }).catch(() => {});
    }
  }

  // ---- restoring ----

  private async restoreFolderOf(key: string): Promise<void> {
    assertValidKey(key);
    const id = snapshotFolderOf(key);
    if (id !== undefined) await this.restoreSnapshot(id);
  }

  /** The newest entry under the prefix, once per store instance. */
  private restoreNewest(): Promise<void> {
    this.newest ??= this.restoreEntry(this.prefix, [this.prefix]).then(
      () => {},
      (error: unknown) => {
        this.newest = undefined; // let a later call try again
        throw error;
      },
    );
    return this.newest;
  }

  /** The entry of snapshot `id`, once per store instance, unless it is committed here already. */
  private restoreSnapshot(id: string): Promise<void> {
    let pending = this.restored.get(id);
    if (!pending) {
      pending = (async () => {
        if (await this.local.stat(`${id}/${SNAPSHOT_OBJECT}`)) return;
        const undo =
          (await this.lookUp(this.entryKey(id), [])) === undefined &&
          (await this.lookUp(this.undoKey(id), [])) !== undefined;
        await this.restoreEntry(undo ? this.undoKey(id) : this.entryKey(id), []);
      })();
      pending.catch(() => this.restored.delete(id));
      this.restored.set(id, pending);
    }
    return pending;
  }

  private async isCommitted(id: string): Promise<boolean> {
    if (await this.local.stat(`${id}/${SNAPSHOT_OBJECT}`)) return true;
    return (
      (await this.lookUp(this.entryKey(id), [])) !== undefined ||
      (await this.lookUp(this.undoKey(id), [])) !== undefined
    );
  }

  /** The key of the entry that `primaryKey` / `restoreKeys` match, without downloading it. */
  private lookUp(primaryKey: string, restoreKeys: string[]): Promise<string | undefined> {
    const memo = lookupMemo(primaryKey, restoreKeys);
    let pending = this.lookups.get(memo);
    if (!pending) {
      pending = cache
        .restoreCache(CACHE_PATHS, primaryKey, restoreKeys, { lookupOnly: true }, CROSS_OS)
        .catch((error: unknown) => {
          throw new StorageError(
            `${this.properties.location}: cannot look up cache entry ${primaryKey}: ${oneLine(error)}`,
            { cause: error },
          );
        });
      pending.catch(() => this.lookups.delete(memo));
      this.lookups.set(memo, pending);
    }
    return pending;
  }

  /** Look the entry up, download it into a scratch folder and move it into the staging folder. */
  private async restoreEntry(primaryKey: string, restoreKeys: string[]): Promise<void> {
    const matched = await this.lookUp(primaryKey, restoreKeys);
    if (matched === undefined) return;
    const prefix = matched.startsWith(this.undoPrefix) ? this.undoPrefix : this.prefix;
    const id = matched.slice(prefix.length);
    if (!matched.startsWith(prefix) || !isSnapshotId(id)) {
      throw new StorageError(
        `${this.properties.location}: cache entry ${matched} is not a ripcord snapshot (expected ${this.prefix}<snapshot id>)`,
      );
    }
    if (await this.local.stat(`${id}/${SNAPSHOT_OBJECT}`)) return;
    const scratch = await fs.mkdtemp(path.join(this.workRoot, 'restore-'));
    try {
      let restored: string | undefined;
      try {
        // The exact key now: a newer entry may have appeared under the prefix since the lookup.
        restored = await inFolder(scratch, () => cache.restoreCache(CACHE_PATHS, matched, [], undefined, CROSS_OS));
      } catch (error) {
        throw new StorageError(
          `${this.properties.location}: cannot restore cache entry ${matched}: ${oneLine(error)}`,
          { cause: error },
        );
      }
      if (restored !== matched) {
        throw new StorageError(
          `${this.properties.location}: cache entry ${matched} exists but could not be downloaded or unpacked (see the warning from @actions/cache above)`,
          { transient: true },
        );
      }
      await this.adopt(scratch, id, matched);
    } finally {
      await fs.rm(scratch, { recursive: true, force: true }).catch(() => {});
    }
  }

  /** Move a restored folder's files into place, the marker last, so readers never see half of it. */
  private async adopt(scratch: string, id: string, entry: string): Promise<void> {
    const files = await regularFiles(scratch);
    if (files === undefined || !files.includes(SNAPSHOT_OBJECT)) {
      throw new StorageError(
        `${this.properties.location}: cache entry ${entry} is not a ripcord snapshot folder (no ${SNAPSHOT_OBJECT}, or entries that are not plain files)`,
      );
    }
    const folder = path.join(this.local.root, id);
    for (const file of [...files.filter((f) => f !== SNAPSHOT_OBJECT), SNAPSHOT_OBJECT]) {
      const target = path.join(folder, ...file.split('/'));
      await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      await fs.rename(path.join(scratch, ...file.split('/')), target);
    }
  }

  private notFound(key: string, cause: NotFoundError): NotFoundError {
    const id = snapshotFolderOf(key);
    const where =
      id === undefined
        ? 'only snapshot folders are kept in the Actions cache, other objects stay on the runner that wrote them'
        : `no cache entry ${this.entryKey(id)} is visible from this branch${cacheMode() === 'write-only' ? ` (the runner's cache mode is "write-only")` : ''}`;
    return new NotFoundError(`${this.properties.location}: no object ${key} (${where})`, { cause });
  }
}

/** The kind a snapshot.json marker declares, if it parses (the store only files it by kind). */
function kindOf(marker: Buffer): unknown {
  try {
    return (JSON.parse(marker.toString('utf8')) as { kind?: unknown }).kind;
  } catch {
    return undefined;
  }
}

/** The snapshot id whose folder holds `key`, when the key is in a snapshot folder. */
function snapshotFolderOf(key: string): string | undefined {
  const slash = key.indexOf('/');
  const id = slash < 0 ? '' : key.slice(0, slash);
  return isSnapshotId(id) ? id : undefined;
}

/** The snapshot id that putting `key` commits ("<id>/snapshot.json"), if any. */
function committedBy(key: string): string | undefined {
  const id = snapshotFolderOf(key);
  return id !== undefined && key === `${id}/${SNAPSHOT_OBJECT}` ? id : undefined;
}

function lookupMemo(primaryKey: string, restoreKeys: readonly string[]): string {
  return [primaryKey, ...restoreKeys].join('\n');
}

/** The runner's cache mode (read, write, write-only, none), '' when unset. */
function cacheMode(): string {
  return (process.env.ACTIONS_CACHE_MODE ?? '').trim().toLowerCase();
}

let cacheCalls: Promise<unknown> = Promise.resolve();

/** Run an @actions/cache call with `folder` as working directory and GITHUB_WORKSPACE, one call at a time. */
function inFolder<T>(folder: string, call: () => Promise<T>): Promise<T> {
  const run = async () => {
    const cwd = process.cwd();
    const workspace = process.env.GITHUB_WORKSPACE;
    process.chdir(folder);
    process.env.GITHUB_WORKSPACE = folder;
    try {
      return await call();
    } finally {
      process.chdir(cwd);
      if (workspace === undefined) delete process.env.GITHUB_WORKSPACE;
      else process.env.GITHUB_WORKSPACE = workspace;
    }
  };
  const result = cacheCalls.then(run, run);
  cacheCalls = result.catch(() => {});
  return result;
}

/** Hard-link (else copy) the committed-to-be files of a staged folder into `target`, partial writes left out. */
async function linkFiles(source: string, target: string): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(source, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    const from = path.join(source, entry.name);
    const to = path.join(target, entry.name);
    if (entry.isDirectory()) {
      await fs.mkdir(to, { mode: 0o700 });
      await linkFiles(from, to);
    } else if (entry.isFile() && !entry.name.includes(PARTIAL_MARKER) && entry.name !== SNAPSHOT_OBJECT) {
      await fs.link(from, to).catch(() => fs.copyFile(from, to));
    }
  }
}

/** Relative paths of every file under `dir`, or undefined when it holds anything but files and folders. */
async function regularFiles(dir: string, prefix = ''): Promise<string[] | undefined> {
  const files: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isFile()) files.push(relative);
    else if (entry.isDirectory()) {
      const nested = await regularFiles(path.join(dir, entry.name), relative);
      if (nested === undefined) return undefined;
      files.push(...nested);
    } else return undefined;
  }
  return files;
}

async function bytesOf(body: Readable | Uint8Array): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

function oneLine(error: unknown): string {
  return ((error as Error | undefined)?.message ?? String(error)).split('\n')[0]!;
}
