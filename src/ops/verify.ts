/**
 * verify: are the stored objects what snapshot.json says they are? Without a key: the
 * self-checksum of snapshot.json, SHA256SUMS, and a SHA-256 of every stored byte. With
 * --read-data: also decrypt (authenticating every byte), decompress, and check each entry
 * against the manifest, and the manifest's copy of the metadata against snapshot.json.
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { DecryptionKeys } from '../domain/keys.ts';
import type { TarItem } from '../archive/tar-reader.ts';
import { KeyError, NotFoundError, RipcordError, SignatureError } from '../domain/errors.ts';
import type { Reporter } from '../domain/events.ts';
import { silentReporter } from '../domain/events.ts';
import type { ManifestEntry } from '../domain/manifest.ts';
import { bindingOf } from '../domain/manifest.ts';
import { fileAsOf } from './delta-read.ts';
import { contentMismatch, headerMismatch } from './entry-check.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import { ARCHIVE_OBJECT, CHECKSUMS_OBJECT, MANIFEST_OBJECT, parseChecksums } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
import { linesOf, parseManifest } from './manifest-lines.ts';
import {
  checkStoredChecksum,
  describeFailure,
  drain,
  openArchive,
  openDecrypted,
  storedChecksum,
} from './read-snapshot.ts';
import { chainOfSnapshot } from './incremental.ts';
import { listSnapshots, readText, resolveSnapshot } from './repository.ts';

export interface VerifyRequest {
  store: Store;
  /** snapshot ids or "latest"; empty with all=true */
  references: readonly string[];
  all?: boolean;
  readData?: boolean;
  keys?: DecryptionKeys;
  reporter?: Reporter;
}

export interface VerifyOutcome {
  id: string;
  ok: boolean;
  /** ok; failed (damaged, or differs from its manifest); cannot-decrypt (intact, but the keys given do not open it) */
  verdict: 'ok' | 'failed' | 'cannot-decrypt';
  /** one line each, naming the object */
  problems: string[];
  readData: boolean;
}

function outcomeOf(
  id: string,
  problems: string[],
  readData: boolean,
  verdict?: VerifyOutcome['verdict'],
): VerifyOutcome {
  const ok = problems.length === 0;
  return { id, ok, verdict: verdict ?? (ok ? 'ok' : 'failed'), problems, readData };
}

export async function verifySnapshots(request: VerifyRequest): Promise<VerifyOutcome[]> {
  const reporter = request.reporter ?? silentReporter;
  const { store } = request;
  const outcomes: VerifyOutcome[] = [];
  let targets: SnapshotMetadata[] = [];
  let listed = new Map<string, SnapshotMetadata>();
  if (request.all) {
    const listing = await listSnapshots(store);
    listed = new Map(listing.snapshots.map((s) => [s.id, s]));
    for (const bad of listing.damaged) outcomes.push(outcomeOf(bad.id, [`snapshot ${bad.id}: ${bad.problem}`], false));
    targets = listing.snapshots;
    if (targets.length === 0 && outcomes.length === 0)
      throw new NotFoundError(`no snapshots in ${store.properties.location}: nothing to verify`);
  } else {
    for (const reference of request.references.length ? request.references : ['latest']) {
      try {
        targets.push(await resolveSnapshot(store, reference));
      } catch (error) {
        if (!(error instanceof NotFoundError) || !/cannot be used/.test(error.message)) throw error;
        outcomes.push(
          outcomeOf(
            reference,
            [error.message.replace(/^snapshot \S+ in \S+ cannot be used: /, `snapshot ${reference}: `)],
            false,
          ),
        );
      }
    }
  }
  if (request.readData && !request.keys)
    throw new KeyError('verify --read-data decrypts the archive: set RIPCORD_PASSPHRASE or RIPCORD_IDENTITY');
  // A link is only as good as its chain: each one named brings the links it needs, checked first.
  const chainProblems = new Map<string, string>();
  const links = new Map<string, string[]>();
  const ordered: SnapshotMetadata[] = [];
  for (const snapshot of targets) {
    if (snapshot.level) {
      try {
        const chain = await chainOfSnapshot(store, snapshot, listed);
        links.set(
          snapshot.id,
          chain.slice(0, -1).map((l) => l.id),
        );
        for (const link of chain.slice(0, -1)) if (!ordered.some((s) => s.id === link.id)) ordered.push(link);
      } catch (error) {
        if (!(error instanceof RipcordError)) throw error;
        chainProblems.set(snapshot.id, error.message);
      }
    }
    if (!ordered.some((s) => s.id === snapshot.id)) ordered.push(snapshot);
  }
  targets = ordered;
  for (const [index, snapshot] of targets.entries()) {
    reporter.emit({
      type: 'phase',
      phase: 'verify',
      message: `verifying ${snapshot.id} (${index + 1}/${targets.length})`,
    });
    const problems = await verifyStoredObjects(store, snapshot);
    const broken = chainProblems.get(snapshot.id);
    if (broken) problems.push(broken);
    for (const link of links.get(snapshot.id) ?? []) {
      const outcome = outcomes.find((o) => o.id === link);
      if (outcome && !outcome.ok)
        problems.push(
          `snapshot ${snapshot.id} needs ${link}, which failed verification: ${snapshot.id} cannot be restored`,
        );
    }
    if (problems.length === 0 && request.readData) {
      try {
        problems.push(...(await verifyContent(store, snapshot, request.keys!, reporter)));
      } catch (error) {
        // One snapshot the keys do not open is a verdict, not the end: the others are still checked.
        if (!(error instanceof KeyError)) throw error;
        // an unsigned or untrusted snapshot is not one the keys cannot open: it fails
        outcomes.push(
          outcomeOf(snapshot.id, [error.message], true, error instanceof SignatureError ? 'failed' : 'cannot-decrypt'),
        );
        continue;
      }
    }
    outcomes.push(outcomeOf(snapshot.id, problems, Boolean(request.readData)));
  }
  return outcomes;
}

