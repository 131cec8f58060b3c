#!/usr/bin/env node
// @ts-check
// The test runner behind `npm test` and `npm run test:unit`: each test file runs in its own
// uvu process (Node with tsx), one more at once than the machine has cores, so that one file's
// child processes, servers and waits overlap with another's work. A file's output is shown
// whole only when it fails; the run ends with uvu's own totals and one line
// "N passed, N failed", and exits non-zero if any test or any file failed.
//
//   node test/run.mjs [--tier unit|all] [--jobs N] [PATTERN]
//
// --tier unit: the fast tier (domain, archive, ops, in-memory and local stores, project
// structure, and the CLI and Action tests that run in this process); everything that starts
// servers, builds the bundle, runs the reliability trials or the big end-to-end files is in
// `all` (the default) only. PATTERN (a regular expression) keeps the files whose path under
// test/ it matches.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const TEST_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(TEST_DIR);

/**
 * Files left out of the unit tier: each takes more than about ten seconds here, or needs a
 * server, the bundle, another user or a Debian tool beyond gpg and tar. Everything else is in it.
 */
const NOT_UNIT = [
  /^reliability\//,
  /^project\/(dist|docs|package|workflows)\.test\.ts$/,
  /^archive\/(openpgp|differential)\.test\.ts$/,
  /^storage\/(s3-store|s3-ranged|actions-cache-store)\.test\.ts$/,
  /^scripts\//,
  /^action\/action\.test\.ts$/,
  /^cli\/(backup|deploy|observability|restore|restore-confinement|s3|signing)\.test\.ts$/,
];

/**
 * The files that take longest here (about 4 s or more each, longest first, as measured on
 * Node 24 with two files at a time): they start first, longest first, so that the run does not
 * end with one long file running alone. Files not listed follow, the rest of the slow tier's
 * before the unit tier's.
 */
const LONGEST_FIRST = [
  'reliability/crash.test.ts',
  'archive/openpgp.test.ts',
  'cli/s3.test.ts',
  'reliability/storage-faults.test.ts',
  'scripts/scripts.test.ts',
  'reliability/secrets.test.ts',
  'reliability/concurrency.test.ts',
  'storage/s3-store.test.ts',
  'storage/actions-cache-store.test.ts',
  'action/action.test.ts',
  'project/docs.test.ts',
  'reliability/hostile.test.ts',
  'cli/restore.test.ts',
  'archive/differential.test.ts',
  'cli/backup.test.ts',
  'project/package.test.ts',
  'cli/deploy.test.ts',
  'cli/observability.test.ts',
  'cli/signing.test.ts',
  'reliability/confinement.test.ts',
  'ops/restore.test.ts',
  'cli/restore-confinement.test.ts',
  'project/workflows.test.ts',
  'cli/incremental.test.ts',
  'ops/block-delta.test.ts',
  'cli/locks.test.ts',
  'ops/incremental-property.test.ts',
  'cli/diff-dump.test.ts',
  'ops/copy.test.ts',
  'ops/incremental.test.ts',
  'archive/tar-reader.test.ts',
  'project/dist.test.ts',
  'project/chain-by-hand.test.ts',
  'cli/plaintext.test.ts',
  'reliability/disk-full.test.ts',
  'domain/retention.test.ts',
  'archive/pack.test.ts',
  'action/untrusted-text.test.ts',
  'ops/stage-writer.test.ts',
  'cli/prune.test.ts',
  'ops/dump.test.ts',
];

/** @param {string[]} argv */
function parseArgs(argv) {
  let tier = 'all';
  // One more file than cores: the files wait on servers, child processes and retries part of the
  // time. On 2 cores the whole suite took 272 s with three at a time, 304 s with two (Node 24).
  let jobs = availableParallelism() + 1;
  /** @type {RegExp | undefined} */
  let pattern;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--tier') tier = argv[++i] ?? '';
    else if (a === '--jobs') jobs = Number(argv[++i]);
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node test/run.mjs [--tier unit|all] [--jobs N] [PATTERN]\n');
      process.exit(0);
    } else if (a.startsWith('-')) fail(`unknown option ${a}`);
    else pattern = new RegExp(a);
  }
  if (tier !== 'unit' && tier !== 'all') fail('--tier takes unit or all');
  if (!Number.isInteger(jobs) || jobs < 1) fail('--jobs takes a whole number >= 1');
  return { tier, jobs, pattern };
}

