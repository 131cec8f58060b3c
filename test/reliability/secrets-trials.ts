/**
 * Secrets: with a recognisable passphrase and a passphrase-protected private key, run every
 * command (successes, failures, --debug, --json), the monitoring outputs (--report,
 * --metrics-file, a Pushgateway and a webhook, both captured by a local server) and the
 * Action's main and post entry points; then search everything they produced: stdout,
 * stderr, every file in the repositories (audit records included), the targets, reports,
 * metrics, the runner's output/state/summary files, the S3 server's storage, the lock
 * folder, new temporary files, and every request the webhook and Pushgateway received.
 *
 * The needles: both passphrases (as text, base64, hex and URL-encoded), every line of the
 * armored private key that its public key does not share, and the raw secret key material
 * (binary, hex, base64) taken from the decrypted key. The files we gave ripcord as input
 * (a passphrase file, a key file) are the only ones not searched; runner `::add-mask::`
 * commands (which is how the Action asks the runner to hide a secret) are not output.
 *
 * Local repositories must hold files with mode 0600 and folders with mode 0700; the CLI
 * runs under umask 000, so every mode seen is one ripcord chose.
 */
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as openpgp from 'openpgp';
import { generateKeyPair } from '../../src/archive/openpgp-keys.ts';
import { privateFolder } from '../../src/ops/private-folder.ts';
import { parseCommandFile, readRunnerFiles, runnerEnv, runnerFiles } from '../helpers/action-runner.ts';
import { cleanEnv } from '../helpers/cli.ts';
import type { Bundle, CliExit, Rng, S3World, TrialOutcome } from './harness.ts';
import { count, DIST_BUNDLE, newOutcome, runCli, S3_BUCKET, S3_ENV, spawnWithUmask, violate } from './harness.ts';

interface Needle {
  label: string;
  bytes: Buffer;
}

export interface Secrets {
  passphrase: string;
  keyPassphrase: string;
  publicKey: string;
  privateKey: string;
  needles: Needle[];
}

function textNeedles(label: string, secret: string): Needle[] {
  return [
    { label, bytes: Buffer.from(secret) },
    { label: `${label} (base64)`, bytes: Buffer.from(Buffer.from(secret).toString('base64').replace(/=+$/, '')) },
    { label: `${label} (hex)`, bytes: Buffer.from(Buffer.from(secret).toString('hex')) },
    { label: `${label} (URL-encoded)`, bytes: Buffer.from(encodeURIComponent(secret)) },
  ];
}

/** The recognisable secrets, and every form in which they must never appear. */
export async function makeSecrets(rng: Rng): Promise<Secrets> {
  const passphrase = `RIPCORD-SECRET-PASSPHRASE-${rng.hex(24)}`;
  const keyPassphrase = `RIPCORD-SECRET-KEYPASS-${rng.hex(24)}`;
  const { publicKey, privateKey } = await generateKeyPair('Secret Holder <secret@example.com>', keyPassphrase);
  const needles = [
    ...textNeedles('the passphrase', passphrase),
    ...textNeedles('the private key passphrase', keyPassphrase),
  ];
  const armorLines = (armored: string) =>
    armored
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length >= 20 && !l.startsWith('-----') && !l.includes(':') && !l.startsWith('='));
  const publicLines = new Set(armorLines(publicKey));
  for (const line of armorLines(privateKey))
    if (!publicLines.has(line) && !publicKey.includes(line))
      needles.push({ label: 'a line of the armored private key', bytes: Buffer.from(line) });
  const decrypted = await openpgp.decryptKey({
    privateKey: await openpgp.readPrivateKey({ armoredKey: privateKey }),
    passphrase: keyPassphrase,
  });
  const packets = [decrypted.keyPacket, ...decrypted.subkeys.map((s) => s.keyPacket)];
  for (const packet of packets) {
    const params = (packet as unknown as { privateParams?: Record<string, Uint8Array> }).privateParams ?? {};
    for (const [name, value] of Object.entries(params)) {
      if (!(value instanceof Uint8Array) || value.length < 16) continue;
      const raw = Buffer.from(value);
      needles.push(
        { label: `secret key material (${name})`, bytes: raw },
        { label: `secret key material (${name}, hex)`, bytes: Buffer.from(raw.toString('hex')) },
        {
          label: `secret key material (${name}, base64)`,
          bytes: Buffer.from(raw.toString('base64').replace(/=+$/, '').slice(0, 40)),
        },
      );
    }
  }
  return { passphrase, keyPassphrase, publicKey, privateKey, needles };
}

