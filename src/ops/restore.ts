/**
 * restore: make a target look like a snapshot, without ever making things worse.
 *
 *   planRestore   authenticate the manifest, refuse unsafe entries, compare with the
 *                 target: what will be added, changed, removed. Changes nothing.
 *   applyRestore  1. extract every selected entry into a private staging folder inside
 *                    the target (same file system), checking each against the manifest:
 *                    the whole archive, authenticated to its end, or when few files are
 *                    wanted only the parts that hold them (by its index, restore-stage.ts);
 *                 2. only once every staged entry has been checked: take the pre-restore
 *                    snapshot of everything the restore touches;
 *                 3. move entries into place by rename, never writing through a symlink;
 *                 4. with --delete, remove what the snapshot does not have.
 *
 * If anything fails before step 3 the target is untouched. If step 3 or 4 is interrupted,
 * restoring the pre-restore snapshot brings the target back exactly: it holds the restore's
 * whole scope, and restoring a pre-restore snapshot removes what is not in it.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, rmSync, utimesSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { DecryptionKeys, EncryptionKeys } from '../archive/openpgp-keys.ts';
import { safeMode } from '../domain/entry-safety.ts';
import { RipcordError } from '../domain/errors.ts';
import type { Reporter } from '../domain/events.ts';
import { silentReporter } from '../domain/events.ts';
import type { ManifestEntry } from '../domain/manifest.ts';
import { parseMode } from '../domain/manifest.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import { LocalStore } from '../storage/local-store.ts';
import type { Store } from '../storage/store.ts';
import { lockOwner, withLock } from './lock.ts';
import { privateFolder } from './private-folder.ts';
import { createBackup } from './backup.ts';
import { runRestoreCapture } from './captures.ts';
import type { CaptureCommand } from './captures.ts';
import type { Origin } from './origin.ts';
import type { ChangeAction, RestorePlan } from './restore-plan.ts';
import type { StagingLayout } from './restore-layout.ts';
import { stagingLayout } from './restore-layout.ts';
import { setLinkTime, stage } from './restore-stage.ts';
import { ensureRealDirectories, lstatOrUndefined, STAGING_PREFIX } from './restore-target.ts';
import { countOf } from '../domain/wording.ts';
import { shellQuote } from '../domain/shell-quote.ts';

export { compareWithTarget, planRestore } from './restore-plan.ts';
export type { ChangeAction, RestoreChange, RestorePlan, RestoreRequest } from './restore-plan.ts';
export { STAGING_PREFIX } from './restore-target.ts';

export interface ApplyRestoreOptions {
  store: Store;
  keys: DecryptionKeys;
  /** to encrypt the pre-restore snapshot; required unless noPreRestore */
  encryptionKeys?: EncryptionKeys;
  origin: Origin;
  noPreRestore?: boolean;
  /** state captured into the pre-restore snapshot too (the same names as the restore commands) */
  preRestoreCaptures?: readonly CaptureCommand[];
  /** environment for capture and restore commands (default: this process's) */
  env?: NodeJS.ProcessEnv;
  reporter?: Reporter;
  /** wait this long for another restore into the same target (default: fail at once) */
  lockWaitMs?: number;
  /** test hook: called after each entry is moved into place */
  afterApply?: (applied: number) => void | Promise<void>;
}

export interface RestoreResult {
  snapshot: SnapshotMetadata;
  target: string;
  preRestoreSnapshot?: SnapshotMetadata;
  /** the target did not exist, so no pre-restore snapshot was needed: removing it undoes the restore */
  createdTarget: boolean;
  counts: Record<ChangeAction, number>;
  durationMs: number;
}

/** Where this user's restores keep their per-target locks: a folder nobody else can write (see private-folder.ts). */
export async function restoreLockStore(): Promise<LocalStore> {
  return new LocalStore(await privateFolder());
}

/** One lock per restore target on this machine. */
function targetLockName(target: string): string {
  return `restore-${createHash('sha256').update(path.resolve(target)).digest('hex').slice(0, 16)}`;
}

/**
 * Remove staging folders that killed restores left in the target, under the target's lock;
 * for a restore that has nothing to apply (applyRestore does it itself).
 */
