import * as path from 'node:path';
import type { FaultRule } from '../helpers/fault-proxy.ts';
import { s3Requests } from '../helpers/fault-proxy.ts';
import type { FaultProxy } from '../helpers/fault-proxy.ts';
import type { Bundle, Repo, Rng, S3World, Tree, TrialOutcome } from './harness.ts';
import { cleanFailure, count, newOutcome, violate } from './harness.ts';
import { PASSPHRASE, runCli } from './harness.ts';
import { backUpNewTree, listing, restoredTree, verifyIds } from './harness.ts';
import { compareTrees, copyTree, readTree, writeFiles, writeSourceTree } from './harness.ts';

export type StorageOp = 'backup' | 'backup-multipart' | 'restore' | 'verify';

export interface StorageFaultPlan {
  name: string;
  /** a failed multipart part: what ripcord does about it has its own test */
  partRefused?: boolean;
  op: StorageOp;
  rules: FaultRule[];
  /**
   * true: the command must succeed (after retrying); false: it must fail cleanly; undefined:
   * either (faults spread over several concurrent requests may all be absorbed by retries)
   */
  transient: boolean | undefined;
}

export interface StorageContext {
  s3: S3World;
  proxy: FaultProxy;
  /** the repository as the CLI sees it, through the proxy */
  viaProxy: Repo;
  /** the same repository, straight to the server */
  direct: Repo;
  source: string;
  bigSource: string;
  /** a snapshot to restore and verify, with its tree */
  snapshotId: string;
  snapshotTree: Tree;
  target: string;
  targetOriginal: string;
  targetTree: Tree;
  bundle?: Bundle | undefined;
}

const env = (repo: Repo) => ({ RIPCORD_PASSPHRASE: PASSPHRASE, ...repo.env });

export async function prepareStorage(s3: S3World, dir: string, rng: Rng, bundle?: Bundle): Promise<StorageContext> {
  const proxy = await s3.proxy();
  const prefix = `storage-${rng.hex(6)}`;
  const direct = s3.repo(prefix);
  const viaProxy = s3.repo(prefix, proxy.endpoint);
  const source = path.join(dir, 'storage-source');
  const snapshotId = await backUpNewTree(
    direct,
    source,
    rng,
    { dirs: 3, filesPerDir: 5, blobBytes: 300 << 10 },
    bundle,
  );
  // an archive of three parts (the store's parts are 5 MiB): one more than the fixed plans break
  const bigSource = path.join(dir, 'storage-big-source');
  await writeSourceTree(bigSource, rng, { dirs: 1, filesPerDir: 2, blobBytes: 11 << 20 });
  const targetOriginal = path.join(dir, 'storage-target-original');
  return {
    s3,
    proxy,
    viaProxy,
    direct,
    source,
    bigSource,
    snapshotId,
    snapshotTree: await readTree(source),
    target: path.join(dir, 'storage-target'),
    targetOriginal,
    targetTree: await writeFiles(targetOriginal, { 'precious.txt': 'in the target before the restore\n' }),
    bundle,
  };
}

const put = s3Requests.put;
const get = s3Requests.get;
const isPart = (n: number) => (r: { method: string; url: string }) =>
  r.method === 'PUT' && new URL(r.url, 'http://proxy').searchParams.get('partNumber') === String(n);

