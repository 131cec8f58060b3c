/**
 * The configuration file (ripcord.config.json, --config FILE) through the bundled CLI:
 * errors that name the key and its line, backup sets for backup / prune / check, flags
 * over the file, and the shipped JSON Schema that both editors and ripcord use.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CONFIG_SCHEMA, parseConfig } from '../../src/domain/config.ts';
import { validateAgainstSchema } from '../../src/domain/json-schema.ts';
import type { SnapshotMetadata } from '../../src/domain/snapshot.ts';
import { PROJECT_ROOT, ripcord } from '../helpers/cli.ts';
import type { RunResult } from '../helpers/cli.ts';
import { createFixtureRepo } from '../helpers/fixture-repo.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const env = { RIPCORD_PASSPHRASE: 'config tests' };

/** A folder with some files to back up and, when given, a ripcord.config.json. */
async function workspace(config?: string): Promise<string> {
  const dir = await tempDir();
  await fs.mkdir(path.join(dir, 'app/config'), { recursive: true });
  await fs.mkdir(path.join(dir, 'app/logs'), { recursive: true });
  await fs.writeFile(path.join(dir, 'app/config/app.yaml'), 'port: 8080\n');
  await fs.writeFile(path.join(dir, 'app/config/debug.log'), 'noise\n');
  await fs.writeFile(path.join(dir, 'app/logs/today.log'), 'log line\n');
  if (config !== undefined) await fs.writeFile(path.join(dir, 'ripcord.config.json'), config);
  return dir;
}

/** The one line a failed run prints, checked to be exactly one line. */
function oneLine(run: RunResult): string {
  const lines = run.stderr.split('\n').filter(Boolean);
  assert.is(lines.length, 1, `one line on stderr, got:\n${run.stderr}`);
  return lines[0]!;
}

async function snapshotJson(repo: string, id: string): Promise<SnapshotMetadata> {
  return JSON.parse(await fs.readFile(path.join(repo, id, 'snapshot.json'), 'utf8')) as SnapshotMetadata;
}

