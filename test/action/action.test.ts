/** The bundled Action, run as the runner runs it. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateKeyPair } from '../../src/archive/openpgp-keys.ts';
import { inActionWorkspace } from '../helpers/action-runner.ts';
import type { ActionWorkspace } from '../helpers/action-runner.ts';
import { ripcord } from '../helpers/cli.ts';
import { forgeSnapshot } from '../helpers/forge-snapshot.ts';
import { withGnupgHome } from '../helpers/gpg.ts';
import { readTree } from '../helpers/tree.ts';

const PASSPHRASE = 'Action-Secret-Passphrase-7f3a9c';

const inWorkspace = (run: (workspace: ActionWorkspace) => Promise<void>) =>
  inActionWorkspace(run, { 'config/flags.json': '{"beta": false}\n' });

/** Runs a backup step that arms the rollback, with these inputs added. */
async function armRollback(step: ActionWorkspace['step'], guard: Record<string, string>) {
  const inputs = {
    command: 'backup',
    paths: 'config',
    passphrase: PASSPHRASE,
    'rollback-on-failure': 'true',
    ...guard,
  };
  const main = await step('main', inputs);
  assert.is(main.code, 0, main.stdout + main.stderr);
  return { inputs, main };
}

test('a backup step sets snapshot-id, checksums and counts as outputs, and writes a job summary', () =>
  inWorkspace(async ({ ws, step }) => {
    const run = await step('main', { command: 'backup', paths: 'config', passphrase: PASSPHRASE });
    assert.is(run.code, 0, run.stdout + run.stderr);
    assert.match(run.outputs['snapshot-id']!, /^\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{4}$/);
    assert.match(run.outputs['archive-sha256']!, /^[0-9a-f]{64}$/);
    assert.is(run.outputs['file-count'], '2');
    assert.ok(Number(run.outputs['archive-bytes']) > 0);
    assert.match(
      run.summary,
      new RegExp(`<td>snapshot</td><td>${run.outputs['snapshot-id']!.replace('.', '\\.')}</td>`),
    );
    assert.match(run.summary, /<td>throughput<\/td>/);
    // the snapshot is real: the CLI lists and verifies it
    const verify = await ripcord(
      ['verify', '--read-data', '--repo', path.join(ws, '.ripcord'), run.outputs['snapshot-id']!],
      { env: { RIPCORD_PASSPHRASE: PASSPHRASE } },
    );
    assert.is(verify.code, 0, verify.stderr);
    const meta = JSON.parse((await ripcord(['show', '--json', '--repo', path.join(ws, '.ripcord'), 'latest'])).stdout);
    assert.is(meta.ci.runUrl, 'https://github.example/example/app/actions/runs/4242');
  }));

test('the guard: main arms the rollback, and post after a failed deploy restores the pre-deploy state and sets rolled-back=true', () =>
  inWorkspace(async ({ ws, step }) => {
    const before = await readTree(path.join(ws, 'config'));
    const { inputs, main } = await armRollback(step, {
      validate: 'grep -q "replicas: 2" config/app.yaml',
      'on-rollback': 'echo restarted > restarted.txt',
    });
    assert.is(main.state['guard-snapshot'], main.outputs['snapshot-id']);
    // a later step deploys something broken and fails
    await fs.writeFile(path.join(ws, 'config/app.yaml'), 'replicas: 0\n');
    await fs.writeFile(path.join(ws, 'config/new.yaml'), 'added by the deploy\n');
    const post = await step('post', inputs, { state: main.state });
    assert.is(post.code, 0, post.stdout + post.stderr);
    assert.is(post.outputs['rolled-back'], 'true');
    assert.is(post.outputs['restored-snapshot-id'], main.outputs['snapshot-id']);
    assert.match(post.outputs['pre-restore-snapshot-id']!, /Z-[0-9a-f]{4}$/);
    assert.equal(await readTree(path.join(ws, 'config')), before);
    assert.is(await fs.readFile(path.join(ws, 'restarted.txt'), 'utf8'), 'restarted\n');
    assert.match(post.summary, /ripcord rollback: rolled-back/);
  }));

