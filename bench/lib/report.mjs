// @ts-check
// Targets (fixed: never adjust them to fit a result) and the bench/README.md page.

const MB = 1e6;

/**
 * A run's JSON record (bench/results/*.json), as bench/run.mjs fills it in; read field by field.
 * @typedef {any} Report
 */
/** @typedef {{ name: string, goal: string, measured: string, ratio: number | null, status: 'met' | 'NOT MET' | 'not measured' }} Target */

/**
 * Each target: name, goal, measured (text), ratio, status 'met' | 'NOT MET' | 'not measured'.
 * @param {Report} report @returns {Target[]}
 */
export function computeTargets(report) {
  const M = report.measurements;
  /** @type {(key: string, field?: string) => number | null} */
  const med = (key, field = 'wallS') => M[key]?.median?.[field] ?? null;
  /** @type {(copies: number) => number | null} */
  const scale = (copies) =>
    report.scaling?.points?.find((/** @type {any} */ p) => p.copies === copies)?.median?.peakRssMiB ?? null;
  /** @type {(key: string, fallback: string) => string} */
  const why = (key, fallback) => (M[key] ? fallback : missingReason(report, key));
  /** @type {Target[]} */
  const targets = [];
  /** @type {(name: string, goal: string, measured: string, ratio: number | null, pass: (ratio: number) => boolean, missing: string) => void} */
  const add = (name, goal, measured, ratio, pass, missing) => {
    const status = ratio === null || Number.isNaN(ratio) ? 'not measured' : pass(ratio) ? 'met' : 'NOT MET';
    targets.push({
      name,
      goal,
      measured: status === 'not measured' ? missing : measured,
      ratio: ratio === null ? null : round3(ratio),
      status,
    });
  };

  const backup = med('ripcord.backup');
  const restic = med('restic.backup');
  add(
    'backup wall time <= restic first backup',
    'ratio <= 1.00',
    `${s(backup)} vs ${s(restic)}${perRound(M, 'ripcord.backup', 'restic.backup')}`,
    ratioOf(backup, restic),
    (r) => r <= 1.0,
    why('restic.backup', ''),
  );

  const smallFiles = med('ripcord.backup-small-files');
  const resticSmallFiles = med('restic.backup-small-files');
  add(
    'backup of node_modules (tens of thousands of small files) <= restic first backup',
    'ratio <= 1.00',
    `${s(smallFiles)} vs ${s(resticSmallFiles)}${perRound(M, 'ripcord.backup-small-files', 'restic.backup-small-files')}`,
    ratioOf(smallFiles, resticSmallFiles),
    (r) => r <= 1.0,
    why('restic.backup-small-files', missingReason(report, 'ripcord.backup-small-files')),
  );

  const unchanged = med('ripcord.backup-unchanged');
  const resticUnchanged = med('restic.backup-unchanged');
  add(
    'incremental backup of the unchanged tree <= restic second backup',
    'ratio <= 1.00',
    `${s(unchanged)} vs ${s(resticUnchanged)}${perRound(M, 'ripcord.backup-unchanged', 'restic.backup-unchanged')}`,
    ratioOf(unchanged, resticUnchanged),
    (r) => r <= 1.0,
    why('restic.backup-unchanged', missingReason(report, 'ripcord.backup-unchanged')),
  );
  const unchangedFiles = med('ripcord.backup-unchanged', 'files');
  const perTenThousand = unchanged !== null && unchangedFiles ? unchanged / (unchangedFiles / 10000) : null;
  add(
    'incremental backup: <= 0.25 s per 10,000 unchanged files (whole command, start-up included)',
    'ratio <= 1.00 (of 0.25 s)',
    perTenThousand === null
      ? ''
      : `${perTenThousand.toFixed(3)} s per 10,000 files (${s(unchanged)} for ${unchangedFiles} files)`,
    perTenThousand === null ? null : perTenThousand / 0.25,
    (r) => r <= 1.0,
    missingReason(report, 'ripcord.backup-unchanged'),
  );

  const changed = med('ripcord.backup-change');
  const resticChanged = med('restic.backup-change');
  add(
    'incremental backup after 1 % of files changed and 1 MB inserted into a 100 MB file <= restic second backup',
    'ratio <= 1.00',
    `${s(changed)} vs ${s(resticChanged)}${perRound(M, 'ripcord.backup-change', 'restic.backup-change')}`,
    ratioOf(changed, resticChanged),
    (r) => r <= 1.0,
    why('restic.backup-change', missingReason(report, 'ripcord.backup-change')),
  );
  const changedBytes = med('ripcord.backup-change', 'outputBytes');
  const resticChangedBytes = med('restic.backup-change', 'outputBytes');
  add(
    "incremental backup after 1 % of files changed and 1 MB inserted into a 100 MB file: stored bytes <= restic's",
    'ratio <= 1.00',
    `${mb(changedBytes)} vs ${mb(resticChangedBytes)}${perRound(M, 'ripcord.backup-change', 'restic.backup-change', 'outputBytes')}`,
    ratioOf(changedBytes, resticChangedBytes),
    (r) => r <= 1.0,
    why('restic.backup-change', missingReason(report, 'ripcord.backup-change')),
  );

  const archive = med('ripcord.backup', 'archiveBytes');
  const targz = med('targz.create', 'outputBytes');
  add(
    'ripcord archive no more than 10% larger than tar | gzip -6',
    'ratio <= 1.10',
    `${mb(archive)} vs ${mb(targz)}`,
    ratioOf(archive, targz),
    (r) => r <= 1.1,
    why('targz.create', ''),
  );

  const restore = med('ripcord.restore');
  const gpgRestore = med('gpgtar.restore');
  add(
    'restore wall time <= gpg -d | gzip -d | tar -x',
    'ratio <= 1.00',
    `${s(restore)} vs ${s(gpgRestore)}${perRound(M, 'ripcord.restore', 'gpgtar.restore')}`,
    ratioOf(restore, gpgRestore),
    (r) => r <= 1.0,
    why('gpgtar.restore', ''),
  );

  const chainRestore = med('ripcord.restore-chain');
  add(
    'restore of the 5th incremental <= 1.2x the restore of the full snapshot',
    'ratio <= 1.20',
    `${s(chainRestore)} vs ${s(restore)}`,
    ratioOf(chainRestore, restore),
    (r) => r <= 1.2,
    missingReason(report, 'ripcord.restore-chain'),
  );

  const dump = med('ripcord.dump');
  const resticDump = med('restic.dump');
  add(
    'dump of one small file from the snapshot <= restic dump',
    'ratio <= 1.00',
    `${s(dump)} vs ${s(resticDump)}${perRound(M, 'ripcord.dump', 'restic.dump')}`,
    ratioOf(dump, resticDump),
    (r) => r <= 1.0,
    why('restic.dump', missingReason(report, 'ripcord.dump')),
  );
  add(
    'dump of one small file from the snapshot < 0.3 s (whole command, start-up included)',
    'ratio < 1.00 (of 0.3 s)',
    `${s(dump)}`,
    dump === null ? null : dump / 0.3,
    (r) => r < 1.0,
    missingReason(report, 'ripcord.dump'),
  );
  const s3Read = med('ripcord.dump-s3', 'archiveReadBytes');
  add(
    'dump of one small file from the snapshot on S3 (s3rver): < 2 MB of the archive read',
    'ratio < 1.00 (of 2 MB)',
    s3Read === null
      ? ''
      : `${(s3Read / MB).toFixed(2)} MB of the ${((med('ripcord.backup', 'archiveBytes') ?? 0) / MB).toFixed(1)} MB archive (${((med('ripcord.dump-s3', 'readBytes') ?? 0) / MB).toFixed(2)} MB read in all, the manifest included), in ${s(med('ripcord.dump-s3'))}`,
    s3Read === null ? null : s3Read / 2e6,
    (r) => r < 1.0,
    missingReason(report, 'ripcord.dump-s3'),
  );
  const rollback = med('ripcord.deploy-rollback', 'rollbackS');
  const rollbackFull = med('ripcord.deploy-rollback-full', 'rollbackS');
  add(
    'failed deploy of ~90 MB of state, 10 files changed: rollback phase < 1 s',
    'ratio < 1.00 (of 1 s)',
    `${s(rollback)} (pre-deploy snapshot an incremental, the default); ${s(rollbackFull)} after a full one`,
    rollback === null ? null : Math.max(rollback, rollbackFull ?? 0) / 1.0,
    (r) => r < 1.0,
    missingReason(report, 'ripcord.deploy-rollback'),
  );
  const snapshotPhase = med('ripcord.deploy-rollback', 'snapshotS');
  const snapshotFull = med('ripcord.deploy-rollback-full', 'snapshotS');
  add(
    'that deploy with an earlier snapshot: pre-deploy snapshot <= half the full one (proportional to the change)',
    'ratio <= 0.50',
    `${s(snapshotPhase)} vs ${s(snapshotFull)}`,
    ratioOf(snapshotPhase, snapshotFull),
    (r) => r <= 0.5,
    missingReason(report, 'ripcord.deploy-rollback-full'),
  );

  const readData = med('ripcord.verify-read-data');
  add(
    'verify --read-data no slower than restore',
    'ratio <= 1.00',
    `${s(readData)} vs ${s(restore)}`,
    ratioOf(readData, restore),
    (r) => r <= 1.0,
    '',
  );

  const verify = med('ripcord.verify');
  const sha = med('sha256sum.archive');
  const verifyRate = verify && (med('ripcord.verify', 'hashedBytes') ?? 0) / verify;
  const shaRate = sha && (med('sha256sum.archive', 'hashedBytes') ?? 0) / sha;
  add(
    'checksum-only verify at >= 90% of sha256sum throughput',
    'ratio >= 0.90',
    `${rate(verifyRate)} vs ${rate(shaRate)}`,
    ratioOf(verifyRate, shaRate),
    (r) => r >= 0.9,
    why('sha256sum.archive', ''),
  );

  const backupRss = med('ripcord.backup', 'peakRssMiB');
  add('backup peak RSS <= 128 MiB', 'ratio <= 1.00', `${mib(backupRss)}`, ratioOf(backupRss, 128), (r) => r <= 1.0, '');
  const restoreRss = med('ripcord.restore', 'peakRssMiB');
  add(
    'restore peak RSS <= 128 MiB',
    'ratio <= 1.00',
    `${mib(restoreRss)}`,
    ratioOf(restoreRss, 128),
    (r) => r <= 1.0,
    '',
  );
  const chainRss = med('ripcord.restore-chain', 'peakRssMiB');
  add(
    'restore of the 5th incremental: peak RSS <= 128 MiB',
    'ratio <= 1.00',
    `${mib(chainRss)}`,
    ratioOf(chainRss, 128),
    (r) => r <= 1.0,
    missingReason(report, 'ripcord.restore-chain'),
  );
  // issue 19: "peak RSS stays under 128 MiB for all of these"
  for (const { key, what } of [
    { key: 'ripcord.backup-unchanged', what: 'incremental backup of the unchanged tree' },
    { key: 'ripcord.backup-change', what: 'incremental backup after 1 % of files changed and 1 MB inserted' },
    { key: 'ripcord.backup-small-files', what: 'backup of node_modules' },
  ]) {
    const rss = med(key, 'peakRssMiB');
    add(
      `${what}: peak RSS <= 128 MiB`,
      'ratio <= 1.00',
      `${mib(rss)}`,
      ratioOf(rss, 128),
      (r) => r <= 1.0,
      missingReason(report, key),
    );
  }
  const rss1 = scale(2);
  add(
    `backup of ~1 GB (${gb(pointBytes(report, 2))}) peak RSS < 150 MiB`,
    'ratio < 1.00',
    `${mib(rss1)}`,
    ratioOf(rss1, 150),
    (r) => r < 1.0,
    'scaling run missing',
  );
  const rss2 = scale(4);
  add(
    `backup of ~2 GB (${gb(pointBytes(report, 4))}) peak RSS within 10% of ~0.5 GB (${gb(report.input?.bytes)})`,
    '0.90 <= ratio <= 1.10',
    `${mib(rss2)} vs ${mib(backupRss)}`,
    ratioOf(rss2, backupRss),
    (r) => Math.abs(r - 1) <= 0.1,
    'scaling run missing',
  );
  const startup = report.startup?.medianMs ?? null;
  add(
    'ripcord --version start-up < 150 ms',
    'ratio < 1.00',
    `${startup?.toFixed(1)} ms`,
    ratioOf(startup, 150),
    (r) => r < 1.0,
    '',
  );
  return targets;
}

