/**
 * backup: walk -> tar -> gzip -> encrypt -> sha256 -> store, in one pass over each file,
 * with the manifest encrypted and stored alongside. Objects are written in the order
 * archive + manifest, SHA256SUMS, snapshot.json: until the last one lands the snapshot
 * does not exist for anyone, and a failure removes what was written.
 */
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { chain } from './read-snapshot.ts';
import { pipeline } from 'node:stream/promises';
import { ChecksumStream } from '../archive/checksum-stream.ts';
import type { EncryptionKeys } from '../archive/openpgp-keys.ts';
import { inspectRecipients } from '../archive/openpgp-keys.ts';
import { packArchive } from '../archive/pack.ts';
import { createPassphraseCheck } from '../archive/skesk.ts';
import { createCompressedEncryptStreams, createEncryptStream } from '../archive/seipd-encrypt.ts';
import { AES256 } from '../archive/packets.ts';
import { written } from '../archive/reclaim.ts';
import { measureSources, resolveRoots, walkSources } from '../archive/walk-sources.ts';
import type { SourceEntry, SourceRoot, WalkOptions } from '../archive/walk-sources.ts';
import { startThreadWalk } from '../archive/walk-thread.ts';
import { dropPrestarted } from '../archive/walk-prestart.ts';
import { reserveSalts } from '../archive/skesk.ts';
import type { ThreadWalk } from '../archive/walk-thread.ts';
import { CAPTURED_DIR, runCaptures } from './captures.ts';
import type { CaptureCommand } from './captures.ts';
import type { Reporter, Totals } from '../domain/events.ts';
import { silentReporter } from '../domain/events.ts';
import type { BackupLevel, Level } from '../domain/chain.ts';
import type { DecryptionKeys } from '../domain/keys.ts';
import type { ArchiveIndex, ArchiveKey, ManifestEntry } from '../domain/manifest.ts';
import { manifestEntryLine, manifestHeader, manifestTrailer } from '../domain/manifest.ts';
import { createSnapshotId, snapshotIdTime } from '../domain/snapshot-id.ts';
import type { PassphraseCheck, SnapshotKind, SnapshotMetadata, UnsealedMetadata } from '../domain/snapshot.ts';
import {
  ARCHIVE_OBJECT,
  checkLabels,
  CHECKSUMS_OBJECT,
  formatChecksums,
  MANIFEST_OBJECT,
  sealMetadata,
  serializeMetadata,
  SNAPSHOT_FORMAT,
  SNAPSHOT_OBJECT,
} from '../domain/snapshot.ts';
import { BLOCKED_FILE_MIN } from '../archive/chunker.ts';
import type { Store } from '../storage/store.ts';
import { RipcordError } from '../domain/errors.ts';
import type { Parent } from './incremental.ts';
import type { AutoPolicy } from './incremental.ts';
import { againstParent, inBatches, isChainRecord } from './incremental.ts';
import { chooseParent, parentSource, wantsParent } from './link-parent.ts';
import { listSnapshots } from './repository.ts';
import { checkRepositoryKey } from './keys.ts';
import type { Origin } from './origin.ts';
import { blocksAsOf } from './delta-read.ts';
import type { DeltaSource } from './delta-read.ts';
import { signSnapshot } from './snapshot-signature.ts';
import { VERSION } from './version.ts';
import { countOf } from '../domain/wording.ts';