test('a wrong key is an error that names the key, its line and the key it was probably meant to be', async () => {
  const dir = await workspace(
    [
      '{',
      '  "sets": {',
      '    "configs": {',
      '      "paths": ["app/config"],',
      '      "exludes": ["*.log"]',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  try {
    const run = await ripcord(['backup', '--set', 'configs'], { cwd: dir, env });
    assert.is(run.code, 2);
    assert.is(
      oneLine(run),
      'ripcord: ripcord.config.json:5: sets.configs.exludes: unknown key (did you mean "excludes"?)',
    );
    assert.equal((await fs.readdir(dir)).sort(), ['app', 'ripcord.config.json'], 'nothing was backed up');
  } finally {
    await removeDir(dir);
  }
});

test('a wrong type is an error that names the key, its line and the type expected', async () => {
  const dir = await workspace(
    [
      '{',
      '  "sets": {',
      '    "data": {',
      '      "paths": ["app"],',
      '      "retention": {',
      '        "keep-daily": "thirty"',
      '      }',
      '    }',
      '  }',
      '}',
    ].join('\n'),
  );
  try {
    const run = await ripcord(['prune', '--set', 'data'], { cwd: dir, env });
    assert.is(run.code, 2);
    assert.is(
      oneLine(run),
      'ripcord: ripcord.config.json:6: sets.data.retention.keep-daily: must be a whole number of at least 0 or "unlimited", not "thirty"',
    );
    const check = await ripcord(['check', '--config', 'ripcord.config.json'], { cwd: dir, env });
    assert.match(
      check.stderr,
      /ripcord\.config\.json:6: sets\.data\.retention\.keep-daily:/,
      'every command reads the file, not only those with --set',
    );
  } finally {
    await removeDir(dir);
  }
});

test('a missing required field is an error that names the field and the line of the set that lacks it', async () => {
  const dir = await workspace(
    [
      '{',
      '  "repository": "repo",',
      '  "sets": {',
      '    "logs": {',
      '      "excludes": ["*.tmp"]',
      '    }',
      '  }',
      '}',
    ].join('\n'),
  );
  try {
    const run = await ripcord(['backup', '--set', 'logs'], { cwd: dir, env });
    assert.is(run.code, 2);
    assert.is(oneLine(run), 'ripcord: ripcord.config.json:4: sets.logs: missing required key "paths"');
  } finally {
    await removeDir(dir);
  }
});

test('broken JSON, a duplicate key and a bad duration are errors with the line (and column for syntax)', async () => {
  const dir = await workspace();
  try {
    const cases: [string, RegExp][] = [
      [
        '{\n  "sets": {\n    "a": { "paths": ["x"], }\n  }\n}',
        /^ripcord: bad\.json:3:26: not valid JSON: a comma before "}" \(trailing commas are not allowed in JSON\)$/,
      ],
      [
        '{\n  "sets": {\n    "a": { "paths": ["x"] },\n    "a": { "paths": ["y"] }\n  }\n}',
        /^ripcord: bad\.json:4:5: not valid JSON: the key "a" appears twice in the same object$/,
      ],
      [
        '{\n  "sets": {\n    "a": {\n      "paths": ["x"],\n      "max-age": "26H"\n    }\n  }\n}',
        /^ripcord: bad\.json:5: sets\.a\.max-age: "26H" is not a duration such as 30d, 26h or 1d12h/,
      ],
      [
        '{\n  "sets": { "a": { "paths": ["x"], "retention": { "keep-within": "6mo" } } }\n}',
        /^ripcord: bad\.json:2: sets\.a\.retention\.keep-within: "6mo" is not a duration/,
      ],
    ];
    for (const [text, expected] of cases) {
      await fs.writeFile(path.join(dir, 'bad.json'), text);
      const run = await ripcord(['list', '--config', 'bad.json'], { cwd: dir, env });
      assert.is(run.code, 2, text);
      assert.match(oneLine(run), expected);
    }
    const missing = await ripcord(['list', '--config', 'nope.json'], { cwd: dir, env });
    assert.is(missing.code, 2);
    assert.is(oneLine(missing), 'ripcord: --config nope.json: cannot read it (no such file)');
  } finally {
    await removeDir(dir);
  }
});

test('backup --set takes paths, excludes, captures, directory, repository, tags and kind from the set; the snapshot carries set:NAME', async () => {
  const config = {
    $schema: './node_modules/ripcord-backup/schema/ripcord.config.schema.json',
    sets: {
      configs: {
        directory: 'app',
        paths: ['config'],
        excludes: ['*.log'],
        captures: { hostname: 'echo web-1' },
        repository: 'backups/configs',
        tags: ['team:ops'],
      },
    },
  };
  const dir = await workspace(JSON.stringify(config, null, 2));
  const elsewhere = await tempDir();
  try {
    // run from another folder: relative paths in the file are relative to the file
    const run = await ripcord(['backup', '--set', 'configs', '--config', path.join(dir, 'ripcord.config.json'), '-q'], {
      cwd: elsewhere,
      env,
    });
    assert.is(run.code, 0, run.stderr);
    const id = run.stdout.trim();
    const repo = path.join(dir, 'backups/configs');
    const metadata = await snapshotJson(repo, id);
    assert.is(metadata.kind, 'scheduled');
    assert.equal(metadata.tags, ['team:ops', 'set:configs']);
    const ls = await ripcord(['ls', id, '--repo', repo, '--json'], { env });
    assert.is(ls.code, 0, ls.stderr);
    const entries = ls.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { path: string }).path)
      .sort();
    assert.equal(entries, ['.ripcord-captured', '.ripcord-captured/hostname', 'config', 'config/app.yaml']);
    assert.equal(await fs.readdir(elsewhere), [], 'nothing is written where the command ran');
  } finally {
    await removeDir(dir);
    await removeDir(elsewhere);
  }
});

test('command-line flags override the set: paths, --exclude, --tag, --kind and --repo', async () => {
  const config = {
    repository: 'repo',
    sets: {
      configs: { directory: 'app', paths: ['config'], excludes: ['*.yaml'], tags: ['from-file'], kind: 'manual' },
    },
  };
  const dir = await workspace(JSON.stringify(config));
  try {
    const other = path.join(dir, 'other-repo');
    const run = await ripcord(
      [
        'backup',
        '--set',
        'configs',
        '--repo',
        other,
        '--exclude',
        '*.log',
        '--tag',
        'from-flag',
        '--kind',
        'scheduled',
        '-q',
        'config',
        'logs',
      ],
      { cwd: dir, env },
    );
    assert.is(run.code, 0, run.stderr);
    const id = run.stdout.trim();
    const metadata = await snapshotJson(other, id);
    assert.is(metadata.kind, 'scheduled');
    assert.equal(
      metadata.tags,
      ['from-flag', 'set:configs'],
      'the set tag stays: prune --set and check --set find the snapshot by it',
    );
    assert.not.ok(await fs.stat(path.join(dir, 'repo')).catch(() => undefined), '--repo wins over the file');
    const ls = await ripcord(['ls', id, '--repo', other, '--json'], { env });
    const entries = ls.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { path: string }).path)
      .sort();
    assert.equal(entries, ['config', 'config/app.yaml', 'logs'], "positional paths and --exclude replace the set's");
  } finally {
    await removeDir(dir);
  }
});

