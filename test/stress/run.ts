/**
 * `npm run stress`: the long versions of the reliability trials (test/reliability/), and
 * docs/reliability.md with their figures: for each area the trials run, faults injected,
 * failures detected, invariant violations and data lost, with the seed, the date, the
 * commit and the machine.
 *
 * The CLI under test is a private build of the working tree made at the start (so that a
 * rebuild of dist/ during the run changes nothing). Every trial draws from one seed; replay
 * a run with RIPCORD_STRESS_SEED=<seed>. RIPCORD_STRESS_SCALE multiplies the trial counts
 * (default 1); RIPCORD_STRESS_ONLY=crash-backup,tamper runs some areas only (the report is
 * then written to docs/reliability.partial.md, leaving the full one alone).
 *
 * Exit status: 0 when every invariant held and no data was lost; 1 otherwise (the report
 * is written either way, listing every violation).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../helpers/cli.ts';
import type { Area, AreaFigures, Bundle, S3World, TrialOutcome } from '../reliability/trials.ts';
import {
  AREAS,
  backupIntoEnospcTestStore,
  backupIntoFullDisk,
  bundleIn,
  canMountTmpfs,
  concurrentBackupsTrial,
  concurrentRestoresTrial,
  crashBackupTrial,
  crashRestoreTrial,
  crashSweep,
  FIXED_CASES,
  fixedCaseTrial,
  fuzzTrial,
  localRepo,
  MALFORMED_MANIFEST_CASE,
  newOutcome,
  oneLine,
  prepareCrashBackup,
  prepareCrashRestore,
  prepareFixedCases,
  prepareFuzz,
  prepareStorage,
  prepareTamper,
  preRestoreIntoEnospcTestStore,
  preRestoreIntoFullDisk,
  randomStoragePlan,
  removeDir,
  restoreOntoFullDisk,
  Rng,
  sampleCases,
  secretsTrial,
  startS3World,
  STORAGE_PLANS,
  storageFaultTrial,
  STRESS_CRASH_BACKUP_SHAPE,
  STRESS_CRASH_RESTORE_SHAPE,
  Tally,
  tamperPlan,
  tamperTrial,
  tempDir,
  UNBOUND_MANIFEST_CASE,
  violate,
} from '../reliability/trials.ts';

const SCALE = Number(process.env.RIPCORD_STRESS_SCALE ?? 1);
const n = (count: number) => Math.max(1, Math.round(count * SCALE));
const COUNTS = {
  crashBackup: { local: n(20), s3: n(12), sweepEvery: 8 },
  crashRestore: { local: n(20), s3: n(10), sweepEvery: 10 },
  tamper: n(120),
  fuzz: { entries: n(300), roots: n(100) },
  fixedRounds: n(2),
  storageRandom: n(40),
  diskFullRounds: n(2),
  concurrencyRounds: n(2),
  restoreRaces: n(5),
};

const seed = process.env.RIPCORD_STRESS_SEED ?? randomBytes(6).toString('hex');
const only = process.env.RIPCORD_STRESS_ONLY
  ? new Set(process.env.RIPCORD_STRESS_ONLY.split(',').map((a) => a.trim()))
  : undefined;
const tally = new Tally();
const started = new Date();
/** per tamper plan: trials, detected by verify, refused by restore */
const tamperRows = new Map<string, { trials: number; verify: number; restore: number }>();
const notes = new Map<Area, string[]>();

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function record(area: Area, outcome: TrialOutcome, ms: number, index: string, check = false): void {
  tally.add(area, outcome, ms, check);
  const mark = outcome.violations.length ? `! ${outcome.violations.map((v) => v.invariant).join(', ')}` : 'ok';
  log(
    `[${area} ${index}] ${oneLine(outcome.trial).slice(0, 160)} (${ms} ms) ${mark}${outcome.lost ? ` LOST ${outcome.lost}` : ''}`,
  );
}

async function trial(
  area: Area,
  index: string,
  work: () => Promise<TrialOutcome>,
  check = false,
): Promise<TrialOutcome | undefined> {
  const t0 = Date.now();
  try {
    const outcome = await work();
    record(area, outcome, Date.now() - t0, index, check);
    return outcome;
  } catch (error) {
    const outcome = newOutcome(`${check ? 'check' : 'trial'} ${index} could not run`);
    violate(outcome, 'trial-ran', (error as Error).stack ?? String(error));
    record(area, outcome, Date.now() - t0, index, check);
    return undefined;
  }
}

