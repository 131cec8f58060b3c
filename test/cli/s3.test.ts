/**
 * The CLI against a real S3-compatible server (s3rver in a child process, see
 * test/helpers/s3-server.ts): every command on s3:// repositories, a 200 MB upload within
 * the memory budget, a server crash in the middle of a backup, and copy between local
 * and S3 repositories. The tests share one server (the crash tests restart it) and
 * each writes under prefixes of its own.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sealMetadata, serializeMetadata } from '../../src/domain/snapshot.ts';
import type { SnapshotMetadata } from '../../src/domain/snapshot.ts';
import { CLI, ripcord, runCommand } from '../helpers/cli.ts';
import type { RunOptions, RunResult } from '../helpers/cli.ts';
import { startS3Server } from '../helpers/s3-server.ts';
import type { RecordedRequest, S3TestServer } from '../helpers/s3-server.ts';
import { diffTrees, makeAwkwardTree, removeDir, tempDir } from '../helpers/tree.ts';

const exec = promisify(execFile);
const MiB = 1024 * 1024;
const PASSPHRASE = 's3 end to end';
const BUCKET = 'ripcord-e2e';
const OBJECTS = ['SHA256SUMS', 'archive.tar.gz.pgp', 'manifest.json.pgp', 'snapshot.json'];
/** peak resident memory allowed to one CLI process, in MiB */
const RSS_BUDGET_MIB = 150;

// s3rver's built-in account, given to the CLI processes only.
const env = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
  RIPCORD_PASSPHRASE: PASSPHRASE,
};

interface World {
  server: S3TestServer;
  dir: string;
  source: string;
  /** --repo s3://BUCKET/<name> --s3-endpoint <endpoint> */
  s3(name: string): string[];
  url(name: string): string;
  run(args: string[], options?: RunOptions): Promise<RunResult>;
}

const server = await startS3Server();
await server.bucket(BUCKET);
test.after(() => server.stop());

/** The server, and a fresh temp dir with a source/ folder, removed afterwards. */
async function withS3(body: (world: World) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  try {
    const source = path.join(dir, 'source');
    await fs.mkdir(source);
    const url = (name: string) => `s3://${BUCKET}/${name}`;
    await body({
      server,
      dir,
      source,
      url,
      s3: (name) => ['--repo', url(name), '--s3-endpoint', server.endpoint],
      run: (args, options = {}) => ripcord(args, { cwd: dir, ...options, env: { ...env, ...options.env } }),
    });
  } finally {
    await removeDir(dir);
  }
}

const query = (request: RecordedRequest) => new URL(request.url, 'http://host').searchParams;
const pathOf = (request: RecordedRequest) => decodeURIComponent(new URL(request.url, 'http://host').pathname);
const isUploadPart = (request: RecordedRequest) => request.method === 'PUT' && query(request).has('partNumber');
const isWrite = (request: RecordedRequest) =>
  request.method === 'PUT' || request.method === 'POST' || request.method === 'DELETE';

function ok(run: RunResult, what: string): RunResult {
  assert.is(run.code, 0, `${what} failed: ${run.stderr}`);
  return run;
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.is(lines.length, 1, `expected one line on stderr:\n${stderr}`);
  assert.not.match(stderr, /\s+at .*:\d+:\d+/);
  return lines[0]!;
}

async function backup(world: World, repo: string[], paths: string[], cwd = world.source): Promise<string> {
  const run = ok(await world.run(['backup', ...repo, '-q', ...paths], { cwd }), 'backup');
  return run.stdout.trim();
}

/** Files of random (incompressible) bytes, written 1 MiB at a time. */
async function randomFiles(dir: string, count: number, megabytes: number): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const file = await fs.open(path.join(dir, `random-${i}.bin`), 'w');
    try {
      for (let m = 0; m < megabytes; m++) await file.write(randomBytes(MiB));
    } finally {
      await file.close();
    }
  }
}

/**
 * Run the CLI and measure its peak resident set size for real: under GNU time (%M, the
 * kernel's ru_maxrss of the child), or where that is missing with a preload that writes
 * process.resourceUsage().maxRSS (the same figure) to a file on exit.
 */
