/**
 * The content of a file a chain link stored as a block delta (ops/block-delta.ts): its
 * version history is followed back to a version stored whole, which is read, then each
 * delta's plan is applied in turn, oldest first, to the version before it and the delta's
 * data record. Each version built is checked against its SHA-256 in the (authenticated)
 * manifest of the link that recorded it before the next is built on it, so a plan that lies
 * never reaches the target: the end result is the one the restore's manifest lists.
 *
 * Versions live in private scratch files with no name (private-folder.ts); what is read of
 * each link's archive is its records and the one version stored whole, by the archive's
 * index where it has one.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IntegrityError } from '../domain/errors.ts';
import type { DecryptionKeys } from '../domain/keys.ts';
import { BlockList } from '../archive/chunker.ts';
import { collectGarbage, collectGarbageOverSlack } from '../archive/reclaim.ts';
import type { Block, ManifestEntry, ManifestTrailer } from '../domain/manifest.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
import { deltaRecords } from './block-delta.ts';
import { contentMismatch, headerMismatch, measuring } from './entry-check.ts';
import { openScratchFile } from './private-folder.ts';
import type { ScratchFile } from './private-folder.ts';
import { collectingGarbage, describeFailure, openArchive, openIndexed, readManifest } from './read-snapshot.ts';

export interface DeltaSource {
  store: Store;
  keys: DecryptionKeys;
  /** the chain of the snapshot being read, base first */
  chain: readonly SnapshotMetadata[];
  /**
   * More files whose lines each manifest read keeps, so that each link's manifest is read once
   * for all of them (a backup: the parent's large files), kept in `cache` by link id and file
   */
  also?: readonly string[];
  cache?: Map<string, Map<string, LinkLines>>;
}

/** Dead buffers allowed to pile up before a collection, as for a restore (read-snapshot.ts). */
const GARBAGE_SLACK = 8 << 20;

/** A plan longer than this is not one ripcord writes (a line a segment, at most one a block). */
const PLAN_LIMIT = 16 << 20;

/** What one link's manifest says of a file: its entry, its records, and where each of its own entries ends. */
interface LinkLines {
  link: SnapshotMetadata;
  entry?: ManifestEntry;
  plan?: ManifestEntry;
  data?: ManifestEntry;
  /** the tar offset of the archive entry after each of these (undefined: the archive's end) */
  next: Map<ManifestEntry, number | undefined>;
  trailer: ManifestTrailer;
}

const PATH_FIELD = Buffer.from('"path":"');
const AT_FIELD = Buffer.from('"at":');

/** The path of a manifest entry line, read without parsing the line (undefined: not an entry line). */
function pathOfLine(line: Buffer): string | undefined {
  const start = line.indexOf(PATH_FIELD);
  if (start < 0) return undefined;
  const from = start + PATH_FIELD.length;
  let end = from;
  let escaped = false;
  for (; end < line.length; end++) {
    const byte = line[end]!;
    if (byte === 0x22) break; // the closing quote: inside a JSON string every other one is escaped
    if (byte === 0x5c) {
      escaped = true;
      end++;
    }
  }
  if (end >= line.length) return undefined;
  const text = line.toString('utf8', from, end);
  return escaped ? (JSON.parse(`"${text}"`) as string) : text;
}

/** The lines of `file` (and of `source.also`) in `link`'s manifest: one read of it for all of them. */
async function linesAbout(source: DeltaSource, link: SnapshotMetadata, file: string): Promise<LinkLines> {
  const cached = source.cache?.get(link.id)?.get(file);
  if (cached) return cached;
  const files = [file, ...(source.also ?? []).filter((f) => f !== file)];
  const roles = new Map<string, { file: string; role: 'entry' | 'plan' | 'data' }>();
  for (const f of files) {
    const records = deltaRecords(f);
    roles.set(f, { file: f, role: 'entry' });
    roles.set(records.plan, { file: f, role: 'plan' });
    roles.set(records.data, { file: f, role: 'data' });
  }
  let after = false; // the line after one of ours that the archive holds gives its end
  const { entries, trailer } = await readManifest(source.store, link, source.keys, {
    keep(line) {
      const name = pathOfLine(line);
      const ours = name !== undefined && roles.has(name);
      const own = line.includes(AT_FIELD);
      const kept = ours || (after && own);
      if (own && kept) after = ours;
      return kept;
    },
  });
  const next = new Map<ManifestEntry, number | undefined>();
  const found = new Map<string, LinkLines>(files.map((f) => [f, { link, next, trailer }]));
  let previous: ManifestEntry | undefined;
  for (const entry of entries) {
    if (entry.at !== undefined) {
      if (previous) next.set(previous, entry.at);
      previous = entry;
    }
    const role = roles.get(entry.path);
    if (role) found.get(role.file)![role.role] = entry;
  }
  if (previous && !next.has(previous)) next.set(previous, undefined);
  collectGarbage(); // what reading the manifest left behind (as findParent does)
  if (source.cache) {
    let byFile = source.cache.get(link.id);
    if (!byFile) source.cache.set(link.id, (byFile = new Map()));
    for (const [f, lines] of found) byFile.set(f, lines);
  }
  return found.get(file)!;
}

