#!/usr/bin/env node
// @ts-check
// A guarded deploy of a local service: your deploy and check commands, ripcord's snapshot
// (with --capture, also state that is not a file) and rollback. Exit 0 deployed; 10 rolled back; 20 the rollback failed (act now); 1 failed.
import { $, argv, chalk, question } from 'zx';
import {
  decryptionKeysFrom,
  DEFAULT_EXCLUDES,
  describeOrigin,
  describeRepository,
  encryptionKeysFrom,
  openStore,
  parseCaptureSpec,
  parseDuration,
  repositorySkip,
  runGuardedDeploy,
} from 'ripcord-backup';
import { commandLine, usage } from 'ripcord-backup/scripts/lib/command-line.mjs';

const USAGE = `Usage: ripcord-deploy-with-rollback --deploy CMD [--check CMD]... [options]
       (in a clone: npx zx scripts/deploy-with-rollback.mjs ...)

Snapshots --paths, runs --deploy, runs every --check; if the deploy or a check fails, restores
the snapshot, runs --on-rollback and checks again. Commands run with sh -c in --directory.

Options:
  --deploy CMD           your deploy command, e.g. './deploy.sh' (required)
  --check CMD            a check that must exit 0, e.g. 'curl -fsS http://127.0.0.1:8080/health' (repeatable)
  --health-url URL       a URL that must answer 2xx (repeatable)
  --on-rollback CMD      run after the files are restored, e.g. 'systemctl restart app'
  --status CMD           printed after the report (default: the first --check)
  --retries N            extra check attempts before rolling back (default: 0)
  --interval DURATION    wait between attempts (default: 5s)
  --timeout DURATION     limit per check per attempt (default: 60s)
  --paths P1,P2          what the deploy changes (default: the directory without ${DEFAULT_EXCLUDES.join(', ')})
  --capture NAME='CMD'   also snapshot the stdout of CMD as .ripcord-captured/NAME, e.g.
                         db='sqlite3 app.db .dump' (repeatable)
  --restore-capture NAME='CMD'
                         on rollback, feed the captured NAME to CMD on stdin, e.g.
                         db='rm -f app.db && sqlite3 app.db' (repeatable)
  --directory DIR, -C    where commands run; paths are relative to it (default: the working directory)
  --tag TAG              label the pre-deploy snapshot (repeatable)
  --repo URL             repository (default: $RIPCORD_REPO, else ./.ripcord)
  --passphrase-file FILE read the passphrase from FILE instead of $RIPCORD_PASSPHRASE
  --yes                  deploy without asking (needed without a terminal)
  --dry-run              run the preflight checks and show the plan, deploy nothing
  --debug                print stack traces on failure
  --help                 show this help

Keys: RIPCORD_PASSPHRASE, or RIPCORD_RECIPIENTS + RIPCORD_IDENTITY (a rollback must read the snapshot).
`;

const { answerHelp, text, list, flag, directory, repository, keyInputsFrom, exitWith } = commandLine(
  'deploy-with-rollback',
  argv,
);

answerHelp(USAGE);