test('a post-step rollback whose hook fails writes rolled-back once, false, with result rollback-failed and the files restored', () =>
  inWorkspace(async ({ ws, step }) => {
    const before = await readTree(path.join(ws, 'config'));
    const { inputs, main } = await armRollback(step, {
      'on-rollback': 'exit 3',
    });
    await fs.writeFile(path.join(ws, 'config/app.yaml'), 'replicas: 0\n');
    const post = await step('post', inputs, { state: main.state });
    assert.is.not(post.code, 0);
    const writes = post.files.output.split('\n').filter((line) => line.startsWith('rolled-back<<'));
    assert.is(writes.length, 1, post.files.output);
    assert.is(post.outputs['rolled-back'], 'false');
    assert.is(post.outputs.result, 'rollback-failed');
    assert.is(
      post.outputs['restored-snapshot-id'],
      main.outputs['snapshot-id'],
      'the files were restored all the same',
    );
    assert.equal(await readTree(path.join(ws, 'config')), before);
  }));

test('post does nothing when no rollback was armed', () =>
  inWorkspace(async ({ ws, step }) => {
    await fs.writeFile(path.join(ws, 'config/app.yaml'), 'changed\n');
    const post = await step('post', { command: 'backup', passphrase: PASSPHRASE });
    assert.is(post.code, 0);
    assert.match(post.stdout, /no automatic rollback armed/);
    assert.is(await fs.readFile(path.join(ws, 'config/app.yaml'), 'utf8'), 'changed\n');
  }));

test('a deploy step that fails validation is rolled back: result and rolled-back outputs, the step fails with one error line', () =>
  inWorkspace(async ({ ws, step }) => {
    const before = await readTree(path.join(ws, 'config'));
    const run = await step('main', {
      command: 'deploy',
      paths: 'config',
      passphrase: PASSPHRASE,
      deploy: 'echo "replicas: 0" > config/app.yaml',
      validate: 'grep -q "replicas: 2" config/app.yaml',
    });
    assert.is(run.code, 1);
    assert.is(run.outputs.result, 'rolled-back');
    assert.is(run.outputs['rolled-back'], 'true');
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    assert.is(errors.length, 1, run.stdout);
    assert.match(errors[0]!, /deploy failed \(validation failed after 1 attempt.*rolled back to/);
    assert.equal(await readTree(path.join(ws, 'config')), before);
  }));

test('a missing or invalid input fails with one ::error:: line naming the input', () =>
  inWorkspace(async ({ step }) => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { command: 'frobnicate', passphrase: PASSPHRASE },
        /^::error::input command: "frobnicate" is not one of backup, restore/,
      ],
      [{ command: 'deploy', passphrase: PASSPHRASE }, /^::error::input deploy: is required for command deploy/],
      [{ command: 'copy', passphrase: PASSPHRASE }, /^::error::input to: is required for command copy/],
      [
        { command: 'backup', passphrase: PASSPHRASE, 'rollback-on-failure': 'yes' },
        /^::error::input rollback-on-failure: "yes" is not true or false/,
      ],
      [{ command: 'prune', 'keep-daily': 'seven' }, /^::error::input keep-daily: "seven" is not a whole number/],
      [
        { command: 'backup', passphrase: PASSPHRASE, kind: 'weekly' },
        /^::error::input kind: "weekly" is not one of manual/,
      ],
      // said in the Action's terms: its input, not the CLI's --passphrase-file
      [
        { command: 'backup' },
        /^::error::no encryption key configured: set the passphrase input \(or RIPCORD_PASSPHRASE\) or RIPCORD_RECIPIENTS/,
      ],
      // the guard checks what its rollback will need before the deploy runs
      [
        { command: 'backup', passphrase: PASSPHRASE, 'rollback-on-failure': 'true', 'validate-interval': 'soon' },
        /^::error::input validate-interval: /,
      ],
      [
        { command: 'backup', passphrase: PASSPHRASE, 'rollback-on-failure': 'true', 'health-url': 'localhost:8080' },
        /^::error::input health-url: localhost:8080 is not an http/,
      ],
    ];
    for (const [inputs, expected] of cases) {
      const run = await step('main', inputs);
      assert.is(run.code, 1, JSON.stringify(inputs));
      const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
      assert.is(errors.length, 1, `${JSON.stringify(inputs)}: ${run.stdout}`);
      assert.match(errors[0]!, expected);
    }
  }));