export interface BackupRequest {
  store: Store;
  paths: readonly string[];
  cwd: string;
  exclude?: readonly string[];
  /** absolute paths never backed up (the local repository itself) */
  skip?: readonly string[];
  kind?: SnapshotKind;
  tags?: readonly string[];
  keys: EncryptionKeys;
  /**
   * Who made it and where. May still be coming (git runs in child processes): it is awaited
   * only when the snapshot's record is written, so that the work does not wait on it.
   */
  origin: Origin | Promise<Origin>;
  restoredFrom?: string;
  /**
   * Start using a key other than the repository's. Without it a backup whose passphrase or
   * recipients differ from the newest snapshot's is refused (pre-restore snapshots are
   * never refused: a restore must not be blocked by its safety net).
   */
  newKey?: boolean;
  /**
   * Record paths that do not exist instead of failing (pre-restore and pre-deploy snapshots):
   * such a path is a manifest root without entries, which a restore with --delete removes.
   */
  allowMissing?: boolean;
  /** gzip level, 0-9 */
  compressionLevel?: number;
  /**
   * full (the default): the whole tree. incremental: what changed since the newest snapshot
   * of the same set and paths; differential: since the newest full one (ops/incremental.ts).
   * With no such snapshot, or its chain broken, the snapshot is a full one and says why.
   */
  level?: BackupLevel;
  /** level auto: when to start a new chain (default DEFAULT_AUTO_POLICY) */
  auto?: AutoPolicy;
  /** read and hash every file instead of trusting size, times and inode (incremental, differential) */
  forceRead?: boolean;
  /**
   * Files of at least this many bytes are stored with their blocks, and as block deltas when
   * they change (BLOCKED_FILE_MIN by default). Not a user setting: tests lower it, so that a
   * chain of deltas costs megabytes rather than tens of them.
   */
  blockedFileMin?: number;
  /** merge: the time the snapshot's id and `created` carry, instead of now */
  at?: Date;
  /** merge: the chain link this full snapshot holds the state of */
  mergedFrom?: string;
  /** merge: the change-detection fields (inode, times) to record for these files instead of what lstat says here */
  keepStats?: ReadonlyMap<string, Pick<ManifestEntry, 'ino' | 'ctimeMs' | 'mtimeMs'>>;
  /** the keys that read the parent's manifest: only asked for by an incremental or differential */
  parentKeys?: () => Promise<DecryptionKeys>;
  /** command output stored as .ripcord-captured/NAME */
  captures?: readonly CaptureCommand[];
  /** environment for capture commands (default: this process's) */
  env?: NodeJS.ProcessEnv;
  reporter?: Reporter;
  /**
   * Stops the backup: what it wrote is removed, and it rejects with the signal's reason
   * when that is a RipcordError (the adapter says why it stopped).
   */
  signal?: AbortSignal;
}

export interface BackupResult {
  snapshot: SnapshotMetadata;
  warnings: string[];
  /** why an incremental or differential that was asked for is a full snapshot */
  fullBecause?: string;
  /** paths recorded as absent (allowMissing), as stored */
  absent: string[];
}

export async function createBackup(request: BackupRequest): Promise<BackupResult> {
  checkLabels(request.kind ?? 'manual', request.tags ?? []);
  const started = Date.now();
  const reporter = request.reporter ?? silentReporter;
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    reporter.emit({ type: 'warning', message });
  };

  const roots = await resolveRoots(request.paths, request.cwd, { allowMissing: request.allowMissing ?? false });
  const recipients = request.keys.mode === 'public-key' ? await inspectRecipients(request.keys.recipients) : [];
  // A chain link lists the repository once, for its key check and its parent; unless capture
  // commands run between the two (they may take minutes, and another backup may land meanwhile).
  const chaining = wantsParent(request);
  if (!chaining) dropPrestarted(); // the command line guessed a chain link: a full snapshot's walk is on this thread
  const listing = chaining && !request.captures?.length ? listSnapshots(request.store) : undefined;
  listing?.catch(() => {}); // awaited below
  // A chain link's walk starts on a thread of its own, while its parent's manifest is read;
  // before the key check (the thread takes 40-140 ms to start, and the walk is what the link
  // then waits for), unless capture commands will add to the roots.
  const startWalk = () =>
    startThreadWalk(
      roots,
      { ...walkOptionsOf(request), onWarning: warn },
      // the keys of its two passphrase packets (the manifest's and the archive's) derived there too
      request.keys.mode === 'passphrase' ? { s2k: reserveSalts(request.keys.passphrase, 2) } : {},
    );
  const walkEarly = listing ? startWalk() : undefined;
  let keyCheck: PassphraseCheck | undefined;
  try {
    if (!request.newKey && request.kind !== 'pre-restore') {
      ({ keyCheck } = await checkRepositoryKey(
        request.store,
        request.keys,
        recipients.map((r) => r.fingerprint),
        listing && (await listing).snapshots,
      ));
    }
  } catch (error) {
    walkEarly?.stop();
    throw error;
  }
  let captured: Awaited<ReturnType<typeof runCaptures>> | undefined;
  if (request.captures?.length) {
    reporter.emit({
      type: 'phase',
      phase: 'capture',
      message: `capturing ${request.captures.map((c) => c.name).join(', ')}`,
    });
    captured = await runCaptures(request.captures, { cwd: request.cwd, env: request.env });
    roots.push({ fsPath: captured.dir, archivePath: CAPTURED_DIR });
  }
  const early = walkEarly ?? (chaining ? startWalk() : undefined);
  try {
    const chained = await chooseParent(request, roots, started, listing);
    if (!('parent' in chained)) early?.stop();
    const snapshot = await writeSnapshot(
      request,
      roots,
      recipients.map((r) => r.fingerprint),
      started,
      warn,
      'parent' in chained ? { ...chained, ...(early ? { walk: early } : {}) } : undefined,
      keyCheck,
    );
    return {
      snapshot,
      warnings,
      absent: roots.filter((r) => r.missing).map((r) => r.archivePath),
      ...('reason' in chained && chained.reason ? { fullBecause: chained.reason } : {}),
    };
  } finally {
    early?.stop();
    await captured?.cleanup();
  }
}

