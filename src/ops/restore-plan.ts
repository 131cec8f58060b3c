/**
 * The plan of a restore: authenticate the manifest, refuse unsafe entries and roots, and
 * compare with the target: what will be added, changed, removed, and what the pre-restore
 * snapshot must hold. Changes nothing (restore.ts applies it).
 */
import { deltaRecords, isDeltaRecord, unmatchedRecord } from './block-delta.ts';
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readFileSync, readdirSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { DecryptionKeys } from '../archive/openpgp-keys.ts';
import { createExcludeMatcher } from '../archive/walk-sources.ts';
import { ancestorsOf, safeMode, unsafePathReason } from '../domain/entry-safety.ts';
import type { TargetNode } from '../domain/entry-safety.ts';
import { IntegrityError, UnsafeEntryError, UsageError } from '../domain/errors.ts';
import type { ManifestEntry, ManifestTrailer } from '../domain/manifest.ts';
import { parseMode } from '../domain/manifest.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
import { CAPTURE_NAME, CAPTURED_DIR } from './captures.ts';
import type { CaptureCommand } from './captures.ts';
import {
  CHAIN_DIR,
  chainOfSnapshot,
  checkCarried,
  isChainRecordOf,
  REMOVED_RECORD,
  unchangedSince,
} from './incremental.ts';
import { readManifest } from './read-snapshot.ts';
import { collectGarbage } from '../archive/reclaim.ts';
import { resolveSnapshot } from './repository.ts';
import {
  checkAncestorsInTarget,
  linkLeavesTarget,
  lstatOrUndefined,
  passesThroughLink,
  realPathOrSelf,
  STAGING_PREFIX,
  targetLookup,
  topMost,
} from './restore-target.ts';

export interface RestoreRequest {
  store: Store;
  /** id, unique id prefix, or "latest" */
  reference: string;
  target: string;
  include?: readonly string[];
  exclude?: readonly string[];
  /** remove what the snapshot does not have under its roots (implied for pre-restore snapshots) */
  delete?: boolean;
  keys: DecryptionKeys;
  /** restore symlinks whose target lies outside the restore target (they are still never followed) */
  allowOutsideSymlinks?: boolean;
  /** absolute paths never touched nor snapshotted (the local repository) */
  protect?: readonly string[];
  /** commands that receive captured state (.ripcord-captured/NAME) on stdin */
  restoreCaptures?: readonly CaptureCommand[];
  /**
   * compare every file of the target by content; otherwise one whose size, mode, times and
   * inode are what the snapshot recorded reading it is taken as unchanged, without a read
   */
  checksum?: boolean;
}

export type ChangeAction = 'add' | 'change' | 'remove' | 'unchanged';

export interface RestoreChange {
  path: string;
  action: ChangeAction;
  /** what the snapshot has, or what is removed */
  type: ManifestEntry['type'] | 'other';
  /** for changes: content, mode, type, target */
  what?: string;
}

export interface RestorePlan {
  snapshot: SnapshotMetadata;
  /** the snapshots whose archives hold its content, base first and `snapshot` last (itself alone for a full one) */
  chain: SnapshotMetadata[];
  target: string;
  /** every manifest entry, archive order */
  entries: ManifestEntry[];
  /** the archive's checksum, index and key, from the authenticated manifest (ranged reads) */
  archive: Pick<ManifestTrailer, 'archive' | 'index' | 'archiveKey'>;
  /**
   * indexes into entries that will be written: every selected entry the target does not
   * already have as it is (directories always, for their modes and times)
   */
  selected: Set<number>;
  changes: RestoreChange[];
  counts: Record<ChangeAction, number>;
  /** target-relative paths the pre-restore snapshot covers: what the restore changes (may not exist yet) */
  scope: string[];
  /** the pre-restore snapshot will hold a link out of the target, so undoing needs --allow-outside-symlinks */
  undoNeedsOutsideLinks: boolean;
  /** target-relative paths removed by --delete, deepest first */
  removals: string[];
  deleteExtras: boolean;
  protect: string[];
  /** captured state to hand to restore commands, with the entry index that holds it */
  captures: { capture: CaptureCommand; index: number }[];
  /** captured names in the snapshot that no --restore-capture restores */
  unrestoredCaptures: string[];
  /** the target does not exist: the restore creates it, needs no pre-restore snapshot, and removing it undoes it */
  newTarget: boolean;
}