/** A check between trials (list, verify --all, prune sweeps): counted apart from the trials. */
const check = (area: Area, index: string, work: () => Promise<TrialOutcome>) => trial(area, index, work, true);

function note(area: Area, line: string): void {
  const list = notes.get(area) ?? [];
  list.push(line);
  notes.set(area, list);
}

const wanted = (area: Area) => !only || only.has(area);

// ---------------------------------------------------------------------------------------
// The areas

async function crashBackups(dir: string, s3: S3World, bundle: Bundle): Promise<void> {
  const rng = new Rng(`${seed}/crash-backup`);
  for (const repo of [localRepo(path.join(dir, 'crash-backup-repo')), s3.repo('crash-backup')]) {
    const ctx = await prepareCrashBackup(
      repo,
      dir,
      rng.child(`${repo.kind}-prepare`),
      STRESS_CRASH_BACKUP_SHAPE,
      bundle,
    );
    note(
      'crash-backup',
      `${repo.kind}: an uninterrupted backup writes from ${ctx.firstWriteMs} ms and ends at ${ctx.normalMs} ms; kills land uniformly in [20 ms, end] for about a third of the trials and in [first write, end] for the rest`,
    );
    const kills = COUNTS.crashBackup[repo.kind];
    for (let i = 0; i < kills; i++) {
      await trial('crash-backup', `${repo.kind} ${i + 1}/${kills}`, () =>
        crashBackupTrial(ctx, rng.child(`${repo.kind}-${i}`), i % 2 === 1 ? 'incremental' : 'full'),
      );
      const last = i === kills - 1;
      if (last || (i + 1) % COUNTS.crashBackup.sweepEvery === 0) {
        await check('crash-backup', `${repo.kind} sweep`, () =>
          crashSweep(
            repo,
            new Set(ctx.committed.keys()),
            last ? 'final audit' : `after ${i + 1} kills`,
            { restoreAll: last, bundle },
            ctx.committed,
          ),
        );
      }
    }
  }
}

async function crashRestores(dir: string, s3: S3World, bundle: Bundle): Promise<void> {
  const rng = new Rng(`${seed}/crash-restore`);
  for (const repo of [localRepo(path.join(dir, 'crash-restore-repo')), s3.repo('crash-restore')]) {
    const ctx = await prepareCrashRestore(
      repo,
      dir,
      rng.child(`${repo.kind}-prepare`),
      STRESS_CRASH_RESTORE_SHAPE,
      bundle,
    );
    note(
      'crash-restore',
      `${repo.kind}: an uninterrupted restore --delete stages from ${ctx.stagingMs} ms, writes its pre-restore snapshot from ${ctx.preRestoreMs} ms, moves files into place from ${ctx.applyMs} ms and ends at ${ctx.normalMs} ms; kills land in [20 ms, end], [staging, end], [pre-restore snapshot, end], or 0-${Math.max(10, ctx.normalMs - ctx.applyMs)} ms after the pre-restore snapshot is seen committed, a quarter each`,
    );
    const kills = COUNTS.crashRestore[repo.kind];
    for (let i = 0; i < kills; i++) {
      await trial('crash-restore', `${repo.kind} ${i + 1}/${kills}`, () =>
        crashRestoreTrial(ctx, rng.child(`${repo.kind}-${i}`)),
      );
      if (i === kills - 1 || (i + 1) % COUNTS.crashRestore.sweepEvery === 0) {
        await check('crash-restore', `${repo.kind} sweep`, () =>
          crashSweep(repo, ctx.committed, `after ${i + 1} restore kills`, { bundle }),
        );
      }
    }
  }
}

