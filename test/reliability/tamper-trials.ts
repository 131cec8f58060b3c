/**
 * Tamper detection: random bytes flipped in one object of a committed snapshot
 * (archive.tar.gz.pgp, manifest.json.pgp or snapshot.json), in three ways:
 *
 *   raw        the bytes change, nothing else: verify without a key must see it
 *   resealed   the bytes change and the forger recomputes every checksum (SHA256SUMS,
 *              snapshot.json's objects and its self-checksum): only decryption can tell,
 *              so verify --read-data must see it
 *   edited     snapshot.json's fields are edited (kind, tags, host, counts...) and the file
 *              is re-sealed: again only the authenticated copy inside the manifest can tell
 *
 * and in every case restore must refuse before it touches the target.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { SnapshotMetadata } from '../../src/domain/snapshot.ts';
import { formatChecksums, sealMetadata, serializeMetadata, SNAPSHOT_KINDS } from '../../src/domain/snapshot.ts';
import { verifySnapshots } from '../../src/ops/verify.ts';
import type { Bundle, RestoreSetup, Rng, TrialOutcome } from './harness.ts';
import { cleanFailure, count, describeError, newOutcome, violate } from './harness.ts';
import { DECRYPTION_KEYS, PASSPHRASE, runCli } from './harness.ts';
import { localRepo, prepareRestoreSetup, withStore } from './harness.ts';
import { compareTrees, copyTree, isStaging, readTree } from './harness.ts';

export const TAMPERED_OBJECTS = ['archive.tar.gz.pgp', 'manifest.json.pgp', 'snapshot.json'] as const;
export type TamperedObject = (typeof TAMPERED_OBJECTS)[number];
export type TamperMode = 'raw' | 'resealed' | 'edited';

export interface TamperContext extends RestoreSetup {
  /** the pristine snapshot folder, copied into a fresh repository for every trial */
  pristine: string;
}