export async function planRestore(request: RestoreRequest): Promise<RestorePlan> {
  const snapshot = await resolveSnapshot(request.store, request.reference);
  const target = path.resolve(request.target);
  const deleteExtras = Boolean(request.delete) || snapshot.kind === 'pre-restore';
  const protect = [...(request.protect ?? [])].map((p) => path.resolve(p));
  const { entries, roots, trailer } = await readManifest(request.store, snapshot, request.keys);
  // What decrypting and parsing the manifest left behind goes now, before staging adds its
  // buffers on top: without this a restore of the benchmark peaked 5-7 MiB higher (Node 24).
  collectGarbage();
  const chain = snapshot.level ? await chainOfSnapshot(request.store, snapshot) : [snapshot];

  // Refuse the whole restore on any unsafe root or entry, before anything is touched: --delete
  // walks the roots, so a root like "../victim" must never get that far.
  for (const root of roots) {
    const reason = root === '.' ? undefined : unsafePathReason(root);
    if (reason)
      throw new UnsafeEntryError(
        `snapshot ${snapshot.id}: its manifest root ${JSON.stringify(root)} ${reason}; refusing to restore anything`,
      );
  }
  const guarded = guardedNames(target, protect, snapshot);
  const rootList = roots.map((r) => (r === '.' ? '' : r));
  const rootSet = new Set(rootList);
  const seen = new Set<string>();
  const symlinks = new Set<string>();
  const files = new Set<string>();
  const deltaRecordsWanted = new Set<string>();
  const deltaRecordsHeld = new Set<string>();
  for (const entry of entries) {
    const reason = unsafePathReason(entry.path);
    const where = `snapshot ${snapshot.id}: entry ${JSON.stringify(entry.path)}`;
    if (reason) throw new UnsafeEntryError(`${where} ${reason}; refusing to restore anything`);
    if (seen.has(entry.path)) throw new UnsafeEntryError(`${where} appears twice; refusing to restore anything`);
    seen.add(entry.path);
    if (!['file', 'directory', 'symlink'].includes(entry.type)) {
      throw new UnsafeEntryError(`${where} is a ${entry.type}; only files, directories and symlinks are restored`);
    }
    checkCarried(snapshot, chain, entry);
    if (entry.delta) for (const record of Object.values(deltaRecords(entry.path))) deltaRecordsWanted.add(record);
    if (isChainRecordOf(snapshot, entry.path)) {
      // never written to the target: the removal list and block deltas, for restoring a chain by hand
      if (entry.type === 'file' && isDeltaRecord(entry.path)) deltaRecordsHeld.add(entry.path);
      else if (entry.path !== REMOVED_RECORD || entry.type !== 'file')
        throw new UnsafeEntryError(
          `${where} is in ${CHAIN_DIR}, which holds only a chain link's ${REMOVED_RECORD} and block deltas; refusing to restore anything`,
        );
      continue;
    }
    const outside = outsideRootsReason(entry, rootSet);
    if (outside) throw new UnsafeEntryError(`${where} ${outside}; refusing to restore anything`);
    const touches = touchesGuarded(entry, guarded);
    if (touches)
      throw new UnsafeEntryError(`${where} would replace or write into ${touches}; refusing to restore anything`);
    const through = ancestorsOf(entry.path).find((a) => symlinks.has(a));
    if (through)
      throw new UnsafeEntryError(`${where} passes through the symlink ${through}; refusing to restore anything`);
    const underFile = ancestorsOf(entry.path).find((a) => files.has(a));
    if (underFile)
      throw new UnsafeEntryError(
        `${where} lies under ${JSON.stringify(underFile)}, which the snapshot lists as a file; refusing to restore anything`,
      );
    if (entry.type === 'file') files.add(entry.path);
    if (entry.type === 'symlink') symlinks.add(entry.path);
  }

  const unmatched = unmatchedRecord(deltaRecordsWanted, deltaRecordsHeld);
  if (unmatched !== undefined)
    throw new IntegrityError(
      `snapshot ${snapshot.id}: the block delta record ${JSON.stringify(unmatched)} has no counterpart in its manifest; refusing to restore anything`,
    );

  const included = request.include?.length ? createExcludeMatcher(request.include) : () => true;
  const excluded = createExcludeMatcher(request.exclude ?? []);
  // Captured state is never written as files: it goes to its restore command.
  const selectedPath = (name: string) =>
    !isChainRecordOf(snapshot, name) &&
    name !== CAPTURED_DIR &&
    !name.startsWith(`${CAPTURED_DIR}/`) &&
    [...ancestorsOf(name), name].some((p) => included(p)) &&
    ![...ancestorsOf(name), name].some((p) => excluded(p));

  const capturedNames = new Map(
    entries.flatMap((e, i) =>
      e.type === 'file' && e.path.startsWith(`${CAPTURED_DIR}/`)
        ? [[e.path.slice(CAPTURED_DIR.length + 1), i] as const]
        : [],
    ),
  );
  const captures = (request.restoreCaptures ?? []).map((capture) => {
    const index = capturedNames.get(capture.name);
    if (index === undefined) {
      const have = [...capturedNames.keys()];
      throw new UsageError(
        `snapshot ${snapshot.id} has no captured ${capture.name}${have.length ? ` (it has ${have.join(', ')})` : ' (it has no captured state)'}`,
      );
    }
    return { capture, index };
  });
  const unrestoredCaptures = [...capturedNames.keys()].filter((name) => !captures.some((c) => c.capture.name === name));

  const selected = new Set<number>();
  entries.forEach((entry, index) => {
    if (selectedPath(entry.path)) selected.add(index);
  });

  if (!request.allowOutsideSymlinks) refuseEscapingSymlinks(target, entries, selected, snapshot);

  // What --delete walks: the snapshot's roots, or with --include the selected top-most entries.
  const deleteScope = request.include?.length
    ? topMost([...selected].map((i) => entries[i]!.path))
    : rootList.filter((r) => r !== CAPTURED_DIR && (r === '' || selectedPath(r)));

  const changes: RestoreChange[] = [];
  const snapshotDirectories = new Set(entries.filter((e) => e.type === 'directory').map((e) => e.path));
  const checkedAncestors = new Set<string>();
  // Below a folder the target does not have, nothing exists: no lstat for each of its entries
  // (restoring 20,000 files into a new folder spent 0.4 s on them). applyRestore looks again.
  const absent = new Set<string>();
  // The pre-restore snapshot holds exactly what this restore changes: each changed or removed
  // path, and for an added one the top-most folder the restore creates to hold it.
  const touched = new Set<string>();
  const missingAncestors = new Map<string, boolean>();
  const topMostMissing = (name: string): string => {
    for (const ancestor of ancestorsOf(name)) {
      let missing = missingAncestors.get(ancestor);
      if (missing === undefined)
        missingAncestors.set(ancestor, (missing = lstatOrUndefined(path.join(target, ancestor)) === undefined));
      if (missing) return ancestor;
    }
    return name;
  };
  // A file the snapshot read where it still is, untouched since, is not read again (a
  // rollback's target is the tree its snapshot was taken of, minutes ago).
  const trust = request.checksum ? undefined : { started: Date.parse(snapshot.created) };
  const alreadyThere: number[] = [];
  for (const index of selected) {
    const entry = entries[index]!;
    checkAncestorsInTarget(target, entry, snapshotDirectories, checkedAncestors, snapshot);
    const parent = path.posix.dirname(entry.path);
    const underAbsent = absent.has(parent);
    const change: RestoreChange = underAbsent
      ? { path: entry.path, type: entry.type, action: 'add' }
      : await compareWithTarget(target, entry, trust);
    if (change.action === 'unchanged' && entry.type !== 'directory') alreadyThere.push(index);
    if (change.action === 'add' && entry.type === 'directory') absent.add(entry.path);
    if (change.action === 'change') touched.add(entry.path);
    else if (change.action === 'add' && !underAbsent) touched.add(topMostMissing(entry.path));
    changes.push(change);
  }

  const removals: string[] = [];
  if (deleteExtras) {
    const wanted = new Set([...selected].map((i) => entries[i]!.path));
    const directories = new Set(
      [...selected].filter((i) => entries[i]!.type === 'directory').map((i) => entries[i]!.path),
    );
    for (const root of deleteScope) {
      if (root !== '' && !wanted.has(root) && !(await exists(path.join(target, root)))) continue;
      if (root !== '' && !directories.has(root) && wanted.has(root)) continue; // a file root: nothing below it
      await collectExtras(target, root, wanted, guarded, excluded, removals);
    }
    removals.sort((a, b) => b.length - a.length || (a < b ? 1 : -1));
    for (const removal of removals) {
      const stats = await fs.lstat(path.join(target, removal));
      changes.push({
        path: removal,
        action: 'remove',
        type: stats.isDirectory()
          ? 'directory'
          : stats.isSymbolicLink()
            ? 'symlink'
            : stats.isFile()
              ? 'file'
              : 'other',
      });
      touched.add(removal);
    }
  }
  // Written again, an unchanged file would cost its read from the archive, a rename, and its
  // inode (which the next snapshot's change detection goes by).
  for (const index of alreadyThere) selected.delete(index);
  const counts: Record<ChangeAction, number> = { add: 0, change: 0, remove: 0, unchanged: 0 };
  for (const change of changes) counts[change.action] += 1;
  const scope = topMost([...touched].sort()).filter((name) => !passesThroughLink(target, name));
  const undoNeedsOutsideLinks = holdsOutsideLink(target, scope, guarded);
  const newTarget = lstatOrUndefined(target) === undefined;
  return {
    snapshot,
    chain,
    target,
    entries,
    archive: archiveOf(trailer),
    selected,
    changes,
    counts,
    scope,
    undoNeedsOutsideLinks,
    removals,
    deleteExtras,
    protect,
    captures,
    unrestoredCaptures,
    newTarget,
  };
}

