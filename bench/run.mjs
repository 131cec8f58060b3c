#!/usr/bin/env node
// @ts-check
// The benchmark of record: `npm run bench` (see bench/README.md for what it measures and how).
//
//   node bench/run.mjs [--runs N] [--node 24,20] [--quick] [--only ripcord] [--task KEY,...] [--no-readme]
//   node bench/run.mjs --render results/<run>.json[,results/<run>.json]
//
// Generates (or reuses) the dataset, then runs ripcord and its peers round-robin on the same
// data with fresh repositories per repetition, checks every ripcord restore against the source,
// measures memory scaling and start-up time, and writes bench/results/<date>-<commit>.json and
// bench/README.md. Any failed command or mismatching restore fails the whole run. It does all
// that once for each Node version asked for (by default 24, the Action's runtime, then 20),
// ripcord running on that Node, and the page shows every version's run.
import {
  accessSync,
  appendFileSync,
  constants as fsConstants,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchError, GNU_TIME, measure, median, round, run, settle, shellQuote, waitForQuiet } from './lib/measure.mjs';
import { duBytes, treeDigest, treeSize } from './lib/tree.mjs';
import { computeTargets, renderReadme } from './lib/report.mjs';
import { startS3 } from './lib/s3.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
// The dataset generator: shared/bench/make-dataset.sh next to the project is the original;
// bench/make-dataset.sh is a copy of it, so that a lone clone can run the benchmark too.
const SHARED_DATASET_SCRIPT = path.resolve(ROOT, '..', 'shared', 'bench', 'make-dataset.sh');
const COPIED_DATASET_SCRIPT = path.join(BENCH, 'make-dataset.sh');
const DATASET_SCRIPT = existsSync(SHARED_DATASET_SCRIPT) ? SHARED_DATASET_SCRIPT : COPIED_DATASET_SCRIPT;
const PASSPHRASE = 'ripcord-bench-passphrase-not-a-secret';
/** make-dataset.sh's AES-256 key for its random blobs (their bytes are its CTR keystream) */
const DATASET_BLOB_KEY = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const SCALES = [2, 4]; // whole copies of the input: ~1 GB and ~2 GB next to the ~0.5 GB dataset
const VERSION_RUNS = 20;
const started = Date.now();

// ---- options -------------------------------------------------------------------------------
/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{ runs: number | undefined, quick: boolean, only: string | undefined, tasks: string[] | undefined, readme: boolean, render: string | undefined, nodes: string[] }} */
  const options = {
    runs: undefined,
    quick: false,
    only: undefined,
    tasks: undefined,
    readme: true,
    render: undefined,
    nodes: ['24', '20'],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    /** @returns {string} */
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--render' || a.startsWith('--render=')) options.render = value();
    else if (a === '--quick') options.quick = true;
    else if (a === '--node' || a.startsWith('--node=')) {
      options.nodes = value().split(',').filter(Boolean);
      if (options.nodes.length === 0) usage('--node needs a list of Node majors or binaries');
    } else if (a === '--no-readme') options.readme = false;
    else if (a === '--runs' || a.startsWith('--runs=')) {
      options.runs = Number(value());
      if (!Number.isInteger(options.runs) || options.runs < 1) usage('--runs needs a whole number >= 1');
    } else if (a === '--only' || a.startsWith('--only=')) {
      options.only = value();
      if (options.only !== 'ripcord') usage('--only takes one value: ripcord');
    } else if (a === '--task' || a.startsWith('--task=')) {
      options.tasks = value().split(',').filter(Boolean);
      if (options.tasks.length === 0) usage('--task needs a list of task keys');
    } else if (a === '-h' || a === '--help') usage();
    else usage(`unknown option ${a}`);
  }
  // Even by default: the commands of a pair take turns going first, and with an odd count one
  // of them would go first once more often. Going first has cost both tools here (see METHOD).
  const runs = options.runs ?? (options.quick ? 1 : 6);
  if (options.quick || options.tasks) options.readme = false;
  return { ...options, runs };
}

/** Print the usage (and the error, exit 2) or the help (exit 0). @param {string} [error] @returns {never} */
function usage(error) {
  const text = `usage: npm run bench -- [--runs N] [--node 24,20] [--quick] [--only ripcord] [--task KEY,...] [--no-readme]
       npm run bench -- --render results/<run>.json[,results/<run>.json]

  --runs N      measured repetitions of every command (default 6; 1 with --quick); medians are
                reported. Keep it even: the two commands of a pair take turns going first
  --node LIST   the Node versions ripcord runs on, one whole benchmark each, in this order:
                majors (installed from the npm registry's node package into the cache folder
                when this Node is another major) or paths to node binaries (default 24,20)
  --quick       smoke-test the harness on a small subset (repo/ and 3 logs); writes
                bench/results/quick-*.json and leaves bench/README.md alone
  --only ripcord  skip the peers (tar/gzip/gpg, sha256sum, restic, borg)
  --task KEYS   run only these commands (comma-separated keys, as in the results JSON, such
                as ripcord.backup-change,restic.backup-change) and those they need (a restore
                its backup); no memory scaling; writes bench/results/partial-*.json
                (quick-*.json with --quick) and leaves bench/README.md alone
  --no-readme   write only the JSON results, not bench/README.md
  --render FILES  measure nothing: write bench/README.md again from stored runs (comma-separated, one per Node)
                (bench/results/FILE.json), after a change to the page's layout in bench/lib/report.mjs

Environment: RIPCORD_BENCH_DIR  cache and scratch folder (default .bench in the project)`;
  if (error) {
    console.error(`bench: ${error}\n\n${text}`);
    process.exit(2);
  }
  console.log(text);
  process.exit(0);
}

const options = parseArgs(process.argv.slice(2));
const peers = options.only !== 'ripcord';

function log(message) {
  const s = Math.round((Date.now() - started) / 1000);
  process.stderr.write(
    `[bench ${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${message}\n`,
  );
}

const isRoot = process.getuid?.() === 0;
let aptUpdated = false;
async function aptInstall(packages) {
  if (!isRoot) return { ok: false, reason: 'not root' };
  if (!aptUpdated) {
    log('apt-get update');
    aptUpdated = true;
    await run(
      { argv: ['apt-get', 'update'] },
      { allowFailure: true, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } },
    );
  }
  log(`apt-get install -y ${packages.join(' ')}`);
  const r = await run(
    { argv: ['apt-get', 'install', '-y', ...packages] },
    { allowFailure: true, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } },
  );
  return { ok: r.code === 0, reason: r.code === 0 ? '' : r.stderr.trim().split('\n').pop() };
}

function which(cmd) {
  const r = spawnSync('bash', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function firstLine(argv) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout || r.stderr).trim().split('\n')[0] : null;
}

function sh(command, opts = {}) {
  return run({ shell: command }, opts);
}

// ---- main ----------------------------------------------------------------------------------
/** Whether the page cache can be emptied before each restore (root only; see quietCache). */
const DROP_CACHES = (() => {
  try {
    accessSync('/proc/sys/vm/drop_caches', fsConstants.W_OK);
    return true;
  } catch {
    return false;
  }
})();
const benchDir = path.resolve(process.env.RIPCORD_BENCH_DIR || path.join(ROOT, '.bench'));
const work = path.join(benchDir, 'work');
let gnupgHome;

/** The node binary for a --node entry: a path as it is, a major from the npm registry when it is not this Node's. */
async function nodeBinary(spec) {
  if (spec.includes('/')) {
    if (!existsSync(spec)) throw new BenchError(`--node ${spec}: no such file`);
    return path.resolve(spec);
  }
  if (!/^\d+$/.test(spec)) throw new BenchError(`--node ${spec}: give a major version (24) or a path to a node binary`);
  if (process.versions.node.split('.')[0] === spec) return process.execPath;
  const dir = path.join(benchDir, 'node', spec);
  const bin = path.join(dir, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(bin)) {
    log(`installing node@${spec} from the npm registry into ${path.relative(ROOT, dir) || dir}`);
    mkdirSync(dir, { recursive: true });
    await run({
      argv: [
        'npm',
        'install',
        '--prefix',
        dir,
        '--no-audit',
        '--no-fund',
        '--no-save',
        '--loglevel=error',
        `node@${spec}`,
      ],
    });
  }
  return bin;
}