async function runMeasured(
  world: World,
  args: string[],
  options: RunOptions = {},
): Promise<RunResult & { peakRssMiB: number }> {
  const report = path.join(world.dir, `rss-${Date.now()}-${Math.random().toString(16).slice(2)}.txt`);
  const runOptions = { cwd: world.dir, ...options, env: { ...env, ...options.env } };
  let run: RunResult;
  if (existsSync('/usr/bin/time')) {
    run = await runCommand('/usr/bin/time', ['-f', '%M', '-o', report, process.execPath, CLI, ...args], runOptions);
  } else {
    const preload = path.join(world.dir, 'report-rss.mjs');
    await fs.writeFile(
      preload,
      "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(process.env.RIPCORD_TEST_RSS_FILE, String(process.resourceUsage().maxRSS)));\n",
    );
    run = await runCommand(process.execPath, ['--import', preload, CLI, ...args], {
      ...runOptions,
      env: { ...runOptions.env, RIPCORD_TEST_RSS_FILE: report },
    });
  }
  // GNU time prefixes "Command exited with non-zero status N" on failure: the figure is the last line.
  const kilobytes = Number((await fs.readFile(report, 'utf8')).trim().split('\n').at(-1));
  assert.ok(Number.isFinite(kilobytes) && kilobytes > 10_000, `no plausible peak RSS measured: ${kilobytes}`);
  return { ...run, peakRssMiB: kilobytes / 1024 };
}

test('backup -> list -> show -> ls -> verify --read-data -> restore against s3:// gives a tree identical to the source', () =>
  withS3(async (world) => {
    const roots = await makeAwkwardTree(world.source, 2);
    const repo = world.s3('round-trip');
    const id = await backup(world, repo, roots);

    const list = JSON.parse(ok(await world.run(['list', ...repo, '--json']), 'list').stdout) as SnapshotMetadata[];
    assert.equal(
      list.map((s) => s.id),
      [id],
    );
    const show = JSON.parse(
      ok(await world.run(['show', ...repo, '--json', 'latest']), 'show').stdout,
    ) as SnapshotMetadata;
    assert.is(show.id, id);
    assert.is(show.archiveBytes, show.objects['archive.tar.gz.pgp'].bytes);
    const ls = ok(await world.run(['ls', ...repo, '--json', id]), 'ls')
      .stdout.trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { path: string; size?: number });
    assert.is(ls.find((e) => e.path === 'state/blob.bin')?.size, 2 * MiB);
    assert.ok(ls.some((e) => e.path === 'config/données/ファイル ☃.txt'));
    const verify = ok(await world.run(['verify', ...repo, '--read-data', id]), 'verify --read-data');
    assert.match(verify.stdout, new RegExp(`ok\\s+${id.replace('.', '\\.')} \\(data read and checked\\)`));

    const target = path.join(world.dir, 'restored');
    ok(await world.run(['restore', ...repo, id, '--target', target, '--yes']), 'restore');
    assert.equal(await diffTrees(world.source, target), []);
    // the objects really are in the bucket, under the prefix
    const stored = (await world.server.requests()).filter(
      (r) => r.method === 'PUT' && pathOf(r).startsWith(`/${BUCKET}/round-trip/${id}/`),
    );
    assert.equal([...new Set(stored.map((r) => path.posix.basename(pathOf(r))))].sort(), OBJECTS);
  }));

test(`a 200 MB archive goes up in many parts and the backup process stays under ${RSS_BUDGET_MIB} MB peak RSS`, () =>
  withS3(async (world) => {
    await randomFiles(path.join(world.source, 'data'), 4, 50);
    const repo = world.s3('big');
    await world.server.clearRequests();
    const run = await runMeasured(world, ['backup', ...repo, '--json', 'data'], { cwd: world.source });
    assert.is(run.code, 0, run.stderr);
    const { snapshot } = JSON.parse(run.stdout) as { snapshot: SnapshotMetadata };
    assert.ok(snapshot.archiveBytes > 200 * MiB, `archive of ${snapshot.archiveBytes} bytes`);

    const archivePath = `/${BUCKET}/big/${snapshot.id}/archive.tar.gz.pgp`;
    const requests = (await world.server.requests()).filter((r) => pathOf(r) === archivePath);
    const parts = requests.filter(isUploadPart).map((r) => Number(query(r).get('partNumber')));
    // the store's default part size (5 MiB, the S3 minimum) stays within 10,000 parts at this size
    const expectedParts = Math.ceil(snapshot.archiveBytes / (5 * MiB));
    assert.equal(
      parts.sort((a, b) => a - b),
      Array.from({ length: expectedParts }, (_, i) => i + 1),
      'every 5 MiB part uploaded once',
    );
    assert.is(
      requests.filter((r) => r.method === 'POST' && query(r).has('uploadId')).length,
      1,
      'one CompleteMultipartUpload',
    );

    // copy streams too: S3 -> local, every object hashed in flight and read back on arrival
    const copy = await runMeasured(world, ['copy', ...repo, snapshot.id, '--to', 'local-copy']);
    assert.is(copy.code, 0, copy.stderr);
    const stored = await fs.stat(path.join(world.dir, 'local-copy', snapshot.id, 'archive.tar.gz.pgp'));
    assert.is(stored.size, snapshot.archiveBytes);

    const figures = `backup of ${(snapshot.archiveBytes / MiB).toFixed(0)} MiB to S3: ${run.peakRssMiB.toFixed(1)} MiB; copy S3 -> local: ${copy.peakRssMiB.toFixed(1)} MiB`;
    console.log(`    peak RSS: ${figures}`);
    assert.ok(run.peakRssMiB < RSS_BUDGET_MIB, `backup peak RSS over the ${RSS_BUDGET_MIB} MiB budget (${figures})`);
    assert.ok(copy.peakRssMiB < RSS_BUDGET_MIB, `copy peak RSS over the ${RSS_BUDGET_MIB} MiB budget (${figures})`);
  }));