function walkOptionsOf(request: BackupRequest): WalkOptions {
  return { cwd: request.cwd, exclude: request.exclude ?? [], skip: request.skip ?? [] };
}

async function writeSnapshot(
  request: BackupRequest,
  roots: SourceRoot[],
  recipients: string[],
  started: number,
  warn: (message: string) => void,
  /** a chain link's parent, and its walk when one was started before the parent was read */
  chained: { parent: Parent; level: Exclude<Level, 'full'>; walk?: ThreadWalk } | undefined,
  /** the repository's passphrase check, which this passphrase matched (checkRepositoryKey) */
  keyCheck: PassphraseCheck | undefined,
): Promise<SnapshotMetadata> {
  const parent = chained?.parent;
  const level = chained?.level ?? 'full';
  const reporter = request.reporter ?? silentReporter;
  const { store } = request;
  const walkOptions = walkOptionsOf(request);

  // Counting is a second walk over the sources: only for someone who uses the totals.
  let total: Totals | undefined;
  if (reporter.wantsTotals || store.properties.usesSizeHint) {
    reporter.emit({
      type: 'phase',
      phase: 'scan',
      message: `scanning ${roots.map((r) => r.archivePath || '.').join(', ')}`,
    });
    total = await measureSources(roots, walkOptions);
  }
  throwIfStopped(request.signal);

  const id = await newSnapshotId(store, request.at ?? new Date(started));
  reporter.emit({
    type: 'phase',
    phase: 'pack',
    message: `snapshot ${id}: packing ${total ? `${countOf(total.files, 'file')}, ${countOf(total.bytes, 'byte')}` : roots.map((r) => r.archivePath || '.').join(', ')}`,
  });

  const manifestText = new PassThrough();
  const manifestSum = new ChecksumStream();
  const archiveSum = new ChecksumStream();
  let files = 0;
  let inputBytes = 0;
  let first = true;
  let manifestLines = '';
  // files an incremental does not store again: counted as done for the progress shown
  const carried = { files: 0, bytes: 0 };
  manifestText.write(manifestHeader(roots.map((r) => r.archivePath || '.')));
  /** `line`: the entry as JSON, when it is known already (a carried file's, from its parent's line) */
  const addEntry = (entry: ManifestEntry, line?: string) => {
    const kept = entry.type === 'file' ? request.keepStats?.get(entry.path) : undefined;
    if (kept) Object.assign(entry, kept);
    if (!(chained && isChainRecord(entry.path))) {
      if (entry.type === 'file') files += 1;
      inputBytes += entry.size ?? 0;
    }
    manifestLines += manifestEntryLine(entry, first, kept ? undefined : line);
    first = false;
    // One write per 64 KiB of lines, not one per entry: 20,000 small writes cost a tenth of a second.
    if (manifestLines.length >= 1 << 16) {
      manifestText.write(manifestLines);
      manifestLines = '';
    }
  };

  const blockedFileMin = request.blockedFileMin ?? BLOCKED_FILE_MIN;
  let parentFiles: DeltaSource | undefined; // what reads the parent's versions of large files, made when first needed
  const walk = (): Generator<SourceEntry> => walkSources(roots, { ...walkOptions, onWarning: warn });
  const sources = chained
    ? againstParent(chained.walk?.batches() ?? inBatches(walk()), chained.parent, chained.level, {
        ...(request.forceRead ? { forceRead: true } : {}),
        blockedFileMin,
        onCarried(entry, line) {
          addEntry(entry, line);
          carried.files += 1;
          carried.bytes += entry.size ?? 0;
        },
        onDelta: addEntry,
        parentBlocks: (file) =>
          blocksAsOf(
            (parentFiles ??= parentSource(store, chained.parent, blockedFileMin)),
            chained.parent.snapshot,
            file,
          ),
        onWarning: warn,
      })
    : walk();
  const index: ArchiveIndex = { batch: ARCHIVE_BATCH, members: [], parts: [], head: 0 };
  let sessionKey: ArchiveKey | undefined;
  const archive = packArchive(sources, {
    ...(request.compressionLevel !== undefined ? { level: request.compressionLevel } : {}),
    batchBytes: ARCHIVE_BATCH,
    onEntry: addEntry,
    onMember: (bytes) => index.members.push(bytes),
    onProgress(done) {
      const shown = { files: done.files + carried.files, bytes: done.bytes + carried.bytes };
      reporter.emit({ type: 'progress', phase: 'pack', done: shown, ...(total ? { total } : {}) });
    },
    onWarning: warn,
  });

  const archiveKey = `${id}/${ARCHIVE_OBJECT}`;
  const manifestKey = `${id}/${MANIFEST_OBJECT}`;
  const manifestStored = store.put(
    manifestKey,
    chain(manifestText, ...createCompressedEncryptStreams(request.keys), manifestSum),
  );
  manifestStored.catch(() => {}); // awaited below; may fail first if the archive fails

  try {
    const encryptedArchive = new PassThrough({ highWaterMark: 1 << 20 });
    const packed = pipeline(
      archive,
      createEncryptStream(request.keys, {
        parallel: true,
        ownsChunks: true,
        onLayout: {
          head: (bytes) => (index.head = bytes),
          part: (literal, plaintext) => index.parts.push([literal, plaintext]),
        },
        onSessionKey: (key) => {
          sessionKey = { algorithm: AES256, key: key.toString('hex') };
          key.fill(0);
        },
      }),
      archiveSum,
      encryptedArchive,
      request.signal ? { signal: request.signal } : {},
    );
    const [stored, made] = await Promise.allSettled([
      // the archive's buffers go as soon as they are on disk (reclaim.ts freeOnceWritten)
      store.put(archiveKey, encryptedArchive, {
        ...(total ? { size: estimateArchiveBytes(total) } : {}),
        onWritten: written,
      }),
      packed,
    ]);
    // A source problem (unreadable file, bad key) is the real story; when the store fails,
    // the pipeline only learns that its consumer went away, so the store's reason wins.
    throwIfStopped(request.signal);
    if (made.status === 'rejected' && made.reason instanceof RipcordError) throw made.reason;
    if (stored.status === 'rejected') throw stored.reason;
    if (made.status === 'rejected') throw made.reason;

    const binding = {
      format: SNAPSHOT_FORMAT,
      id,
      created: snapshotIdTime(id).toISOString(),
      kind: request.kind ?? 'manual',
      tags: [...(request.tags ?? [])],
      ...(await request.origin),
      ...(request.restoredFrom ? { restoredFrom: request.restoredFrom } : {}),
      ...(request.mergedFrom ? { mergedFrom: request.mergedFrom } : {}),
      ...(parent && level !== 'full'
        ? {
            level,
            parent: parent.snapshot.id,
            parentManifestSha256: parent.snapshot.objects[MANIFEST_OBJECT].sha256,
            base: parent.base,
          }
        : {}),
      files,
      inputBytes,
      archiveBytes: archiveSum.result().bytes,
      durationMs: 0,
      compression: 'gzip',
      encryption: {
        mode: request.keys.mode,
        profile: 'rfc4880',
        recipients,
        ...(request.keys.mode === 'passphrase'
          ? { keyCheck: keyCheck ?? createPassphraseCheck(request.keys.passphrase) }
          : {}),
      },
      tool: { name: 'ripcord', version: VERSION },
    } satisfies Omit<UnsealedMetadata, 'objects'>;
    binding.durationMs = Date.now() - started;
    const trailer = {
      archive: archiveSum.result(),
      ...(sessionKey ? { archiveKey: sessionKey } : {}),
      snapshot: binding,
    };
    // an index too large for one manifest line (an archive of tens of GB) is left out: such
    // an archive is read from the start, as one without an index
    const indexed = { ...trailer, index };
    manifestText.end(
      manifestLines +
        (manifestTrailer(indexed).length <= MAX_INDEXED_TRAILER ? manifestTrailer(indexed) : manifestTrailer(trailer)),
    );
    await manifestStored;

    const objects = { [ARCHIVE_OBJECT]: archiveSum.result(), [MANIFEST_OBJECT]: manifestSum.result() };
    const snapshot = sealMetadata({ ...binding, objects });
    await store.put(`${id}/${CHECKSUMS_OBJECT}`, Buffer.from(formatChecksums(objects)));
    const metadataText = serializeMetadata(snapshot);
    await signSnapshot(store, id, metadataText, request.keys);
    throwIfStopped(request.signal); // the last moment at which stopping leaves nothing behind
    await store.put(`${id}/${SNAPSHOT_OBJECT}`, Buffer.from(metadataText));
    reporter.emit({ type: 'phase', phase: 'done', message: `snapshot ${id} saved` });
    return snapshot;
  } catch (error) {
    manifestText.destroy(error as Error);
    await manifestStored.catch(() => {});
    await removeUnfinished(store, id);
    await throwIfStopped(request.signal);
    throw error instanceof RipcordError
      ? error
      : new RipcordError(
          `backup to ${store.properties.location} failed: ${(error as Error).message ?? String(error)}`,
          { cause: error },
        );
  }
}