/** Write `entry` of the archive of `lines.link` into `sink`, checked against the manifest entry. */
async function readStored(source: DeltaSource, lines: LinkLines, entry: ManifestEntry, sink: Writable): Promise<void> {
  const { link, trailer } = lines;
  const copy = async (item: { entry: Parameters<typeof headerMismatch>[0]; body: AsyncIterable<Buffer> }) => {
    const mismatch = headerMismatch(item.entry, entry);
    if (mismatch) throw new IntegrityError(mismatch);
    const count = measuring({ bytes: entry.size ?? 0, what: entry.path });
    await pipeline(item.body, count.stream, collectingGarbage(), sink);
    const { bytes, sha256 } = count.result();
    const problem = contentMismatch(item.entry, entry, bytes, sha256);
    if (problem) throw new IntegrityError(problem);
  };
  try {
    const indexed = entry.at === undefined ? undefined : await openIndexed(source.store, link, source.keys, trailer);
    if (indexed && entry.at !== undefined) {
      for await (const item of indexed.items(entry.at, lines.next.get(entry), 1)) await copy(item);
      return;
    }
    const archive = await openArchive(source.store, link, source.keys);
    let found = false;
    try {
      for await (const item of archive.items) {
        if (item.entry.path !== entry.path || found) {
          for await (const _ of item.body);
          continue;
        }
        found = true;
        await copy(item);
      }
      await archive.finish();
    } finally {
      archive.close();
    }
    if (!found) throw new IntegrityError(`the archive has no ${entry.path}, which its manifest lists`);
  } catch (error) {
    throw describeFailure(link, 'archive.tar.gz.pgp', error);
  }
}

function linkOfId(source: DeltaSource, id: string | undefined, from: SnapshotMetadata): SnapshotMetadata {
  const link = id === undefined ? undefined : source.chain.find((l) => l.id === id);
  if (!link)
    throw new IntegrityError(`snapshot ${from.id} names ${id ?? 'no parent'}, which is not a link of its chain`);
  return link;
}

/**
 * The content of `file` as link `holder` lists it (stored there whole or as a block delta, or
 * named in an earlier link), in a scratch file the caller closes, with `holder`'s entry.
 */
export async function fileAsOf(
  source: DeltaSource,
  holder: SnapshotMetadata,
  file: string,
): Promise<{ content: ScratchFile; entry: ManifestEntry }> {
  return build(source, await historyOf(source, holder, file));
}

/** The version a history ends in, built from the one stored whole (see fileAsOf). */
async function build(
  source: DeltaSource,
  { whole, deltas }: { whole: LinkLines; deltas: LinkLines[] },
): Promise<{ content: ScratchFile; entry: ManifestEntry }> {
  let version = await openScratchFile('delta');
  try {
    await readStored(source, whole, whole.entry!, version.write());
    let size = whole.entry!.size ?? 0;
    for (const delta of deltas) {
      const next = await applyDelta(source, delta, version, size);
      await version.close();
      version = next;
      size = delta.entry!.size ?? 0;
    }
    return { content: version, entry: deltas.length > 0 ? deltas[deltas.length - 1]!.entry! : whole.entry! };
  } catch (error) {
    await version.close();
    throw error;
  }
}