test('the S3 server killed in the middle of a backup upload: exit 1 with one line naming the endpoint, no snapshot, and a later backup succeeds', () =>
  withS3(async (world) => {
    await randomFiles(path.join(world.source, 'data'), 1, 16);
    const repo = world.s3('crash');
    await world.server.clearRequests();
    const running = world.run(['backup', ...repo, 'data'], { cwd: world.source });
    await world.server.waitForRequest(isUploadPart, 60_000);
    await world.server.kill();
    const failed = await running;
    assert.is(failed.code, 1, failed.stdout + failed.stderr);
    const line = oneLine(failed.stderr);
    assert.ok(line.includes(world.server.endpoint) || line.includes(`s3://${BUCKET}/crash`), line);
    assert.match(line, /connection|reach/, line);

    await world.server.restart();
    const list = ok(await world.run(['list', ...repo, '--json']), 'list after the crash');
    assert.equal(JSON.parse(list.stdout), []);
    const id = await backup(world, repo, ['data']);
    ok(await world.run(['verify', ...repo, '--read-data', id]), 'verify of the new backup');
    assert.equal(
      (JSON.parse((await world.run(['list', ...repo, '--json'])).stdout) as SnapshotMetadata[]).map((s) => s.id),
      [id],
    );
  }));

test('the S3 server killed in the middle of a copy upload: exit 1 with one line naming the snapshot, the object and the endpoint; nothing committed; a second copy completes', () =>
  withS3(async (world) => {
    await randomFiles(path.join(world.source, 'data'), 1, 16);
    const id = await backup(world, ['--repo', path.join(world.dir, 'first')], ['data']);
    const to = ['--to', world.url('offsite-crash'), '--s3-endpoint', world.server.endpoint];
    await world.server.clearRequests();
    const running = world.run(['copy', id, '--repo', 'first', ...to]);
    await world.server.waitForRequest(
      (r) => isUploadPart(r) && pathOf(r).endsWith(`/${id}/archive.tar.gz.pgp`),
      60_000,
    );
    await world.server.kill();
    const failed = await running;
    assert.is(failed.code, 1, failed.stdout + failed.stderr);
    const line = oneLine(failed.stderr);
    assert.ok(line.includes(id) && line.includes('archive.tar.gz.pgp') && line.includes(world.server.endpoint), line);
    assert.match(line, /nothing of it was committed in s3:\/\/ripcord-e2e\/offsite-crash/);

    await world.server.restart();
    assert.equal(
      JSON.parse(ok(await world.run(['list', ...world.s3('offsite-crash'), '--json']), 'list after the crash').stdout),
      [],
    );
    const again = JSON.parse(
      ok(await world.run(['copy', id, '--repo', 'first', ...to, '--json']), 'copy after the restart').stdout,
    );
    assert.is(again.copied, 1);
    ok(await world.run(['verify', ...world.s3('offsite-crash'), '--read-data', id]), 'verify of the copy');
  }));