async function tamper(dir: string, bundle: Bundle): Promise<void> {
  const rng = new Rng(`${seed}/tamper`);
  const ctx = await prepareTamper(await mkdir(path.join(dir, 'tamper')), rng.child('prepare'), bundle);
  for (let i = 0; i < COUNTS.tamper; i++) {
    const plan = tamperPlan(i);
    const outcome = await trial('tamper', `${i + 1}/${COUNTS.tamper}`, () =>
      tamperTrial(ctx, plan, rng.child(i), { cliVerify: i % 4 === 0 }),
    );
    const key = `${plan.object} (${plan.mode === 'raw' ? 'bytes flipped' : plan.mode === 'resealed' ? 'bytes flipped, checksums recomputed' : 'fields edited, re-sealed'})`;
    const row = tamperRows.get(key) ?? { trials: 0, verify: 0, restore: 0 };
    row.trials += 1;
    row.verify += outcome?.counts['detected by verify'] ?? 0;
    row.restore += outcome?.counts['refused by restore, target untouched'] ?? 0;
    tamperRows.set(key, row);
  }
}

async function hostile(dir: string, bundle: Bundle): Promise<void> {
  const rng = new Rng(`${seed}/hostile`);
  const fuzzSeed = Number.parseInt(rng.hex(7), 16);
  for (const hostileRoots of [false, true]) {
    const ctx = await prepareFuzz(path.join(dir, hostileRoots ? 'fuzz-roots' : 'fuzz-entries'));
    const wantedCases = hostileRoots ? COUNTS.fuzz.roots : COUNTS.fuzz.entries;
    const { cases, discarded } = sampleCases(fuzzSeed + (hostileRoots ? 1 : 0), hostileRoots, wantedCases, ctx.places);
    note(
      'hostile',
      `fast-check ${hostileRoots ? 'hostile manifest roots' : 'hostile tar streams'}: seed ${fuzzSeed + (hostileRoots ? 1 : 0)}, ${cases.length} cases run, ${discarded} generated cases set aside because they could reach outside the sandbox if restore were careless`,
    );
    for (const [i, c] of cases.entries())
      await trial('hostile', `${hostileRoots ? 'roots' : 'fuzz'} ${i + 1}/${cases.length}`, () =>
        fuzzTrial(ctx, c, `fuzz case ${i}`),
      );
  }
  for (let round = 0; round < COUNTS.fixedRounds; round++) {
    const ctx = await prepareFixedCases(
      await mkdir(path.join(dir, `fixed-${round}`)),
      rng.child(`fixed-${round}`),
      bundle,
    );
    for (const c of [...FIXED_CASES, MALFORMED_MANIFEST_CASE, UNBOUND_MANIFEST_CASE]) {
      await trial('hostile', `fixed round ${round + 1}: ${c.name}`, () =>
        fixedCaseTrial(ctx, c, rng.child(`${round}-${c.name}`)),
      );
    }
  }
}

async function storage(dir: string, s3: S3World, bundle: Bundle): Promise<void> {
  const rng = new Rng(`${seed}/storage-faults`);
  const ctx = await prepareStorage(s3, await mkdir(path.join(dir, 'storage')), rng.child('prepare'), bundle);
  for (const [i, plan] of STORAGE_PLANS.entries())
    await trial('storage-faults', `fixed ${i + 1}/${STORAGE_PLANS.length}`, () => storageFaultTrial(ctx, plan));
  for (let i = 0; i < COUNTS.storageRandom; i++) {
    const plan = randomStoragePlan(rng.child(i));
    await trial('storage-faults', `random ${i + 1}/${COUNTS.storageRandom}`, () => storageFaultTrial(ctx, plan));
  }
}

async function diskFull(dir: string, bundle: Bundle): Promise<void> {
  const rng = new Rng(`${seed}/disk-full`);
  const mount = canMountTmpfs();
  note(
    'disk-full',
    mount
      ? 'real tmpfs mounts (this machine allows mounting); the ENOSPC test double store runs as well'
      : 'this machine cannot mount a tmpfs: only the ENOSPC test double store (a local store that fails with ENOSPC past a byte budget) ran; a full restore target was not tested',
  );
  for (let round = 0; round < COUNTS.diskFullRounds; round++) {
    const trials: ((dir: string, rng: Rng, bundle?: Bundle) => Promise<TrialOutcome>)[] = [
      ...(mount ? [backupIntoFullDisk, restoreOntoFullDisk, preRestoreIntoFullDisk] : []),
      (d, r) => backupIntoEnospcTestStore(d, r),
      (d, r) => preRestoreIntoEnospcTestStore(d, r),
    ];
    for (const [i, t] of trials.entries()) {
      const sub = await mkdir(path.join(dir, `disk-full-${round}-${i}`));
      await trial('disk-full', `round ${round + 1}.${i + 1}`, () => t(sub, rng.child(`${round}-${i}`), bundle));
    }
  }
}

