/**
 * The machinery every reliability trial shares, used both by the CI-sized suite
 * (test/reliability/*.test.ts: a few trials with a fixed seed) and by the stress run
 * (test/stress/run.ts: many trials, a report in docs/reliability.md):
 *
 * - a seeded random generator, so a failing trial reproduces from the seed it prints;
 * - trial outcomes (faults injected, faults detected, invariant violations, data lost)
 *   and their tally per area;
 * - the bundled CLI as a child process: run it, or start it and SIGKILL it; optionally
 *   with a shifted clock (a preload that moves Date forward, to get past prune's grace
 *   period without waiting an hour) and a umask of 000 (so file modes come from ripcord);
 *   a run that needs no shifted clock nor a bundle of its own goes through `main(argv, io)`
 *   in this process (RIPCORD_TEST_CLI=process runs it as a process too);
 * - repositories on local disk and on S3 (a real s3rver, optionally behind the fault proxy),
 *   each reachable through the CLI and in-process through the library;
 * - source trees made from the seed, and exact tree comparisons that tell lost data
 *   (an entry missing or different) from leftovers (an entry that should not be there).
 */
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createCipheriv, createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DecryptionKeys, EncryptionKeys } from '../../src/archive/openpgp-keys.ts';
import { RipcordError } from '../../src/domain/errors.ts';
import { applyRestore, planRestore } from '../../src/ops/restore.ts';
import type { RestorePlan } from '../../src/ops/restore.ts';
import { verifySnapshots } from '../../src/ops/verify.ts';
import type { VerifyOutcome } from '../../src/ops/verify.ts';
import { listSnapshots } from '../../src/ops/repository.ts';
import type { RepositoryListing } from '../../src/ops/repository.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { cleanEnv, CLI, PROJECT_ROOT, ripcord } from '../helpers/cli.ts';
import type { RunResult } from '../helpers/cli.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import type { FaultProxy } from '../helpers/fault-proxy.ts';
import { startS3Server } from '../helpers/s3-server.ts';
import type { S3TestServer } from '../helpers/s3-server.ts';
import { readTree, removeDir, tempDir } from '../helpers/tree.ts';
import type { TreeEntry } from '../helpers/tree.ts';

// ---------------------------------------------------------------------------------------
// Seeded randomness

/** sfc32 seeded by a string hash: fast, and the same sequence for the same seed everywhere. */
export class Rng {
  readonly seed: string;
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    this.seed = seed;
    const h = createHash('sha256').update(seed).digest();
    this.a = h.readUInt32LE(0);
    this.b = h.readUInt32LE(4);
    this.c = h.readUInt32LE(8);
    this.d = h.readUInt32LE(12);
    for (let i = 0; i < 12; i++) this.next();
  }

  /** uniform in [0, 1) */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** an integer in [min, max] */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  bool(probability = 0.5): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick of an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** `n` bytes from an AES-CTR keystream keyed by this generator: fast and reproducible */
  bytes(n: number): Buffer {
    const key = Buffer.alloc(16);
    const iv = Buffer.alloc(16);
    for (let i = 0; i < 16; i += 4) {
      key.writeUInt32LE(Math.floor(this.next() * 2 ** 32), i);
      iv.writeUInt32LE(Math.floor(this.next() * 2 ** 32), i);
    }
    return createCipheriv('aes-128-ctr', key, iv).update(Buffer.alloc(n));
  }

  hex(digits: number): string {
    return this.bytes(Math.ceil(digits / 2))
      .toString('hex')
      .slice(0, digits);
  }

  /** an independent generator for a named sub-task (trial k of an area) */
  child(label: string | number): Rng {
    return new Rng(`${this.seed}/${label}`);
  }
}

// ---------------------------------------------------------------------------------------
// Outcomes

export const AREAS = [
  'crash-backup',
  'crash-restore',
  'tamper',
  'hostile',
  'storage-faults',
  'disk-full',
  'concurrency',
  'secrets',
] as const;
export type Area = (typeof AREAS)[number];

export interface Violation {
  /** a short stable name of the invariant that did not hold */
  invariant: string;
  detail: string;
}

export interface TrialOutcome {
  /** one line: what the trial did */
  trial: string;
  /** faults this trial injected (kills that landed, bytes flipped, requests broken, ...) */
  faults: number;
  /** of those, how many ripcord detected or handled as specified */
  detected: number;
  violations: Violation[];
  /** snapshots or trees that could not be brought back exactly */
  lost: number;
  /** counters for the report ("killed before commit", "retried", ...) */
  counts: Record<string, number>;
  /** free-form lines for diagnostics */
  notes: string[];
}