test("prune --set applies that set's own retention, only to that set's snapshots; keep-* flags replace the policy", async () => {
  const days = (n: number) => new Date(Date.UTC(2026, 10, 22) - n * 86_400_000).toISOString();
  const f = await createFixtureRepo([
    ...[0, 10, 25, 40, 100].map((n) => ({ created: days(n), kind: 'scheduled' as const, tags: ['set:configs'] })), // 0001-0005
    ...[0, 10, 25, 40, 100].map((n) => ({ created: days(n), kind: 'scheduled' as const, tags: ['set:data'] })), // 0006-000a
  ]);
  try {
    const config = {
      repository: 'repo',
      sets: {
        configs: { paths: ['.'], retention: { 'keep-within': '30d' } },
        data: { paths: ['.'], retention: { 'keep-within': '90d' } },
      },
    };
    await fs.writeFile(path.join(f.dir, 'ripcord.config.json'), JSON.stringify(config));
    const ids = async (set: string) => {
      const run = await ripcord(['list', '--set', set, '--json'], { cwd: f.dir });
      assert.is(run.code, 0, run.stderr);
      return (JSON.parse(run.stdout) as { id: string }[]).map((s) => s.id);
    };

    const configs = await ripcord(['prune', '--set', 'configs'], { cwd: f.dir });
    assert.is(configs.code, 0, configs.stderr);
    assert.match(configs.stdout, /policy: keep all snapshots within 30d of the newest of their group/);
    assert.match(configs.stdout, /kept 3, removed 2 snapshots/);
    assert.equal(await ids('configs'), [f.ids[0], f.ids[1], f.ids[2]]);
    assert.equal(await ids('data'), f.ids.slice(5), "the data set's snapshots are outside the scope");

    const data = await ripcord(['prune', '--set', 'data'], { cwd: f.dir });
    assert.is(data.code, 0, data.stderr);
    assert.equal(
      await ids('data'),
      [f.ids[5], f.ids[6], f.ids[7], f.ids[8]],
      '90 days keep the 40-day-old one, not the 100-day-old one',
    );

    const flags = await ripcord(['prune', '--set', 'data', '--keep-last', '1'], { cwd: f.dir });
    assert.is(flags.code, 0, flags.stderr);
    assert.match(flags.stdout, /policy: keep the last 1 snapshot/);
    assert.equal(await ids('data'), [f.ids[5]], '--keep-last replaces the whole retention of the set');
  } finally {
    await f.remove();
  }
});

test('--set needs a configuration file and an existing set; a set without retention needs keep-* flags to prune', async () => {
  const dir = await workspace();
  try {
    const none = await ripcord(['backup', '--set', 'configs'], { cwd: dir, env });
    assert.is(none.code, 2);
    assert.is(
      oneLine(none),
      'ripcord: --set configs needs a configuration file: ripcord.config.json in the working directory, or --config FILE',
    );
    await fs.writeFile(
      path.join(dir, 'ripcord.config.json'),
      JSON.stringify({ sets: { configs: { paths: ['app'] }, data: { paths: ['app'] } } }),
    );
    const unknown = await ripcord(['backup', '--set', 'config'], { cwd: dir, env });
    assert.is(unknown.code, 2);
    assert.is(oneLine(unknown), 'ripcord: there is no set "config" in ripcord.config.json (its sets: configs, data)');
    const noRetention = await ripcord(['prune', '--set', 'data'], { cwd: dir, env });
    assert.is(noRetention.code, 2);
    assert.is(
      oneLine(noRetention),
      'ripcord: set data in ripcord.config.json has no "retention": add one, or give --keep-* flags',
    );
  } finally {
    await removeDir(dir);
  }
});