export async function removeStaleStaging(target: string, origin: Origin): Promise<void> {
  await withLock(
    await restoreLockStore(),
    targetLockName(target),
    lockOwner(`restore into ${target}`, origin),
    { sameMachine: true },
    async () => {
      for (const name of await fs.readdir(target).catch(() => [] as string[])) {
        if (name.startsWith(STAGING_PREFIX)) await fs.rm(path.join(target, name), { recursive: true, force: true });
      }
    },
  );
}

export async function applyRestore(plan: RestorePlan, options: ApplyRestoreOptions): Promise<RestoreResult> {
  // Two restores into one target would interleave their renames: one at a time per target.
  return withLock(
    await restoreLockStore(),
    targetLockName(plan.target),
    lockOwner(`restore into ${plan.target}`, options.origin),
    { sameMachine: true, waitMs: options.lockWaitMs ?? 0 },
    () => applyRestoreLocked(plan, options),
  );
}

/**
 * The staging folder inside the target, made before anything is changed there; a target
 * this user cannot write is one clear line, not an internal error.
 */
async function openStaging(target: string): Promise<string> {
  try {
    await fs.mkdir(target, { recursive: true });
    // Staging folders of restores that were killed: this restore holds the target's lock, so
    // none of them belongs to a live restore.
    for (const name of await fs.readdir(target)) {
      if (name.startsWith(STAGING_PREFIX)) await fs.rm(path.join(target, name), { recursive: true, force: true });
    }
    return await fs.mkdtemp(path.join(target, STAGING_PREFIX));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') throw error;
    throw new RipcordError(
      `cannot write into the restore target ${target} (${code}): nothing was changed; restore as a user who can write there, or choose another --target`,
      { cause: error },
    );
  }
}

