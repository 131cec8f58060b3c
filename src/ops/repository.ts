/**
 * Snapshots as a repository sees them: folders of objects, committed by snapshot.json.
 * A folder without snapshot.json is an unfinished write: never listed, never used.
 */
import { text } from 'node:stream/consumers';
import { NotFoundError, UsageError } from '../domain/errors.ts';
import { compareNewestFirst, isSnapshotId } from '../domain/snapshot-id.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import { parseMetadata, SNAPSHOT_OBJECT } from '../domain/snapshot.ts';
import type { Store, StoredObject } from '../storage/store.ts';

export interface SnapshotFolder {
  id: string;
  objects: StoredObject[];
  /** for a folder without any object (listEmptyFolders): its own time */
  emptySince?: Date;
}

export interface RepositoryListing {
  /** committed snapshots, newest first */
  snapshots: SnapshotMetadata[];
  /** folders with no snapshot.json */
  unfinished: SnapshotFolder[];
  /** committed folders whose snapshot.json cannot be trusted */
  damaged: { id: string; problem: string }[];
  /** every snapshot folder as listed, by id (sizes: see storedBytes) */
  folders: ReadonlyMap<string, SnapshotFolder>;
}

/**
 * What a snapshot takes up in the repository: every object in its folder as listed (archive,
 * manifest, checksums, signature, outcome, snapshot.json), or, without a listing, the objects
 * snapshot.json records. The one figure that backup, list, show and prune print.
 */
export function storedBytes(snapshot: SnapshotMetadata, folder?: SnapshotFolder): number {
  if (folder && folder.objects.length > 0) return folder.objects.reduce((sum, object) => sum + object.size, 0);
  return Object.values(snapshot.objects).reduce((sum, object) => sum + object.bytes, 0);
}

/** storedBytes of one snapshot, its folder listed now. */
export async function readStoredBytes(store: Store, snapshot: SnapshotMetadata): Promise<number> {
  const objects: StoredObject[] = [];
  for await (const object of store.list(`${snapshot.id}/`)) objects.push(object);
  return storedBytes(snapshot, { id: snapshot.id, objects });
}

/** Every snapshot folder, by id. Keys outside snapshot folders (audit/, locks/) are ignored. */
export async function listFolders(store: Store): Promise<Map<string, SnapshotFolder>> {
  const folders = new Map<string, SnapshotFolder>();
  for await (const object of store.list('', { within: isSnapshotId })) {
    const slash = object.key.indexOf('/');
    if (slash < 0) continue;
    const id = object.key.slice(0, slash);
    if (!isSnapshotId(id)) continue;
    let folder = folders.get(id);
    if (!folder) folders.set(id, (folder = { id, objects: [] }));
    folder.objects.push(object);
  }
  return folders;
}

export async function readText(store: Store, key: string): Promise<string> {
  return text(await store.get(key));
}

export async function readMetadata(
  store: Store,
  id: string,
): Promise<{ metadata: SnapshotMetadata } | { problem: string }> {
  let content: string;
  try {
    content = await readText(store, `${id}/${SNAPSHOT_OBJECT}`);
  } catch (error) {
    if (error instanceof NotFoundError) return { problem: 'snapshot.json is missing' };
    throw error;
  }
  return parseMetadata(content, id);
}

export async function listSnapshots(store: Store): Promise<RepositoryListing> {
  const byId = await listFolders(store);
  // a folder a killed write left empty is unfinished too: list notes it, prune removes it
  for await (const empty of store.listEmptyFolders?.() ?? []) {
    if (isSnapshotId(empty.key) && !byId.has(empty.key))
      byId.set(empty.key, { id: empty.key, objects: [], emptySince: empty.modified });
  }
  const folders = [...byId.values()];
  const committed = folders.filter((f) => f.objects.some((o) => o.key === `${f.id}/${SNAPSHOT_OBJECT}`));
  const unfinished = folders.filter((f) => !committed.includes(f));
  const snapshots: SnapshotMetadata[] = [];
  const damaged: RepositoryListing['damaged'] = [];
  await forEachLimited(committed, 16, async (folder) => {
    const read = await readMetadata(store, folder.id);
    if ('metadata' in read) snapshots.push(read.metadata);
    else damaged.push({ id: folder.id, problem: read.problem });
  });
  snapshots.sort((a, b) => compareNewestFirst(a.id, b.id));
  unfinished.sort((a, b) => compareNewestFirst(a.id, b.id));
  return { snapshots, unfinished, damaged, folders: byId };
}

export interface SnapshotFilter {
  kind?: string | undefined;
  tags?: readonly string[] | undefined;
}

export function matchesFilter(snapshot: SnapshotMetadata, filter: SnapshotFilter): boolean {
  if (filter.kind && snapshot.kind !== filter.kind) return false;
  return (filter.tags ?? []).every((tag) => snapshot.tags.includes(tag));
}

/**
 * "latest" (the newest snapshot that is not a pre-restore snapshot, narrowed by the
 * filter; with kind "pre-restore" it is the newest pre-restore snapshot), a full id,
 * or a unique prefix of one.
 */
export async function resolveSnapshot(
  store: Store,
  reference: string,
  filter: SnapshotFilter = {},
): Promise<SnapshotMetadata> {
  const location = store.properties.location;
  if (reference === 'latest') {
    const { snapshots } = await listSnapshots(store);
    const latest = snapshots.find((s) => (filter.kind ? true : s.kind !== 'pre-restore') && matchesFilter(s, filter));
    if (!latest) {
      const scope = [filter.kind && `kind ${filter.kind}`, filter.tags?.length && `tags ${filter.tags.join(',')}`]
        .filter(Boolean)
        .join(', ');
      throw new NotFoundError(
        snapshots.length === 0
          ? `no snapshots in ${location}: run ripcord backup first, or check --repo`
          : `no snapshot in ${location} matches latest${scope ? ` (${scope})` : ''}: see ripcord list`,
      );
    }
    return latest;
  }
  if (!/^[0-9TZ.a-f-]+$/.test(reference)) {
    throw new UsageError(`${reference} is not a snapshot id: give an id from ripcord list, or latest`);
  }
  if (isSnapshotId(reference)) {
    const read = await readMetadata(store, reference);
    if ('metadata' in read) return read.metadata;
    if (read.problem === 'snapshot.json is missing') {
      throw new NotFoundError(
        `snapshot ${reference} does not exist in ${location} (or was never completed): see ripcord list`,
      );
    }
    throw new NotFoundError(`snapshot ${reference} in ${location} cannot be used: ${read.problem}`);
  }
  const { snapshots } = await listSnapshots(store);
  const matches = snapshots.filter((s) => s.id.startsWith(reference));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0)
    throw new NotFoundError(`no snapshot id starts with ${reference} in ${location}: see ripcord list`);
  throw new UsageError(
    `${reference} matches ${matches.length} snapshots (${matches
      .slice(0, 3)
      .map((s) => s.id)
      .join(', ')}, ...): give more of the id`,
  );
}

export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(workers);
}