test("check --set uses the set's max-age and looks only at the set's snapshots", async () => {
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
  const f = await createFixtureRepo([
    { created: hoursAgo(1), kind: 'scheduled', tags: ['set:configs'] },
    { created: hoursAgo(30), kind: 'scheduled', tags: ['set:data'] },
  ]);
  try {
    await fs.writeFile(
      path.join(f.dir, 'ripcord.config.json'),
      JSON.stringify({
        repository: 'repo',
        sets: { configs: { paths: ['.'], 'max-age': '2h' }, data: { paths: ['.'], 'max-age': '26h' } },
      }),
    );
    const configs = await ripcord(['check', '--set', 'configs'], { cwd: f.dir });
    assert.is(configs.code, 0, configs.stderr);
    assert.match(configs.stdout, new RegExp(`^ok: newest snapshot ${f.ids[0]} is 1 hour old and verifies\\n$`));
    const data = await ripcord(['check', '--set', 'data'], { cwd: f.dir });
    assert.is(data.code, 1);
    assert.match(
      oneLine(data),
      new RegExp(
        `^ripcord: the newest snapshot with tags set:data in .* is ${f.ids[1]}, 30 hours old \\(limit 26 hours\\): the backups have stopped$`,
      ),
    );
    const wider = await ripcord(['check', '--set', 'data', '--max-age', '31h'], { cwd: f.dir });
    assert.is(wider.code, 0, '--max-age overrides the set');
  } finally {
    await f.remove();
  }
});

test('backup --set with copy-to also copies the new snapshot to the second repository, checksums verified', async () => {
  const dir = await workspace(
    JSON.stringify({
      sets: { configs: { directory: 'app', paths: ['config'], repository: 'primary', 'copy-to': 'offsite' } },
    }),
  );
  try {
    const run = await ripcord(['backup', '--set', 'configs'], { cwd: dir, env });
    assert.is(run.code, 0, run.stderr);
    const id = /snapshot (\S+) saved/.exec(run.stdout)![1]!;
    assert.match(
      run.stdout,
      new RegExp(`copied to ${path.join(dir, 'offsite').replace(/[/.]/g, '\\$&')}, checksums verified on arrival`),
    );
    const verify = await ripcord(['verify', id, '--repo', path.join(dir, 'offsite'), '--read-data'], { env });
    assert.is(verify.code, 0, verify.stderr);
    assert.equal(
      await fs.readFile(path.join(dir, 'offsite', id, 'snapshot.json')),
      await fs.readFile(path.join(dir, 'primary', id, 'snapshot.json')),
    );
  } finally {
    await removeDir(dir);
  }
});

test('the shipped JSON Schema uses only keywords the validator knows, and the documented example configuration passes it', async () => {
  const schemaText = await fs.readFile(path.join(PROJECT_ROOT, 'schema/ripcord.config.schema.json'), 'utf8');
  const schema = JSON.parse(schemaText) as Record<string, unknown>;
  assert.is(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(schema, CONFIG_SCHEMA, 'ripcord validates with the file it ships');
  // every sub-schema, at every depth, goes through the validator, which throws on a keyword it does not know
  let schemas = 0;
  const walk = (node: Record<string, unknown>): void => {
    schemas += 1;
    for (const value of [{}, [], '', 0, null]) validateAgainstSchema(value, node, CONFIG_SCHEMA);
    const children = [
      ...Object.values((node.properties ?? {}) as Record<string, Record<string, unknown>>),
      ...Object.values((node.$defs ?? {}) as Record<string, Record<string, unknown>>),
      ...((node.anyOf ?? []) as Record<string, unknown>[]),
      ...[node.items, node.additionalProperties, node.propertyNames].filter(
        (c): c is Record<string, unknown> => typeof c === 'object' && c !== null,
      ),
    ];
    children.forEach(walk);
  };
  walk(CONFIG_SCHEMA);
  assert.ok(schemas > 30, `walked ${schemas} sub-schemas`);

  const docs = await fs.readFile(path.join(PROJECT_ROOT, 'docs/observability.md'), 'utf8');
  const example = /```json\n(\{\n {2}"\$schema"[\s\S]*?)\n```/.exec(docs)?.[1];
  assert.ok(example, 'docs/observability.md shows an example ripcord.config.json');
  const parsed = parseConfig(example!, 'docs example');
  assert.ok(Object.keys(parsed.sets ?? {}).length >= 3, 'the example has several sets');
  assert.equal(validateAgainstSchema(JSON.parse(example!), CONFIG_SCHEMA), []);
});

test.run();