try {
  const cwd = directory();
  const repo = repository(process.env);
  const [deploy, onRollback, checks, healthUrls] = [
    text('deploy'),
    text('on-rollback'),
    list('check'),
    list('health-url'),
  ];
  const paths = list('paths').flatMap((p) => p.split(','));
  const captures = list('capture').map((spec) => parseCaptureSpec(spec, '--capture'));
  const restoreCaptures = list('restore-capture').map((spec) => parseCaptureSpec(spec, '--restore-capture'));
  const uncaptured = restoreCaptures.find((r) => !captures.some((c) => c.name === r.name));
  if (uncaptured)
    throw usage(
      `--restore-capture ${uncaptured.name}: nothing is captured under that name (add --capture ${uncaptured.name}='CMD')`,
    );
  const validation = {
    commands: checks,
    healthUrls,
    retries: Number(text('retries') ?? 0),
    intervalMs: parseDuration(text('interval') ?? '5s'),
    timeoutMs: parseDuration(text('timeout') ?? '60s'),
  };
  if (!deploy) throw usage('which deploy? give --deploy CMD (see --help)');
  if (argv._.length)
    throw usage(`unexpected argument ${argv._[0]}: quote the deploy command, --deploy './deploy.sh --prod'`);
  if (!Number.isInteger(validation.retries) || validation.retries < 0)
    throw usage(`--retries ${argv.retries}: give a whole number`);

  // Preflight: keys first, then the user's own deploy command must be there to run.
  const keyInputs = keyInputsFrom(process.env);
  const keys = await encryptionKeysFrom(keyInputs);
  const decryptionKeys = await decryptionKeysFrom(keyInputs);
  const sh = $({ cwd, nothrow: true, quiet: true });
  const [program = ''] = deploy.trim().split(/\s+/);
  if (program.includes('/')) {
    if (!(await sh`test -f ${program}`).ok) throw usage(`--deploy: ${program} does not exist in ${cwd}`);
    if (!(await sh`test -x ${program}`).ok) throw usage(`--deploy: ${program} is not executable (chmod +x ${program})`);
  } else if (/^[\w.-]+$/.test(program) && !(await sh`command -v ${program}`).ok) {
    throw usage(`--deploy: ${program} is not a command on PATH`);
  }

  // Summary, then confirmation unless --yes.
  console.log(`guarded deploy in ${cwd}`);
  console.log(
    `  snapshot  ${paths.length ? paths.join(', ') : `. (without ${DEFAULT_EXCLUDES.join(', ')})`} into ${describeRepository(repo)}`,
  );
  for (const capture of captures) console.log(`  capture   ${capture.name}: ${capture.command}`);
  console.log(`  deploy    ${deploy}`);
  for (const check of [...checks, ...healthUrls])
    console.log(`  check     ${check}${validation.retries ? ` (${validation.retries} retries)` : ''}`);
  if (!checks.length && !healthUrls.length)
    console.log(chalk.yellow('  check     none: only a failing deploy command rolls back'));
  const feeds = restoreCaptures.map((r) => `feed ${r.name} to ${r.command}`);
  console.log(
    `  on failure: restore the snapshot${[...feeds, ...(onRollback ? [onRollback] : [])].map((step) => `, then ${step}`).join('')}`,
  );
  if (flag('dry-run')) process.exit(0);
  if (!flag('yes')) {
    if (!process.stdin.isTTY || process.env.CI === 'true')
      throw usage('no terminal to confirm on: add --yes to deploy');
    if (!/^y(es)?$/i.test((await question('Deploy now? [y/N] ')).trim())) process.exit(1);
  }

  // Act: the snapshot, the deploy, the checks and the rollback are the library's.
  const store = await openStore(describeRepository(repo));
  let report;
  try {
    report = await runGuardedDeploy({
      store,
      cwd,
      keys,
      decryptionKeys,
      validation,
      onRollback,
      captures,
      restoreCaptures,
      command: ['sh', '-c', deploy],
      paths: paths.length ? paths : ['.'],
      exclude: paths.length ? [] : DEFAULT_EXCLUDES,
      tags: list('tag'),
      origin: await describeOrigin(cwd, process.env),
      protect: repositorySkip(repo, process.cwd()),
      env: process.env,
      output: process.stderr,
      reporter: { emit: (e) => e.type !== 'progress' && console.error(chalk.dim(`> ${e.message}`)) },
    });
  } finally {
    await store.close();
  }

  const color = { 0: chalk.green, 10: chalk.yellow }[report.exitCode] ?? chalk.red;
  console.log(
    `${color(`${report.result.replace('-', ' ').toUpperCase()} (exit ${report.exitCode})`)}  pre-deploy snapshot ${report.preDeploySnapshot}`,
  );
  if (report.failure) console.log(`  what failed   ${report.failure.detail}`);
  if (report.rollback?.brokenStateSnapshot)
    console.log(`  broken state  kept as snapshot ${report.rollback.brokenStateSnapshot}`);
  if (report.rollback?.validation)
    console.log(`  after rollback: checks ${report.rollback.validation.ok ? 'pass' : 'still FAIL'}`);
  if (report.action) console.log(chalk.red(`  ACTION: ${report.action}`));

  // The service's status now, from your own command.
  const status = text('status') ?? checks[0];
  if (status) {
    const now = await sh`sh -c ${status}`;
    console.log(`status (${status}): ${now.ok ? chalk.green('ok') : chalk.red(`exit ${now.exitCode}`)}`);
    if (now.stdall.trim()) console.log(now.stdall.trimEnd().replace(/^/gm, '  | '));
  }
  process.exitCode = report.exitCode;
} catch (error) {
  exitWith(error);
}