async function concurrency(dir: string, s3: S3World, bundle: Bundle): Promise<void> {
  const rng = new Rng(`${seed}/concurrency`);
  for (let round = 0; round < COUNTS.concurrencyRounds; round++) {
    const local = localRepo(path.join(dir, `concurrency-repo-${round}`));
    await trial('concurrency', `round ${round + 1} local`, () =>
      concurrentBackupsTrial(local, dir, rng.child(`local-${round}`), 8, bundle),
    );
    await trial('concurrency', `round ${round + 1} s3`, () =>
      concurrentBackupsTrial(s3.repo(`concurrency-${round}`), dir, rng.child(`s3-${round}`), 8, bundle),
    );
  }
  for (let i = 0; i < COUNTS.restoreRaces; i++)
    await trial('concurrency', `restore race ${i + 1}`, () =>
      concurrentRestoresTrial(dir, rng.child(`race-${i}`), bundle),
    );
}

async function secrets(dir: string, s3: S3World, bundle: Bundle): Promise<void> {
  await trial('secrets', '1/1', async () =>
    secretsTrial(await mkdir(path.join(dir, 'secrets')), new Rng(`${seed}/secrets`), { bundle, s3 }),
  );
}

async function mkdir(dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  return dir;
}

// ---------------------------------------------------------------------------------------
// The report

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

const TITLES: Record<Area, string> = {
  'crash-backup': '1a. Crash consistency: backups killed with SIGKILL',
  'crash-restore': '1b. Crash consistency: restores killed with SIGKILL',
  tamper: '2. Tamper detection',
  hostile: '3. Hostile input',
  'storage-faults': '4. Storage faults (S3 through a fault-injecting proxy)',
  'disk-full': '5. Resource exhaustion (a file system that fills up)',
  concurrency: '6. Locks and concurrency',
  secrets: '7. Secrets',
};