test('the passphrase and the private key never appear in stdout, stderr, outputs, summary or state', () =>
  inWorkspace(async ({ step }) => {
    const key = await generateKeyPair('Action Test <a@example.test>', 'Key-Passphrase-91c2e');
    const secretLines = key.privateKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    const runs = [
      await step('main', { command: 'backup', paths: 'config', passphrase: PASSPHRASE, 'rollback-on-failure': 'true' }),
      await step('main', { command: 'verify', 'read-data': 'true', passphrase: 'wrong-passphrase-used-here' }),
      await step('main', {
        command: 'backup',
        paths: 'config',
        recipients: key.publicKey,
        'signing-key': key.privateKey,
        'signing-key-passphrase': 'Key-Passphrase-91c2e',
        'new-key': 'true',
      }), // the repository's key was the passphrase
      await step('main', {
        command: 'verify',
        'read-data': 'true',
        identity: key.privateKey,
        'identity-passphrase': 'Key-Passphrase-91c2e',
        'trusted-signers': key.fingerprint,
      }),
      await step('main', {
        command: 'verify',
        'read-data': 'true',
        identity: key.privateKey,
        'identity-passphrase': 'not-the-key-passphrase',
      }),
    ];
    for (const run of runs) {
      const everything = [run.stdout, run.stderr, run.files.output, run.files.state, run.files.summary].join('\n');
      for (const secret of [
        PASSPHRASE,
        'Key-Passphrase-91c2e',
        'not-the-key-passphrase',
        'wrong-passphrase-used-here',
        ...secretLines,
      ]) {
        const masked = everything.replace(/::add-mask::.*\n/g, '');
        assert.not.ok(masked.includes(secret), `a secret leaked: ${secret.slice(0, 12)}...`);
      }
    }
    assert.is(runs[3]!.code, 0, runs[3]!.stdout);
    assert.is(runs[4]!.code, 1);
  }));

test('the Action refuses a forged pre-deploy snapshot encrypted to the repository key (restore and rollback), and restores one signed by a trusted signer', () =>
  inWorkspace(async ({ ws, step }) => {
    await withGnupgHome(async (gpg) => {
      const repoKey = gpg.generateKey('Repository <repo@example.test>', 'future-default');
      const ciKey = gpg.generateKey('CI signer <ci@example.test>', 'ed25519', { usage: 'sign' });
      const backup = await step('main', {
        command: 'backup',
        paths: 'config',
        kind: 'pre-deploy',
        recipients: repoKey.publicKey,
        'signing-key': ciKey.secretKey,
      });
      assert.is(backup.code, 0, backup.stdout);
      await fs.writeFile(path.join(ws, 'config/app.yaml'), 'replicas: 3\n');
      const forged = await forgeSnapshot({
        repo: path.join(ws, '.ripcord'),
        gpg,
        recipient: repoKey.fingerprint,
        files: { 'config/app.yaml': 'replicas: 0\n' },
        at: new Date(Date.now() + 60_000),
      });
      const reader = { identity: repoKey.secretKey, 'trusted-signers': ciKey.fingerprint };

      const restore = await step('main', { command: 'restore', snapshot: forged, target: '.', ...reader });
      assert.is(restore.code, 1, restore.stdout);
      const errors = restore.stdout.split('\n').filter((l) => l.startsWith('::error::'));
      assert.is(errors.length, 1, restore.stdout);
      assert.match(errors[0]!, new RegExp(`snapshot ${forged} is not signed`));

      const rollback = await step('main', { command: 'rollback', ...reader });
      assert.is.not(rollback.code, 0, rollback.stdout);
      assert.match(rollback.stdout, new RegExp(`snapshot ${forged} is not signed`));
      assert.is(await fs.readFile(path.join(ws, 'config/app.yaml'), 'utf8'), 'replicas: 3\n');

      const signed = await step('main', {
        command: 'restore',
        snapshot: backup.outputs['snapshot-id']!,
        target: '.',
        ...reader,
      });
      assert.is(signed.code, 0, signed.stdout);
      assert.is(await fs.readFile(path.join(ws, 'config/app.yaml'), 'utf8'), 'replicas: 2\n');
    });
  }));

test.run();