export function newOutcome(trial: string): TrialOutcome {
  return { trial, faults: 0, detected: 0, violations: [], lost: 0, counts: {}, notes: [] };
}

export function count(outcome: TrialOutcome, key: string, by = 1): void {
  outcome.counts[key] = (outcome.counts[key] ?? 0) + by;
}

export function violate(outcome: TrialOutcome, invariant: string, detail: string): void {
  outcome.violations.push({ invariant, detail: oneLine(detail) });
}

/** A violation that lost data: `snapshots` more lost, and the invariant it broke. */
export function violateLosing(outcome: TrialOutcome, snapshots: number, invariant: string, detail: string): void {
  outcome.lost += snapshots;
  violate(outcome, invariant, detail);
}

export interface AreaFigures {
  area: Area;
  /** trials that injected faults */
  trials: number;
  /** check-only runs between trials (sweeps, audits): they add violations and losses, not trials */
  checks: number;
  faults: number;
  detected: number;
  lost: number;
  violations: (Violation & { trial: string })[];
  counts: Record<string, number>;
  ms: number;
}

export class Tally {
  private readonly figures = new Map<Area, AreaFigures>();

  add(area: Area, outcome: TrialOutcome, ms = 0, check = false): void {
    const f = this.of(area);
    if (check) f.checks += 1;
    else f.trials += 1;
    f.faults += outcome.faults;
    f.detected += outcome.detected;
    f.lost += outcome.lost;
    f.ms += ms;
    for (const v of outcome.violations) f.violations.push({ ...v, trial: outcome.trial });
    for (const [key, value] of Object.entries(outcome.counts)) f.counts[key] = (f.counts[key] ?? 0) + value;
  }

  of(area: Area): AreaFigures {
    let f = this.figures.get(area);
    if (!f)
      this.figures.set(
        area,
        (f = { area, trials: 0, checks: 0, faults: 0, detected: 0, lost: 0, violations: [], counts: {}, ms: 0 }),
      );
    return f;
  }

  all(): AreaFigures[] {
    return AREAS.filter((a) => this.figures.has(a)).map((a) => this.figures.get(a)!);
  }
}

/** Outcomes, summed: for tests that run several trials and assert once. */
export function sumOutcomes(trial: string, outcomes: readonly TrialOutcome[]): TrialOutcome {
  const total = newOutcome(trial);
  for (const o of outcomes) {
    total.faults += o.faults;
    total.detected += o.detected;
    total.lost += o.lost;
    total.violations.push(...o.violations.map((v) => ({ ...v, detail: `${o.trial}: ${v.detail}` })));
    for (const [key, value] of Object.entries(o.counts)) count(total, key, value);
    total.notes.push(...o.notes.map((n) => `${o.trial}: ${n}`));
  }
  return total;
}

/** Violations as readable lines, for assertion messages (optionally only some invariants). */
export function describeViolations(outcome: TrialOutcome, only?: (invariant: string) => boolean): string {
  return outcome.violations
    .filter((v) => !only || only(v.invariant))
    .map((v) => `[${v.invariant}] ${v.detail}`)
    .join('\n');
}

export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 400 ? `${flat.slice(0, 400)}…` : flat;
}

// ---------------------------------------------------------------------------------------
// The CLI: as a child process, or in this process

export const PASSPHRASE = 'reliability suite passphrase';
export const ENCRYPTION_KEYS: EncryptionKeys = { mode: 'passphrase', passphrase: PASSPHRASE };
export const DECRYPTION_KEYS: DecryptionKeys = { passphrase: PASSPHRASE };
export const ORIGIN = { host: 'reliability-host', user: 'reliability' };

/** Where the bundle under test lives: dist/ (CI), or a private build (the stress run). */
export interface Bundle {
  cli: string;
  actionDir: string;
}

/** dist/, or the build in $RIPCORD_RELIABILITY_BUNDLE (a folder laid out like dist/) */
export const DIST_BUNDLE: Bundle = process.env.RIPCORD_RELIABILITY_BUNDLE
  ? bundleIn(process.env.RIPCORD_RELIABILITY_BUNDLE)
  : { cli: CLI, actionDir: path.join(PROJECT_ROOT, 'dist/action') };