/** The fixed set: every kind of fault, transient and permanent, on uploads and downloads. */
export const STORAGE_PLANS: StorageFaultPlan[] = [
  {
    name: 'three uploads answered 503 SlowDown',
    op: 'backup',
    transient: true,
    rules: [{ match: put(), times: 3, fault: { kind: 'status', status: 503 } }],
  },
  {
    name: 'the PUT of snapshot.json answered 500 twice',
    op: 'backup',
    transient: true,
    rules: [{ match: put('snapshot.json'), times: 2, fault: { kind: 'status', status: 500 } }],
  },
  {
    name: 'the connection reset 32 KiB into the archive upload',
    op: 'backup',
    transient: true,
    rules: [{ match: put('archive.tar.gz.pgp'), fault: { kind: 'reset', afterBytes: 32 << 10 } }],
  },
  {
    name: 'three answers delayed by 0.6 s',
    op: 'backup',
    transient: true,
    rules: [{ times: 3, fault: { kind: 'delay', ms: 600 } }],
  },
  {
    name: 'part 2 of a multipart upload answered 503 twice',
    op: 'backup-multipart',
    transient: true,
    rules: [{ match: isPart(2), times: 2, fault: { kind: 'status', status: 503 } }],
  },
  {
    name: 'part 1 of a multipart upload answered 403 AccessDenied',
    op: 'backup-multipart',
    transient: false,
    partRefused: true,
    rules: [{ match: isPart(1), times: Infinity, fault: { kind: 'status', status: 403 } }],
  },
  {
    name: 'the PUT of snapshot.json answered 500 on every attempt',
    op: 'backup',
    transient: false,
    rules: [{ match: put('snapshot.json'), times: Infinity, fault: { kind: 'status', status: 500 } }],
  },
  {
    name: 'every upload answered 403 AccessDenied',
    op: 'backup',
    transient: false,
    rules: [{ match: put(), times: Infinity, fault: { kind: 'status', status: 403 } }],
  },
  {
    name: 'the PUT of SHA256SUMS reset on every attempt',
    op: 'backup',
    transient: false,
    rules: [{ match: put('SHA256SUMS'), times: Infinity, fault: { kind: 'reset' } }],
  },
  {
    name: 'the archive download answered 503 twice',
    op: 'restore',
    transient: true,
    rules: [{ match: get('archive.tar.gz.pgp'), times: 2, fault: { kind: 'status', status: 503 } }],
  },
  {
    name: 'two downloads delayed by 0.6 s',
    op: 'restore',
    transient: true,
    rules: [{ match: get(), times: 2, fault: { kind: 'delay', ms: 600 } }],
  },
  {
    name: 'the archive download answered 500 on every attempt',
    op: 'restore',
    transient: false,
    rules: [{ match: get('archive.tar.gz.pgp'), times: Infinity, fault: { kind: 'status', status: 500 } }],
  },
  {
    name: 'the archive download cut off 64 KiB into the body, once',
    op: 'restore',
    transient: true,
    rules: [{ match: get('archive.tar.gz.pgp'), fault: { kind: 'truncate', afterBytes: 64 << 10 } }],
  },
  {
    name: 'the manifest download cut off mid-body, once',
    op: 'verify',
    transient: true,
    rules: [{ match: get('manifest.json.pgp'), fault: { kind: 'truncate', afterBytes: 100 } }],
  },
  {
    name: 'the archive download cut off mid-body, once',
    op: 'verify',
    transient: true,
    rules: [{ match: get('archive.tar.gz.pgp'), fault: { kind: 'truncate', afterBytes: 4096 } }],
  },
];

/** Faults that cut a download off mid-body (what ripcord does about them is its own question). */
export const isMidBodyCut = (plan: StorageFaultPlan) => plan.rules.some((r) => r.fault.kind === 'truncate');