/**
 * The ratio within each round, where the two ran back to back: how far machine noise moves it.
 * @param {Report['measurements']} M @param {string} key @param {string} peer @param {string} [field]
 */
function perRound(M, key, peer, field = 'wallS') {
  const a = M[key]?.runs ?? [];
  const b = M[peer]?.runs ?? [];
  if (a.length === 0 || a.length !== b.length) return '';
  return ` (each round: ${a.map((/** @type {any} */ run, /** @type {number} */ i) => (run[field] / b[i][field]).toFixed(2)).join(', ')})`;
}

/** @param {Report} report @param {string} key */
function missingReason(report, key) {
  const tool = key.split('.')[0] ?? '';
  if (report.options?.only === 'ripcord') return 'peers skipped (--only ripcord)';
  const status = report.tools?.[tool]?.status;
  if ((tool === 'restic' || tool === 'borg') && !/^available/.test(status ?? ''))
    return `${tool} ${status ?? 'skipped'}`;
  if (report.options?.tasks) return 'not run (not among --task)';
  return 'not run (the benchmark had no such command then)';
}

/** @param {Report} report @param {number} copies @returns {number | null} */
function pointBytes(report, copies) {
  return report.scaling?.points?.find((/** @type {any} */ p) => p.copies === copies)?.inputBytes ?? null;
}