test('copy local -> S3 -> a second local repository gives byte-identical objects, sha256sum -c passes, and a second copy transfers nothing', () =>
  withS3(async (world) => {
    await makeAwkwardTree(world.source, 1);
    // relative --repo and --to resolve against the working directory (world.dir)
    const first = await backup(world, ['--repo', '../first'], ['config', 'state']);
    await fs.writeFile(path.join(world.source, 'config/app.yaml'), 'port: 9090\n');
    const second = await backup(world, ['--repo', '../first'], ['config', 'state']);
    const ids = [first, second];
    const endpoint = ['--s3-endpoint', world.server.endpoint];

    await world.server.clearRequests();
    const dry = ok(
      await world.run(['copy', '--all', '--repo', 'first', '--to', world.url('offsite'), ...endpoint, '--dry-run']),
      'copy --dry-run',
    );
    for (const id of ids) assert.match(dry.stdout, new RegExp(`would copy\\s+${id.replace('.', '\\.')}`));
    assert.equal((await world.server.requests()).filter(isWrite), [], 'a dry run writes nothing');

    const up = JSON.parse(
      ok(
        await world.run(['copy', '--all', '--repo', 'first', '--to', world.url('offsite'), ...endpoint, '--json']),
        'copy to S3',
      ).stdout,
    );
    assert.is(up.copied, 2);
    const down = ok(await world.run(['copy', '--all', ...world.s3('offsite'), '--to', 'second']), 'copy from S3');
    assert.match(
      down.stdout,
      /^2 copied, 0 already present, [\d.]+ [KM]B transferred from s3:\/\/ripcord-e2e\/offsite to /m,
    );

    for (const id of ids) {
      for (const object of OBJECTS) {
        const original = await fs.readFile(path.join(world.dir, 'first', id, object));
        const copied = await fs.readFile(path.join(world.dir, 'second', id, object));
        assert.ok(original.equals(copied), `${id}/${object} differs after local -> S3 -> local`);
      }
      const sums = await exec('sha256sum', ['-c', 'SHA256SUMS'], { cwd: path.join(world.dir, 'second', id) });
      assert.match(sums.stdout, /archive\.tar\.gz\.pgp: OK\n.*manifest\.json\.pgp: OK/s);
    }
    ok(await world.run(['verify', '--all', '--read-data', '--repo', 'second']), 'verify of the second local copy');

    // S3 -> S3 (another prefix), then a second round: nothing is written anywhere
    const across = JSON.parse(
      ok(
        await world.run(['copy', '--all', ...world.s3('offsite'), '--to', world.url('mirror'), '--json']),
        'copy S3 -> S3',
      ).stdout,
    );
    assert.is(across.copied, 2);
    await world.server.clearRequests();
    const again = ok(
      await world.run(['copy', '--all', '--repo', 'first', '--to', world.url('offsite'), ...endpoint]),
      'second copy to S3',
    );
    assert.match(again.stdout, /^0 copied, 2 already present, 0 B transferred/m);
    for (const id of ids) assert.match(again.stdout, new RegExp(`present\\s+${id.replace('.', '\\.')}`));
    const seen = await world.server.requests();
    assert.ok(
      seen.some((r) => r.method === 'GET'),
      'the second copy did look at the bucket',
    );
    assert.equal(
      seen.filter(isWrite).map((r) => `${r.method} ${r.url}`),
      [],
      'no PUT, POST or DELETE during the second copy',
    );
    const againDown = JSON.parse(
      ok(await world.run(['copy', '--all', ...world.s3('offsite'), '--to', 'second', '--json']), 'second copy from S3')
        .stdout,
    );
    assert.equal([againDown.copied, againDown.present, againDown.bytes], [0, 2, 0]);
  }));

test('copy refuses to overwrite a different committed snapshot with the same id (one line, exit 1, the bucket untouched)', () =>
  withS3(async (world) => {
    await fs.writeFile(path.join(world.source, 'a.txt'), 'a');
    const id = await backup(world, ['--repo', path.join(world.dir, 'first')], ['a.txt']);
    ok(
      await world.run([
        'copy',
        id,
        '--repo',
        'first',
        '--to',
        world.url('offsite-forged'),
        '--s3-endpoint',
        world.server.endpoint,
      ]),
      'first copy',
    );
    const original = (await world.run(['show', ...world.s3('offsite-forged'), '--json', id])).stdout;

    // another repository holds a valid snapshot with the same id and other metadata
    await fs.cp(path.join(world.dir, 'first', id), path.join(world.dir, 'forged', id), { recursive: true });
    const file = path.join(world.dir, 'forged', id, 'snapshot.json');
    const { metadataSha256: _, ...unsealed } = JSON.parse(await fs.readFile(file, 'utf8')) as SnapshotMetadata;
    await fs.writeFile(file, serializeMetadata(sealMetadata({ ...unsealed, tags: ['forged'] })));
    ok(await world.run(['verify', '--repo', 'forged', id]), 'the forged snapshot is valid on its own');

    await world.server.clearRequests();
    const refused = await world.run([
      'copy',
      id,
      '--repo',
      'forged',
      '--to',
      world.url('offsite-forged'),
      '--s3-endpoint',
      world.server.endpoint,
    ]);
    assert.is(refused.code, 1, refused.stdout);
    const line = oneLine(refused.stderr);
    assert.ok(line.includes(id) && line.includes(`s3://${BUCKET}/offsite-forged`), line);
    assert.match(line, /different snapshot\.json: refusing to overwrite a committed snapshot/);
    assert.equal((await world.server.requests()).filter(isWrite), []);
    assert.is((await world.run(['show', ...world.s3('offsite-forged'), '--json', id])).stdout, original);
  }));