const MEANING: Record<Area, string> = {
  'crash-backup':
    'Each trial mutates the source, starts `ripcord backup` (local repository, or S3 on s3rver) and kills it after a random delay, then checks: no unfinished or damaged snapshot is listed or chosen as `latest`; a snapshot that became visible verifies with --read-data and restores to exactly the tree it was taken of; the newest snapshots committed before the kill still verify and restore; the next backup succeeds. Every few trials, and at the end, a sweep runs through the CLI: `list` shows exactly the committed snapshots, `verify --all --read-data` passes, `prune` run 50 minutes later (shifted clock) keeps every unfinished folder and run 2 hours later removes them all and nothing committed. The final audit restores every committed snapshot and compares it with the tree recorded when it was taken. *Faults*: kills that landed while the backup ran. *Detected*: kills after which every invariant held. *Data lost*: committed snapshots that no longer verify, list or restore exactly.',
  'crash-restore':
    'Each trial puts the target back to a drifted tree (edited, added and deleted files), starts `ripcord restore --delete` and kills it after a random delay. If the pre-restore snapshot had been committed, `ripcord restore <pre-restore id>` must give back the drifted tree byte for byte (content, type, mode, link target); if not, the target must be untouched. Then the next restore must succeed and give the snapshot exactly. *Faults*: kills that landed while the restore ran. *Detected*: kills after which the original tree came back exactly. *Data lost*: trials where it did not.',
  tamper:
    'Each trial copies a real snapshot and changes one object: random bytes flipped in archive.tar.gz.pgp, manifest.json.pgp or snapshot.json (checksums left alone: `verify` without a key must see it); bytes flipped in an encrypted object with every checksum recomputed, SHA256SUMS and snapshot.json re-sealed (only decryption can tell: `verify --read-data` must see it); or snapshot.json fields edited and re-sealed (only the copy authenticated inside the manifest can tell). In every case `ripcord restore` must refuse before it touches the target. *Detected*: trials where verify (or verify --read-data) saw the damage and restore refused with the target untouched.',
  hostile:
    "A fast-check fuzz builds tar streams byte by byte (names with `..`, absolute paths, NUL and control characters, pax and GNU long names, 8 GiB claimed sizes, short sizes, symlinks and hard links in every direction, FIFOs, devices, unknown type flags, duplicate entries, bad header checksums, truncated streams, garbage after the end), wraps each in a fully valid snapshot (gzip, OpenPGP, an honest or a lying manifest, sealed snapshot.json) and restores it in-process into a target four levels deep in a sandbox (with or without --delete and the pre-restore snapshot, sometimes with a symlink to outside already in the target). Restore must reproduce a safe tree exactly (every manifest entry, nothing else, no link out of the target) or refuse with its own error, leaving the target untouched; nothing outside the target may change. A second generator makes the manifest's roots hostile. Fixed cases run through the CLI: wrong keys, truncated and empty objects, an archive that is not gzip, a manifest that is not JSON or lacks its trailer, snapshot.json that is not JSON, null, or names another id, a renamed folder, missing SHA256SUMS. *Faults*: hostile snapshots. *Detected*: those handled as specified.",
  'storage-faults':
    'The CLI talks to s3rver through a proxy that answers 500/503/403, resets connections mid-upload, cuts downloads off mid-body and delays answers, request by request (fixed plans, then random ones: which request, which fault, how often). Transient faults (at most 4 failures of one request, a reset or cut connection, a slow answer) must be retried to success; permanent ones must fail with one line. After every trial the server is read directly: no damaged snapshot is listed, every new snapshot verifies with --read-data, a backup that succeeded restores exactly, a restore that failed left its target untouched. *Faults*: faulty answers the proxy gave. *Detected*: faults absorbed or reported as specified.',
  'disk-full':
    'A backup into a repository on a file system that fills up, a restore into a target on one, and a restore whose pre-restore snapshot does not fit in the repository: one clear error line saying the disk is full, no committed partial snapshot, earlier snapshots intact, the next backup succeeds, the restore target untouched.',
  concurrency:
    'Eight backups started at once into one local and one S3 repository while prunes (`--tag old --keep-last 1 --wait`) run two at a time: eight distinct snapshots, each verifying and restoring its own source; prune removes exactly the two older snapshots of the other group and plans no removal of a folder being written (younger than the grace period). Two restores of different snapshots started at once into one target: the per-target lock lets one in at a time and the target ends up exactly one of the snapshots. *Faults*: concurrent operations. *Detected*: operations that ended as specified.',
  secrets:
    "With a recognisable passphrase and a passphrase-protected private key: every command (successes, failures, --debug, --json) including deploy, rollback, copy, check, prune and audit, the monitoring outputs (--report files, --metrics-file, a Pushgateway and a webhook captured by a local server), public-key mode, an S3 repository, and the Action's main and post entry points. Then stdout, stderr, every file in the repositories (audit records included), targets, reports, metrics, runner output/state/summary files, the S3 server's storage, the lock folder, new temporary files and every captured request are searched for both passphrases (text, base64, hex, URL-encoded), every private-key armor line its public key does not share, and the raw secret key material. Local repositories must hold 0600 files in 0700 folders (the CLI runs under umask 000). *Faults*: failing runs. *Detected*: failing runs that leaked nothing.",
};

function summaryRow(f: AreaFigures): string {
  return `| ${TITLES[f.area]} | ${f.trials} | ${f.faults} | ${f.detected} | ${f.violations.length} | ${f.lost} |`;
}