/** @param {string} message @returns {never} */
function fail(message) {
  process.stderr.write(`test/run.mjs: ${message}\n`);
  process.exit(2);
}

/** Test files under test/, as paths relative to it, sorted. @param {string} dir @returns {string[]} */
function testFiles(dir = TEST_DIR) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(full));
    else if (entry.name.endsWith('.test.ts')) out.push(path.relative(TEST_DIR, full));
  }
  return out.sort();
}

/** uvu's totals from its output (colours removed). @param {string} output */
function totalsOf(output) {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const figure = (/** @type {string} */ name) => {
    const m = new RegExp(`^\\s*${name}:\\s+(\\d+)`, 'm').exec(plain);
    return m ? Number(m[1]) : undefined;
  };
  return { plain, total: figure('Total'), passed: figure('Passed'), skipped: figure('Skipped') };
}

/**
 * One file in its own uvu process. @param {string} file
 * @returns {Promise<{ file: string, code: number | null, output: string, seconds: number }>}
 */
function runFile(file) {
  const started = Date.now();
  const pattern = `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
  return new Promise((resolve) => {
    // A larger young generation: the test files allocate fast (trees, archives, manifests) and
    // V8's default collects them often; 32 MiB took the unit tier from 99 s to 94 s here.
    const child = spawn(
      process.execPath,
      ['--max-semi-space-size=32', '--import', 'tsx', 'node_modules/uvu/bin.js', 'test', pattern],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    /** @type {Buffer[]} */
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    child.on('close', (code) =>
      resolve({ file, code, output: Buffer.concat(chunks).toString(), seconds: (Date.now() - started) / 1000 }),
    );
  });
}

async function main() {
  const { tier, jobs, pattern } = parseArgs(process.argv.slice(2));
  const files = testFiles().filter(
    (f) => (tier === 'all' || !NOT_UNIT.some((re) => re.test(f))) && (!pattern || pattern.test(f)),
  );
  if (files.length === 0) fail('no test file matches');
  const started = Date.now();
  // The longest files first, so that the last minutes are not one long file running alone.
  const slow = (/** @type {string} */ f) => NOT_UNIT.some((re) => re.test(f));
  const listed = LONGEST_FIRST.filter((f) => files.includes(f));
  const rest = files.filter((f) => !listed.includes(f));
  const queue = [...listed, ...rest.filter(slow), ...rest.filter((f) => !slow(f))];
  let total = 0;
  let passed = 0;
  let skipped = 0;
  /** @type {string[]} */
  const failedFiles = [];
  let withoutTotals = 0; // files that ended before uvu printed its totals: one failed test each
  const worker = async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const run = await runFile(file);
      const counts = totalsOf(run.output);
      const complete = counts.total !== undefined && counts.passed !== undefined;
      const failures = (counts.total ?? 1) - (counts.passed ?? 0) - (counts.skipped ?? 0);
      total += counts.total ?? 0;
      passed += counts.passed ?? 0;
      skipped += counts.skipped ?? 0;
      const ok = run.code === 0 && complete && failures === 0;
      process.stdout.write(
        `${ok ? 'ok  ' : 'FAIL'} ${file} (${counts.passed ?? 0}/${counts.total ?? '?'}, ${run.seconds.toFixed(1)} s)\n`,
      );
      if (!ok) {
        failedFiles.push(file);
        // the failing file's report as uvu printed it, with the test names prefixed by FAIL
        process.stdout.write(`${counts.plain.trimEnd()}\n`);
        if (!complete) {
          withoutTotals += 1;
          process.stdout.write(`   FAIL ${file}: the file ended (exit ${run.code}) without uvu's totals\n`);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));
  const failed = total - passed - skipped + withoutTotals;
  process.stdout.write(
    `\n  Total:     ${total}\n  Passed:    ${passed}\n  Skipped:   ${skipped}\n  Duration:  ${((Date.now() - started) / 1000).toFixed(1)}s (${files.length} files, ${jobs} at a time)\n`,
  );
  if (failedFiles.length) process.stdout.write(`files with failures: ${failedFiles.join(', ')}\n`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exitCode = failed > 0 || failedFiles.length > 0 ? 1 : 0;
}

await main();