/** A random plan for the stress run: which request, which fault, how often. */
export function randomStoragePlan(rng: Rng): StorageFaultPlan {
  const op = rng.pick<StorageOp>(['backup', 'backup', 'restore', 'verify', 'backup-multipart']);
  const uploads = ['archive.tar.gz.pgp', 'manifest.json.pgp', 'SHA256SUMS', 'snapshot.json', undefined];
  const downloads = ['archive.tar.gz.pgp', 'manifest.json.pgp', 'snapshot.json', undefined];
  const writes = op === 'backup' || op === 'backup-multipart';
  const object = writes ? rng.pick(uploads) : rng.pick(downloads);
  const part = op === 'backup-multipart' && rng.bool() ? rng.int(1, 3) : undefined;
  const match = writes ? (part !== undefined ? isPart(part) : put(object)) : get(object);
  const what =
    part !== undefined ? `PUT of archive part ${part}` : `${writes ? 'PUT' : 'GET'} ${object ?? 'any object'}`;
  // One request (retried) or several: N failures of one request exhaust its attempts, N
  // failures spread over several concurrent requests may not.
  const single =
    part !== undefined || (object !== undefined && !(op === 'backup-multipart' && object === 'archive.tar.gz.pgp'));
  const verdict = (times: number) => (times <= 4 ? true : single ? false : undefined);
  const kind = rng.pick<'status' | 'reset' | 'delay' | 'forbidden' | 'truncate'>([
    'status',
    'status',
    'reset',
    'delay',
    'forbidden',
    ...(writes ? [] : (['truncate'] as const)),
  ]);
  const skip = rng.int(0, 1);
  switch (kind) {
    case 'status': {
      const status = rng.pick([500, 503]);
      const times = rng.int(1, 7);
      return {
        name: `${what}: ${status} ${times}x (skip ${skip})`,
        op,
        transient: verdict(times),
        rules: [{ match, skip, times, fault: { kind: 'status', status } }],
      };
    }
    case 'reset': {
      const times = rng.int(1, 6);
      return {
        name: `${what}: connection reset ${times}x`,
        op,
        transient: verdict(times),
        rules: [{ match, skip, times, fault: { kind: 'reset', afterBytes: rng.pick([0, 1024, 65536]) } }],
      };
    }
    case 'delay': {
      const ms = rng.int(100, 2000);
      return {
        name: `${what}: answers delayed ${ms} ms`,
        op,
        transient: true,
        rules: [{ match, times: rng.int(1, 4), fault: { kind: 'delay', ms } }],
      };
    }
    case 'forbidden':
      return {
        name: `${what}: 403 AccessDenied from then on`,
        op,
        transient: false,
        rules: [{ match, skip, times: Infinity, fault: { kind: 'status', status: 403 } }],
      };
    default: {
      const afterBytes = rng.pick([0, 100, 4096, 65536]);
      return {
        name: `${what}: body cut off after ${afterBytes} bytes, once`,
        op,
        transient: true,
        rules: [{ match, skip: 0, times: 1, fault: { kind: 'truncate', afterBytes } }],
      };
    }
  }
}