async function main() {
  mkdirSync(benchDir, { recursive: true });
  const nodes = [];
  for (const spec of options.nodes) nodes.push(await nodeBinary(spec));
  const runs = [];
  for (const node of nodes) runs.push(await benchmarkOn(node));
  if (options.readme) {
    writeFileSync(path.join(BENCH, 'README.md'), renderReadme(runs));
    log(`wrote bench/README.md from ${runs.map((r) => r.jsonPath).join(', ')}`);
  } else log('bench/README.md left alone');
  for (const { report } of runs) {
    log(`targets on node ${report.machine.node}:`);
    for (const t of report.targets) log(`  ${t.status.padEnd(12)} ${t.name}: ${t.measured}`);
  }
  log(`done in ${((Date.now() - started) / 60000).toFixed(1)} min`);
}

/** One whole benchmark with ripcord on this node binary; its report, written to bench/results/. */
async function benchmarkOn(node) {
  const runStarted = Date.now();
  const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  log(`=== ripcord on node ${nodeVersion} (${node})`);
  log(
    `ripcord benchmark: runs=${options.runs}${options.quick ? ', quick' : ''}${peers ? '' : ', ripcord only'}; cache ${benchDir}`,
  );
  if (options.runs > 1 && options.runs % 2 === 1)
    log(`note: with ${options.runs} rounds, the first command of each pair goes first once more often than the second`);
  await preflight();
  mkdirSync(benchDir, { recursive: true });
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });

  // Measure a copy of dist/ taken now: others may rebuild dist/ while the benchmark runs.
  const cliDir = path.join(work, 'dist');
  cpSync(path.join(ROOT, 'dist'), cliDir, { recursive: true });
  const cli = path.join(cliDir, 'cli.cjs');
  const stale = distIsStale();
  if (stale) log(`warning: ${stale} is newer than dist/cli.cjs; run \`npm run build\` to measure the current source`);

  const dataset = await ensureDataset();
  const input = options.quick
    ? await makeQuickInput(dataset)
    : { dir: dataset.dir, rel: 'dataset', hash: dataset.hash, meta: dataset.meta, label: 'the full dataset' };
  Object.assign(input, await treeSize(input.dir));
  log(`input: ${input.label}, ${input.files} files, ${(input.bytes / 1e6).toFixed(0)} MB`);

  const tools = await ensurePeers();
  const machine = { ...describeMachine(tools), node: nodeVersion };
  const git = gitInfo();

  gnupgHome = path.join(work, 'gnupg');
  mkdirSync(gnupgHome, { mode: 0o700 });
  const passphraseFile = path.join(work, 'passphrase');
  writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    LC_ALL: 'C',
    GNUPGHOME: gnupgHome,
    RIPCORD_PASSPHRASE: PASSPHRASE,
    RESTIC_PASSWORD: PASSPHRASE,
    BORG_PASSPHRASE: PASSPHRASE,
  };
  for (const k of [
    'RIPCORD_REPO',
    'RIPCORD_RECIPIENTS',
    'RIPCORD_IDENTITY',
    'RIPCORD_IDENTITY_PASSPHRASE',
    'RESTIC_REPOSITORY',
    'BORG_REPO',
  ])
    delete env[k];
  // Start the agent outside the measurements (gpg would start it on first use, as a daemon).
  await run({ argv: ['gpgconf', '--launch', 'gpg-agent'] }, { env, allowFailure: true });
  const gpg = `gpg --batch --quiet --yes --pinentry-mode loopback --passphrase-file ${shellQuote(passphraseFile)}`;

  const loadStart = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  /** whether --task (when given) asks for one of these commands */
  const asked = (...keys) => !options.tasks || keys.some((k) => options.tasks?.includes(k));
  const smallFiles =
    options.quick || !asked('ripcord.backup-small-files', 'restic.backup-small-files')
      ? undefined
      : await ensureSmallFilesTree();
  if (smallFiles)
    log(`small-files input: node_modules, ${smallFiles.files} files, ${(smallFiles.bytes / 1e6).toFixed(0)} MB`);
  const deployState =
    options.quick || !asked('ripcord.deploy-rollback', 'ripcord.deploy-rollback-full')
      ? undefined
      : await ensureDeployState();
  const s3 = await startS3('bench');
  env.AWS_ACCESS_KEY_ID = 'S3RVER';
  env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  delete env.AWS_SESSION_TOKEN;
  delete env.AWS_PROFILE;
  const ctx = { cli, node, input, env, gpg, tools, work, smallFiles, deployState, s3 };
  const tasks = options.tasks ? selectTasks(defineTasks(ctx), options.tasks) : defineTasks(ctx);
  const results = {};
  for (const t of tasks) results[t.key] = { label: t.label, tool: t.tool, command: t.display, runs: [], warmup: null };
  const correctness = [];

  // ---- round-robin repetitions; round 0 is the untimed warm-up -----------------------------
  for (let rep = 0; rep <= options.runs; rep++) {
    const round = { rep, dir: path.join(work, `r${rep}`) };
    mkdirSync(round.dir);
    log(rep === 0 ? 'warm-up round (untimed, also checks every restore)' : `round ${rep}/${options.runs}`);
    for (const task of roundOrder(tasks, rep)) {
      if (task.onlyWarmup && rep !== 0) continue;
      await task.prepare?.(round);
      const cmd = task.cmd(round);
      if (rep > 0) await settle();
      const m = await measure(cmd, { cwd: cmd.cwd ?? work, env });
      const figures = {
        wallS: m.wallS,
        cpuS: m.cpuS,
        userS: m.userS,
        sysS: m.sysS,
        peakRssMiB: m.peakRssMiB,
        otherCpuS: m.otherCpuS,
      };
      const extra = (await task.after?.(round, m, { checks: correctness, rep })) ?? {};
      Object.assign(figures, extra);
      if (rep === 0) results[task.key].warmup = figures;
      else results[task.key].runs.push(figures);
      log(
        `  ${task.label.padEnd(34)} ${rep === 0 ? '(warm-up) ' : ''}${m.wallS.toFixed(2)} s wall, ${m.cpuS.toFixed(2)} s cpu, ${m.peakRssMiB.toFixed(0)} MiB${extra.outputBytes ? `, ${(extra.outputBytes / 1e6).toFixed(1)} MB` : ''}${m.otherCpuS ? ` (other processes: ${m.otherCpuS.toFixed(1)} s cpu)` : ''}`,
      );
    }
    rmSync(round.dir, { recursive: true, force: true });
  }

  s3.stop(); // (it also exits with this process)

  // ---- memory scaling -------------------------------------------------------------------------
  const scaling = options.tasks ? { method: 'nothing: skipped (--task)', points: [] } : await runScaling(ctx);

  // ---- start-up time --------------------------------------------------------------------------
  log(`start-up: node dist/cli.cjs --version x ${VERSION_RUNS}`);
  await waitForQuiet();
  spawnSync(node, [cli, '--version']); // warm
  const { runsMs: versionMs, output: versionText } = timeStarts(node, [cli, '--version'], env, 'ripcord --version');
  log(`  --version "${versionText}": median ${median(versionMs)?.toFixed(1)} ms`);
  // What Node itself costs to start here, with this environment (NODE_EXTRA_CA_CERTS, for one,
  // makes every Node process parse a certificate bundle before it runs a line).
  const { runsMs: nodeMs } = timeStarts(node, ['-e', '0'], env, 'node -e 0');
  log(`  node -e 0: median ${median(nodeMs)?.toFixed(1)} ms`);

  for (const r of Object.values(results)) {
    r.median = {};
    for (const k of [
      'wallS',
      'cpuS',
      'userS',
      'sysS',
      'peakRssMiB',
      'otherCpuS',
      'outputBytes',
      'archiveBytes',
      'manifestBytes',
      'hashedBytes',
      'files',
      'rollbackS',
      'snapshotS',
      'archiveReadBytes',
      'readBytes',
      'snapshotBytes',
    ]) {
      const m = median(r.runs.map((x) => x[k]));
      if (m !== null) r.median[k] = m;
    }
  }

  await run({ argv: ['gpgconf', '--kill', 'gpg-agent'] }, { env, allowFailure: true });
  rmSync(work, { recursive: true, force: true });

  const finished = Date.now();
  const report = {
    schema: 1,
    kind: options.quick ? 'quick' : options.tasks ? 'partial' : options.only ? 'ripcord-only' : 'full',
    date: new Date(runStarted).toISOString().slice(0, 10),
    startedAt: new Date(runStarted).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationS: Math.round((finished - runStarted) / 1000),
    options: { runs: options.runs, quick: options.quick, only: options.only ?? null, tasks: options.tasks ?? null },
    git,
    machine,
    dataset: {
      dir: path.relative(ROOT, dataset.dir) || dataset.dir,
      hash: dataset.hash,
      reused: dataset.reused,
      files: dataset.files,
      bytes: dataset.bytes,
    },
    input: { label: input.label, files: input.files, bytes: input.bytes, hash: input.hash },
    distStale: stale || null,
    pageCache: DROP_CACHES
      ? 'emptied before each restore (ripcord and peers), then its input read back in; the input of each compared backup read back in before it'
      : 'left as it is (emptying it needs root)',
    loadAverage: { start: loadStart, end: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') },
    tools: Object.fromEntries(
      Object.entries(tools).map(([k, v]) => [k, { status: v.status, version: v.version ?? null }]),
    ),
    measurements: results,
    scaling,
    startup: {
      command: 'node dist/cli.cjs --version',
      output: versionText,
      runsMs: versionMs,
      medianMs: round(median(versionMs) ?? NaN, 1),
      node: {
        command: 'node -e 0',
        runsMs: nodeMs,
        medianMs: round(median(nodeMs) ?? NaN, 1),
        extraCaCerts: Boolean(env.NODE_EXTRA_CA_CERTS),
      },
    },
    correctness,
  };
  report.targets = computeTargets(report);

  const resultsDir = path.join(BENCH, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const name = `${options.quick ? 'quick-' : options.tasks ? 'partial-' : options.only ? 'ripcord-only-' : ''}${report.date}-${git.commit}-node${nodeVersion.slice(1).split('.')[0]}.json`;
  writeFileSync(path.join(resultsDir, name), `${JSON.stringify(report, null, 2)}\n`);
  log(`wrote bench/results/${name} (${(report.durationS / 60).toFixed(1)} min)`);
  return { report, jsonPath: `results/${name}` };
}

// ---- preflight: GNU time, gpg, tar, gzip, sha256sum ----------------------------------------------
async function preflight() {
  if (!existsSync(path.join(ROOT, 'dist', 'cli.cjs')))
    throw new BenchError('dist/cli.cjs is missing: run `npm run build` first');
  if (!existsSync(DATASET_SCRIPT)) throw new BenchError(`${DATASET_SCRIPT} is missing`);
  if (
    DATASET_SCRIPT === SHARED_DATASET_SCRIPT &&
    readFileSync(DATASET_SCRIPT, 'utf8') !== readFileSync(COPIED_DATASET_SCRIPT, 'utf8')
  ) {
    log(
      `note: bench/make-dataset.sh differs from ${path.relative(ROOT, SHARED_DATASET_SCRIPT)}; using the latter (copy it over bench/make-dataset.sh)`,
    );
  }
  if (!existsSync(GNU_TIME)) {
    log(`${GNU_TIME} is missing: installing the Debian package "time"`);
    const r = await aptInstall(['time']);
    if (!existsSync(GNU_TIME))
      throw new BenchError(`${GNU_TIME} (GNU time) is required and could not be installed (${r.reason})`);
  }
  for (const tool of ['gpg', 'gpgconf', 'tar', 'gzip', 'sha256sum', 'bash', 'find', 'du', 'python3', 'openssl']) {
    if (!which(tool)) throw new BenchError(`${tool} is required and missing`);
  }
}

function distIsStale() {
  const built = statSync(path.join(ROOT, 'dist', 'cli.cjs')).mtimeMs;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        const found = walk(p);
        if (found) return found;
      } else if (statSync(p).mtimeMs > built) return path.relative(ROOT, p);
    }
    return null;
  };
  return existsSync(path.join(ROOT, 'src')) ? walk(path.join(ROOT, 'src')) : null;
}