export function bundleIn(dir: string): Bundle {
  return { cli: path.join(dir, 'cli.cjs'), actionDir: path.join(dir, 'action') };
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** run with the clock moved forward by this much (prune's grace period): main's io.now in this process, Date itself in a child */
  clockOffsetMs?: number;
  /** run under umask 000, so that every mode on disk is one ripcord chose */
  umask0?: boolean;
  bundle?: Bundle;
}

export interface CliExit extends RunResult {
  signal: NodeJS.Signals | null;
  ms: number;
}

export interface RunningCli {
  pid: number;
  started: number;
  done: Promise<CliExit>;
  kill(signal?: NodeJS.Signals): void;
}

let clockPreload: Promise<string> | undefined;

/** A preload module that moves Date forward by $RIPCORD_TEST_CLOCK_OFFSET_MS. */
function clockPreloadFile(): Promise<string> {
  clockPreload ??= (async () => {
    const dir = await fs.mkdtemp(path.join(tmpdir(), 'ripcord-reliability-clock-'));
    const file = path.join(dir, 'shift-clock.mjs');
    await fs.writeFile(
      file,
      [
        '// Test preload: the clock runs $RIPCORD_TEST_CLOCK_OFFSET_MS ahead (prune grace periods, leases).',
        'const offset = Number(process.env.RIPCORD_TEST_CLOCK_OFFSET_MS ?? 0);',
        'if (offset) {',
        '  const RealDate = Date;',
        '  class ShiftedDate extends RealDate {',
        '    constructor(...args) { if (args.length === 0) super(RealDate.now() + offset); else super(...args); }',
        '    static now() { return RealDate.now() + offset; }',
        '  }',
        '  globalThis.Date = ShiftedDate;',
        '}',
        '',
      ].join('\n'),
    );
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return file;
  })();
  return clockPreload;
}

export async function startCli(args: string[], options: CliOptions = {}): Promise<RunningCli> {
  const bundle = options.bundle ?? DIST_BUNDLE;
  const nodeArgs: string[] = [];
  const env: Record<string, string | undefined> = { ...options.env };
  if (options.clockOffsetMs) {
    nodeArgs.push('--import', pathToFileURL(await clockPreloadFile()).href);
    env.RIPCORD_TEST_CLOCK_OFFSET_MS = String(options.clockOffsetMs);
  }
  const started = Date.now();
  const child = spawnWithUmask(
    process.execPath,
    [...nodeArgs, bundle.cli, ...args],
    { cwd: options.cwd ?? PROJECT_ROOT, env: cleanEnv(env) },
    options.umask0 ?? false,
  );
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const done = new Promise<CliExit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? -1,
        signal,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        ms: Date.now() - started,
      }),
    );
  });
  return {
    pid: child.pid ?? -1,
    started,
    done,
    kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/**
 * spawn, optionally with umask 000 for the child. The umask is set only around the
 * synchronous spawn call (the child inherits it at fork); a `sh -c 'umask 0; exec ...'`
 * wrapper would not do: dash drops environment variables whose names hold a "-", such as
 * the Action's INPUT_IDENTITY-PASSPHRASE.
 */
export function spawnWithUmask(
  file: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
  umask0: boolean,
): ChildProcessByStdio<null, Readable, Readable> {
  const previous = umask0 ? process.umask(0) : undefined;
  try {
    return spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    if (previous !== undefined) process.umask(previous);
  }
}

/**
 * Run the CLI to its end: in this process through `main(argv, io)` when the run needs nothing
 * of a process (a shifted clock, a bundle of its own), as a child process otherwise. Under
 * umask0 this process's umask is 000 while the command runs (runs with umask0 are not
 * started side by side).
 */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliExit> {
  // a shifted clock is main's io.now in this process, a preload that moves Date in a child
  const needsProcess =
    (options.clockOffsetMs !== undefined && process.env.RIPCORD_TEST_CLI === 'process') ||
    options.bundle !== undefined ||
    process.env.RIPCORD_RELIABILITY_BUNDLE !== undefined;
  if (needsProcess) return (await startCli(args, options)).done;
  const started = Date.now();
  const previous = options.umask0 ? process.umask(0) : undefined;
  try {
    const offset = options.clockOffsetMs;
    const run = await ripcord(args, {
      cwd: options.cwd ?? PROJECT_ROOT,
      env: options.env ?? {},
      ...(offset ? { now: () => new Date(Date.now() + offset) } : {}),
    });
    return { ...run, signal: null, ms: Date.now() - started };
  } finally {
    if (previous !== undefined) process.umask(previous);
  }
}

/** Start the CLI and SIGKILL it after `delayMs` (if it is still running then). */
export async function runAndKill(
  args: string[],
  delayMs: number,
  options: CliOptions = {},
): Promise<CliExit & { killed: boolean }> {
  const running = await startCli(args, options);
  const timer = setTimeout(() => running.kill('SIGKILL'), delayMs);
  const exit = await running.done;
  clearTimeout(timer);
  return { ...exit, killed: exit.signal === 'SIGKILL' };
}

/** A failure as ripcord promises it: non-zero exit, one line on stderr, no stack trace. */
export function cleanFailure(exit: RunResult): string | undefined {
  if (exit.code === 0) return 'it succeeded';
  const lines = exit.stderr
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^warning: /.test(l));
  if (lines.length !== 1) return `expected one line on stderr, got ${lines.length}: ${exit.stderr}`;
  if (/^\s+at .+:\d+:\d+\)?$/m.test(exit.stderr)) return `a stack trace on stderr: ${exit.stderr}`;
  if (/^ripcord: internal error:/m.test(exit.stderr)) return `an internal error: ${exit.stderr}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Repositories

export interface Repo {
  kind: 'local' | 's3';
  /** human-readable location */
  location: string;
  /** CLI arguments that name the repository */
  args: string[];
  /** environment the CLI needs for it (credentials) */
  env: Record<string, string>;
  /** an in-process store, always straight to the storage (never through a fault proxy) */
  open(): Promise<Store>;
  /** the folder of a local repository */
  dir?: string;
}

export function localRepo(dir: string): Repo {
  return {
    kind: 'local',
    location: dir,
    args: ['--repo', dir],
    env: {},
    dir,
    open: async () => new LocalStore(dir),
  };
}

export const S3_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };
export const S3_BUCKET = 'ripcord-reliability';

export interface S3World {
  server: S3TestServer;
  /** a repository under this prefix; `via` a proxy endpoint for the CLI (in-process stays direct) */
  repo(prefix: string, via?: string): Repo;
  /** a fault proxy in front of the server (started on first use) */
  proxy(): Promise<FaultProxy>;
  stop(): Promise<void>;
}

export async function startS3World(): Promise<S3World> {
  // The in-process store reads credentials the standard AWS way; s3rver's built-in account.
  process.env.AWS_ACCESS_KEY_ID = S3_ENV.AWS_ACCESS_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY = S3_ENV.AWS_SECRET_ACCESS_KEY;
  const server = await startS3Server();
  await server.bucket(S3_BUCKET);
  let proxy: FaultProxy | undefined;
  return {
    server,
    repo(prefix, via) {
      const url = `s3://${S3_BUCKET}/${prefix}`;
      return {
        kind: 's3',
        location: url,
        args: ['--repo', url, '--s3-endpoint', via ?? server.endpoint],
        env: { ...S3_ENV },
        open: () => createS3Store(url, { endpoint: server.endpoint, region: 'us-east-1' }),
      };
    },
    async proxy() {
      proxy ??= await startFaultProxy(server.endpoint);
      return proxy;
    },
    async stop() {
      await proxy?.close();
      await server.stop();
    },
  };
}