export async function storageFaultTrial(ctx: StorageContext, plan: StorageFaultPlan): Promise<TrialOutcome> {
  const outcome = newOutcome(`${plan.op}: ${plan.name}`);
  const before = await listing(ctx.direct);
  const known = new Set(before.snapshots.map((s) => s.id));
  ctx.proxy.clear();
  ctx.proxy.resetLog();
  for (const rule of plan.rules) ctx.proxy.inject(rule);

  let exit;
  if (plan.op === 'backup' || plan.op === 'backup-multipart') {
    const source = plan.op === 'backup' ? ctx.source : ctx.bigSource;
    exit = await runCli(['backup', ...ctx.viaProxy.args, '-q', '-C', source, '.'], {
      env: env(ctx.viaProxy),
      bundle: ctx.bundle,
    });
  } else if (plan.op === 'restore') {
    await copyTree(ctx.targetOriginal, ctx.target);
    exit = await runCli(['restore', ctx.snapshotId, ...ctx.viaProxy.args, '--target', ctx.target, '--yes'], {
      env: env(ctx.viaProxy),
      bundle: ctx.bundle,
    });
  } else {
    exit = await runCli(['verify', '--read-data', ctx.snapshotId, ...ctx.viaProxy.args], {
      env: env(ctx.viaProxy),
      bundle: ctx.bundle,
    });
  }
  ctx.proxy.clear();
  const faults = ctx.proxy.faultsInjected();
  outcome.faults = faults;
  count(
    outcome,
    `${plan.transient === undefined ? 'either-way' : plan.transient ? 'transient' : 'permanent'} fault plans`,
  );

  // The command's verdict.
  const succeeded = exit.code === 0;
  if (plan.transient === true && !succeeded) {
    violate(
      outcome,
      isMidBodyCut(plan) ? 'download-cut-mid-body-retried' : 'transient-fault-retried',
      `${plan.name}: exit ${exit.code}: ${exit.stderr.trim()}`,
    );
  } else if (plan.transient === false && faults > 0 && succeeded) {
    violate(outcome, 'permanent-fault-reported', `${plan.name}: the command succeeded`);
  }
  if (!succeeded) {
    const problem = cleanFailure(exit);
    if (problem) violate(outcome, 'fails-cleanly', `${plan.name}: ${problem}`);
  }

  // Nothing half-written is visible, and what is visible is whole.
  const after = await listing(ctx.direct);
  if (after.damaged.length > 0)
    violate(outcome, 'no-half-written-snapshot-visible', after.damaged.map((d) => `${d.id}: ${d.problem}`).join('; '));
  const fresh = after.snapshots.filter((s) => !known.has(s.id));
  for (const v of await verifyIds(
    ctx.direct,
    fresh.map((s) => s.id),
  )) {
    if (!v.ok) violate(outcome, 'no-half-written-snapshot-visible', `${v.id}: ${v.problems.join('; ')}`);
  }
  if (plan.op.startsWith('backup')) {
    const newBackups = fresh.filter((s) => s.kind === 'manual');
    if (succeeded) {
      const id = exit.stdout.trim();
      if (!newBackups.some((s) => s.id === id)) violate(outcome, 'backup-visible-after-success', `${id} is not listed`);
      else {
        // A backup that reported success must restore exactly: anything else is data lost.
        const expected = await readTree(plan.op === 'backup' ? ctx.source : ctx.bigSource);
        const restored = await restoredTree(ctx.direct, id).catch((error: Error) => error);
        if (restored instanceof Error) {
          outcome.lost += 1;
          violate(
            outcome,
            'backup-restores-exactly',
            `${plan.name}: the backup reported success, but ${id} cannot be restored: ${restored.message}`,
          );
        } else {
          const diff = compareTrees(expected, restored);
          if (diff.lost.length + diff.extra.length > 0) {
            outcome.lost += 1;
            violate(outcome, 'backup-restores-exactly', [...diff.lost, ...diff.extra].slice(0, 5).join('; '));
          }
        }
      }
    } else if (newBackups.length > 0) {
      count(outcome, 'failed backups that still committed (complete and valid)', newBackups.length);
    }
  } else if (plan.op === 'restore') {
    const tree = await readTree(ctx.target);
    if (succeeded) {
      const expected = new Map([...ctx.snapshotTree, ...ctx.targetTree]);
      const diff = compareTrees(expected, tree);
      if (diff.lost.length + diff.extra.length > 0) {
        outcome.lost += 1;
        violate(outcome, 'restore-gives-snapshot', [...diff.lost, ...diff.extra].slice(0, 5).join('; '));
      }
    } else {
      const diff = compareTrees(ctx.targetTree, tree);
      if (diff.lost.length + diff.extra.length > 0) {
        if (diff.lost.length) outcome.lost += 1;
        violate(
          outcome,
          'failed-restore-leaves-target-untouched',
          [...diff.lost, ...diff.extra].slice(0, 5).join('; '),
        );
      }
    }
  }
  if (succeeded)
    count(outcome, faults > 0 ? 'succeeded despite the faults (retried)' : 'succeeded (the fault never matched)');
  else count(outcome, 'failed cleanly');
  if (outcome.violations.length === 0) outcome.detected = faults;
  outcome.notes.push(
    `${faults} faulty answers of ${ctx.proxy.log().length} requests; ${succeeded ? 'succeeded' : exit.stderr.trim()}`,
  );
  return outcome;
}