/** @param {number | null | undefined | false | 0} a @param {number | null} b */
function ratioOf(a, b) {
  return typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null;
}

/** @param {number} x */
const round3 = (x) => Math.round(x * 1000) / 1000;
/** @param {number | null} x */
const s = (x) => (x === null ? 'n/a' : `${x.toFixed(2)} s`);
/** @param {number | null} x */
const mb = (x) => (x === null ? 'n/a' : `${(x / MB).toFixed(1)} MB`);
/** @param {number | null | undefined} x */
const gb = (x) => (x === null || x === undefined ? 'n/a' : `${(x / 1e9).toFixed(2)} GB`);
/** @param {number | null} x */
const mib = (x) => (x === null ? 'n/a' : `${x.toFixed(1)} MiB`);
/** @param {number | null | false | 0} x */
const rate = (x) => (x === null || !x ? 'n/a' : `${(x / MB).toFixed(0)} MB/s`);

// ---- README --------------------------------------------------------------------------------
/** @param {unknown} text */
const esc = (text) => String(text).replace(/\|/g, '\\|');

/**
 * The page of record from one or more runs, one per Node version (the first is the Action's
 * runtime): a table of every target on each version, then each run in full.
 * @param {{ report: Report, jsonPath: string }[]} runs
 */
export function renderReadme(runs) {
  /** @type {string[]} */
  const L = [];
  L.push('# ripcord benchmark', '');
  L.push(
    '`npm run bench` is the benchmark of record. **This page is written by it** (from `bench/lib/report.mjs`); do not edit the figures by hand. ' +
      `It runs the whole benchmark once for each Node version, ripcord on that Node and the peers as they are: ${runs.map((r) => `Node ${r.report.machine.node}`).join(', ')}.`,
    '',
  );
  L.push('## Targets on each Node version', '');
  L.push(
    `| target | goal | ${runs.map((r) => `Node ${r.report.machine.node}`).join(' | ')} |`,
    `|---|---|${runs.map(() => '---|').join('')}`,
  );
  const first = /** @type {Target[]} */ (runs[0]?.report.targets ?? []);
  for (const [i, t] of first.entries()) {
    const cells = runs.map(({ report }) => {
      const x = report.targets[i];
      return `${x.ratio === null ? 'n/a' : x.ratio.toFixed(3)} ${x.status === 'met' ? 'met' : `**${x.status}**`}`;
    });
    L.push(`| ${esc(t.name)} | ${t.goal} | ${cells.join(' | ')} |`);
  }
  L.push('');
  for (const { report, jsonPath } of runs) L.push(...renderRun(report, jsonPath));
  L.push(METHOD);
  return `${L.join('\n')}\n`;
}