function countsTable(f: AreaFigures): string[] {
  const rows = Object.entries(f.counts);
  if (rows.length === 0) return [];
  return ['| what happened | count |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`), ''];
}

function violationsList(f: AreaFigures): string[] {
  if (f.violations.length === 0) return ['No invariant was broken.', ''];
  const byInvariant = new Map<string, typeof f.violations>();
  for (const v of f.violations) byInvariant.set(v.invariant, [...(byInvariant.get(v.invariant) ?? []), v]);
  const lines = [`**${f.violations.length} invariant violation(s):**`, ''];
  for (const [invariant, list] of byInvariant) {
    lines.push(`- \`${invariant}\` (${list.length}):`);
    for (const v of list.slice(0, 5))
      lines.push(
        `  - ${v.trial.replaceAll('|', '\\|').slice(0, 300)} — ${v.detail.replaceAll('|', '\\|').slice(0, 400)}`,
      );
    if (list.length > 5) lines.push(`  - … and ${list.length - 5} more`);
  }
  lines.push('');
  return lines;
}

async function writeReport(
  file: string,
  machine: string[],
  commit: string,
  totalMs: number,
  mount: boolean,
): Promise<{ lost: number; violations: number }> {
  const figures = tally.all();
  const lost = figures.reduce((s, f) => s + f.lost, 0);
  const violations = figures.reduce((s, f) => s + f.violations.length, 0);
  const tamperFigures = figures.find((f) => f.area === 'tamper');
  const verifyDetected = [...tamperRows.values()].reduce((s, r) => s + r.verify, 0);
  const restoreRefused = [...tamperRows.values()].reduce((s, r) => s + r.restore, 0);
  const tamperTrials = [...tamperRows.values()].reduce((s, r) => s + r.trials, 0);
  const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1).replace(/\.0$/, '')}%`);

  const lines = [
    '# ripcord reliability figures',
    '',
    '<!-- Generated by `npm run stress` (test/stress/run.ts). Do not edit by hand: run it again. -->',
    '',
    'What ripcord promises about crashes, tampering, hostile archives, storage faults, full disks,',
    'concurrency and secrets, measured by the long versions of the trials in `test/reliability/`',
    '(the CI-sized versions run in `npm test`). Every figure below is counted by the run, never',
    'assumed: "data lost" is what could not be verified, restored and compared byte for byte with',
    'a copy taken before the fault.',
    '',
    '| | |',
    '|---|---|',
    `| date | ${started.toISOString().replace(/\.\d+Z$/, 'Z')} |`,
    `| commit | ${commit} |`,
    `| seed | \`${seed}\` (replay: \`RIPCORD_STRESS_SEED=${seed} npm run stress\`) |`,
    `| machine | ${machine.join('; ')} |`,
    `| duration | ${duration(totalMs)} |`,
    `| storage | local disk; S3 = s3rver 3.7 in a child process${figures.some((f) => f.area === 'storage-faults') ? ', behind test/helpers/fault-proxy.ts for the storage faults' : ''}; full disks: ${mount ? 'real tmpfs mounts' : 'ENOSPC test double store only (no mounting here)'} |`,
    '',
    '## Summary',
    '',
    '| area | trials | faults injected | failures detected | invariant violations | data lost |',
    '|---|---:|---:|---:|---:|---:|',
    ...figures.map(summaryRow),
    `| **total** | **${figures.reduce((s, f) => s + f.trials, 0)}** | **${figures.reduce((s, f) => s + f.faults, 0)}** | **${figures.reduce((s, f) => s + f.detected, 0)}** | **${violations}** | **${lost}** |`,
    '',
    `- **Data lost: ${lost}.**`,
    ...(tamperFigures
      ? [
          `- **Tamper detection by verify / verify --read-data: ${verifyDetected} of ${tamperTrials} (${pct(verifyDetected, tamperTrials)}).**`,
          `- **Tampered snapshots refused by restore before touching the target: ${restoreRefused} of ${tamperTrials} (${pct(restoreRefused, tamperTrials)}).**`,
        ]
      : []),
    `- Invariant violations: ${violations}${violations ? ' (listed per area below; each names the trial, so it can be replayed with the seed)' : ''}.`,
    '',
  ];
  for (const f of figures) {
    lines.push(`## ${TITLES[f.area]}`, '', MEANING[f.area], '');
    lines.push(
      `${f.trials} trials${f.checks ? ` (and ${f.checks} sweeps through the CLI between them)` : ''}, ${f.faults} faults injected, ${f.detected} detected (${pct(f.detected, f.faults)}), ${f.violations.length} invariant violations, ${f.lost} data lost; ${duration(f.ms)}.`,
      '',
    );
    for (const line of notes.get(f.area) ?? []) lines.push(`- ${line}`);
    if (notes.get(f.area)?.length) lines.push('');
    if (f.area === 'tamper' && tamperRows.size) {
      lines.push(
        '| object, how | trials | detected by verify | refused by restore, target untouched |',
        '|---|---:|---:|---:|',
      );
      for (const [key, row] of tamperRows)
        lines.push(
          `| ${key} | ${row.trials} | ${row.verify} (${pct(row.verify, row.trials)}) | ${row.restore} (${pct(row.restore, row.trials)}) |`,
        );
      lines.push('');
    }
    lines.push(...countsTable(f), ...violationsList(f));
  }
  const skipped = AREAS.filter((a) => !figures.some((f) => f.area === a));
  if (skipped.length) lines.push(`Areas not run this time: ${skipped.join(', ')}.`, '');
  // "Security trials" is written by hand (figures of the security tests that run in npm test): kept as it is.
  const security = await fs.readFile(path.join(PROJECT_ROOT, 'docs', 'reliability.md'), 'utf8').then(
    (text) => /## Security trials\n[\s\S]*$/.exec(text)?.[0] ?? '',
    () => '',
  );
  await fs.writeFile(file, `${lines.join('\n')}\n${security}`);
  return { lost, violations };
}

