/**
 * dump: one file's content, released only once it is known to be the snapshot's.
 *
 * With an index in the manifest (docs/format.md, "Index"), only the gzip members that hold
 * the file are read, decrypted and inflated, and the file is released once its size and
 * SHA-256 are what the authenticated manifest lists. Without one (older snapshots), the
 * whole archive is read and the file released only after the archive has authenticated.
 * Either way it is staged in a private scratch file with no name first, so that not even
 * SIGKILL leaves its content on disk.
 */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DecryptionKeys } from '../domain/keys.ts';
import { IntegrityError, NotFoundError, UsageError } from '../domain/errors.ts';
import type { ManifestEntry } from '../domain/manifest.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
import { fileAsOf } from './delta-read.ts';
import { openScratchFile } from './private-folder.ts';
import { chainOfSnapshot, checkCarried } from './incremental.ts';
import { contentMismatch, headerMismatch, measuring } from './entry-check.ts';
import type { ScratchFile } from './private-folder.ts';
import { describeFailure, openArchive, openIndexed, readManifest, withManifest } from './read-snapshot.ts';
import { resolveSnapshot } from './repository.ts';

export interface DumpRequest {
  store: Store;
  reference: string;
  /** the path as stored (as `ripcord ls` shows it) */
  file: string;
  keys: DecryptionKeys;
  output: Writable;
}

/**
 * The manifest entry of `wanted` and the chain link that holds it, when it names one or is a
 * block delta (then the link is the snapshot itself).
 */
async function carriedEntry(
  request: DumpRequest,
  snapshot: SnapshotMetadata,
  wanted: string,
): Promise<{ entry: ManifestEntry; link: SnapshotMetadata; chain: SnapshotMetadata[] } | undefined> {
  const chain = await chainOfSnapshot(request.store, snapshot);
  const entry = await withManifest(request.store, snapshot, request.keys, async (manifest) => {
    let match: ManifestEntry | undefined;
    for await (const e of manifest.entries) if (e.path === wanted) match = e;
    return match;
  });
  if (!entry || (entry.in === undefined && !entry.delta)) return undefined;
  checkCarried(snapshot, chain, entry);
  return { entry, link: entry.delta ? snapshot : chain.find((l) => l.id === entry.in)!, chain };
}

/**
 * Stage `wanted` from the archive of `holder` by its index: undefined when the archive has
 * no index, or the manifest lists `wanted` as something other than a file of this archive
 * (the whole read then says what it is).
 */
async function dumpByIndex(
  request: DumpRequest,
  holder: SnapshotMetadata,
  wanted: string,
  staged: ScratchFile,
): Promise<{ bytes: number; sha256: string } | 'delta' | undefined> {
  // One pass that parses only the file's line and those after it up to the next entry of
  // this archive: its tar span. (Parsing all 20,000 lines of the benchmark's took 0.1 s.)
  // (Inside a JSON string every quote is escaped: the needle only matches a line's own path.)
  const needle = Buffer.from(`"path":${JSON.stringify(wanted)},`);
  const at = Buffer.from('"at":');
  let scan: 'looking' | 'after' | 'done' = 'looking';
  const { entries, trailer } = await readManifest(request.store, holder, request.keys, {
    keep(line) {
      if (scan === 'looking' && line.includes(needle)) scan = 'after';
      else if (scan === 'after' && line.includes(at)) scan = 'done';
      else return scan === 'after';
      return true;
    },
    // before the file's line and after its span, only a line with the path is worth a look
    seek: () => (scan === 'after' ? undefined : needle),
  });
  let entry: ManifestEntry | undefined;
  let to: number | undefined;
  // the lines parsed, in order: the file (or a namesake the needle also caught), then its successors
  for (const e of entries) {
    if (e.path === wanted && e.delta && !entry) return 'delta';
    if (e.in !== undefined || e.at === undefined) continue;
    if (entry && to === undefined) to = e.at;
    if (e.path === wanted && !entry) entry = e;
  }
  if (entry?.type !== 'file' || entry.at === undefined) return undefined;
  const archive = await openIndexed(request.store, holder, request.keys, trailer);
  if (!archive) return undefined;
  try {
    for await (const item of archive.items(entry.at, to, 1)) {
      const mismatch = headerMismatch(item.entry, entry);
      if (mismatch) throw new IntegrityError(mismatch);
      const count = measuring({ bytes: entry.size ?? 0, what: wanted });
      await pipeline(item.body, count.stream, staged.write());
      const { bytes, sha256 } = count.result();
      const problem = contentMismatch(item.entry, entry, bytes, sha256);
      if (problem) throw new IntegrityError(problem);
      return { bytes, sha256 };
    }
  } catch (error) {
    throw describeFailure(holder, 'archive.tar.gz.pgp', error);
  }
  return undefined;
}

