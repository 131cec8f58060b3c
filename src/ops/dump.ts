/**
 * dump: one file's content, released only after the whole archive has authenticated.
 * The file is staged in a private scratch file with no name while the archive is read to
 * its end, so that not even SIGKILL leaves its content on disk.
 */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DecryptionKeys } from '../domain/keys.ts';
import { IntegrityError, NotFoundError, UsageError } from '../domain/errors.ts';
import type { ManifestEntry } from '../domain/manifest.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
import { openScratchFile } from './private-folder.ts';
import { chainOfSnapshot, checkCarried } from './incremental.ts';
import { describeFailure, openArchive, withManifest } from './read-snapshot.ts';
import { resolveSnapshot } from './repository.ts';

export interface DumpRequest {
  store: Store;
  reference: string;
  /** the path as stored (as `ripcord ls` shows it) */
  file: string;
  keys: DecryptionKeys;
  output: Writable;
}

/** The manifest entry of `wanted` and the chain link that holds it, when it names one. */
async function carriedEntry(
  request: DumpRequest,
  snapshot: SnapshotMetadata,
  wanted: string,
): Promise<{ entry: ManifestEntry; link: SnapshotMetadata } | undefined> {
  const chain = await chainOfSnapshot(request.store, snapshot);
  const entry = await withManifest(request.store, snapshot, request.keys, async (manifest) => {
    let match: ManifestEntry | undefined;
    for await (const e of manifest.entries) if (e.path === wanted) match = e;
    return match;
  });
  if (!entry || entry.in === undefined) return undefined;
  checkCarried(snapshot, chain, entry);
  return { entry, link: chain.find((l) => l.id === entry.in)! };
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
    const archive = await openArchive(request.store, holder, request.keys);
    try {
      for await (const item of archive.items) {
        if (item.entry.path !== wanted || found) continue;
        if (item.entry.kind !== 'file') {
          other = item.entry.kind === 'symlink' ? `a symlink to ${item.entry.linkTarget}` : `a ${item.entry.kind}`;
          continue;
        }
        const hash = createHash('sha256');
        let bytes = 0;
        const count = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            hash.update(chunk);
            bytes += chunk.length;
            callback(null, chunk);
          },
        });
        await pipeline(item.body, count, staged.write());
        found = { bytes, sha256: hash.digest('hex') };
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