function throwIfStopped(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  throw signal.reason instanceof RipcordError ? signal.reason : new RipcordError('backup stopped; nothing was saved');
}

/** An upper estimate of the archive size: data stored uncompressed, plus tar headers and framing. */
function estimateArchiveBytes(total: { files: number; bytes: number }): number {
  return Math.ceil(total.bytes * 1.01) + total.files * 1536 + (1 << 20);
}

/** A fresh id that no folder in the store uses yet. */
async function newSnapshotId(store: Store, at: Date): Promise<string> {
  for (;;) {
    const id = createSnapshotId(at);
    let taken = false;
    for await (const _ of store.list(`${id}/`)) {
      taken = true;
      break;
    }
    if (!taken) return id;
  }
}

async function removeUnfinished(store: Store, id: string): Promise<void> {
  try {
    const keys: string[] = [];
    for await (const object of store.list(`${id}/`)) keys.push(object.key);
    await store.delete(keys);
  } catch {
    // Without snapshot.json the folder is invisible, and prune removes it later.
  }
}

/** Default paths and excludes when the user names none: the working directory. */
export const DEFAULT_EXCLUDES = ['.git', 'node_modules'];

/** tar bytes per gzip member of an archive (packArchive's default): the unit a ranged read inflates */
const ARCHIVE_BATCH = 1 << 20;

/** the longest manifest trailer written with its index: a reader refuses lines over 1 MiB */
const MAX_INDEXED_TRAILER = 512 << 10;

export function repositorySkip(repository: string, cwd: string): string[] {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repository) ? [] : [path.resolve(cwd, repository)];
}