/**
 * Target-relative names a restore must never replace, write into or remove: the local
 * repository (as given and by its real path) and the staging folders of restores. Refuses
 * a target that lies inside the repository.
 */
function guardedNames(target: string, protect: readonly string[], snapshot: SnapshotMetadata): string[] {
  const names = new Set<string>();
  const targets = [...new Set([target, realPathOrSelf(target)])];
  for (const guardedPath of protect) {
    for (const base of targets) {
      for (const candidate of new Set([guardedPath, realPathOrSelf(guardedPath)])) {
        const relative = path.relative(base, candidate);
        const inward = path.relative(candidate, base);
        if (relative === '' || (inward !== '..' && !inward.startsWith(`..${path.sep}`) && !path.isAbsolute(inward))) {
          throw new UnsafeEntryError(
            `the target ${target} lies inside the repository ${guardedPath}; restore snapshot ${snapshot.id} into another --target`,
          );
        }
        if (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
          names.add(relative.split(path.sep).join('/'));
      }
    }
  }
  return [...names];
}

/** Why an entry lies outside every root of its snapshot (captured state only under its own root), or undefined. */
function outsideRootsReason(entry: ManifestEntry, roots: ReadonlySet<string>): string | undefined {
  if (entry.path === CAPTURED_DIR || entry.path.startsWith(`${CAPTURED_DIR}/`)) {
    if (!roots.has(CAPTURED_DIR)) return `is captured state, but the manifest has no ${CAPTURED_DIR} root`;
    const name = entry.path.slice(CAPTURED_DIR.length + 1);
    const fits =
      entry.path === CAPTURED_DIR ? entry.type === 'directory' : entry.type === 'file' && CAPTURE_NAME.test(name);
    return fits ? undefined : `is not captured state as ripcord stores it (a file ${CAPTURED_DIR}/NAME)`;
  }
  if (roots.has('') || roots.has(entry.path) || ancestorsOf(entry.path).some((a) => roots.has(a))) return undefined;
  const shown = [...roots].slice(0, 5).map((r) => JSON.stringify(r || '.'));
  return `lies outside the snapshot's roots (${shown.join(', ')}${roots.size > 5 ? ', ...' : ''})`;
}

/** The guarded name an entry would replace, write into or (as a file or link over its folder) remove, or undefined. */
function touchesGuarded(entry: ManifestEntry, guarded: readonly string[]): string | undefined {
  const top = entry.path.split('/')[0]!;
  if (top.startsWith(STAGING_PREFIX)) return `${JSON.stringify(top)}, a name ripcord reserves for its staging folders`;
  const hit = guarded.find(
    (name) =>
      entry.path === name ||
      entry.path.startsWith(`${name}/`) ||
      (entry.type !== 'directory' && name.startsWith(`${entry.path}/`)),
  );
  return hit === undefined ? undefined : `the repository (${hit})`;
}

/**
 * Refuse a symlink that leads out of the target, by its text or once resolved through the
 * links this restore creates and those the target already holds (a chain of in-target links
 * such as "a -> .", "l1 -> a/..", "passwd -> l1/etc/passwd" escapes though each looks harmless).
 */
function refuseEscapingSymlinks(
  target: string,
  entries: ManifestEntry[],
  selected: Set<number>,
  snapshot: SnapshotMetadata,
): void {
  const links = entries.filter((e) => e.type === 'symlink');
  if (links.length === 0) return;
  const restored = new Map<string, ManifestEntry>();
  for (const index of selected) restored.set(entries[index]!.path, entries[index]!);
  const inTarget = targetLookup(target);
  const lookup = (name: string): TargetNode => {
    const entry = restored.get(name);
    if (entry) return entry.type === 'symlink' ? { type: 'symlink', target: entry.target ?? '' } : { type: 'other' };
    return inTarget(name);
  };
  for (const entry of links) {
    const linkTarget = entry.target ?? '';
    const why = linkLeavesTarget(target, entry.path, linkTarget, lookup);
    if (why) {
      throw new UnsafeEntryError(
        `snapshot ${snapshot.id}: entry ${JSON.stringify(entry.path)} is a symlink to ${JSON.stringify(linkTarget)} that ${why}; refusing (use --allow-outside-symlinks to restore such links; they are never followed)`,
      );
    }
  }
}

/**
 * Does what the pre-restore snapshot will hold include a link out of the target (the
 * target's own)? Then undoing the restore needs --allow-outside-symlinks, and says so.
 */
function holdsOutsideLink(target: string, scope: readonly string[], guarded: readonly string[]): boolean {
  const lookup = targetLookup(target);
  const visit = (name: string): boolean => {
    if (guarded.includes(name) || name.split('/')[0]!.startsWith(STAGING_PREFIX)) return false;
    const node = lookup(name);
    if (node?.type === 'symlink') return linkLeavesTarget(target, name, node.target, lookup) !== undefined;
    if (node?.type !== 'other' || !lstatOrUndefined(path.join(target, name))?.isDirectory()) return false;
    return readdirSync(path.join(target, name)).some((child) => visit(`${name}/${child}`));
  };
  return scope.some(visit);
}

async function exists(file: string): Promise<boolean> {
  return lstatOrUndefined(file) !== undefined;
}

/** What a ranged read of the archive needs from the trailer: all of it but the snapshot's binding. */
function archiveOf(trailer: ManifestTrailer): RestorePlan['archive'] {
  const { snapshot: _binding, ...archive } = trailer;
  return archive;
}

/**
 * How the target differs from one manifest entry. With `trust`, a file whose size, mode,
 * times and inode are what the snapshot (started at `trust.started`) recorded is unchanged
 * without being read.
 */
export async function compareWithTarget(
  target: string,
  entry: ManifestEntry,
  trust?: { started: number },
): Promise<RestoreChange> {
  const file = path.join(target, entry.path);
  const stats = lstatOrUndefined(file);
  const base = { path: entry.path, type: entry.type };
  if (!stats) return { ...base, action: 'add' };
  const actualType = stats.isDirectory()
    ? 'directory'
    : stats.isSymbolicLink()
      ? 'symlink'
      : stats.isFile()
        ? 'file'
        : 'other';
  if (actualType !== entry.type) return { ...base, action: 'change', what: `type (${actualType} -> ${entry.type})` };
  if (entry.type === 'symlink') {
    return (await fs.readlink(file)) === entry.target
      ? { ...base, action: 'unchanged' }
      : { ...base, action: 'change', what: 'link target' };
  }
  if (entry.type === 'file') {
    const sameContent =
      stats.size === entry.size &&
      ((trust !== undefined && unchangedSince(entry, stats, trust.started)) ||
        (await sha256File(file)) === entry.sha256);
    if (!sameContent) return { ...base, action: 'change', what: 'content' };
  }
  if ((stats.mode & 0o7777) !== safeMode(parseMode(entry.mode))) return { ...base, action: 'change', what: 'mode' };
  return { ...base, action: 'unchanged' };
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  const size = lstatSync(file).size;
  if (size <= 1 << 20) return hash.update(readFileSync(file)).digest('hex');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Entries under `root` in the target that the snapshot does not have (not following links). */
async function collectExtras(
  target: string,
  root: string,
  wanted: Set<string>,
  guarded: readonly string[],
  excluded: (name: string) => boolean,
  out: string[],
): Promise<void> {
  const full = root === '' ? target : path.join(target, root);
  if (guarded.includes(root) || path.basename(full).startsWith(STAGING_PREFIX)) return;
  if (root !== '' && excluded(root)) return;
  if (passesThroughLink(target, root)) return; // never walk, let alone delete, through a link
  const stats = lstatOrUndefined(full);
  if (!stats) return;
  // removing it removes everything below, so never a folder that holds the repository
  const holdsGuarded = guarded.some((name) => root === '' || name.startsWith(`${root}/`));
  if (root !== '' && !wanted.has(root) && !(holdsGuarded && stats.isDirectory())) {
    out.push(root);
    return;
  }
  if (!stats.isDirectory()) return;
  for (const name of await fs.readdir(full)) {
    await collectExtras(target, root === '' ? name : `${root}/${name}`, wanted, guarded, excluded, out);
  }
}