// ---------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const t0 = Date.now();
  const head = git(['rev-parse', '--short', 'HEAD']) || 'unknown';
  const dirty = git(['status', '--porcelain']).split('\n').filter(Boolean).length;
  const commit = `\`${head}\`${dirty ? ` + uncommitted changes (${dirty} paths in \`git status\`)` : ''}`;
  const cpus = os.cpus();
  const machine = [
    `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}`,
    `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `${os.type()} ${os.release()}`,
    `Node ${process.version}`,
    `load average at start ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  ];
  log(
    `ripcord stress run: seed ${seed} (replay with RIPCORD_STRESS_SEED=${seed}), scale ${SCALE}, commit ${head}${dirty ? ' (dirty)' : ''}`,
  );
  const dir = await tempDir('ripcord-stress-');
  const bundleDir = path.join(dir, 'bundle');
  log(`building a private bundle of the working tree into ${bundleDir}`);
  execFileSync(process.execPath, ['build.mjs', bundleDir], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  const bundle = bundleIn(bundleDir);
  const mount = canMountTmpfs();
  const s3 = await startS3World();
  try {
    const areas: [Area, () => Promise<void>][] = [
      ['crash-backup', () => crashBackups(dir, s3, bundle)],
      ['crash-restore', () => crashRestores(dir, s3, bundle)],
      ['tamper', () => tamper(dir, bundle)],
      ['hostile', () => hostile(dir, bundle)],
      ['storage-faults', () => storage(dir, s3, bundle)],
      ['disk-full', () => diskFull(dir, bundle)],
      ['concurrency', () => concurrency(dir, s3, bundle)],
      ['secrets', () => secrets(dir, s3, bundle)],
    ];
    for (const [area, run] of areas) {
      if (!wanted(area)) continue;
      const a0 = Date.now();
      log(`\n== ${area} ==`);
      try {
        await run();
      } catch (error) {
        const outcome = newOutcome(`${area} could not finish`);
        violate(outcome, 'area-ran', (error as Error).stack ?? String(error));
        record(area, outcome, 0, 'setup');
      }
      log(`== ${area}: ${duration(Date.now() - a0)}`);
    }
  } finally {
    await s3.stop().catch(() => {});
    await removeDir(dir).catch(() => {});
  }
  const file = path.join(PROJECT_ROOT, 'docs', only ? 'reliability.partial.md' : 'reliability.md');
  const { lost, violations } = await writeReport(file, machine, commit, Date.now() - t0, mount);
  log(
    `\nwrote ${path.relative(PROJECT_ROOT, file)}: ${tally
      .all()
      .map(
        (f) =>
          `${f.area} ${f.trials} trials/${f.faults} faults/${f.detected} detected/${f.violations.length} violations/${f.lost} lost`,
      )
      .join('; ')}`,
  );
  log(`data lost: ${lost}; invariant violations: ${violations}; seed ${seed}; ${duration(Date.now() - t0)}`);
  return lost > 0 || violations > 0 ? 1 : 0;
}

process.exitCode = await main();