// ---- dataset -------------------------------------------------------------------------------
async function ensureDataset() {
  const dir = path.join(benchDir, 'dataset');
  const hashFile = path.join(benchDir, 'dataset.sha256');
  let reused = false;
  let hash;
  if (existsSync(dir) && existsSync(hashFile)) {
    const stored = readFileSync(hashFile, 'utf8').trim();
    log(`checking the cached dataset against its manifest hash ${stored.slice(0, 12)}...`);
    const digest = await treeDigest(dir);
    if (digest.content === stored) {
      reused = true;
      hash = stored;
    } else log(`cached dataset does not match (${digest.content.slice(0, 12)}...): regenerating`);
  } else if (existsSync(dir)) log('cached dataset has no stored hash: regenerating');
  if (!reused) {
    rmSync(hashFile, { force: true });
    log(`generating the dataset with ${path.relative(ROOT, DATASET_SCRIPT)} (about 40 s)`);
    const r = await run({ argv: ['bash', DATASET_SCRIPT, dir, ...(existsSync(dir) ? ['--force'] : [])] });
    const m = /manifest sha256: ([0-9a-f]{64})/.exec(r.stdout);
    if (!m) throw new BenchError(`make-dataset.sh printed no manifest hash:\n${r.stdout}`);
    hash = m[1];
    writeFileSync(hashFile, `${hash}\n`);
    log(`dataset generated: ${hash}`);
  } else log('dataset reused');
  const digest = await treeDigest(dir);
  if (digest.content !== hash) throw new BenchError(`dataset manifest ${digest.content} != ${hash}`);
  return { dir, hash, meta: digest.meta, reused, ...(await treeSize(dir)) };
}

/** --quick: repo/ and the first 3 logs, copied (same bytes, modes and mtimes). */
async function makeQuickInput(dataset) {
  const dir = path.join(benchDir, 'quick');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'state', 'logs'), { recursive: true });
  await run({ argv: ['cp', '-a', path.join(dataset.dir, 'repo'), dir] });
  const logs = readdirSync(path.join(dataset.dir, 'state', 'logs'))
    .sort()
    .slice(0, 3);
  for (const f of logs)
    await run({ argv: ['cp', '-a', path.join(dataset.dir, 'state', 'logs', f), path.join(dir, 'state', 'logs', f)] });
  const digest = await treeDigest(dir);
  return {
    dir,
    rel: 'quick',
    hash: digest.content,
    meta: digest.meta,
    label: `quick subset: repo/ and ${logs.length} logs`,
  };
}

// ---- peers -------------------------------------------------------------------------------------
async function ensurePeers() {
  /** @type {Record<'restic' | 'borg', { bin: string, version: string | null | undefined, status: string }>} */
  const tools = {
    restic: { bin: 'restic', version: null, status: 'skipped: --only ripcord' },
    borg: { bin: 'borg', version: null, status: 'skipped: --only ripcord' },
  };
  if (!peers) return tools;
  const pkg = { restic: 'restic', borg: 'borgbackup' };
  const missing = Object.keys(tools).filter((k) => !which(tools[k].bin));
  if (missing.length > 0) {
    log(`missing: ${missing.map((k) => pkg[k]).join(', ')}; trying apt-get install once`);
    const r = await aptInstall(missing.map((k) => pkg[k]));
    if (!r.ok && isRoot && missing.length > 1) for (const k of missing) await aptInstall([pkg[k]]); // one may install without the other
  }
  for (const [key, t] of Object.entries(tools)) {
    if (which(t.bin)) {
      t.version = firstLine(key === 'restic' ? ['restic', 'version'] : ['borg', '--version']);
      t.status = missing.includes(key)
        ? 'available (installed by this run: apt-get install)'
        : 'available (already installed)';
    } else t.status = 'skipped: not installable here';
    log(`${key}: ${t.status}${t.version ? `, ${t.version}` : ''}`);
  }
  return tools;
}

function describeMachine(tools) {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const memKiB = Number(/MemTotal:\s+(\d+)/.exec(meminfo)?.[1] ?? 0);
  return {
    nproc: Number(firstLine(['nproc'])),
    memoryGiB: round(memKiB / 1024 / 1024, 1),
    cpuModel: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    kernel: os.release(),
    node: process.version,
    gpg: firstLine(['gpg', '--version']),
    tar: firstLine(['tar', '--version']),
    gzip: firstLine(['gzip', '--version']),
    sha256sum: firstLine(['sha256sum', '--version']),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${Version} is dpkg-query's own format field
    gnuTime: `GNU time ${firstLine(['dpkg-query', '-W', '-f', '${Version}', 'time']) ?? firstLine([GNU_TIME, '--version'])}`,
    restic: tools.restic.version,
    borg: tools.borg.version,
  };
}

