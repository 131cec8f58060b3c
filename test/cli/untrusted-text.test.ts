/**
 * The bundled CLI over a repository someone has written into: what they chose (snapshot.json
 * re-sealed by hand, a lock record, an audit record, file names) reaches the terminal as
 * text, never as a control character, an extra line or a crash; and tags are checked
 * when written.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ripcord } from '../helpers/cli.ts';
import type { RunResult } from '../helpers/cli.ts';
import { forgeLockRecord, forgeSnapshotJson, RAW_CONTROL } from '../helpers/forge.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const env = { RIPCORD_PASSPHRASE: 'untrusted text' };
const PLANTED = 'x\n::error::FORGED\r\u001b[2J\u001b]8;;https://evil.example\u0007\u009b31m\u202eFORGED';

async function setup() {
  const dir = await tempDir();
  const source = path.join(dir, 'src');
  await fs.mkdir(path.join(source, 'config'), { recursive: true });
  await fs.writeFile(path.join(source, 'config/app.yaml'), 'replicas: 2\n');
  const repo = path.join(dir, 'repo');
  const backup = async (...args: string[]) => {
    const run = await ripcord(['backup', '--repo', repo, '-q', ...args, 'config'], { cwd: source, env });
    assert.is(run.code, 0, run.stderr);
    return run.stdout.trim();
  };
  return { dir, source, repo, backup };
}

/** Nothing a terminal acts on, and no line that the planted text began. */
function assertInert(run: RunResult, what: string): void {
  for (const [stream, text] of [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
  ] as const) {
    assert.not.match(text, RAW_CONTROL, `${what}: a raw control character on ${stream}: ${JSON.stringify(text)}`);
    assert.equal(
      text.split('\n').filter((line) => /^\s*(::|FORGED)/.test(line)),
      [],
      `${what}: a line begun by planted text on ${stream}`,
    );
  }
}

test('list, show and their --json over a re-sealed snapshot.json with planted tags, host, user, git, ci and version print them escaped, one line each', async () => {
  const s = await setup();
  try {
    const id = await s.backup('--tag', 'nightly');
    await forgeSnapshotJson(s.repo, id, (fields) => {
      fields.tags = ['nightly', PLANTED];
      fields.host = PLANTED;
      fields.user = PLANTED;
      fields.git = { commit: PLANTED, branch: PLANTED };
      fields.ci = { provider: 'github-actions', runUrl: PLANTED };
      fields.tool = { name: 'ripcord', version: PLANTED };
    });
    const list = await ripcord(['list', '--repo', s.repo]);
    assert.is(list.code, 0, list.stderr);
    assertInert(list, 'list');
    assert.is(list.stdout.trim().split('\n').length, 2, list.stdout);
    assert.ok(
      list.stdout.includes(
        'nightly,x\\n::error::FORGED\\r\\x1b[2J\\x1b]8;;https://evil.example\\x07\\x9b31m\\u{202e}FORGED',
      ),
      list.stdout,
    );

    const show = await ripcord(['show', '--repo', s.repo, id]);
    assert.is(show.code, 0, show.stderr);
    assertInert(show, 'show');
    for (const line of show.stdout.trim().split('\n')) assert.match(line, /^[a-z0-9 ]+: +\S/, line);
    assert.match(show.stdout, /^host: +x\\n::error::FORGED/m);

    for (const args of [
      ['list', '--json'],
      ['show', '--json', id],
    ]) {
      const json = await ripcord([...args, '--repo', s.repo]);
      assert.is(json.code, 0, json.stderr);
      assertInert(json, args.join(' '));
      assert.ok(
        JSON.stringify(JSON.parse(json.stdout)).includes(JSON.stringify(PLANTED).slice(1, -1)),
        'the JSON value is the planted one',
      );
    }
  } finally {
    await removeDir(s.dir);
  }
});

test('a re-sealed snapshot.json with a kind outside the four, or without the fields show prints, is named in one line, never a crash', async () => {
  const s = await setup();
  try {
    const rekinded = await s.backup();
    const untooled = await s.backup();
    await forgeSnapshotJson(s.repo, rekinded, (fields) => {
      fields.kind = `manual${PLANTED}`;
    });
    await forgeSnapshotJson(s.repo, untooled, (fields) => {
      delete fields.tool;
      fields.host = { name: 'not text' };
    });
    const list = await ripcord(['list', '--repo', s.repo]);
    assert.is(list.code, 0, list.stderr);
    assertInert(list, 'list');
    assert.match(
      list.stderr,
      new RegExp(
        `warning: snapshot ${rekinded.replace('.', '\\.')} is not listed: snapshot\\.json has an unknown kind`,
      ),
    );
    assert.match(list.stdout, /^no snapshots/m);
    for (const id of [rekinded, untooled]) {
      const show = await ripcord(['show', '--repo', s.repo, id]);
      assert.is(show.code, 1);
      assertInert(show, 'show');
      assert.is(show.stderr.trim().split('\n').length, 1, show.stderr);
      assert.not.match(show.stderr, /internal error/);
      assert.match(
        show.stderr,
        new RegExp(
          `^ripcord: snapshot ${id.replace('.', '\\.')} in .* cannot be used: snapshot\\.json has (an unknown kind|an invalid host or user)`,
        ),
      );
    }
  } finally {
    await removeDir(s.dir);
  }
});