export async function prepareTamper(dir: string, rng: Rng, bundle?: Bundle): Promise<TamperContext> {
  const targetFiles = { 'precious.txt': 'the target before any restore\n', 'dir-0/file-0.txt': 'an older version\n' };
  const shape = { dirs: 4, filesPerDir: 6, blobBytes: 256 << 10 };
  const setup = await prepareRestoreSetup(dir, 'tamper-pristine', rng, shape, targetFiles, bundle);
  return { ...setup, pristine: path.join(setup.repo, setup.id) };
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Flip 1-4 random bytes (distinct positions, non-zero masks); returns the positions. */
function flipBytes(data: Buffer, rng: Rng): number[] {
  const positions = new Set<number>();
  const flips = Math.min(data.length, rng.int(1, 4));
  while (positions.size < flips) positions.add(rng.int(0, data.length - 1));
  for (const at of positions) data[at] = data[at]! ^ rng.int(1, 255);
  return [...positions].sort((a, b) => a - b);
}

/** Recompute what a forger without the key can: SHA256SUMS and snapshot.json's checksums. */
async function reseal(folder: string, edit?: (m: Omit<SnapshotMetadata, 'metadataSha256'>) => void): Promise<void> {
  const metadata = JSON.parse(await fs.readFile(path.join(folder, 'snapshot.json'), 'utf8')) as SnapshotMetadata;
  const { metadataSha256: _old, ...fields } = metadata;
  for (const object of ['archive.tar.gz.pgp', 'manifest.json.pgp'] as const) {
    const data = await fs.readFile(path.join(folder, object));
    fields.objects[object] = { sha256: sha256(data), bytes: data.length };
  }
  fields.archiveBytes = fields.objects['archive.tar.gz.pgp'].bytes;
  edit?.(fields);
  const sealed = sealMetadata(fields);
  await fs.writeFile(path.join(folder, 'SHA256SUMS'), formatChecksums(sealed.objects));
  await fs.writeFile(path.join(folder, 'snapshot.json'), serializeMetadata(sealed));
}

/** A plausible edit of snapshot.json's fields, as someone who wants a different restore would make. */
function editMetadata(
  rng: Rng,
  choice = rng.int(0, 5),
): { what: string; edit: (m: Omit<SnapshotMetadata, 'metadataSha256'>) => void } {
  switch (choice) {
    case 0: {
      const kind = rng.pick(SNAPSHOT_KINDS.filter((k) => k !== 'manual'));
      return { what: `kind manual -> ${kind}`, edit: (m) => void (m.kind = kind) };
    }
    case 1:
      return { what: 'a tag added', edit: (m) => void (m.tags = [...m.tags, `forged-${rng.hex(4)}`]) };
    case 2:
      return { what: 'host changed', edit: (m) => void (m.host = `forged-${rng.hex(6)}`) };
    case 3:
      return { what: 'file count changed', edit: (m) => void (m.files += rng.int(1, 9)) };
    case 4:
      return {
        what: 'created time moved',
        edit: (m) => void (m.created = new Date(Date.parse(m.created) + rng.int(1, 1e9)).toISOString()),
      };
    default:
      return { what: 'restoredFrom added', edit: (m) => void (m.restoredFrom = m.id) };
  }
}

export interface TamperPlan {
  object: TamperedObject;
  mode: TamperMode;
  /** for mode edited: which edit (0 kind, 1 tags, 2 host, 3 file count, 4 created, 5 restoredFrom); default random */
  edit?: number;
}

/** Which object and how, for trial `index`: every object and mode in turn, positions random. */
export function tamperPlan(index: number): TamperPlan {
  const plans: TamperPlan[] = [
    { object: 'archive.tar.gz.pgp', mode: 'raw' },
    { object: 'manifest.json.pgp', mode: 'raw' },
    { object: 'snapshot.json', mode: 'raw' },
    { object: 'archive.tar.gz.pgp', mode: 'resealed' },
    { object: 'manifest.json.pgp', mode: 'resealed' },
    { object: 'snapshot.json', mode: 'edited' },
  ];
  return plans[index % plans.length]!;
}

export async function tamperTrial(
  ctx: TamperContext,
  plan: TamperPlan,
  rng: Rng,
  options: { cliVerify?: boolean } = {},
): Promise<TrialOutcome> {
  const repoDir = path.join(ctx.dir, 'tamper-repo');
  await fs.rm(repoDir, { recursive: true, force: true });
  const folder = path.join(repoDir, ctx.id);
  await fs.mkdir(repoDir, { recursive: true });
  await fs.cp(ctx.pristine, folder, { recursive: true });
  const file = path.join(folder, plan.object);

  let what: string;
  if (plan.mode === 'edited') {
    const edit = editMetadata(rng, plan.edit);
    await reseal(folder, edit.edit);
    what = `${edit.what}, re-sealed`;
  } else {
    const data = await fs.readFile(file);
    const positions = flipBytes(data, rng);
    await fs.writeFile(file, data);
    if (plan.mode === 'resealed') await reseal(folder);
    what = `bytes flipped at ${positions.join(', ')} of ${data.length}${plan.mode === 'resealed' ? ', checksums recomputed' : ''}`;
  }
  const outcome = newOutcome(`${plan.object} ${plan.mode}: ${what}`);
  outcome.faults = 1;
  count(outcome, `${plan.object} (${plan.mode})`);
  const repo = localRepo(repoDir);
  let detected = true;

  // verify without a key must see raw damage; with --read-data every kind of tampering.
  const plain = await withStore(repo, (store) => verifySnapshots({ store, references: [ctx.id] })).catch(
    (e: unknown) => e,
  );
  const plainSaw = plain instanceof Error || (Array.isArray(plain) && plain.some((o) => !o.ok));
  let verifyDetected = true;
  if (plan.mode === 'raw' && !plainSaw) {
    verifyDetected = false;
    detected = false;
    violate(outcome, 'verify-detects', `verify passed a snapshot with ${what} in ${plan.object}`);
  }
  if (plainSaw) count(outcome, 'seen by verify without a key');
  const read = await withStore(repo, (store) =>
    verifySnapshots({ store, references: [ctx.id], readData: true, keys: DECRYPTION_KEYS }),
  ).catch((e: unknown) => e);
  const readSaw = read instanceof Error || (Array.isArray(read) && read.some((o) => !o.ok));
  if (read instanceof Error && !describeError(read).ripcord)
    violate(outcome, 'verify-fails-cleanly', `internal error: ${describeError(read).message}`);
  if (!readSaw) {
    detected = false;
    verifyDetected = false;
    violate(outcome, 'verify-read-data-detects', `verify --read-data passed a snapshot with ${what} in ${plan.object}`);
  } else if (read instanceof Error && /passphrase|key/i.test(read.message)) {
    count(outcome, 'reported as a key problem (damaged session key packet)');
  }

  if (options.cliVerify) {
    const cli = await runCli(['verify', ...(plan.mode === 'raw' ? [] : ['--read-data']), ctx.id, ...repo.args], {
      env: { RIPCORD_PASSPHRASE: PASSPHRASE },
      bundle: ctx.bundle,
    });
    const problem = cleanFailure(cli);
    if (problem) {
      detected = false;
      verifyDetected = false;
      violate(outcome, 'cli-verify-detects', `ripcord verify: ${problem}`);
    }
  }

  // restore refuses, and the target is exactly as it was.
  await copyTree(ctx.targetOriginal, ctx.target);
  const restore = await runCli(['restore', ctx.id, ...repo.args, '--target', ctx.target, '--yes'], {
    env: { RIPCORD_PASSPHRASE: PASSPHRASE },
    bundle: ctx.bundle,
  });
  const refused = cleanFailure(restore);
  if (refused) {
    detected = false;
    violate(
      outcome,
      'restore-refuses',
      `restore with ${what} in ${plan.object}: ${refused}${restore.code === 0 ? ` (${restore.stdout.trim().split('\n').pop()})` : ''}`,
    );
  }
  const after = await readTree(ctx.target);
  const diff = compareTrees(ctx.targetTree, after);
  if (diff.lost.length + diff.extra.length > 0) {
    detected = false;
    violate(
      outcome,
      'target-untouched',
      [...diff.lost, ...diff.extra.map((e) => `${isStaging(e) ? 'staging folder ' : 'extra '}${e}`)]
        .slice(0, 5)
        .join('; '),
    );
    // Changed, but can it be brought back? Only with the pre-restore snapshot the restore took.
    const pre = /pre-restore snapshot (\S+);/.exec(restore.stdout)?.[1];
    if (pre) {
      const undo = await runCli(['restore', pre, ...repo.args, '--target', ctx.target, '--yes'], {
        env: { RIPCORD_PASSPHRASE: PASSPHRASE },
        bundle: ctx.bundle,
      });
      const back = compareTrees(ctx.targetTree, await readTree(ctx.target));
      if (undo.code !== 0 || back.lost.length > 0) outcome.lost += 1;
    } else if (diff.lost.length > 0) outcome.lost += 1;
  }
  if (verifyDetected) count(outcome, 'detected by verify');
  if (!refused && diff.lost.length + diff.extra.length === 0) count(outcome, 'refused by restore, target untouched');
  outcome.detected = detected ? 1 : 0;
  return outcome;
}