/**
 * One run's section of the page: what ran, its targets and every figure.
 * @param {Report} report @param {string} jsonPath
 */
function renderRun(report, jsonPath) {
  const m = report.machine;
  /** @type {string[]} */
  const L = [];
  /** @type {(r: any, f: string, digits: number) => string} */
  const runsOf = (r, f, digits) =>
    r.runs.map((/** @type {any} */ x) => (x[f] === undefined ? '' : x[f].toFixed(digits))).join(' / ');
  /** @type {(r: any, f: string, digits: number) => string} */
  const cell = (r, f, digits) =>
    r.median?.[f] === undefined ? 'n/a' : `**${r.median[f].toFixed(digits)}** (${runsOf(r, f, digits)})`;

  L.push(`## On Node ${m.node}`, '');
  L.push('Raw results: ' + `[\`bench/${jsonPath}\`](${jsonPath}).`, '');
  L.push('### This run', '');
  L.push('| | |', '|---|---|');
  L.push(`| date | ${report.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} |`);
  L.push(`| commit | \`${report.git.commit}\`${report.git.dirty ? ' (uncommitted changes in the work tree)' : ''} |`);
  if (report.distStale)
    L.push(`| note | \`${report.distStale}\` was newer than \`dist/cli.cjs\`: the build measured may lag the source |`);
  L.push(`| machine | ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB memory, Linux ${m.kernel} |`);
  L.push(`| software | node ${m.node}; ${m.gpg}; ${m.tar}; ${m.gzip}; ${m.sha256sum}; ${m.gnuTime} |`);
  L.push(
    `| peers | restic: ${report.tools.restic.status}${m.restic ? ` (${m.restic})` : ''}; borg: ${report.tools.borg.status}${m.borg ? ` (${m.borg})` : ''} |`,
  );
  L.push(
    `| dataset | \`${report.dataset.hash}\` (make-dataset.sh manifest hash; ${report.dataset.files} files, ${(report.dataset.bytes / MB).toFixed(1)} MB${report.dataset.reused ? ', reused from the cache' : ', generated by this run'}) |`,
  );
  L.push(`| input | ${report.input.label}: ${report.input.files} files, ${(report.input.bytes / MB).toFixed(1)} MB |`);
  L.push(
    `| repetitions | ${report.options.runs} measured per command, after one untimed warm-up run of each; medians in bold, each run in brackets |`,
  );
  if (report.pageCache) L.push(`| page cache | ${report.pageCache} |`);
  L.push(
    `| load average | ${report.loadAverage.start} at the start, ${report.loadAverage.end} at the end (1, 5, 15 min) |`,
  );
  L.push(`| total run time | ${(report.durationS / 60).toFixed(1)} min (\`npm run bench\`, everything included) |`);
  L.push('');

  L.push('### Targets', '');
  L.push('Fixed targets from the issue tracker; a target that is not met stays NOT MET here.', '');
  L.push('| target | goal | measured (medians) | ratio | result |', '|---|---|---|---|---|');
  for (const t of report.targets)
    L.push(
      `| ${esc(t.name)} | ${t.goal} | ${t.measured} | ${t.ratio === null ? 'n/a' : t.ratio.toFixed(3)} | ${t.status === 'met' ? 'met' : `**${t.status}**`} |`,
    );
  L.push('');

  L.push('### Measurements', '');
  L.push(
    `Wall time, CPU time (user + sys of the whole process tree) and peak RSS (largest single process of the tree, see below). CPU use = CPU time / wall time; ${m.nproc} cores make ${m.nproc * 100}% the ceiling. Sizes in MB (10^6 bytes), memory in MiB (2^20 bytes).`,
    '',
  );
  L.push(
    '| command | wall s | CPU s | CPU use | peak RSS MiB | output MB | other CPU s |',
    '|---|---|---|---|---|---|---|',
  );
  for (const [key, r] of Object.entries(report.measurements)) {
    if (r.runs.length === 0) {
      if (r.warmup) {
        const w = r.warmup;
        L.push(
          `| ${esc(r.label)} (once, in the warm-up round) | ${w.wallS.toFixed(2)} (1 run) | ${w.cpuS.toFixed(2)} | ${pct(w.cpuS, w.wallS)} | ${w.peakRssMiB.toFixed(1)} | | ${other(w.otherCpuS)} |`,
        );
      }
      continue;
    }
    const out =
      r.median.outputBytes === undefined
        ? ''
        : `${(r.median.outputBytes / MB).toFixed(1)}${key === 'ripcord.backup' ? ` (archive ${(r.median.archiveBytes / MB).toFixed(1)} + manifest ${(r.median.manifestBytes / MB).toFixed(1)})` : ''}`;
    L.push(
      `| ${esc(r.label)} | ${cell(r, 'wallS', 2)} | ${cell(r, 'cpuS', 2)} | ${pct(r.median.cpuS, r.median.wallS)} | ${cell(r, 'peakRssMiB', 1)} | ${out} | ${other(r.median.otherCpuS)} |`,
    );
  }
  for (const tool of ['restic', 'borg']) {
    if (!report.tools[tool].status.startsWith('available'))
      L.push(`| ${tool} (backup, restore) | ${report.tools[tool].status} | | | | | |`);
  }
  L.push('');
  L.push(
    'Exact commands (`R` a fresh repository per repetition, `OUT` a fresh empty folder, `DATASET` the input):',
    '',
  );
  for (const r of Object.values(report.measurements)) L.push(`- ${r.label}: \`${r.command}\``);
  L.push(
    '',
    `"other CPU s" is the CPU time the rest of the machine used while the command ran (from \`/proc/stat\`, hypervisor steal included): on a shared machine, the noise behind a figure. Load average at the start of the run: ${report.loadAverage.start}; at the end: ${report.loadAverage.end}.`,
  );
  L.push('');

  L.push('### Memory scaling', '');
  L.push(`The same \`ripcord backup\` over ${report.scaling.method}.`, '');
  L.push(
    '| input | files | wall s | CPU s | peak RSS MiB | archive MB | other CPU s |',
    '|---|---|---|---|---|---|---|',
  );
  const main = report.measurements['ripcord.backup'];
  L.push(
    `| ${gb(report.input.bytes)} (x1) | ${report.input.files} | ${cell(main, 'wallS', 2)} | ${cell(main, 'cpuS', 2)} | ${cell(main, 'peakRssMiB', 1)} | ${(main.median.archiveBytes / MB).toFixed(1)} | ${other(main.median.otherCpuS)} |`,
  );
  for (const p of report.scaling.points) {
    L.push(
      `| ${gb(p.inputBytes)} (x${p.copies}) | ${p.files} | ${cell(p, 'wallS', 2)} | ${cell(p, 'cpuS', 2)} | ${cell(p, 'peakRssMiB', 1)} | ${(p.median.archiveBytes / MB).toFixed(1)} | ${other(p.median.otherCpuS)} |`,
    );
  }
  L.push('');

  L.push('### Start-up', '');
  L.push(
    `\`${report.startup.command}\` (prints \`${report.startup.output}\`), ${report.startup.runsMs.length} runs after one warm-up: median **${report.startup.medianMs.toFixed(1)} ms**; runs: ${report.startup.runsMs.join(', ')} ms.`,
    '',
  );
  const node = report.startup.node;
  if (node) {
    const ca = node.extraCaCerts
      ? " NODE_EXTRA_CA_CERTS is set in this environment: every Node process, ripcord's included, parses that certificate bundle at start-up, and the figures above include it."
      : '';
    L.push(
      `Node itself on this machine (\`${node.command}\`, ${node.runsMs.length} runs): median ${node.medianMs.toFixed(1)} ms.${ca}`,
      '',
    );
  }

  L.push('### Correctness', '');
  L.push(
    "Every ripcord restore of every repetition, the GnuPG + tar emergency restore of the ripcord archive, and each peer restore in the warm-up round are compared with the input: the make-dataset.sh manifest hash (sha256 over the sorted `sha256sum` lines of every file) and a digest of every file's mode, mtime and size. Any mismatch fails the benchmark before anything is written.",
    '',
  );
  for (const c of report.correctness)
    L.push(
      `- ${c.ok ? 'ok' : 'FAILED'}: ${c.what} (round ${c.round}): \`${c.got}\`${c.metaOk ? ', modes/mtimes/sizes match' : ''}`,
    );
  L.push('');

  return L;
}