function found(haystack: Buffer, needles: Needle[]): string[] {
  return [...new Set(needles.filter((n) => haystack.includes(n.bytes)).map((n) => n.label))];
}

/** A local server that answers 200 to anything and keeps every request (webhook, Pushgateway). */
async function captureServer(): Promise<{ url: string; requests: Buffer[]; close(): Promise<void> }> {
  const requests: Buffer[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [Buffer.from(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n`)];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Every file below `root` (not following links), with its content. */
async function filesBelow(root: string, skip: (file: string) => boolean = () => false): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (skip(full)) continue;
      if (entry.isDirectory()) await visit(full);
      else if (entry.isFile()) out.push(full);
    }
  };
  await visit(root);
  return out;
}

/** Run an Action entry point as the runner does, under umask 000. */
export async function runActionEntry(
  bundle: Bundle,
  entry: 'main' | 'post',
  options: { workspace: string; runnerTemp: string; inputs: Record<string, string>; state?: Record<string, string> },
): Promise<
  CliExit & {
    files: { output: string; state: string; summary: string };
    outputs: Record<string, string>;
    state: Record<string, string>;
  }
> {
  const stamp = `${entry}-${Date.now()}-${Math.random().toString(16).slice(2, 8)}`;
  const files = await runnerFiles(options.runnerTemp, stamp);
  const env = runnerEnv(options, files);
  const started = Date.now();
  const child = spawnWithUmask(
    process.execPath,
    [path.join(bundle.actionDir, `${entry}.js`)],
    { cwd: options.workspace, env: cleanEnv(env) },
    true,
  );
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const { code, signal } = await new Promise<{ code: number; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (c, s) => resolve({ code: c ?? -1, signal: s })),
  );
  const raw = await readRunnerFiles(files);
  return {
    code,
    signal,
    stdout: Buffer.concat(out).toString(),
    stderr: Buffer.concat(err).toString(),
    ms: Date.now() - started,
    files: raw,
    outputs: parseCommandFile(raw.output),
    state: parseCommandFile(raw.state),
  };
}

export interface SecretsOptions {
  bundle?: Bundle | undefined;
  /** also run against S3 (the server's storage is searched too) */
  s3?: S3World | undefined;
}

export async function secretsTrial(dir: string, rng: Rng, options: SecretsOptions = {}): Promise<TrialOutcome> {
  const outcome = newOutcome(
    'every command, the monitoring outputs and the Action, with a recognisable passphrase and private key',
  );
  const secrets = await makeSecrets(rng);
  const capture = await captureServer();
  const tmpBefore = new Set(await fs.readdir(tmpdir()));
  const streams: { label: string; text: string }[] = [];
  let masks = 0;

  const ws = path.join(dir, 'ws');
  await fs.mkdir(path.join(ws, 'config'), { recursive: true });
  await fs.mkdir(path.join(ws, 'scripts'), { recursive: true });
  await fs.writeFile(path.join(ws, 'config', 'app.yaml'), 'replicas: 2\n');
  await fs.writeFile(path.join(ws, 'config', 'flags.json'), '{"beta": false}\n');
  await fs.writeFile(path.join(ws, 'scripts', 'run.sh'), '#!/bin/sh\necho run\n', { mode: 0o755 });
  const inputs = path.join(dir, 'inputs');
  await fs.mkdir(inputs);
  const passphraseFile = path.join(inputs, 'passphrase.txt');
  await fs.writeFile(passphraseFile, `${secrets.passphrase}\n`, { mode: 0o600 });
  await fs.writeFile(path.join(inputs, 'wrong.txt'), 'not the passphrase\n', { mode: 0o600 });
  const identityFile = path.join(inputs, 'identity.asc');
  await fs.writeFile(identityFile, secrets.privateKey, { mode: 0o600 });
  const reports = path.join(dir, 'reports');
  await fs.mkdir(reports);
  const metrics = path.join(reports, 'metrics.prom');
  const repoA = path.join(dir, 'repo-a');
  const repoB = path.join(dir, 'repo-b');
  const repoC = path.join(dir, 'repo-c');
  const tampered = path.join(dir, 'repo-tampered');
  const hook = `${capture.url}/hook`;
  const actionWs = path.join(dir, 'action-ws');
  const runnerTemp = path.join(dir, 'runner-temp');

  const passEnv = { RIPCORD_PASSPHRASE: secrets.passphrase };
  // the key that reads public-key snapshots also signs them, so its secret is watched in both roles
  // (and signs the pre-restore snapshots of restores, which verify --all --read-data reads next)
  const signing = { RIPCORD_SIGNING_KEY: secrets.privateKey, RIPCORD_SIGNING_KEY_PASSPHRASE: secrets.keyPassphrase };
  const idEnv = {
    RIPCORD_IDENTITY: secrets.privateKey,
    RIPCORD_IDENTITY_PASSPHRASE: secrets.keyPassphrase,
    RIPCORD_TRUSTED_SIGNERS: secrets.publicKey,
    ...signing,
  };
  type Expect = 'ok' | 'fail' | number;
  const run = async (
    label: string,
    args: string[],
    env: Record<string, string>,
    expect: Expect = 'ok',
    cwd = dir,
  ): Promise<CliExit> => {
    const exit = await runCli(args, { env, cwd, bundle: options.bundle, umask0: true });
    streams.push({ label: `${label} (stdout)`, text: exit.stdout }, { label: `${label} (stderr)`, text: exit.stderr });
    count(outcome, 'commands run');
    if (args.includes('--debug')) count(outcome, 'runs with --debug');
    const ok = expect === 'ok' ? exit.code === 0 : expect === 'fail' ? exit.code !== 0 : exit.code === expect;
    if (expect !== 'ok') count(outcome, 'failing runs');
    if (!ok)
      violate(
        outcome,
        'scenario-ran-as-planned',
        `${label}: exit ${exit.code} (expected ${expect}): ${exit.stderr.trim().split('\n')[0]}`,
      );
    return exit;
  };
  const runAll = async (runs: Parameters<typeof run>[]) => {
    for (const args of runs) await run(...args);
  };
  /** restore `snapshot` from the repository `repo` names into dir/`target`, with --yes --debug and `more` */
  const restoreArgs = (snapshot: string, repo: string[], target: string, ...more: string[]) => [
    'restore',
    snapshot,
    ...repo,
    '--target',
    path.join(dir, target),
    '--yes',
    '--debug',
    ...more,
  ];
  /** a deploy of config in ws, recorded in repository A, validated by `validate`; `more` ends with -- and the command */
  const deployArgs = (validate: string, ...more: string[]) => [
    'deploy',
    '--repo',
    repoA,
    '-C',
    ws,
    '--paths',
    'config',
    '--validate',
    validate,
    ...more,
  ];
  const monitoring = (name: string) => [
    '--report',
    path.join(reports, `${name}.json`),
    '--metrics-file',
    metrics,
    '--pushgateway',
    capture.url,
    '--notify-webhook',
    hook,
    '--notify-on',
    'success',
  ];

  try {
    // Passphrase mode: every command, successes first.
    await run(
      'backup',
      ['backup', '--repo', repoA, '-C', ws, 'config', 'scripts', '--json', ...monitoring('backup')],
      passEnv,
    );
    await run(
      'backup --debug',
      ['backup', '--repo', repoA, '-C', ws, 'config', '--debug', '-q', '--tag', 'second'],
      passEnv,
    );
    await run(
      'backup --passphrase-file',
      ['backup', '--repo', repoA, '-C', ws, 'config', '--passphrase-file', passphraseFile, '--debug'],
      {},
    );
    await run('list', ['list', '--repo', repoA, '--json'], passEnv);
    await run('show', ['show', 'latest', '--repo', repoA, '--json'], passEnv);
    await run('ls', ['ls', 'latest', '--repo', repoA, '--debug'], passEnv);
    await run(
      'verify --read-data',
      ['verify', '--all', '--read-data', '--repo', repoA, '--debug', ...monitoring('verify')],
      passEnv,
    );
    await run('diff', ['diff', 'latest', '--repo', repoA, '--target', ws], passEnv, 'ok');
    await run('dump', ['dump', 'latest', 'config/app.yaml', '--repo', repoA], passEnv);
    await run(
      'restore --dry-run',
      ['restore', 'latest', '--repo', repoA, '--target', path.join(dir, 'target-1'), '--dry-run'],
      passEnv,
    );
    await run('restore', restoreArgs('latest', ['--repo', repoA], 'target-1', ...monitoring('restore')), passEnv);
    await run('copy', ['copy', '--all', '--repo', repoA, '--to', repoB, '--debug', ...monitoring('copy')], passEnv);
    await run('check', ['check', '--max-age', '1h', '--repo', repoA, '--debug', ...monitoring('check')], passEnv);
    await run(
      'deploy',
      deployArgs('true', ...monitoring('deploy'), '--', 'sh', '-c', 'echo deployed > config/deployed.txt'),
      passEnv,
    );
    await run(
      'deploy rolled back',
      deployArgs(
        'grep -q "replicas: 2" config/app.yaml',
        '--on-rollback',
        'echo rolled back',
        '--debug',
        ...monitoring('deploy-rollback'),
        '--',
        'sh',
        '-c',
        'echo broken > config/app.yaml',
      ),
      passEnv,
      10,
    );
    await run(
      'rollback',
      ['rollback', '--repo', repoA, '-C', ws, '--validate', 'true', '--debug', ...monitoring('rollback')],
      passEnv,
    );
    await run('prune', ['prune', '--repo', repoA, '--keep-last', '3', '--debug', ...monitoring('prune')], passEnv);
    await run('audit', ['audit', '--repo', repoA, '--json'], passEnv);

    // Do hooks see the secret? Only whether it is set is written, never its value.
    const sawFile = path.join(dir, 'hook-saw-passphrase.txt');
    await run(
      'deploy (hook looks at its environment)',
      deployArgs(`sh -c 'if [ -n "$RIPCORD_PASSPHRASE" ]; then echo set > ${sawFile}; fi'`, '--', 'true'),
      passEnv,
    );
    if (
      await fs.stat(sawFile).then(
        () => true,
        () => false,
      )
    )
      count(outcome, 'hooks that can read RIPCORD_PASSPHRASE from their environment');

    // Failures, with the real secret in the environment and --debug.
    await fs.cp(repoA, tampered, { recursive: true });
    for (const name of await fs.readdir(tampered)) {
      const archive = path.join(tampered, name, 'archive.tar.gz.pgp');
      const data = await fs.readFile(archive).catch(() => undefined);
      if (data) {
        data[Math.floor(data.length / 2)]! ^= 0x10;
        await fs.writeFile(archive, data);
      }
    }
    await runAll([
      [
        'verify of a damaged repository',
        ['verify', '--all', '--read-data', '--repo', tampered, '--debug', ...monitoring('verify-damaged')],
        passEnv,
        'fail',
      ],
      [
        'restore of a damaged snapshot',
        restoreArgs('latest', ['--repo', tampered], 'target-2', ...monitoring('restore-damaged')),
        passEnv,
        'fail',
      ],
      [
        'restore of a missing snapshot',
        restoreArgs('20200101T000000.000Z-dead', ['--repo', repoA], 'target-2'),
        passEnv,
        'fail',
      ],
      [
        'restore with a wrong passphrase file',
        restoreArgs('latest', ['--repo', repoA], 'target-2', '--passphrase-file', path.join(inputs, 'wrong.txt')),
        {},
        'fail',
      ],
      ['an unknown option', ['backup', '--repo', repoA, '--bogus', '--debug'], passEnv, 2],
      [
        'a repository that cannot be reached',
        [
          'backup',
          '--repo',
          `s3://${S3_BUCKET}/x`,
          '--s3-endpoint',
          'http://127.0.0.1:9',
          '-C',
          ws,
          'config',
          '--debug',
          ...monitoring('unreachable'),
        ],
        { ...passEnv, ...S3_ENV },
        'fail',
      ],
      [
        'a webhook that cannot be reached',
        [
          'backup',
          '--repo',
          repoA,
          '-C',
          ws,
          'config',
          '--debug',
          '--notify-webhook',
          'http://127.0.0.1:9/hook',
          '--notify-on',
          'success',
        ],
        passEnv,
        'ok',
      ],
      ['a missing source', ['backup', '--repo', repoA, '-C', ws, 'no-such-folder', '--debug'], passEnv, 'fail'],
    ]);

    // Public-key mode: backups hold no secret; restores need the protected private key.
    await runAll([
      [
        'backup to recipients',
        ['backup', '--repo', repoC, '-C', ws, 'config', ...monitoring('backup-public-key')],
        { RIPCORD_RECIPIENTS: secrets.publicKey, ...signing },
      ],
      [
        'restore with the private key',
        restoreArgs('latest', ['--repo', repoC], 'target-3', ...monitoring('restore-public-key')),
        idEnv,
      ],
      [
        'restore with the private key as a file',
        restoreArgs('latest', ['--repo', repoC], 'target-4'),
        {
          RIPCORD_IDENTITY: identityFile,
          RIPCORD_IDENTITY_PASSPHRASE: secrets.keyPassphrase,
          RIPCORD_TRUSTED_SIGNERS: secrets.publicKey,
          ...signing,
        },
      ],
      ['verify with the private key', ['verify', '--all', '--read-data', '--repo', repoC, '--debug'], idEnv],
      ['dump with the private key', ['dump', 'latest', 'config/app.yaml', '--repo', repoC], idEnv],
      [
        'restore with a wrong key passphrase',
        restoreArgs('latest', ['--repo', repoC], 'target-5', ...monitoring('restore-wrong-key-passphrase')),
        {
          RIPCORD_IDENTITY: secrets.privateKey,
          RIPCORD_IDENTITY_PASSPHRASE: 'wrong',
          RIPCORD_TRUSTED_SIGNERS: secrets.publicKey,
        },
        'fail',
      ],
      [
        'restore without the key passphrase',
        restoreArgs('latest', ['--repo', repoC], 'target-5'),
        { RIPCORD_IDENTITY: secrets.privateKey, RIPCORD_TRUSTED_SIGNERS: secrets.publicKey },
        'fail',
      ],
      [
        'restore of a passphrase snapshot with only the key',
        restoreArgs('latest', ['--repo', repoA], 'target-5'),
        idEnv,
        'fail',
      ],
    ]);

    if (options.s3) {
      const s3 = options.s3.repo(`secrets-${Date.now()}`);
      await run('backup to S3', ['backup', ...s3.args, '-C', ws, 'config', '--debug', ...monitoring('backup-s3')], {
        ...passEnv,
        ...S3_ENV,
      });
      await run('restore from S3', restoreArgs('latest', s3.args, 'target-6'), { ...passEnv, ...S3_ENV });
      await run(
        'verify on S3 with a wrong passphrase',
        ['verify', '--all', '--read-data', ...s3.args, '--debug'],
        { RIPCORD_PASSPHRASE: 'wrong', ...S3_ENV },
        'fail',
      );
    }

    // The Action's entry points.
    await fs.mkdir(path.join(actionWs, 'config'), { recursive: true });
    await fs.mkdir(runnerTemp);
    await fs.writeFile(path.join(actionWs, 'config', 'app.yaml'), 'replicas: 2\n');
    const action = async (
      label: string,
      entry: 'main' | 'post',
      actionInputs: Record<string, string>,
      expect: 'ok' | 'fail',
      state?: Record<string, string>,
    ) => {
      const result = await runActionEntry(options.bundle ?? DIST_BUNDLE, entry, {
        workspace: actionWs,
        runnerTemp,
        inputs: actionInputs,
        ...(state ? { state } : {}),
      });
      const lines = result.stdout.split('\n');
      masks += lines.filter((l) => l.startsWith('::add-mask::')).length;
      streams.push(
        { label: `Action ${label} (stdout)`, text: lines.filter((l) => !l.startsWith('::add-mask::')).join('\n') },
        { label: `Action ${label} (stderr)`, text: result.stderr },
      );
      count(outcome, 'Action runs');
      if (expect === 'fail') count(outcome, 'failing runs');
      if ((expect === 'ok') !== (result.code === 0))
        violate(
          outcome,
          'scenario-ran-as-planned',
          `Action ${label}: exit ${result.code}: ${result.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? result.stderr.trim()}`,
        );
      return result;
    };
    const backupInputs = { command: 'backup', paths: 'config', passphrase: secrets.passphrase };
    const guardInputs = { ...backupInputs, 'rollback-on-failure': 'true' };
    // a restore from the public-key repository, with the private key but without its passphrase
    const keyRestore = {
      command: 'restore',
      repository: repoC,
      snapshot: 'latest',
      target: 'restored-pk',
      identity: secrets.privateKey,
      'trusted-signers': secrets.publicKey,
    };
    const mainSteps = async (steps: [string, Record<string, string>, 'ok' | 'fail'][]) => {
      for (const [label, stepInputs, expect] of steps) await action(label, 'main', stepInputs, expect);
    };
    await mainSteps([
      ['backup', backupInputs, 'ok'],
      ['verify', { command: 'verify', 'read-data': 'true', passphrase: secrets.passphrase }, 'ok'],
      ['restore', { command: 'restore', snapshot: 'latest', target: 'restored', passphrase: secrets.passphrase }, 'ok'],
      [
        'deploy that rolls back',
        {
          ...backupInputs,
          command: 'deploy',
          deploy: 'echo "replicas: 0" > config/app.yaml',
          validate: 'grep -q "replicas: 2" config/app.yaml',
        },
        'fail',
      ],
    ]);
    const guard = await action('backup with the guard armed', 'main', { ...guardInputs, validate: 'false' }, 'ok');
    await fs.writeFile(path.join(actionWs, 'config', 'app.yaml'), 'replicas: 0\n');
    await action('post: automatic rollback', 'post', { ...guardInputs, validate: 'true' }, 'ok', guard.state);
    await mainSteps([
      [
        'restore with the private key',
        {
          ...keyRestore,
          'identity-passphrase': secrets.keyPassphrase,
          'signing-key': secrets.privateKey,
          'signing-key-passphrase': secrets.keyPassphrase,
        },
        'ok',
      ],
      [
        'restore of a missing snapshot',
        {
          command: 'restore',
          snapshot: '20200101T000000.000Z-dead',
          target: 'restored',
          passphrase: secrets.passphrase,
        },
        'fail',
      ],
      ['restore with a wrong key passphrase', { ...keyRestore, 'identity-passphrase': 'wrong' }, 'fail'],
    ]);
  } finally {
    await capture.close();
  }
  count(outcome, 'runner ::add-mask:: commands (not output)', masks);

  // Search everything.
  const leak = (where: string, labels: string[]) => {
    for (const label of labels) violate(outcome, 'secret-never-appears', `${label} appears in ${where}`);
  };
  for (const s of streams) leak(s.label, found(Buffer.from(s.text), secrets.needles));
  count(outcome, 'output streams searched', streams.length);
  for (const [i, request] of capture.requests.entries())
    leak(`request ${i + 1} to the webhook/Pushgateway server`, found(request, secrets.needles));
  count(outcome, 'webhook and Pushgateway requests searched', capture.requests.length);
  const inputsDir = inputs + path.sep;
  const places = [dir, await privateFolder(), ...(options.s3 ? [options.s3.server.directory] : [])];
  const tmpNew = (await fs.readdir(tmpdir())).filter(
    (n) =>
      !tmpBefore.has(n) &&
      n.startsWith('ripcord-') &&
      path.join(tmpdir(), n) !== dir &&
      !dir.startsWith(path.join(tmpdir(), n)),
  );
  for (const name of tmpNew) places.push(path.join(tmpdir(), name));
  let files = 0;
  let bytes = 0;
  for (const place of places) {
    for (const file of await filesBelow(place, (f) => f.startsWith(inputsDir))) {
      const data = await fs.readFile(file).catch(() => undefined);
      if (!data) continue;
      files += 1;
      bytes += data.length;
      leak(path.relative(dir, file).startsWith('..') ? file : path.relative(dir, file), found(data, secrets.needles));
    }
  }
  count(outcome, 'files searched', files);
  count(outcome, 'bytes searched', bytes);

  // Modes in every local repository.
  for (const repo of [repoA, repoB, repoC, path.join(actionWs, '.ripcord')]) {
    const check = async (p: string): Promise<void> => {
      const stats = await fs.lstat(p);
      const mode = stats.mode & 0o777;
      if (stats.isDirectory()) {
        count(outcome, 'repository folders checked');
        if (mode !== 0o700)
          violate(outcome, 'folders-0700', `${path.relative(dir, p) || p} has mode ${mode.toString(8)}`);
        for (const name of await fs.readdir(p)) await check(path.join(p, name));
      } else if (stats.isFile()) {
        count(outcome, 'repository files checked');
        if (mode !== 0o600) violate(outcome, 'files-0600', `${path.relative(dir, p)} has mode ${mode.toString(8)}`);
      }
    };
    if (
      await fs.stat(repo).then(
        () => true,
        () => false,
      )
    )
      await check(repo);
    else violate(outcome, 'scenario-ran-as-planned', `${repo} was never created`);
  }
  outcome.faults = outcome.counts['failing runs'] ?? 0;
  outcome.detected = outcome.violations.some((v) => v.invariant === 'secret-never-appears') ? 0 : outcome.faults;
  return outcome;
}