/** The blocks of `file` as link `holder` lists it, from its content: for a parent whose manifest lists none. */
export async function blocksAsOf(source: DeltaSource, holder: SnapshotMetadata, file: string): Promise<Block[]> {
  const list = new BlockList();
  const collect = collectGarbageOverSlack(GARBAGE_SLACK);
  const blocks = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      list.update(chunk);
      collect();
      callback();
    },
  });
  const history = await historyOf(source, holder, file);
  if (history.deltas.length === 0) {
    // stored whole: its blocks straight from the archive, no copy on disk
    await readStored(source, history.whole, history.whole.entry!, blocks);
    return list.finish();
  }
  const built = await build(source, history);
  try {
    await pipeline(built.content.read(), blocks);
    return list.finish();
  } finally {
    await built.content.close();
  }
}

/**
 * The version of `file` stored whole that `holder`'s version builds on, and the links whose
 * deltas build on it in turn, oldest first (none: `holder`'s version is that one).
 */
async function historyOf(
  source: DeltaSource,
  holder: SnapshotMetadata,
  file: string,
): Promise<{ whole: LinkLines; deltas: LinkLines[] }> {
  // newest first: the links whose delta builds each version, down to the one stored whole
  const deltas: LinkLines[] = [];
  let lines = await linesAbout(source, holder, file);
  let whole: LinkLines | undefined;
  for (let step = 0; !whole; step++) {
    const { entry, link } = lines;
    if (step > 2 * source.chain.length || !entry || entry.type !== 'file')
      throw new IntegrityError(`snapshot ${link.id}: ${file} is not a file its chain can build`);
    if (entry.in !== undefined) {
      const expected = entry;
      lines = await linesAbout(source, linkOfId(source, entry.in, link), file);
      if (lines.entry?.sha256 !== expected.sha256 || lines.entry?.size !== expected.size)
        throw new IntegrityError(`${file} in the manifest of ${lines.link.id} is not the one ${link.id} names`);
    } else if (entry.delta) {
      if (!link.level || !lines.plan || !lines.data)
        throw new IntegrityError(`snapshot ${link.id}: ${file} is a block delta without its records`);
      deltas.push(lines);
      lines = await linesAbout(source, linkOfId(source, link.parent, link), file);
    } else {
      whole = lines;
    }
  }
  return { whole, deltas: deltas.reverse() };
}

/** The version `delta` builds from the one before it (`old`, `oldSize` bytes), checked. */
async function applyDelta(
  source: DeltaSource,
  delta: LinkLines,
  old: ScratchFile,
  oldSize: number,
): Promise<ScratchFile> {
  const entry = delta.entry!;
  const where = `snapshot ${delta.link.id}: ${entry.path}`;
  if ((delta.plan!.size ?? 0) > PLAN_LIMIT) throw new IntegrityError(`${where} has a plan too large to be ripcord's`);
  const planChunks: Buffer[] = [];
  await readStored(
    source,
    delta,
    delta.plan!,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        planChunks.push(chunk);
        callback();
      },
    }),
  );
  const data = await openScratchFile('delta');
  const built = await openScratchFile('delta');
  try {
    await readStored(source, delta, delta.data!, data.write());
    const dataSize = delta.data!.size ?? 0;
    const segments = parsePlan(Buffer.concat(planChunks).toString('latin1'), oldSize, dataSize, where);
    const count = measuring({ bytes: entry.size ?? 0, what: where });
    await pipeline(
      async function* () {
        for (const s of segments) yield* (s.from === 'old' ? old : data).read(s.offset, s.length);
      },
      count.stream,
      collectingGarbage(),
      built.write(),
    );
    const { bytes, sha256 } = count.result();
    if (bytes !== entry.size || sha256 !== entry.sha256)
      throw new IntegrityError(`${where} does not build from its block delta to the content its manifest lists`);
    return built;
  } catch (error) {
    await built.close();
    throw error;
  } finally {
    await data.close();
  }
}

/** The segments of a plan (ops/block-delta.ts), each within the version it copies from; anything else is damage. */
export function parsePlan(
  text: string,
  oldSize: number,
  dataSize: number,
  where: string,
): { from: 'old' | 'new'; offset: number; length: number }[] {
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new IntegrityError(`${where} has a malformed block delta plan`);
  return lines.map((line) => {
    const m = /^(old|new) (\d{1,15}) (\d{1,15})$/.exec(line);
    const from = m?.[1] as 'old' | 'new' | undefined;
    const offset = Number(m?.[2]);
    const length = Number(m?.[3]);
    if (!from || length === 0 || offset + length > (from === 'old' ? oldSize : dataSize))
      throw new IntegrityError(`${where} has a malformed block delta plan`);
    return { from, offset, length };
  });
}