test('a lock record with planted fields is quoted escaped in the one line prune prints', async () => {
  const s = await setup();
  try {
    await s.backup();
    await forgeLockRecord(s.repo, 'prune', {
      operation: `prune${PLANTED}`,
      host: PLANTED,
      user: PLANTED,
      ciRun: PLANTED,
    });
    const prune = await ripcord(['prune', '--repo', s.repo, '--keep-last', '1']);
    assertInert(prune, 'prune');
    assert.is(prune.code, 1, prune.stdout + prune.stderr);
    assert.is(prune.stderr.trim().split('\n').length, 1, prune.stderr);
    assert.match(prune.stderr, /^ripcord: prune is locked in .*: prunex\\n::error::FORGED/);
  } finally {
    await removeDir(s.dir);
  }
});

test('audit prints an audit record with planted actor, host and error as one escaped row', async () => {
  const s = await setup();
  try {
    await s.backup();
    const month = new Date().toISOString().slice(0, 7);
    const record = {
      format: 'ripcord-audit/1',
      time: new Date().toISOString(),
      operation: 'restore',
      result: 'failure',
      snapshots: [],
      actor: PLANTED,
      host: PLANTED,
      exitCode: 1,
      error: PLANTED,
      durationMs: 1,
      tool: 'ripcord 0.0.0',
    };
    await fs.mkdir(path.join(s.repo, 'audit', month), { recursive: true });
    await fs.writeFile(
      path.join(
        s.repo,
        'audit',
        month,
        `${record.time.replace(/[-:]/g, '').replace(/\.(\d{3})Z$/, '.$1Z')}-0123456789ab.json`,
      ),
      `${JSON.stringify(record)}\n`,
    );
    const audit = await ripcord(['audit', '--repo', s.repo]);
    assert.is(audit.code, 0, audit.stderr);
    assertInert(audit, 'audit');
    assert.equal(audit.stderr, '', 'the planted record is a readable record');
    assert.is(audit.stdout.trim().split('\n').length, 3, audit.stdout);
    assert.ok(audit.stdout.includes('x\\n::error::FORGED'), audit.stdout);
  } finally {
    await removeDir(s.dir);
  }
});

test('ls, diff and a restore plan print file names with control characters escaped, one line per file', async () => {
  const s = await setup();
  try {
    const name = 'evil\n::error::FORGED\u001b[31m\u202etxt.exe';
    await fs.writeFile(path.join(s.source, 'config', name), 'x\n');
    const id = await s.backup();
    await fs.rm(path.join(s.source, 'config', name));
    const runs = {
      ls: await ripcord(['ls', '--repo', s.repo, id], { env }),
      'ls --json': await ripcord(['ls', '--json', '--repo', s.repo, id], { env }),
      diff: await ripcord(['diff', '--repo', s.repo, id], { cwd: s.source, env }),
      'restore --dry-run': await ripcord(['restore', '--repo', s.repo, id, '--target', s.source, '--dry-run'], { env }),
    };
    for (const [what, run] of Object.entries(runs)) {
      assert.is(run.code, 0, `${what}: ${run.stderr}`);
      assertInert(run, what);
      assert.ok(
        run.stdout.includes('evil\\n::error::FORGED\\x1b[31m') ||
          run.stdout.includes('evil\\n::error::FORGED\\u001b[31m'),
        `${what}: ${run.stdout}`,
      );
    }
    assert.is(runs.ls.stdout.trim().split('\n').length, 3, runs.ls.stdout);
  } finally {
    await removeDir(s.dir);
  }
});

test('backup refuses a tag outside A-Z a-z 0-9 . _ : / = @ + - (or longer than 128) with one line naming it, and writes nothing', async () => {
  const s = await setup();
  try {
    for (const [tag, expected] of [
      ['two words', /^ripcord: tag "two words" has a character outside A-Z a-z 0-9 \. _ : \/ = @ \+ -$/],
      ['a\n::error::b', /^ripcord: tag "a\\n::error::b" has a character outside/],
      ['<img>', /^ripcord: tag "<img>" has a character outside/],
      ['x'.repeat(129), /^ripcord: tag "x{32}\.\.\." is longer than 128 characters$/],
    ] as const) {
      const run = await ripcord(['backup', '--repo', s.repo, '--tag', tag, 'config'], { cwd: s.source, env });
      assert.is(run.code, 2, `${tag}: ${run.stderr}`);
      assert.is(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.match(run.stderr.trim(), expected);
    }
    const entries = await fs.readdir(s.repo).catch(() => [] as string[]);
    assert.equal(
      entries.filter((e) => /^\d{8}T/.test(e)),
      [],
    );
    assert.is(
      (
        await ripcord(['backup', '--repo', s.repo, '-q', '--tag', 'release/v1.2.3,env=prod,owner@team', 'config'], {
          cwd: s.source,
          env,
        })
      ).code,
      0,
    );
  } finally {
    await removeDir(s.dir);
  }
});

test.run();