/** Build a file a chain link stored as a block delta, and print it once it is the manifest's. */
async function dumpDelta(
  request: DumpRequest,
  carried: { entry: ManifestEntry; chain: SnapshotMetadata[] },
  holder: SnapshotMetadata,
  wanted: string,
): Promise<{ bytes: number; sha256: string }> {
  const source = { store: request.store, keys: request.keys, chain: carried.chain };
  const built = await fileAsOf(source, holder, wanted);
  try {
    const { sha256, size } = built.entry;
    if (sha256 !== carried.entry.sha256 || size !== carried.entry.size || sha256 === undefined || size === undefined)
      throw new IntegrityError(`${wanted} in the archive of ${holder.id} does not match the manifest it was read by`);
    await pipeline(built.content.read(), request.output, { end: false });
    return { bytes: size, sha256 };
  } finally {
    await built.content.close();
  }
}

export async function dumpFile(
  request: DumpRequest,
): Promise<{ snapshot: SnapshotMetadata; bytes: number; sha256: string }> {
  const snapshot = await resolveSnapshot(request.store, request.reference);
  const wanted = request.file.replace(/^\.?\/+/, '').replace(/\/+$/, '');
  const staged = await openScratchFile('dump');
  try {
    let found: { bytes: number; sha256: string } | undefined;
    let other: string | undefined;
    // A file a chain link did not store again is in the archive of the link its manifest names.
    const carried = snapshot.level ? await carriedEntry(request, snapshot, wanted) : undefined;
    const holder = carried?.link ?? snapshot;
    const ranged = carried?.entry.delta ? 'delta' : await dumpByIndex(request, holder, wanted, staged);
    if (ranged === 'delta') {
      if (!carried)
        throw new IntegrityError(`snapshot ${snapshot.id} is a full one, but lists ${wanted} as a block delta`);
      return { snapshot, ...(await dumpDelta(request, carried, holder, wanted)) };
    }
    if (ranged) {
      if (carried && (ranged.sha256 !== carried.entry.sha256 || ranged.bytes !== carried.entry.size))
        throw new IntegrityError(
          `${wanted} in the archive of ${holder.id} does not match the manifest of ${snapshot.id}`,
        );
      await pipeline(staged.read(), request.output, { end: false });
      return { snapshot, ...ranged };
    }
    const archive = await openArchive(request.store, holder, request.keys);
    try {
      for await (const item of archive.items) {
        if (item.entry.path !== wanted || found) continue;
        if (item.entry.kind !== 'file') {
          other = item.entry.kind === 'symlink' ? `a symlink to ${item.entry.linkTarget}` : `a ${item.entry.kind}`;
          continue;
        }
        const count = measuring();
        await pipeline(item.body, count.stream, staged.write());
        found = count.result();
      }
      await archive.finish();
      if (carried && found && (found.sha256 !== carried.entry.sha256 || found.bytes !== carried.entry.size))
        throw new IntegrityError(
          `${wanted} in the archive of ${holder.id} does not match the manifest of ${snapshot.id}`,
        );
    } catch (error) {
      throw describeFailure(holder, 'archive.tar.gz.pgp', error);
    } finally {
      archive.close();
    }
    if (!found) {
      if (other) throw new UsageError(`${wanted} in snapshot ${snapshot.id} is ${other}, not a file`);
      throw new NotFoundError(`snapshot ${snapshot.id} has no file ${wanted} (see ripcord ls ${snapshot.id})`);
    }
    await pipeline(staged.read(), request.output, { end: false });
    return { snapshot, ...found };
  } finally {
    await staged.close();
  }
}