test('diff between two S3 snapshots, dump of one file, restore --dry-run and verify --all work against s3://', () =>
  withS3(async (world) => {
    const roots = await makeAwkwardTree(world.source, 1);
    const repo = world.s3('commands');
    const first = await backup(world, repo, roots);
    await fs.writeFile(path.join(world.source, 'config/app.yaml'), 'port: 9999\n');
    await fs.writeFile(path.join(world.source, 'config/new.txt'), 'new\n');
    await fs.rm(path.join(world.source, 'config/empty.txt'));
    const second = await backup(world, repo, roots);

    const diff = ok(await world.run(['diff', ...repo, first, second]), 'diff');
    assert.match(diff.stdout, /^~ config\/app\.yaml/m);
    assert.match(diff.stdout, /^\+ config\/new\.txt/m);
    assert.match(diff.stdout, /^- config\/empty\.txt/m);
    assert.match(diff.stdout, /1 added, 1 removed, 1 changed/);

    const dump = ok(await world.run(['dump', ...repo, first, 'config/app.yaml']), 'dump');
    assert.is(dump.stdout, 'port: 8080\nname: app\n');

    const dry = ok(
      await world.run(['restore', ...repo, first, '--target', world.source, '--dry-run', '--delete']),
      'restore --dry-run',
    );
    assert.match(dry.stdout, /1 to add, 1 to change, 1 to remove/);
    assert.match(dry.stdout, /dry run: nothing was changed/);
    assert.is(await fs.readFile(path.join(world.source, 'config/app.yaml'), 'utf8'), 'port: 9999\n');

    const verify = ok(await world.run(['verify', ...repo, '--all']), 'verify --all');
    for (const id of [first, second]) assert.match(verify.stdout, new RegExp(`ok\\s+${id.replace('.', '\\.')}`));
    const listed = JSON.parse((await world.run(['list', ...repo, '--json'])).stdout) as SnapshotMetadata[];
    assert.equal(
      listed.map((s) => s.id),
      [second, first],
      'no pre-restore snapshot from a dry run',
    );
  }));

test('a wrong passphrase against s3://: verify --read-data, restore, dump and ls each exit 1 with one line naming the snapshot, and the target is untouched', () =>
  withS3(async (world) => {
    const roots = await makeAwkwardTree(world.source, 1);
    const repo = world.s3('wrong-passphrase');
    const id = await backup(world, repo, roots);
    const target = path.join(world.dir, 'target');
    await fs.mkdir(target);
    await fs.writeFile(path.join(target, 'keep.txt'), 'keep\n');
    const wrong = { env: { RIPCORD_PASSPHRASE: 'not the passphrase' } };
    // verify opens the manifest and the archive at once: the manifest fails while the
    // archive's GET is in flight, which once left the command waiting forever and exiting 0
    for (const args of [
      ['verify', ...repo, '--all', '--read-data'],
      ['verify', ...repo, 'latest', '--read-data', '--debug'],
      ['restore', ...repo, 'latest', '--target', target, '--yes'],
      ['dump', ...repo, 'latest', 'config/app.yaml'],
      ['ls', ...repo, 'latest'],
    ]) {
      const run = await world.run(args, wrong);
      assert.is(run.code, 1, `${args.join(' ')}: ${run.stderr}`);
      const first = args.includes('--debug') ? run.stderr.split('\n')[0]! : oneLine(run.stderr);
      assert.match(
        first,
        new RegExp(
          `^ripcord: snapshot ${id.replace('.', '\\.')}: the passphrase does not decrypt this archive: give the one it was made with`,
        ),
        args.join(' '),
      );
    }
    assert.equal(await fs.readdir(target), ['keep.txt']);
    const listed = JSON.parse((await world.run(['list', ...repo, '--json'])).stdout) as SnapshotMetadata[];
    assert.equal(
      listed.map((s) => s.id),
      [id],
      'no pre-restore snapshot was taken for a restore that could not decrypt',
    );
  }));

test.run();