/** Run `body` with an opened store, closing it after. */
export async function withStore<T>(repo: Repo, body: (store: Store) => Promise<T>): Promise<T> {
  const store = await repo.open();
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

export async function listing(repo: Repo): Promise<RepositoryListing> {
  return withStore(repo, (store) => listSnapshots(store));
}

/** verify (--read-data unless told otherwise) of the given snapshots, in-process. */
export async function verifyIds(repo: Repo, ids: readonly string[], readData = true): Promise<VerifyOutcome[]> {
  if (ids.length === 0) return [];
  return withStore(repo, (store) => verifySnapshots({ store, references: ids, readData, keys: DECRYPTION_KEYS }));
}

/**
 * planRestore and applyRestore of `reference` into `target` in this process, with the suite's
 * keys and origin: the plan (`more` adds to its request) and the result. A pre-restore
 * snapshot is taken unless `preRestore` is false.
 */
export async function restoreInProcess(
  store: Store,
  reference: string,
  target: string,
  { preRestore = true, ...more }: Partial<Parameters<typeof planRestore>[0]> & { preRestore?: boolean } = {},
): Promise<{ plan: RestorePlan; result: Awaited<ReturnType<typeof applyRestore>> }> {
  const plan = await planRestore({ ...more, store, reference, target, keys: DECRYPTION_KEYS });
  const result = await applyRestore(plan, {
    store,
    keys: DECRYPTION_KEYS,
    encryptionKeys: ENCRYPTION_KEYS,
    origin: ORIGIN,
    noPreRestore: !preRestore,
  });
  return { plan, result };
}

/**
 * Restore a snapshot into a fresh folder (no pre-restore snapshot: nothing is there) and
 * read the tree back; the folder is removed after.
 */
export async function restoredTree(repo: Repo, id: string): Promise<Tree> {
  const dir = await tempDir('ripcord-reliability-restored-');
  try {
    const target = path.join(dir, 'target');
    await withStore(repo, async (store) => {
      await restoreInProcess(store, id, target, { preRestore: false });
    });
    return await readTree(target);
  } finally {
    await removeDir(dir);
  }
}

// ---------------------------------------------------------------------------------------
// Trees

export type Tree = Map<string, TreeEntry>;

export { readTree, removeDir, tempDir };

export interface TreeShape {
  dirs: number;
  filesPerDir: number;
  blobBytes: number;
}

/**
 * A source tree made from the seed: `dirs` folders of `filesPerDir` small text files, a
 * blob of `blobBytes` random bytes, an executable script and a symlink.
 */
export async function writeSourceTree(root: string, rng: Rng, shape: TreeShape): Promise<void> {
  await fs.mkdir(root, { recursive: true });
  for (let d = 0; d < shape.dirs; d++) {
    const dir = path.join(root, `dir-${d}`);
    await fs.mkdir(dir, { recursive: true });
    for (let f = 0; f < shape.filesPerDir; f++) {
      await fs.writeFile(path.join(dir, `file-${f}.txt`), `${d}/${f} ${rng.hex(rng.int(0, 64))}\n`);
    }
  }
  await fs.writeFile(path.join(root, 'blob.bin'), rng.bytes(shape.blobBytes));
  await fs.writeFile(path.join(root, 'run.sh'), '#!/bin/sh\necho run\n', { mode: 0o755 });
  await fs.chmod(path.join(root, 'run.sh'), 0o755);
  await fs.symlink('run.sh', path.join(root, 'current')).catch(() => {});
}

/** A source tree made from the seed, and one backup of it into `repo`: the snapshot's id. */
export async function backUpNewTree(
  repo: Repo,
  source: string,
  rng: Rng,
  shape: TreeShape,
  bundle?: Bundle,
): Promise<string> {
  await writeSourceTree(source, rng, shape);
  const env = { RIPCORD_PASSPHRASE: PASSPHRASE, ...repo.env };
  const backup = await runCli(['backup', ...repo.args, '-q', '-C', source, '.'], { env, bundle });
  if (backup.code !== 0) throw new Error(`the backup of ${source} failed: ${backup.stderr}`);
  return backup.stdout.trim();
}

/** Write `files` (relative path -> text) below `root`, making folders as needed: the tree it then holds. */
export async function writeFiles(root: string, files: Record<string, string>): Promise<Tree> {
  for (const [name, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await fs.writeFile(path.join(root, name), text);
  }
  return readTree(root);
}

/** A local repository with one snapshot of a tree made from the seed, and a restore target. */
export interface RestoreSetup {
  dir: string;
  repo: string;
  /** the snapshot, honest */
  id: string;
  target: string;
  /** what the target holds before each restore, and its tree */
  targetOriginal: string;
  targetTree: Tree;
  bundle?: Bundle | undefined;
}

/** `name`-repo holding a snapshot of `name`-source (of `shape`), and `name`-target-original holding `targetFiles`. */
export async function prepareRestoreSetup(
  dir: string,
  name: string,
  rng: Rng,
  shape: TreeShape,
  targetFiles: Record<string, string>,
  bundle?: Bundle,
): Promise<RestoreSetup> {
  const repo = path.join(dir, `${name}-repo`);
  const id = await backUpNewTree(localRepo(repo), path.join(dir, `${name}-source`), rng, shape, bundle);
  const targetOriginal = path.join(dir, `${name}-target-original`);
  const targetTree = await writeFiles(targetOriginal, targetFiles);
  return { dir, repo, id, target: path.join(dir, `${name}-target`), targetOriginal, targetTree, bundle };
}

/** Change a few things: edit, add and remove files (the tree stays non-empty). */
export async function mutateTree(root: string, rng: Rng): Promise<void> {
  const dirs = (await fs.readdir(root)).filter((n) => n.startsWith('dir-')).sort();
  if (dirs.length === 0) return;
  for (let i = rng.int(1, 4); i > 0; i--) {
    const dir = path.join(root, rng.pick(dirs));
    const files = (await fs.readdir(dir)).sort();
    const action = rng.int(0, 2);
    if (action === 0 && files.length > 0)
      await fs.writeFile(path.join(dir, rng.pick(files)), `edited ${rng.hex(16)}\n`);
    else if (action === 1) await fs.writeFile(path.join(dir, `added-${rng.hex(6)}.txt`), `added ${rng.hex(32)}\n`);
    else if (files.length > 1) await fs.rm(path.join(dir, rng.pick(files)));
  }
  const blob = path.join(root, 'blob.bin');
  const handle = await fs.open(blob, 'r+').catch(() => undefined);
  if (handle) {
    try {
      const { size } = await handle.stat();
      if (size > 0) await handle.write(rng.bytes(16), 0, 16, rng.int(0, Math.max(0, size - 16)));
    } finally {
      await handle.close();
    }
  }
}

export interface TreeDifference {
  /** entries of `expected` that are missing or different in `actual` */
  lost: string[];
  /** entries of `actual` that `expected` does not have */
  extra: string[];
}

export function compareTrees(
  expected: Tree,
  actual: Tree,
  ignore: (name: string) => boolean = () => false,
): TreeDifference {
  const lost: string[] = [];
  const extra: string[] = [];
  for (const [name, e] of expected) {
    if (ignore(name)) continue;
    const a = actual.get(name);
    if (!a) lost.push(`missing ${name}`);
    else if (a.type !== e.type) lost.push(`${name}: ${e.type} became ${a.type}`);
    else if (a.content !== e.content) lost.push(`${name}: content differs`);
    else if (a.target !== e.target) lost.push(`${name}: link target differs`);
    else if (a.mode !== e.mode) lost.push(`${name}: mode ${e.mode.toString(8)} became ${a.mode.toString(8)}`);
  }
  for (const name of actual.keys()) if (!expected.has(name) && !ignore(name)) extra.push(name);
  return { lost, extra };
}

export function sameTree(expected: Tree, actual: Tree): boolean {
  const d = compareTrees(expected, actual);
  return d.lost.length === 0 && d.extra.length === 0;
}

/** Copy a tree exactly (links as links, modes and times kept): cp -a, about a third of the time fs.cp took here. */
export async function copyTree(from: string, to: string): Promise<void> {
  await fs.rm(to, { recursive: true, force: true });
  await new Promise<void>((resolve, reject) => {
    const cp = spawn('cp', ['-a', '--', from, to], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    cp.stderr.on('data', (c: Buffer) => (err += c.toString()));
    cp.on('error', reject);
    cp.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`cp -a ${from} ${to}: ${err.trim()}`))));
  });
}

export const STAGING_PREFIX = '.ripcord-restore-';

export function isStaging(name: string): boolean {
  return name.split('/')[0]!.startsWith(STAGING_PREFIX);
}

/** The error's one-line message, and whether it is one of ripcord's own (not an internal error). */
export function describeError(error: unknown): { message: string; ripcord: boolean } {
  return {
    message: oneLine(error instanceof Error ? error.message : String(error)),
    ripcord: error instanceof RipcordError,
  };
}

export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

/** Median of a few durations. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** With RIPCORD_RELIABILITY_VERBOSE=1, print what a test's trials did (counts and notes). */
export function explain(outcome: TrialOutcome): void {
  if (!process.env.RIPCORD_RELIABILITY_VERBOSE) return;
  const counts = Object.entries(outcome.counts)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  console.log(
    `\n${outcome.trial}: faults ${outcome.faults}, detected ${outcome.detected}, lost ${outcome.lost}; ${counts}`,
  );
  for (const note of outcome.notes) console.log(`  ${note}`);
  for (const v of outcome.violations) console.log(`  ! [${v.invariant}] ${v.detail}`);
}