async function applyRestoreLocked(plan: RestorePlan, options: ApplyRestoreOptions): Promise<RestoreResult> {
  const started = Date.now();
  const reporter = options.reporter ?? silentReporter;
  const { snapshot, target } = plan;
  // Looked at again under the target's lock: only a target that is still absent skips the safety net.
  const createdTarget = lstatOrUndefined(target) === undefined;
  const staging = await openStaging(target);
  try {
    const layout = await stagingLayout(plan, staging);
    reporter.emit({
      type: 'phase',
      phase: 'stage',
      message: `extracting snapshot ${snapshot.id} into a staging folder`,
    });
    await stage(plan, layout, options, reporter);

    let preRestoreSnapshot: SnapshotMetadata | undefined;
    if (createdTarget) {
      reporter.emit({
        type: 'info',
        message: `${target} did not exist: nothing to lose, so no pre-restore snapshot is needed`,
      });
    } else if (!options.noPreRestore) {
      if (!options.encryptionKeys)
        throw new RipcordError('a pre-restore snapshot needs an encryption key (or pass --no-pre-restore)');
      reporter.emit({
        type: 'phase',
        phase: 'pre-restore',
        message: `snapshotting what the restore will touch in ${target}`,
      });
      preRestoreSnapshot = (
        await createBackup({
          store: options.store,
          paths: plan.scope,
          cwd: target,
          allowMissing: true,
          skip: [staging, ...plan.protect],
          exclude: [`${STAGING_PREFIX}*`],
          kind: 'pre-restore',
          restoredFrom: snapshot.id,
          keys: options.encryptionKeys,
          ...(options.preRestoreCaptures?.length ? { captures: options.preRestoreCaptures } : {}),
          env: options.env,
          origin: options.origin,
          reporter: {
            emit: (event) => (event.type === 'progress' || event.type === 'warning' ? reporter.emit(event) : undefined),
          },
        })
      ).snapshot;
      reporter.emit({ type: 'info', message: `pre-restore snapshot ${preRestoreSnapshot.id} saved` });
    }

    reporter.emit({
      type: 'phase',
      phase: 'apply',
      message: `applying ${countOf(plan.counts.add + plan.counts.change, 'change')} and ${countOf(plan.counts.remove, 'removal')} to ${target}`,
    });
    try {
      await (layout.tree ? moveTreeIntoPlace(plan, layout.tree, options) : moveIntoPlace(plan, layout, options));
      for (const { capture, index } of plan.captures) {
        reporter.emit({ type: 'phase', phase: 'restore-capture', message: `restoring captured ${capture.name}` });
        await runRestoreCapture(capture, layout.pathOf(index), { cwd: target, env: options.env });
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const undo = preRestoreSnapshot
        ? `the target is partly restored; run "${undoCommand(plan, preRestoreSnapshot)}" to bring it back exactly as it was`
        : createdTarget
          ? `the target did not exist before: remove it (rm -r ${shellQuote(target)}) to bring back that state`
          : 'the target is partly restored and no pre-restore snapshot was taken';
      throw new RipcordError(`restore of snapshot ${snapshot.id} into ${target} was interrupted (${reason}): ${undo}`, {
        cause: error,
      });
    }
    return {
      snapshot,
      target,
      ...(preRestoreSnapshot ? { preRestoreSnapshot } : {}),
      createdTarget,
      counts: plan.counts,
      durationMs: Date.now() - started,
    };
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/** The command that undoes a restore of `plan` with its pre-restore snapshot. */
export function undoCommand(plan: RestorePlan, preRestoreSnapshot: SnapshotMetadata): string {
  return `ripcord restore ${preRestoreSnapshot.id} --target ${plan.target}${plan.undoNeedsOutsideLinks ? ' --allow-outside-symlinks' : ''}`;
}

async function moveIntoPlace(plan: RestorePlan, layout: StagingLayout, options: ApplyRestoreOptions): Promise<void> {
  const { entries, selected, target } = plan;
  const directories: ManifestEntry[] = [];
  const real = new Set<string>(); // target-relative folders known to be real directories now
  let applied = 0;
  for (const index of [...selected].sort((a, b) => a - b)) {
    const entry = entries[index]!;
    const destination = path.join(target, entry.path);
    ensureRealDirectories(target, entry.path, real);
    const existing = lstatOrUndefined(destination);
    if (entry.type === 'directory') {
      if (existing && !existing.isDirectory()) rmSync(destination, { force: true });
      if (!existing?.isDirectory()) mkdirSync(destination, { mode: 0o700 });
      real.add(entry.path);
      directories.push(entry);
    } else {
      if (existing?.isDirectory()) rmSync(destination, { recursive: true, force: true });
      const staged = layout.pathOf(index);
      // A file has its mode and time from stage(); a symlink gets its time here.
      if (entry.type === 'symlink') setLinkTime(staged, entry.mtime);
      renameSync(staged, destination); // replaces a file or a symlink itself, never what it points to
    }
    applied += 1;
    await options.afterApply?.(applied);
  }
  for (const removal of plan.removals) {
    rmSync(path.join(target, removal), { recursive: true, force: true });
    applied += 1;
    await options.afterApply?.(applied);
  }
  setDirectoryModes(target, directories);
}

/**
 * Move a tree staged into an empty target into place, a rename per top-level entry. Each
 * destination is looked at first: something that appeared in the target meanwhile is not
 * replaced (the restore stops, and its error says how to undo it).
 */
async function moveTreeIntoPlace(plan: RestorePlan, tree: string, options: ApplyRestoreOptions): Promise<void> {
  const { entries, selected, target } = plan;
  const order = [...selected].sort((a, b) => a - b);
  const directories = order.map((index) => entries[index]!).filter((entry) => entry.type === 'directory');
  const sizes = new Map<string, number>(); // top-level name -> selected entries at or below it
  for (const index of order) {
    const top = entries[index]!.path.split('/')[0]!;
    sizes.set(top, (sizes.get(top) ?? 0) + 1);
  }
  for (const top of sizes.keys()) {
    if (lstatOrUndefined(path.join(target, top)) !== undefined)
      throw new RipcordError(
        `${path.join(target, top)} appeared in the target while the restore ran; it was not replaced`,
      );
  }
  let applied = 0;
  for (const [top, size] of sizes) {
    renameSync(path.join(tree, top), path.join(target, top));
    applied += size;
    await options.afterApply?.(applied);
  }
  setDirectoryModes(target, directories);
}

/** Directory modes and times last, deepest first: a read-only directory would refuse its own contents. */
function setDirectoryModes(target: string, directories: ManifestEntry[]): void {
  for (const entry of [...directories].reverse()) {
    const destination = path.join(target, entry.path);
    chmodSync(destination, safeMode(parseMode(entry.mode)));
    const mtime = new Date(entry.mtime * 1000);
    utimesSync(destination, mtime, mtime);
  }
}
