/**
 * The bundled Action, run as the runner runs it, over a repository someone without the key
 * has written into: nothing it chose may become a workflow command, markup in the job
 * summary, or a raw control character in the log; and commands the Action runs never
 * see the runner's tokens.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inActionWorkspace } from '../helpers/action-runner.ts';
import type { ActionRun } from '../helpers/action-runner.ts';
import { ripcord } from '../helpers/cli.ts';
import { forgeSnapshotJson, RAW_CONTROL, workflowCommandLines } from '../helpers/forge.ts';

const PASSPHRASE = 'Action-Untrusted-Passphrase-41b7';

async function backup(ws: string, repo: string): Promise<string> {
  const run = await ripcord(['backup', '--repo', repo, '-q', 'config'], {
    cwd: ws,
    env: { RIPCORD_PASSPHRASE: PASSPHRASE },
  });
  assert.is(run.code, 0, run.stderr);
  return run.stdout.trim();
}

/** The summary without the markup the Action itself writes: what is left came from values. */
function summaryValues(run: ActionRun): string {
  return run.summary.replace(/<\/?(h3|table|tr|th|td)>/g, '');
}

/** Every line the runner would run as a command must be one of ripcord's own, none with planted text. */
function assertNoPlantedCommand(run: ActionRun): void {
  const commands = workflowCommandLines(run.stdout);
  assert.equal(
    commands.filter((line) => /FORGED/.test(line) || line.includes('##[')),
    [],
    run.stdout,
  );
  for (const line of commands) assert.match(line, /^::(group|endgroup|warning|error|notice|debug|add-mask)::/, line);
}

test('list over a forged snapshot.json: planted tags are shown escaped, never as a workflow command, markup or raw control character', () =>
  inActionWorkspace(async ({ ws, repo, step }) => {
    const tagged = await backup(ws, repo);
    const rekinded = await backup(ws, repo);
    await forgeSnapshotJson(repo, tagged, (fields) => {
      fields.tags = [
        'x\n::error::FORGED by a tag',
        '\r::add-mask::FORGED',
        '##[set-output name=snapshot-id]FORGED',
        '<img src="https://evil.example/FORGED.png">',
        '<a href="https://evil.example">FORGED</a>',
        '\u001b[2J\u001b]8;;https://evil.example\u0007FORGED\u202e',
      ];
      fields.host = 'host\n::error::FORGED by the host';
    });
    await forgeSnapshotJson(repo, rekinded, (fields) => {
      fields.kind = 'manual\n::error::FORGED by the kind';
    });

    const run = await step('main', { command: 'list' });
    assert.is(run.code, 0, run.stdout + run.stderr);
    assertNoPlantedCommand(run);
    assert.not.match(run.stdout, RAW_CONTROL);
    // the tagged snapshot is listed, its tags visible as text
    const line = run.stdout.split('\n').find((l) => l.startsWith(`${tagged}  manual`));
    assert.ok(line, run.stdout);
    assert.ok(line!.includes('x\\n::error::FORGED by a tag'), line);
    assert.ok(line!.includes('#\\x23#[') || line!.includes('\\x23#[set-output'), line);
    // a kind outside the four makes the metadata unusable: named, not quoted
    assert.match(
      run.stdout,
      new RegExp(
        `^::warning::snapshot ${rekinded.replace('.', '\\.')} is not listed: snapshot\\.json has an unknown kind`,
        'm',
      ),
    );
    assert.not.match(summaryValues(run), /</);
    assert.ok(run.summary.includes('&#60;img src=&#34;https://evil.example/FORGED.png&#34;&#62;'), run.summary);
    assert.not.match(run.summary, RAW_CONTROL);
  }));

test('a backup step refuses a tag outside the documented characters with one ::error:: line naming it, and writes no snapshot', () =>
  inActionWorkspace(async ({ repo, step }) => {
    const run = await step('main', {
      command: 'backup',
      paths: 'config',
      passphrase: PASSPHRASE,
      tags: 'nightly, <img src=x>',
    });
    assert.is(run.code, 1, run.stdout);
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    assert.is(errors.length, 1, run.stdout);
    assert.match(errors[0]!, /^::error::tag "<img src=x>" has a character outside A-Z a-z 0-9 \. _ : \/ = @ \+ -$/);
    const entries = await fs.readdir(repo).catch(() => [] as string[]);
    assert.equal(
      entries.filter((e) => /^\d{8}T/.test(e)),
      [],
    );
  }));

test('the job summary of a failed deploy shows the validation output as text, not as HTML', () =>
  inActionWorkspace(async ({ step }) => {
    const run = await step('main', {
      command: 'deploy',
      paths: 'config',
      passphrase: PASSPHRASE,
      deploy: 'touch config/broken',
      validate:
        'if test -e config/broken; then echo \'<img src="https://evil.example/x.png"><a href="https://evil.example">click</a>\'; exit 1; fi',
    });
    assert.is(run.code, 1, run.stdout);
    assert.is(run.outputs.result, 'rolled-back');
    assert.match(run.summary, /what failed/);
    assert.ok(run.summary.includes('&#60;img src=&#34;https://evil.example/x.png&#34;&#62;&#60;a href='), run.summary);
    assert.not.match(summaryValues(run), /</);
  }));

test('deploy, validate, on-rollback, capture and restore-capture commands run without the runner tokens ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL, ACTIONS_CACHE_URL, ACTIONS_ID_TOKEN_REQUEST_*', () =>
  inActionWorkspace(async ({ ws, step }) => {
    const tokens = {
      ACTIONS_RUNTIME_TOKEN: 'runtime-token-5f1e0c',
      ACTIONS_RUNTIME_URL: 'https://pipelines.example/runtime-5f1e0c/',
      ACTIONS_RESULTS_URL: 'https://results.example/results-5f1e0c/',
      ACTIONS_CACHE_URL: 'https://cache.example/cache-5f1e0c/',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-token-5f1e0c',
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.example/oidc-5f1e0c',
    };
    const run = await step(
      'main',
      {
        command: 'deploy',
        paths: 'config',
        passphrase: PASSPHRASE,
        capture: 'probe=env > capture.env; echo state',
        'restore-capture': 'probe=env > restore-capture.env; cat > /dev/null',
        deploy: 'env > deploy.env; echo "replicas: 0" > config/app.yaml',
        validate: 'env > validate.env; grep -q "replicas: 2" config/app.yaml',
        'on-rollback': 'env > on-rollback.env',
      },
      { env: { ...tokens, DEPLOY_SETTING: 'kept-for-commands' } },
    );
    assert.is(run.code, 1, run.stdout);
    assert.is(run.outputs.result, 'rolled-back', run.stdout);
    for (const file of ['capture.env', 'deploy.env', 'validate.env', 'restore-capture.env', 'on-rollback.env']) {
      const env = await fs.readFile(path.join(ws, file), 'utf8');
      assert.match(env, /^DEPLOY_SETTING=kept-for-commands$/m, `${file} got the step's environment`);
      for (const [name, value] of Object.entries(tokens))
        assert.not.ok(env.includes(value) || env.includes(`${name}=`), `${file} holds ${name}`);
    }
  }));

test.run();