async function verifyStoredObjects(store: Store, snapshot: SnapshotMetadata): Promise<string[]> {
  const problems: string[] = [];
  const id = snapshot.id;
  let sums: Map<string, string>;
  try {
    sums = parseChecksums(await readText(store, `${id}/${CHECKSUMS_OBJECT}`));
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    sums = new Map();
    problems.push(`snapshot ${id}: ${CHECKSUMS_OBJECT} is missing`);
  }
  for (const object of [ARCHIVE_OBJECT, MANIFEST_OBJECT] as const) {
    const expected = snapshot.objects[object];
    if (problems.length === 0 && sums.get(object) !== expected.sha256) {
      problems.push(`snapshot ${id}: ${CHECKSUMS_OBJECT} and snapshot.json disagree about ${object}`);
    }
    const stat = await store.stat(`${id}/${object}`);
    if (!stat) {
      problems.push(`snapshot ${id}: ${object} is missing`);
      continue;
    }
    const sum = await storedChecksum(store, `${id}/${object}`);
    try {
      checkStoredChecksum(snapshot, object, sum);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}

async function verifyContent(
  store: Store,
  snapshot: SnapshotMetadata,
  keys: DecryptionKeys,
  reporter: Reporter,
): Promise<string[]> {
  const problems: string[] = [];
  const problem = (message: string) => problems.push(`snapshot ${snapshot.id}: ${message}`);
  // verifyStoredObjects has just compared both objects with their checksums.
  const manifestReader = await openDecrypted(store, snapshot, MANIFEST_OBJECT, keys, { checked: true });
  const archive = await openArchive(store, snapshot, keys, { checked: true, consumesInOrder: true });
  let object: string = MANIFEST_OBJECT;
  try {
    const manifest = await parseManifest(linesOf(manifestReader.plaintext));
    object = ARCHIVE_OBJECT;
    let files = 0;
    let bytes = 0;
    // a chain link's archive holds its entries that name no earlier link (ops/incremental.ts)
    const deltas: string[] = []; // files stored as block deltas: built once the archive has checked out
    const nextOwn = async () => {
      for (let next = await manifest.entries.next(); ; next = await manifest.entries.next()) {
        if (!next.done && next.value.delta) deltas.push(next.value.path);
        else if (next.done || next.value.in === undefined) return next;
      }
    };
    for await (const item of archive.items) {
      const next = await nextOwn();
      if (next.done) {
        problem(`the archive holds ${item.entry.path}, which the manifest does not list`);
        break;
      }
      const mismatch = await compareEntry(item, next.value);
      if (mismatch) problem(mismatch);
      if (item.entry.kind === 'file') files += 1;
      bytes += item.entry.size;
      reporter.emit({
        type: 'progress',
        phase: 'verify',
        done: { files, bytes },
        total: { files: snapshot.files, bytes: snapshot.inputBytes },
      });
    }
    const missing = await nextOwn();
    if (!missing.done) problem(`the manifest lists ${missing.value.path}, which the archive does not hold`);
    await archive.finish();
    object = MANIFEST_OBJECT;
    await drain(manifestReader.plaintext);
    checkStoredChecksum(snapshot, MANIFEST_OBJECT, manifestReader.stored.result());
    const trailer = manifest.trailer();
    if (!isDeepStrictEqual(trailer.archive, snapshot.objects[ARCHIVE_OBJECT])) {
      problem('the manifest was written for a different archive than the one stored');
    }
    if (!isDeepStrictEqual(trailer.snapshot, bindingOf(snapshot))) {
      problem('snapshot.json differs from the copy authenticated inside the manifest (it was edited)');
    }
    if (problems.length === 0) problems.push(...(await buildDeltas(store, snapshot, keys, deltas)));
  } catch (error) {
    if (error instanceof KeyError) throw error;
    const failure = describeFailure(snapshot, object, error);
    problems.push(failure.message);
    if (!(error instanceof RipcordError) && !(error instanceof Error)) throw error;
  } finally {
    manifestReader.plaintext.destroy();
    archive.close();
  }
  return problems;
}

/**
 * Build each file `snapshot` stores as a block delta, as a restore would: its records are
 * checked with the archive, but only the build shows that they and the earlier versions
 * they name make the file the manifest lists.
 */
async function buildDeltas(
  store: Store,
  snapshot: SnapshotMetadata,
  keys: DecryptionKeys,
  files: readonly string[],
): Promise<string[]> {
  if (files.length === 0) return [];
  // each link's manifest read once for all of them
  const source = { store, keys, chain: await chainOfSnapshot(store, snapshot), also: files, cache: new Map() };
  const problems: string[] = [];
  for (const file of files) {
    try {
      const built = await fileAsOf(source, snapshot, file);
      await built.content.close();
    } catch (error) {
      if (error instanceof KeyError) throw error;
      problems.push(`${file} cannot be built from its block delta: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** One line describing how an archive entry differs from its manifest entry, or undefined. */
async function compareEntry(item: TarItem, expected: ManifestEntry): Promise<string | undefined> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of item.body) {
    hash.update(chunk);
    size += chunk.length;
  }
  return headerMismatch(item.entry, expected) ?? contentMismatch(item.entry, expected, size, hash.digest('hex'));
}