/** @param {unknown} x */
function other(x) {
  return typeof x === 'number' ? x.toFixed(1) : '';
}

/** @param {number | undefined} cpu @param {number | undefined} wall */
function pct(cpu, wall) {
  return cpu === undefined || !wall ? '' : `${Math.round((cpu / wall) * 100)}%`;
}

const METHOD = `## How it measures

- **Dataset.** \`../shared/bench/make-dataset.sh\` (or its copy \`bench/make-dataset.sh\` in a clone without
  \`shared/\` beside it) generates it once into \`$RIPCORD_BENCH_DIR/dataset\`
  (default \`.bench/dataset\`, git-ignored) and the manifest hash it prints is stored next to it in
  \`dataset.sha256\`. Later runs recompute the hash and reuse the dataset only when it matches;
  otherwise they regenerate it. All tools back up the same two folders, \`repo\` and \`state\`.
- **Round-robin.** Each round runs every command once, tools alternating (restic init, then
  ripcord backup and restic backup back to back, then the tar/gzip/gpg backup, borg, tar | gzip;
  then ripcord restore and the gpg/gzip/tar restore back to back, then the other restores; then
  the verifies and \`sha256sum\`). The two commands of each such pair take turns going first
  (ripcord first in odd rounds), and the default count of rounds is even so that each goes first
  as often. The targets table gives the ratio within
  each round next to the ratio of medians: this machine's speed drifts by tens of percent over
  minutes, and the ratio within a round shows how much. Round 0 is an untimed warm-up: every command runs once
  first so that the input and the tools are in the page cache. All figures are warm-cache figures (see **Page cache**).
  Every repetition uses fresh repositories, caches
  (\`RESTIC_CACHE_DIR\`, \`BORG_BASE_DIR\`) and restore folders, so backup figures are first-run
  figures (but for the pair below). Medians over the measured rounds are reported.
- **Second backup after a change.** One pair keeps its repositories from round to round: a copy
  of the input with 100 MB of random bytes added (\`state/big/db.bin\`, AES-256-CTR keystream as
  the dataset's blobs, from a counter range of its own), backed up once by ripcord and by restic
  (untimed, restic keeping its cache). Before that pair in every round, the warm-up included,
  and once for both of its commands, a change that depends on the round's number only: every
  100th of the other files in sorted order (starting at the round's number) gets a line
  appended, and 1 MB of random bytes (another counter range each round) is inserted into the
  middle of \`db.bin\` (rewritten in place, 1 MB larger each round). Each tool then backs the
  tree up on its own backup of the round before; its output is what its repository's files
  grew by.
- **Writeback.** Before each measured command the harness runs \`sync\` (untimed): the files a
  command before it wrote (a restore leaves half a GB in the page cache, not yet on disk) are
  then not written back while the next one is being measured.
- **Page cache.** Where the harness may (root), it empties the page cache before each restore,
  ripcord's and its peers', then reads back in the restore's input, not the programs: a cold
  start of node reads about 40 ms more from disk than a warm one, but with node's binary in the
  cache the kernel maps more of it into the process as it faults pages in, and peak RSS (GNU
  time's) counts those pages: a backup on Node 24 measured 127 MiB after the cache was emptied
  and 155 MiB with the binary read back in, the same anonymous memory. Before each backup that a target compares,
  its input is read back in as well: after a restore had emptied the cache, whichever backup of
  a pair went first read its input cold and the second found it warm (the node_modules pair
  went 1.43, 0.75, 1.37, 0.79, 1.38, 0.83 round by round with the order of the pair, and the
  first-run pair 5-15% apart the same way, on 2 and 7 December 2026).
- **Shared machine.** Other work may run on the same machine (this one has 2 cores). Before each
  measured command the harness waits up to 10 s (180 s per benchmark in all) for the rest of the
  machine to use less than a quarter of a core over one second, and for each command it reports
  "other CPU s": the CPU the rest of the machine used meanwhile (\`/proc/stat\`). A figure with a
  large "other CPU s" was slowed by it; the individual runs are listed next to each median.
- **Wrapper.** Each measured command runs as \`/usr/bin/time -f '%e %U %S %M' CMD\` (GNU time, from
  Debian's \`time\` package, installed when missing); pipelines run as \`bash -o pipefail -c '...'\`
  under it. Wall time is taken by the harness (monotonic clock around the spawn). CPU time is
  user + sys summed over the whole process tree. **Peak RSS is the largest single process** of
  the tree (GNU time reports the child's \`ru_maxrss\`, which Linux takes over waited-for
  descendants as a maximum, not a sum): for a pipeline such as \`tar | gzip | gpg\` it is an
  under-estimate of the pipeline's total memory (the sum of each process's peak would be an
  over-estimate, since they need not peak together). For ripcord, a single process, it is exact.
  \`ripcord\` is \`node dist/cli.cjs\`, the installed command (package.json \`bin\`), run from a
  copy of \`dist/\` taken when the benchmark starts, so a concurrent rebuild cannot change what
  is measured.
- **Peers.** \`gpg\` runs with \`--batch --pinentry-mode loopback --passphrase-file\`,
  \`--cipher-algo AES256\` (what ripcord uses) and \`--compress-algo none\`: gpg's own default
  would compress the already-gzipped stream a second time. The gpg agent is started before the
  measurements. restic and borg are installed with \`apt-get install -y restic borgbackup\` (after
  \`apt-get update\`) when missing and running as root; when they still are not there they are
  reported as "skipped: not installable here", never estimated. \`restic init\` and
  \`borg init\` are measured separately from the first backup; the backup targets compare with
  the backup alone. borg uses its default compression (lz4). Output size is
  \`archive.tar.gz.pgp\` + \`manifest.json.pgp\` for ripcord (the size target uses the archive
  alone), the file size for tar/gzip/gpg, and \`du -sb\` of the repository for restic and borg.
- **Verify throughput.** Checksum-only \`ripcord verify\` reads and hashes every stored object of
  the snapshot; \`sha256sum\` hashes the same \`archive.tar.gz.pgp\`. Throughput = bytes hashed /
  wall time, start-up included for both.
- **Memory scaling.** The x1 point is the main \`ripcord backup\` runs. The x2 (~1 GB) and x4
  (~2 GB) points back up the input plus 1 and 3 whole copies of it (\`cp -a\`, real copies: files,
  names and bytes scale together), kept in \`$RIPCORD_BENCH_DIR/scale\` between runs. Before
  those runs every copy is read once (untimed) to warm the page cache instead of a warm-up backup.
- **Start-up.** \`node dist/cli.cjs --version\`, timed by the harness around the spawn, one untimed
  warm-up then 20 runs, median.

## Running it

\`\`\`sh
npm run build          # the benchmark measures dist/
npm run bench          # full run on Node 24, then on Node 20: 6 repetitions, peers, scaling; writes this page and bench/results/<date>-<commit>-node<major>.json
npm run bench -- --runs 10        # more repetitions (keep it even): steadier medians on a noisy machine
npm run bench -- --quick          # smoke test: repo/ + 3 logs, 1 repetition; writes bench/results/quick-*.json only
npm run bench -- --only ripcord   # skip the peers (their targets show "not measured")
npm run bench -- --quick --task ripcord.backup-change,restic.backup-change   # only these commands (and those they need); no scaling; writes bench/results/quick-*.json (partial-*.json without --quick) only
npm run bench -- --no-readme      # leave this page alone
npm run bench -- --node 24        # one Node version only (a major, installed from the npm registry if needed, or a path to a node binary)
npm run bench -- --render results/<run>.json,results/<run>.json   # measure nothing: this page again from stored runs
\`\`\`

The page must be exactly what its run renders (\`test/project/bench.test.ts\` checks it): after a
change to the page's layout in \`bench/lib/report.mjs\`, \`--render\` the run of record again
rather than editing the page.

\`RIPCORD_BENCH_DIR\` moves the cache and scratch folder (default \`.bench\` in the project: the
dataset, its hash, the scaling copies and \`work/\`, which is removed after a successful run and
left for inspection after a failed one). Progress goes to stderr. Needs bash, GNU tar, gzip,
gpg, coreutils, python3 and openssl (for the dataset), and GNU time; about 2.5 GB of free disk
for the scaling copies plus about 3.5 GB of scratch space.
`;