function gitInfo() {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (head.status !== 0) return { commit: 'nogit', head: null, dirty: false };
  // what the benchmark itself writes (the results of an earlier Node's run, its page) is not a change to what it measures
  const status = spawnSync('git', ['status', '--porcelain', '--', '.', ':!bench/results', ':!bench/README.md'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const dirty = status.stdout.trim().length > 0;
  return { commit: `${head.stdout.trim()}${dirty ? '-dirty' : ''}`, head: head.stdout.trim(), dirty };
}

// ---- what runs in each round, in this order (tools alternate) --------------------------------
function defineTasks({ cli, node, input, gpg, tools, env, smallFiles, deployState, s3 }) {
  const q = shellQuote;
  const inDir = input.dir;
  const ripcordRepo = (r) => path.join(r.dir, 'ripcord-repo');
  const archiveOf = (r) => path.join(ripcordRepo(r), r.ripcordId, 'archive.tar.gz.pgp');
  const fresh = (dir) => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  // Before each restore: the page cache emptied (where this user may: root), then the input
  // read back into it. Every restore, ripcord's and its peers', then starts from the same
  // state, with its input in memory and room for its output; otherwise the writeback and
  // reclaim of what the command before left behind fall on whichever restore comes next
  // (restore rounds ranged from 0.72 to 1.92 of gpg's with the same build).
  // (Only the input: with node's binary in the page cache, the kernel maps more of it into the
  // process as it faults pages in, and peak RSS as GNU time reports it grows with the binary's
  // pages: a backup on Node 24 measured 127 MiB after the cache was emptied, 155 MiB with the
  // binary read back in, the same anonymous memory.)
  const warm = (inputs) =>
    run({ argv: ['sh', '-c', 'find "$@" -type f -exec cat {} + > /dev/null', 'warm', ...inputs] });
  const quietCache = async (...inputs) => {
    if (!DROP_CACHES) return;
    await run({ shell: 'sync && echo 3 > /proc/sys/vm/drop_caches' });
    await warm(inputs);
  };
  // Before each backup a target compares, its input is read back in (the sync before every
  // measured command is the loop's). Otherwise whichever tool goes first reads it cold after a
  // restore's quietCache has emptied the cache, and the second finds it warm: the node_modules
  // pair went 1.43, 0.75, 1.37, 0.79, 1.38, 0.83 round by round, with the order of the pair.
  const warmInput = async (...inputs) => {
    if (DROP_CACHES) await warm(inputs);
  };
  const fileBytes = (f) => statSync(f).size;
  const check = async (what, dir, { checks, rep }) => {
    const got = await treeDigest(dir);
    const ok = got.content === input.hash && got.meta === input.meta;
    checks.push({
      what,
      round: rep === 0 ? 'warm-up' : rep,
      expected: input.hash,
      got: got.content,
      metaOk: got.meta === input.meta,
      ok,
    });
    if (!ok) {
      throw new BenchError(
        `CORRECTNESS FAILURE: ${what} (round ${rep}) does not match the input\n  expected content ${input.hash}\n  got      content ${got.content}` +
          `${got.meta !== input.meta ? '\n  file modes/mtimes/sizes differ as well' : ''}\n  restored tree: ${dir}`,
      );
    }
    log(`  ok: ${what} matches the input (${got.content.slice(0, 12)}...)`);
  };
  const tasks = [];
  const resticRepo = (r) => path.join(r.dir, 'restic-repo');
  /** an incremental backup of dir's repo/ and state/ on the newest snapshot of them in repo */
  const incrementalBackup = (repo, dir) => [
    node,
    cli,
    'backup',
    '--level',
    'incremental',
    '--repo',
    repo,
    '-q',
    '-C',
    dir,
    'repo',
    'state',
  ];
  const resticEnv = (r) => `RESTIC_CACHE_DIR=${q(path.join(r.dir, 'restic-cache'))} `;

  // restic init first: the two backups the target compares then run back to back.
  if (tools.restic.version) {
    tasks.push({
      key: 'restic.init',
      tool: 'restic',
      label: 'restic init',
      display: 'restic init -r R',
      cmd: (r) => ({ shell: `${resticEnv(r)}restic init -q -r ${q(resticRepo(r))}` }),
    });
  }
  tasks.push({
    key: 'ripcord.backup',
    tool: 'ripcord',
    label: 'ripcord backup',
    display: 'ripcord backup --repo R -q -C DATASET repo state',
    prepare: () => warmInput(inDir),
    cmd: (r) => ({ argv: [node, cli, 'backup', '--repo', ripcordRepo(r), '-q', '-C', inDir, 'repo', 'state'] }),
    after: async (r, m) => {
      r.ripcordId = m.stdout.trim();
      if (!/^\S+$/.test(r.ripcordId) || !existsSync(path.join(ripcordRepo(r), r.ripcordId, 'snapshot.json'))) {
        throw new BenchError(`ripcord backup printed "${m.stdout.trim()}", which is not a committed snapshot`);
      }
      const archiveBytes = fileBytes(archiveOf(r));
      const manifestBytes = fileBytes(path.join(ripcordRepo(r), r.ripcordId, 'manifest.json.pgp'));
      return { archiveBytes, manifestBytes, outputBytes: archiveBytes + manifestBytes };
    },
  });
  if (tools.restic.version) {
    tasks.push({
      key: 'restic.backup',
      tool: 'restic',
      label: 'restic backup (first run)',
      display: 'restic backup -q -r R repo state   (cwd DATASET)',
      prepare: () => warmInput(inDir),
      cmd: (r) => ({ shell: `${resticEnv(r)}restic backup -q -r ${q(resticRepo(r))} repo state`, cwd: inDir }),
      after: async (r) => ({ outputBytes: await duBytes(resticRepo(r)) }),
    });
  }
  // The second backup of the unchanged tree: ripcord's incremental on the full one above, and
  // restic's second run, which skips unchanged files the same way.
  tasks.push({
    key: 'ripcord.backup-unchanged',
    tool: 'ripcord',
    label: 'ripcord backup --level incremental (unchanged)',
    display: 'ripcord backup --level incremental --repo R -q -C DATASET repo state   (after the full one)',
    prepare: () => warmInput(inDir),
    cmd: (r) => ({ argv: incrementalBackup(ripcordRepo(r), inDir) }),
    after: async (r, m) => {
      const id = m.stdout.trim();
      const metadata = JSON.parse(readFileSync(path.join(ripcordRepo(r), id, 'snapshot.json'), 'utf8'));
      if (metadata.level !== 'incremental' || metadata.parent !== r.ripcordId)
        throw new BenchError(`ripcord backup --level incremental made ${id}, not an incremental on ${r.ripcordId}`);
      r.unchangedId = id;
      const folder = path.join(ripcordRepo(r), id);
      return {
        outputBytes: readdirSync(folder).reduce((sum, f) => sum + fileBytes(path.join(folder, f)), 0),
        files: metadata.files,
      };
    },
  });
  if (tools.restic.version) {
    tasks.push({
      key: 'restic.backup-unchanged',
      tool: 'restic',
      label: 'restic backup (second run, unchanged)',
      display: 'restic backup -q -r R repo state   (cwd DATASET; after the first run)',
      prepare: () => warmInput(inDir),
      cmd: (r) => ({ shell: `${resticEnv(r)}restic backup -q -r ${q(resticRepo(r))} repo state`, cwd: inDir }),
    });
  }
  if (peers) {
    tasks.push({
      key: 'gpgtar.backup',
      tool: 'tar+gzip+gpg',
      label: 'tar | gzip -6 | gpg | sha256sum',
      display:
        'tar -cf - -C DATASET repo state | gzip -6 | gpg --symmetric --cipher-algo AES256 --compress-algo none | tee A.tar.gz.gpg | sha256sum > A.sha256',
      cmd: (r) => ({
        shell:
          `tar -cf - -C ${q(inDir)} repo state | gzip -6 | ${gpg} --symmetric --cipher-algo AES256 --compress-algo none ` +
          `| tee ${q(path.join(r.dir, 'a.tar.gz.gpg'))} | sha256sum > ${q(path.join(r.dir, 'a.sha256'))}`,
      }),
      after: (r) => ({ outputBytes: fileBytes(path.join(r.dir, 'a.tar.gz.gpg')) }),
    });
  }
  if (tools.borg.version) {
    const repo = (r) => path.join(r.dir, 'borg-repo');
    const borgEnv = (r) => `BORG_BASE_DIR=${q(path.join(r.dir, 'borg-base'))} `;
    tasks.push({
      key: 'borg.init',
      tool: 'borg',
      label: 'borg init --encryption=repokey',
      display: 'borg init --encryption=repokey R',
      cmd: (r) => ({ shell: `${borgEnv(r)}borg init --encryption=repokey ${q(repo(r))}` }),
    });
    tasks.push({
      key: 'borg.create',
      tool: 'borg',
      label: 'borg create (first run)',
      display: 'borg create R::bench repo state   (cwd DATASET; default lz4 compression)',
      cmd: (r) => ({ shell: `${borgEnv(r)}borg create ${q(`${repo(r)}::bench`)} repo state`, cwd: inDir }),
      after: async (r) => ({ outputBytes: await duBytes(repo(r)) }),
    });
  }
  if (peers) {
    tasks.push({
      key: 'targz.create',
      tool: 'tar+gzip',
      label: 'tar | gzip -6',
      display: 'tar -cf - -C DATASET repo state | gzip -6 > A.tar.gz',
      cmd: (r) => ({ shell: `tar -cf - -C ${q(inDir)} repo state | gzip -6 > ${q(path.join(r.dir, 'a.tar.gz'))}` }),
      after: (r) => {
        const outputBytes = fileBytes(path.join(r.dir, 'a.tar.gz'));
        rmSync(path.join(r.dir, 'a.tar.gz'));
        return { outputBytes };
      },
    });
  }

  tasks.push({
    key: 'ripcord.restore',
    tool: 'ripcord',
    label: 'ripcord restore',
    display: 'ripcord restore ID --repo R --target OUT --yes --no-pre-restore -q',
    prepare: async (r) => {
      fresh(path.join(r.dir, 'ripcord-out'));
      await quietCache(path.join(ripcordRepo(r), r.ripcordId));
    },
    cmd: (r) => ({
      argv: [
        node,
        cli,
        'restore',
        r.ripcordId,
        '--repo',
        ripcordRepo(r),
        '--target',
        path.join(r.dir, 'ripcord-out'),
        '--yes',
        '--no-pre-restore',
        '-q',
      ],
    }),
    after: async (r, _m, c) => {
      await check('ripcord restore', path.join(r.dir, 'ripcord-out'), c);
      rmSync(path.join(r.dir, 'ripcord-out'), { recursive: true, force: true });
    },
  });
  if (peers) {
    tasks.push({
      key: 'gpgtar.restore',
      tool: 'tar+gzip+gpg',
      label: 'gpg -d | gzip -d | tar -x',
      display: 'gpg -d A.tar.gz.gpg | gzip -d | tar -x -C OUT',
      prepare: async (r) => {
        fresh(path.join(r.dir, 'gpg-out'));
        await quietCache(path.join(r.dir, 'a.tar.gz.gpg'));
      },
      cmd: (r) => ({
        shell: `${gpg} -d ${q(path.join(r.dir, 'a.tar.gz.gpg'))} | gzip -d | tar -x -C ${q(path.join(r.dir, 'gpg-out'))}`,
      }),
      after: async (r, _m, c) => {
        if (c.rep === 0) await check('gpg -d | gzip -d | tar -x (peer)', path.join(r.dir, 'gpg-out'), c);
        rmSync(path.join(r.dir, 'gpg-out'), { recursive: true, force: true });
      },
    });
  }
  tasks.push({
    key: 'ripcord.gpg-tar',
    tool: 'ripcord',
    label: 'gpg -d ripcord archive | tar -xz',
    display: 'gpg -d ID/archive.tar.gz.pgp | tar -xz -C OUT   (emergency restore without ripcord; once)',
    onlyWarmup: true,
    prepare: (r) => fresh(path.join(r.dir, 'gpg-ripcord-out')),
    cmd: (r) => ({ shell: `${gpg} -d ${q(archiveOf(r))} | tar -xz -C ${q(path.join(r.dir, 'gpg-ripcord-out'))}` }),
    after: async (r, _m, c) => {
      await check('gpg -d | tar -xz of the ripcord archive', path.join(r.dir, 'gpg-ripcord-out'), c);
      rmSync(path.join(r.dir, 'gpg-ripcord-out'), { recursive: true, force: true });
    },
  });
  if (tools.restic.version) {
    const out = (r) => path.join(r.dir, 'restic-out');
    tasks.push({
      key: 'restic.restore',
      tool: 'restic',
      label: 'restic restore latest',
      display: 'restic restore latest -q -r R --target OUT',
      prepare: async (r) => {
        fresh(out(r));
        await quietCache(resticRepo(r));
      },
      cmd: (r) => ({ shell: `${resticEnv(r)}restic restore latest -q -r ${q(resticRepo(r))} --target ${q(out(r))}` }),
      after: async (r, _m, c) => {
        // restic stores the absolute path of what it backed up
        const root = existsSync(path.join(out(r), 'repo')) ? out(r) : path.join(out(r), inDir);
        if (c.rep === 0) await check('restic restore (peer)', root, c);
        rmSync(out(r), { recursive: true, force: true });
      },
    });
  }
  if (tools.borg.version) {
    const out = (r) => path.join(r.dir, 'borg-out');
    tasks.push({
      key: 'borg.extract',
      tool: 'borg',
      label: 'borg extract',
      display: 'borg extract R::bench   (cwd OUT)',
      prepare: async (r) => {
        fresh(out(r));
        await quietCache(path.join(r.dir, 'borg-repo'));
      },
      cmd: (r) => ({
        shell: `BORG_BASE_DIR=${q(path.join(r.dir, 'borg-base'))} borg extract ${q(`${path.join(r.dir, 'borg-repo')}::bench`)}`,
        cwd: out(r),
      }),
      after: async (r, _m, c) => {
        if (c.rep === 0) await check('borg extract (peer)', out(r), c);
        rmSync(out(r), { recursive: true, force: true });
      },
    });
  }

  // The restore of a chain's 5th incremental against the restore of the full one above: the
  // chain's overhead (each link's manifest authenticated, the files taken by path from the full
  // snapshot's archive). Links 2-5 are made untimed before it, of the same unchanged tree.
  const chainOut = (r) => path.join(r.dir, 'ripcord-chain-out');
  tasks.push({
    key: 'ripcord.restore-chain',
    tool: 'ripcord',
    label: 'ripcord restore of the 5th incremental',
    display:
      'ripcord restore ID5 --repo R --target OUT --yes --no-pre-restore -q   (ID5: four more incrementals of the unchanged tree on the one above, made untimed)',
    prepare: async (r) => {
      fresh(chainOut(r));
      if (!r.unchangedId) throw new BenchError('the chain needs the incremental backup task before it');
      let id = r.unchangedId;
      for (let i = 2; i <= 5; i++) {
        const made = await run({ argv: incrementalBackup(ripcordRepo(r), inDir) }, { env });
        const next = made.stdout.trim();
        const metadata = JSON.parse(readFileSync(path.join(ripcordRepo(r), next, 'snapshot.json'), 'utf8'));
        if (metadata.parent !== id) throw new BenchError(`incremental ${i} (${next}) is not on ${id}`);
        id = next;
      }
      r.chainId = id;
      await quietCache(ripcordRepo(r));
    },
    cmd: (r) => ({
      argv: [
        node,
        cli,
        'restore',
        r.chainId,
        '--repo',
        ripcordRepo(r),
        '--target',
        chainOut(r),
        '--yes',
        '--no-pre-restore',
        '-q',
      ],
    }),
    after: async (r, _m, c) => {
      await check('ripcord restore of the 5th incremental', chainOut(r), c);
      rmSync(chainOut(r), { recursive: true, force: true });
    },
  });
  tasks.push({
    key: 'ripcord.verify-read-data',
    tool: 'ripcord',
    label: 'ripcord verify --read-data',
    display: 'ripcord verify --read-data ID --repo R -q',
    cmd: (r) => ({ argv: [node, cli, 'verify', '--read-data', r.ripcordId, '--repo', ripcordRepo(r), '-q'] }),
  });
  tasks.push({
    key: 'ripcord.verify',
    tool: 'ripcord',
    label: 'ripcord verify (checksums)',
    display: 'ripcord verify ID --repo R -q',
    cmd: (r) => ({ argv: [node, cli, 'verify', r.ripcordId, '--repo', ripcordRepo(r), '-q'] }),
    // what it reads and hashes: every stored object of the snapshot
    after: (r) => ({
      hashedBytes: readdirSync(path.join(ripcordRepo(r), r.ripcordId)).reduce(
        (s, f) => s + fileBytes(path.join(ripcordRepo(r), r.ripcordId, f)),
        0,
      ),
    }),
  });
  if (peers) {
    tasks.push({
      key: 'sha256sum.archive',
      tool: 'sha256sum',
      label: 'sha256sum archive.tar.gz.pgp',
      display: 'sha256sum ID/archive.tar.gz.pgp   (the same ripcord archive)',
      cmd: (r) => ({ argv: ['sha256sum', archiveOf(r)] }),
      after: (r) => ({ hashedBytes: fileBytes(archiveOf(r)) }),
    });
  }

  // One small file out of the 500 MB snapshot: ripcord reads the gzip members that hold it
  // (by the manifest's index), restic the blobs that do.
  const dumped = pickDumpFile(inDir);
  tasks.push({
    key: 'ripcord.dump',
    tool: 'ripcord',
    label: 'ripcord dump (one small file)',
    display: `ripcord dump ID ${dumped.path} --repo R   (${dumped.bytes} bytes)`,
    cmd: (r) => ({ argv: [node, cli, 'dump', r.ripcordId, dumped.path, '--repo', ripcordRepo(r)] }),
    after: (_r, m) => {
      if (m.stdout !== dumped.text)
        throw new BenchError(`ripcord dump of ${dumped.path} printed other bytes than the file's`);
      return {};
    },
  });
  // The same dump from a copy of the snapshot on S3 (s3rver here): Range GETs of the members
  // that hold the file, counted as the body bytes the server sent for the archive.
  let s3Snapshot;
  tasks.push({
    key: 'ripcord.dump-s3',
    tool: 'ripcord',
    label: 'ripcord dump from S3 (one small file)',
    display: `ripcord dump ID ${dumped.path} --repo s3://bench/repo --s3-endpoint S3   (S3: s3rver on 127.0.0.1; the snapshot copied there once, untimed)`,
    prepare: async (r) => {
      if (!s3Snapshot) {
        await run(
          {
            argv: [
              node,
              cli,
              'copy',
              r.ripcordId,
              '--repo',
              ripcordRepo(r),
              '--to',
              's3://bench/repo',
              '--s3-endpoint',
              s3.endpoint,
              '-q',
            ],
          },
          { env },
        );
        s3Snapshot = r.ripcordId;
      }
      s3.clear();
    },
    cmd: () => ({
      argv: [node, cli, 'dump', s3Snapshot, dumped.path, '--repo', 's3://bench/repo', '--s3-endpoint', s3.endpoint],
    }),
    after: async (_r, m) => {
      if (m.stdout !== dumped.text)
        throw new BenchError(`ripcord dump of ${dumped.path} from S3 printed other bytes than the file's`);
      return { archiveReadBytes: await s3.servedBytes('/archive.tar.gz.pgp'), readBytes: await s3.servedBytes('') };
    },
  });
  if (tools.restic.version) {
    tasks.push({
      key: 'restic.dump',
      tool: 'restic',
      label: 'restic dump (one small file)',
      display: `restic dump -q -r R latest /${dumped.path}`,
      cmd: (r) => ({ shell: `${resticEnv(r)}restic dump -q -r ${q(resticRepo(r))} latest ${q(`/${dumped.path}`)}` }),
      after: (_r, m) => {
        if (m.stdout !== dumped.text)
          throw new BenchError(`restic dump of ${dumped.path} printed other bytes than the file's`);
        return {};
      },
    });
  }

  // Tens of thousands of small files: a full backup of an installed node_modules (this
  // project's own, copied once), ripcord against restic's first backup of the same tree.
  if (smallFiles) {
    const nmRepo = (r) => path.join(r.dir, 'ripcord-nm-repo');
    tasks.push({
      key: 'ripcord.backup-small-files',
      tool: 'ripcord',
      label: 'ripcord backup (node_modules)',
      display: `ripcord backup --repo R -q -C NM node_modules   (NM: a copy of this project's node_modules, ${smallFiles.files} files, ${(smallFiles.bytes / 1e6).toFixed(0)} MB)`,
      prepare: async (r) => {
        rmSync(nmRepo(r), { recursive: true, force: true });
        await warmInput(smallFiles.dir);
      },
      cmd: (r) => ({ argv: [node, cli, 'backup', '--repo', nmRepo(r), '-q', '-C', smallFiles.dir, 'node_modules'] }),
      after: (r) => {
        rmSync(nmRepo(r), { recursive: true, force: true });
        return {};
      },
    });
    if (tools.restic.version) {
      const resticNm = (r) => path.join(r.dir, 'restic-nm-repo');
      tasks.push({
        key: 'restic.backup-small-files',
        tool: 'restic',
        label: 'restic backup (node_modules)',
        display: 'restic backup -q -r R node_modules   (cwd NM; first run, after an untimed restic init)',
        prepare: async (r) => {
          rmSync(resticNm(r), { recursive: true, force: true });
          await run({ shell: `${resticEnv(r)}restic init -q -r ${q(resticNm(r))}` }, { env });
          await warmInput(smallFiles.dir);
        },
        cmd: (r) => ({
          shell: `${resticEnv(r)}restic backup -q -r ${q(resticNm(r))} node_modules`,
          cwd: smallFiles.dir,
        }),
        after: (r) => {
          rmSync(resticNm(r), { recursive: true, force: true });
          return {};
        },
      });
    }
  }
  // A guarded deploy that changes 10 of the 2,001 files of ~90 MB of state and fails its
  // validation: the phases ripcord times itself (its --json report), with the pre-deploy
  // snapshot taken by default (auto: an incremental on an earlier snapshot, made untimed) and
  // with --level full into an empty repository.
  if (deployState) {
    const breaks = 'for i in 1 2 3 4 5 6 7 8 9 10; do echo changed >> state/conf/d$i/f$i.yaml; done';
    const deployRun = (variant) => {
      const folder = (r) => path.join(r.dir, `deploy-${variant}`);
      const repo = (r) => path.join(r.dir, `deploy-${variant}-repo`);
      return {
        prepare: async (r) => {
          rmSync(folder(r), { recursive: true, force: true });
          rmSync(repo(r), { recursive: true, force: true });
          mkdirSync(folder(r), { recursive: true });
          await run({ argv: ['cp', '-a', deployState.dir, path.join(folder(r), 'state')] });
          if (variant === 'auto')
            await run({ argv: [node, cli, 'backup', '--repo', repo(r), '-q', '-C', folder(r), 'state'] }, { env });
        },
        cmd: (r) => ({
          argv: [
            node,
            cli,
            'deploy',
            '--repo',
            repo(r),
            '--paths',
            'state',
            ...(variant === 'full' ? ['--level', 'full'] : []),
            '--validate',
            '! grep -q changed state/conf/d1/f1.yaml',
            '--json',
            '--',
            'sh',
            '-c',
            breaks,
          ],
          cwd: folder(r),
          expectCode: 10,
        }),
        after: (r, m) => {
          const report = JSON.parse(m.stdout);
          if (report.result !== 'rolled-back')
            throw new BenchError(`the ${variant} deploy ended ${report.result}, not rolled-back`);
          if ((variant === 'auto') !== Boolean(report.preDeployParent))
            throw new BenchError(`the ${variant} deploy's pre-deploy snapshot is not the level asked for`);
          if (readFileSync(path.join(folder(r), 'state/conf/d7/f7.yaml'), 'utf8').includes('changed'))
            throw new BenchError(`the ${variant} deploy's rollback left a changed file`);
          rmSync(folder(r), { recursive: true, force: true });
          rmSync(repo(r), { recursive: true, force: true });
          return { rollbackS: report.timings.rollbackMs / 1000, snapshotS: report.timings.snapshotMs / 1000 };
        },
      };
    };
    tasks.push({
      key: 'ripcord.deploy-rollback',
      tool: 'ripcord',
      label: 'ripcord deploy, rolled back',
      display: `ripcord deploy --repo R --paths state --validate CHECK --json -- sh -c '${breaks}'   (cwd: ${deployState.files} files, ${(deployState.bytes / 1e6).toFixed(0)} MB; after an untimed backup of it)`,
      ...deployRun('auto'),
    });
    tasks.push({
      key: 'ripcord.deploy-rollback-full',
      tool: 'ripcord',
      label: 'ripcord deploy --level full, rolled back',
      display: `ripcord deploy --repo R --paths state --level full --validate CHECK --json -- sh -c '...'   (the same, into an empty repository)`,
      ...deployRun('full'),
    });
  }
  // The second backup after a small change of a tree with a large file in it: a copy of the
  // input plus 100 MB of random bytes in state/big/db.bin, backed up once by each tool into a
  // repository of its own that lasts the whole run (untimed). Before each round's pair, once for
  // both, 1 % of the files get a line appended and 1 MB of random bytes is inserted into the
  // middle of db.bin (which grows by 1 MB a round); each tool then backs the tree up on its own
  // backup of the round before. Stored: what the repository's files grew by.
  const change = {
    dir: path.join(work, 'change'),
    tree: path.join(work, 'change', 'tree'),
    ripcordRepo: path.join(work, 'change', 'ripcord-repo'),
    resticRepo: path.join(work, 'change', 'restic-repo'),
    // restic keeps its cache from one backup to the next, as it would between two real ones
    resticEnv: `RESTIC_CACHE_DIR=${q(path.join(work, 'change', 'restic-cache'))} `,
    ready: false,
    editedRound: -1,
    ripcordId: '',
    ripcordBefore: 0,
    resticBefore: 0,
  };
  const BIG = 'state/big/db.bin';
  const BIG_BYTES = 100e6;
  const INSERT_BYTES = 1e6;
  /** bytes of AES-256-CTR keystream into file, as make-dataset.sh makes its blobs (its key, a
   * counter range of its own: the dataset's blobs start theirs at 1..15 << 64) */
  const keystream = (bytes, counter, file) =>
    run({
      shell: `head -c ${bytes} /dev/zero | openssl enc -aes-256-ctr -nosalt -K ${DATASET_BLOB_KEY} -iv ${counter.toString(16).padStart(16, '0')}${'0'.repeat(16)} -out ${q(file)}`,
    });
  /** the regular files under the tree's repo/ and state/ but db.bin, sorted */
  const changeFiles = () => {
    const found = [];
    const walk = (rel) => {
      for (const e of readdirSync(path.join(change.tree, rel), { withFileTypes: true })) {
        const child = `${rel}/${e.name}`;
        if (e.isDirectory()) walk(child);
        else if (e.isFile() && child !== BIG) found.push(child);
      }
    };
    walk('repo');
    walk('state');
    return found.sort();
  };
  /** The copy and each tool's first backup of it, once; then round r's change, once for both. */
  const changeFor = async (r) => {
    if (!change.ready) {
      log(
        '  second backup after a change: copying the input, adding 100 MB of random bytes, a first backup by each tool (untimed)',
      );
      fresh(change.dir);
      await run({ argv: ['cp', '-a', inDir, change.tree] });
      mkdirSync(path.join(change.tree, path.dirname(BIG)), { recursive: true });
      await keystream(BIG_BYTES, 0x100, path.join(change.tree, BIG));
      const made = await run(
        { argv: [node, cli, 'backup', '--repo', change.ripcordRepo, '-q', '-C', change.tree, 'repo', 'state'] },
        { env },
      );
      change.ripcordId = made.stdout.trim();
      if (tools.restic.version) {
        await run({ shell: `${change.resticEnv}restic init -q -r ${q(change.resticRepo)}` }, { env });
        await run(
          { shell: `${change.resticEnv}restic backup -q -r ${q(change.resticRepo)} repo state` },
          { env, cwd: change.tree },
        );
      }
      change.ready = true;
    }
    if (change.editedRound === r.rep) return;
    const files = changeFiles();
    let changed = 0;
    for (let i = r.rep % 100; i < files.length; i += 100, changed++)
      appendFileSync(path.join(change.tree, files[i]), `\n# ripcord-bench change, round ${r.rep}\n`);
    const inserted = path.join(change.dir, 'insert.bin');
    await keystream(INSERT_BYTES, 0x200 + r.rep, inserted);
    const big = path.join(change.tree, BIG);
    const old = readFileSync(big);
    const middle = Math.floor(old.length / 2);
    writeFileSync(big, Buffer.concat([old.subarray(0, middle), readFileSync(inserted), old.subarray(middle)]));
    rmSync(inserted);
    change.editedRound = r.rep;
    log(
      `  changed ${changed} of ${files.length} files and inserted 1 MB at ${middle} of ${BIG} (now ${(statSync(big).size / 1e6).toFixed(0)} MB)`,
    );
  };
  tasks.push({
    key: 'ripcord.backup-change',
    tool: 'ripcord',
    label: 'ripcord backup --level incremental (1 % changed, 1 MB inserted)',
    display: `ripcord backup --level incremental --repo R -q -C COPY repo state   (COPY: a copy of DATASET plus ${BIG}, 100 MB of random bytes; R: ripcord's backups of COPY, kept from round to round, the round before's the newest; before each round 1 % of COPY's files get a line appended and 1 MB of random bytes is inserted into the middle of ${BIG}; output: what R's files grew by)`,
    prepare: async (r) => {
      await changeFor(r);
      change.ripcordBefore = (await treeSize(change.ripcordRepo)).bytes ?? 0;
      await warmInput(change.tree);
    },
    cmd: () => ({ argv: incrementalBackup(change.ripcordRepo, change.tree) }),
    after: async (_r, m) => {
      const id = m.stdout.trim();
      const folder = path.join(change.ripcordRepo, id);
      if (!/^\S+$/.test(id) || !existsSync(path.join(folder, 'snapshot.json')))
        throw new BenchError(`ripcord backup --level incremental printed "${id}", which is not a committed snapshot`);
      const metadata = JSON.parse(readFileSync(path.join(folder, 'snapshot.json'), 'utf8'));
      if (metadata.level !== 'incremental' || metadata.parent !== change.ripcordId)
        throw new BenchError(
          `ripcord backup --level incremental made ${id}, not an incremental on ${change.ripcordId}`,
        );
      change.ripcordId = id;
      return {
        outputBytes: ((await treeSize(change.ripcordRepo)).bytes ?? 0) - change.ripcordBefore,
        snapshotBytes: (await treeSize(folder)).bytes,
      };
    },
  });
  if (tools.restic.version) {
    tasks.push({
      key: 'restic.backup-change',
      tool: 'restic',
      label: 'restic backup (1 % changed, 1 MB inserted)',
      display:
        "restic backup -q -r R repo state   (cwd COPY, the same change; R: restic's backups of COPY and its cache, kept from round to round; output: what R's files grew by)",
      prepare: async (r) => {
        await changeFor(r);
        change.resticBefore = (await treeSize(change.resticRepo)).bytes ?? 0;
        await warmInput(change.tree);
      },
      cmd: () => ({
        shell: `${change.resticEnv}restic backup -q -r ${q(change.resticRepo)} repo state`,
        cwd: change.tree,
      }),
      after: async () => ({ outputBytes: ((await treeSize(change.resticRepo)).bytes ?? 0) - change.resticBefore }),
    });
  }
  return tasks;
}

/** A file of 8-16 KB from the dataset's repo/ (the middle one of them, sorted): what the dump tasks print. */
function pickDumpFile(inDir) {
  const found = [];
  const walk = (rel) => {
    for (const name of readdirSync(path.join(inDir, rel)).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      const stats = statSync(path.join(inDir, child));
      if (stats.isDirectory()) walk(child);
      else if (stats.isFile() && stats.size >= 8192 && stats.size <= 16384) found.push(child);
    }
  };
  walk('repo');
  if (found.length === 0) throw new BenchError('the dataset has no file of 8-16 KB under repo/ to dump');
  const chosen = found[Math.floor(found.length / 2)];
  const text = readFileSync(path.join(inDir, chosen), 'utf8');
  return { path: chosen, text, bytes: Buffer.byteLength(text) };
}

/**
 * The state a guarded deploy changes, made once under the cache folder: 2,000 YAML files of
 * about 35 KB in 40 folders and a 20 MiB blob, from a fixed seed (~90 MB).
 */
async function ensureDeployState() {
  const dir = path.join(benchDir, 'deploy-state');
  const stamp = path.join(benchDir, 'deploy-state.done');
  if (!existsSync(stamp)) {
    log(`deploy state: writing 2,000 YAML files and a 20 MiB blob under ${path.relative(ROOT, dir) || dir}`);
    rmSync(dir, { recursive: true, force: true });
    let seed = 1;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let i = 0; i < 2000; i++) {
      const folder = path.join(dir, 'conf', `d${i % 40}`);
      mkdirSync(folder, { recursive: true });
      let text = '';
      while (text.length < 35000) text += `key_${next() % 1000}: value-${next()} # ${'x'.repeat(next() % 40)}\n`;
      writeFileSync(path.join(folder, `f${i}.yaml`), text);
    }
    const blob = Buffer.alloc(20 << 20);
    for (let i = 0; i < blob.length; i += 32) createHash('sha256').update(`blob-${i}`).digest().copy(blob, i);
    writeFileSync(path.join(dir, 'blob.bin'), blob);
    writeFileSync(stamp, 'done\n');
  }
  const { files = 0, bytes = 0 } = await treeSize(dir);
  return { dir, files, bytes };
}

/** A copy of this project's node_modules under the cache folder, made once; its size. */
async function ensureSmallFilesTree() {
  const dir = path.join(benchDir, 'small-files');
  const source = path.join(ROOT, 'node_modules');
  if (!existsSync(source)) return undefined;
  if (!existsSync(path.join(dir, 'node_modules'))) {
    log(`small-files input: copying ${path.relative(ROOT, source)} to ${path.relative(ROOT, dir) || dir}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await run({ argv: ['cp', '-a', source, path.join(dir, 'node_modules')] });
  }
  const { files = 0, bytes = 0 } = await treeSize(path.join(dir, 'node_modules'));
  return { dir, files, bytes };
}

/** VERSION_RUNS starts of `node ...args`, each timed around the spawn; the output of the last. */
function timeStarts(node, args, env, what) {
  const runsMs = [];
  let output = '';
  for (let i = 0; i < VERSION_RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(node, args, { encoding: 'utf8', env });
    runsMs.push(round(Number(process.hrtime.bigint() - t0) / 1e6, 1));
    if (r.status !== 0) throw new BenchError(`${what} failed: ${r.stderr}`);
    output = r.stdout.trim();
  }
  return { runsMs, output };
}

/**
 * Commands a target compares run back to back, and take turns going first (ripcord first in
 * odd rounds): a machine whose speed drifts over minutes then slows both sides of a pair alike.
 */
const PAIRS = [
  ['ripcord.backup', 'restic.backup'],
  ['ripcord.backup-small-files', 'restic.backup-small-files'],
  ['ripcord.backup-unchanged', 'restic.backup-unchanged'],
  ['ripcord.restore', 'gpgtar.restore'],
  ['ripcord.dump', 'restic.dump'],
  ['ripcord.backup-change', 'restic.backup-change'],
];

/** What a command needs to have run before it in the same round (for --task). */
const NEEDS = {
  'restic.backup': ['restic.init'],
  'ripcord.backup-unchanged': ['ripcord.backup'],
  'restic.backup-unchanged': ['restic.backup'],
  'borg.create': ['borg.init'],
  'ripcord.restore': ['ripcord.backup'],
  'gpgtar.restore': ['gpgtar.backup'],
  'ripcord.gpg-tar': ['ripcord.backup'],
  'restic.restore': ['restic.backup'],
  'borg.extract': ['borg.create'],
  'ripcord.restore-chain': ['ripcord.backup-unchanged'],
  'ripcord.verify-read-data': ['ripcord.backup'],
  'ripcord.verify': ['ripcord.backup'],
  'sha256sum.archive': ['ripcord.backup'],
  'ripcord.dump': ['ripcord.backup'],
  'ripcord.dump-s3': ['ripcord.backup'],
  'restic.dump': ['restic.backup'],
};

/** --task: the commands asked for and those they need, in the usual order. */
function selectTasks(tasks, keys) {
  const known = tasks.map((t) => t.key);
  const unknown = keys.filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new BenchError(`--task: no command ${unknown.join(', ')} in this run; its commands: ${known.join(', ')}`);
  const wanted = new Set();
  const want = (key) => {
    if (wanted.has(key)) return;
    wanted.add(key);
    for (const k of NEEDS[key] ?? []) want(k);
  };
  for (const k of keys) want(k);
  return tasks.filter((t) => wanted.has(t.key));
}

function roundOrder(tasks, rep) {
  const order = [...tasks];
  if (rep % 2 === 1) return order;
  for (const [a, b] of PAIRS) {
    const i = order.findIndex((t) => t.key === a);
    const j = order.findIndex((t) => t.key === b);
    if (i >= 0 && j === i + 1) [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

// ---- memory scaling: the same backup over 2 and 4 whole copies of the input --------------------
async function runScaling({ cli, node, input, env }) {
  const scaleDir = path.join(benchDir, options.quick ? 'scale-quick' : 'scale');
  const copies = Math.max(...SCALES) - 1;
  const stamp = path.join(scaleDir, 'input.sha256');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8').trim() !== input.hash) {
    log(`memory scaling: making ${copies} copies of the input under ${path.relative(ROOT, scaleDir) || scaleDir}`);
    rmSync(scaleDir, { recursive: true, force: true });
    for (let i = 1; i <= copies; i++) {
      mkdirSync(path.join(scaleDir, `c${i}`), { recursive: true });
      await run({
        argv: ['cp', '-a', path.join(input.dir, 'repo'), path.join(input.dir, 'state'), path.join(scaleDir, `c${i}`)],
      });
    }
    writeFileSync(stamp, `${input.hash}\n`);
  }
  for (let i = 1; i <= copies; i++) {
    const d = await treeDigest(path.join(scaleDir, `c${i}`));
    if (d.content !== input.hash)
      throw new BenchError(`scaling copy c${i} does not match the input; delete ${scaleDir}`);
  }
  log('memory scaling: reading every copy once to warm the page cache (untimed)');
  await sh(`find ${shellQuote(scaleDir)} -type f -exec cat {} + > /dev/null`);

  const scaleRel = path.relative(benchDir, scaleDir);
  /** @type {{ copies: number, paths: string[], inputBytes: number, files: number, runs: Record<string, number | null>[], median?: Record<string, number | null> }[]} */
  const points = SCALES.map((k) => ({
    copies: k,
    paths: [path.relative(benchDir, input.dir), ...Array.from({ length: k - 1 }, (_, i) => `${scaleRel}/c${i + 1}`)],
    inputBytes: input.bytes * k,
    files: input.files * k,
    runs: [],
  }));
  for (let rep = 1; rep <= options.runs; rep++) {
    for (const p of points) {
      const repo = path.join(work, `scale-repo-${p.copies}`);
      rmSync(repo, { recursive: true, force: true });
      await settle();
      const m = await measure(
        { argv: [node, cli, 'backup', '--repo', repo, '-q', '-C', benchDir, ...p.paths] },
        { cwd: work, env },
      );
      const id = m.stdout.trim();
      const archiveBytes = statSync(path.join(repo, id, 'archive.tar.gz.pgp')).size;
      p.runs.push({
        wallS: m.wallS,
        cpuS: m.cpuS,
        userS: m.userS,
        sysS: m.sysS,
        peakRssMiB: m.peakRssMiB,
        otherCpuS: m.otherCpuS,
        archiveBytes,
      });
      log(
        `  ripcord backup x${p.copies} (${(p.inputBytes / 1e9).toFixed(2)} GB) round ${rep}: ${m.wallS.toFixed(2)} s wall, ${m.cpuS.toFixed(2)} s cpu, ${m.peakRssMiB.toFixed(0)} MiB${m.otherCpuS ? ` (other processes: ${m.otherCpuS.toFixed(1)} s cpu)` : ''}`,
      );
      rmSync(repo, { recursive: true, force: true });
    }
  }
  for (const p of points) {
    p.median = {};
    for (const k of ['wallS', 'cpuS', 'peakRssMiB', 'otherCpuS', 'archiveBytes'])
      p.median[k] = median(p.runs.map((x) => x[k]));
  }
  return {
    method: `whole copies of the input (cp -a) under ${path.basename(scaleDir)}/; the x1 point is the main ripcord backup runs`,
    points,
  };
}

/** --render: the page again from stored runs, their targets recomputed from their measurements (and stored back in them). */
function renderStored(files) {
  const runs = files
    .split(',')
    .filter(Boolean)
    .map((file) => {
      const jsonPath = path.relative(BENCH, path.resolve(BENCH, file)).split(path.sep).join('/');
      if (!existsSync(path.join(BENCH, jsonPath)))
        throw new BenchError(
          `${file}: no such stored run in bench/ (give a path like results/<date>-<commit>-node24.json)`,
        );
      const report = JSON.parse(readFileSync(path.join(BENCH, jsonPath), 'utf8'));
      report.targets = computeTargets(report);
      // The verdicts are derived from the measurements, which stay as they were: a target added
      // since the run reads "not measured" in the run's record as on the page.
      writeFileSync(path.join(BENCH, jsonPath), `${JSON.stringify(report, null, 2)}\n`);
      return { report, jsonPath };
    });
  writeFileSync(path.join(BENCH, 'README.md'), renderReadme(runs));
  log(`wrote bench/README.md from ${runs.map((r) => r.jsonPath).join(', ')}`);
}

(options.render ? Promise.resolve().then(() => renderStored(options.render)) : main()).catch((error) => {
  log(`BENCHMARK FAILED: ${error instanceof BenchError ? error.message : error.stack}`);
  if (!options.render) log(`scratch files left in ${work} for inspection`);
  if (gnupgHome) spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: gnupgHome } });
  process.exit(1);
});
