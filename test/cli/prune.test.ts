/** ripcord prune through the bundled CLI, on fixture repositories with chosen creation times. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ripcord, ripcordInProcess } from '../helpers/cli.ts';
import type { RunResult } from '../helpers/cli.ts';
import {
  addUnfinishedFolder,
  createFixtureRepo,
  damageSnapshot,
  FIXTURE_PASSPHRASE,
  repositoryFiles,
  repositoryFolders,
} from '../helpers/fixture-repo.ts';
import type { FixtureRepo, FixtureSnapshot } from '../helpers/fixture-repo.ts';
import { createSnapshotId } from '../../src/domain/snapshot-id.ts';
import { formatBytes } from '../../src/cli/format.ts';

const HOUR = 60 * 60 * 1000;

/** Seven scheduled snapshots over five UTC days; 23:30 on the 12th is still the 12th in UTC. */
const TIMELINE: FixtureSnapshot[] = [
  { created: '2024-03-13T18:00:00Z', kind: 'scheduled' }, // 0001
  { created: '2024-03-13T09:00:00Z', kind: 'scheduled' }, // 0002
  { created: '2024-03-12T23:30:00Z', kind: 'scheduled' }, // 0003
  { created: '2024-03-12T07:00:00Z', kind: 'scheduled' }, // 0004
  { created: '2024-03-11T08:00:00Z', kind: 'scheduled' }, // 0005
  { created: '2024-03-10T22:00:00Z', kind: 'scheduled' }, // 0006
  { created: '2024-03-07T12:00:00Z', kind: 'scheduled' }, // 0007
];

function prune(f: FixtureRepo, args: string[]): Promise<RunResult> {
  return ripcord(['prune', '--repo', f.repo, ...args]);
}

async function listedIds(f: FixtureRepo, args: string[] = []): Promise<string[]> {
  const run = await ripcord(['list', '--repo', f.repo, '--json', ...args]);
  assert.is(run.code, 0, run.stderr);
  return (JSON.parse(run.stdout) as { id: string }[]).map((s) => s.id);
}

/** The table row of a snapshot, split into cells on runs of 2+ spaces. */
function row(stdout: string, id: string): string[] {
  const line = stdout.split('\n').find((l) => l.startsWith(`${id} `));
  assert.ok(line, `no row for ${id} in:\n${stdout}`);
  return line!.split(/ {2,}/);
}

function stderrLines(run: RunResult): string[] {
  return run.stderr.split('\n').filter((l) => l !== '');
}

interface JsonReport {
  dryRun: boolean;
  snapshots: {
    id: string;
    kind: string;
    tags: string[];
    host: string;
    action: string;
    reasons: string[];
    bytes: number;
    group: { kind: string; tags: string[] };
  }[];
  unfinished: { id: string; action: string; reason: string }[];
  damaged: { id: string; problem: string }[];
  outOfScope: number;
  summary: { kept: number; removed: number; removedUnfinished: number; bytesFreed: number };
}

test('prune --keep-daily 3 removes exactly the snapshots that are not the newest of the 3 most recent UTC days, and list then shows exactly the kept ones', async () => {
  const f = await createFixtureRepo(TIMELINE);
  try {
    const run = await prune(f, ['--keep-daily', '3']);
    assert.is(run.code, 0, run.stderr);
    assert.is(run.stderr, '');
    assert.equal(row(run.stdout, '20240313T180000.000Z-0001'), [
      '20240313T180000.000Z-0001',
      '2024-03-13 18:00:00Z',
      'scheduled',
      'keep',
      'daily',
    ]);
    assert.equal(row(run.stdout, '20240313T090000.000Z-0002').slice(3), ['remove']);
    assert.equal(row(run.stdout, '20240312T233000.000Z-0003').slice(3), ['keep', 'daily']);
    assert.equal(row(run.stdout, '20240312T070000.000Z-0004').slice(3), ['remove']);
    assert.equal(row(run.stdout, '20240311T080000.000Z-0005').slice(3), ['keep', 'daily']);
    assert.equal(row(run.stdout, '20240310T220000.000Z-0006').slice(3), ['remove']);
    assert.equal(row(run.stdout, '20240307T120000.000Z-0007').slice(3), ['remove']);
    assert.match(
      run.stdout,
      /\nkept 3, removed 4 snapshots \(\d+(\.\d+)? K?B freed\), removed 0 unfinished folders\n$/,
    );

    assert.equal(await listedIds(f), [
      '20240313T180000.000Z-0001',
      '20240312T233000.000Z-0003',
      '20240311T080000.000Z-0005',
    ]);
    assert.equal(await repositoryFolders(f.repo), [
      '20240311T080000.000Z-0005',
      '20240312T233000.000Z-0003',
      '20240313T180000.000Z-0001',
    ]);
  } finally {
    await f.remove();
  }
});

test('prune --dry-run prints the plan with "would remove" and leaves every file on disk as it was', async () => {
  const f = await createFixtureRepo(TIMELINE);
  try {
    const stale = new Date(Date.now() - 3 * HOUR);
    const unfinished = await addUnfinishedFolder(f.repo, { started: stale, modified: stale });
    const before = await repositoryFiles(f.repo);
    const run = await prune(f, ['--keep-daily', '3', '--dry-run']);
    assert.is(run.code, 0, run.stderr);
    for (const id of [
      '20240313T090000.000Z-0002',
      '20240312T070000.000Z-0004',
      '20240310T220000.000Z-0006',
      '20240307T120000.000Z-0007',
    ]) {
      assert.equal(row(run.stdout, id).slice(3), ['would remove']);
    }
    assert.equal(row(run.stdout, '20240313T180000.000Z-0001').slice(3), ['keep', 'daily']);
    assert.equal(row(run.stdout, unfinished).slice(0, 2), [unfinished, 'would remove']);
    assert.match(
      run.stdout,
      /\ndry run, nothing deleted: would keep 3, would remove 4 snapshots \(.+ would be freed\), would remove 1 unfinished folder\n$/,
    );
    const quiet = await prune(f, ['--keep-daily', '3', '--dry-run', '--quiet']);
    assert.is(quiet.code, 0, quiet.stderr);
    assert.match(quiet.stdout, /^dry run, nothing deleted: would keep 3, would remove 4 snapshots .*\n$/);
    assert.equal(await repositoryFiles(f.repo), before);
  } finally {
    await f.remove();
  }
});

test('prune without a keep rule exits 2 with one line on stderr and deletes nothing, even with zero counts or a stale unfinished folder', async () => {
  const f = await createFixtureRepo(TIMELINE);
  try {
    const stale = new Date(Date.now() - 3 * HOUR);
    await addUnfinishedFolder(f.repo, { started: stale, modified: stale });
    const before = await repositoryFiles(f.repo);
    for (const args of [
      [],
      ['--kind', 'scheduled'],
      ['--keep-daily', '0', '--keep-within', '0s'],
      ['--dry-run', '--json'],
    ]) {
      const run = await prune(f, args);
      assert.is(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.is(run.stdout, '');
      assert.equal(stderrLines(run).length, 1, run.stderr);
      assert.match(
        run.stderr,
        /^ripcord: refusing to prune without a keep rule: give at least one of --keep-last, .*--keep-tag/,
      );
    }
    assert.equal(await repositoryFiles(f.repo), before);
  } finally {
    await f.remove();
  }
});

test('prune rejects bad flag values with exit 2 and one line naming the flag, and deletes nothing', async () => {
  const f = await createFixtureRepo(TIMELINE);
  try {
    const before = await repositoryFiles(f.repo);
    const cases: [string[], RegExp][] = [
      [
        ['--keep-daily=-1'],
        /--keep-daily takes a whole number of 0 or more, or "unlimited"; got "-1" \(negative counts/,
      ],
      [['--keep-last', 'all'], /--keep-last takes a whole number/],
      [['--keep-within', '6mo'], /--keep-within: invalid duration "6mo": months are not supported/],
      [['--keep-tag', 'release,stable'], /--keep-tag release,stable: give one tag per flag/],
      [
        ['--keep-last', '1', '--kind', 'nightly'],
        /--kind nightly is not one of manual, pre-deploy, pre-restore, scheduled/,
      ],
      [['--keep-last', '1', 'old-stuff'], /prune takes no arguments \(got old-stuff\)/],
      [['--keep-everything'], /--keep-everything/],
    ];
    for (const [args, message] of cases) {
      const run = await prune(f, args);
      assert.is(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(stderrLines(run).length, 1, run.stderr);
      assert.match(run.stderr, message);
      assert.not.match(run.stderr, /\n\s+at /);
    }
    assert.equal(await repositoryFiles(f.repo), before);
  } finally {
    await f.remove();
  }
});

test('the newest snapshot of a scoped group survives: by "newest" when no rule keeps it, and newer snapshots of other kinds do not count', async () => {
  const f = await createFixtureRepo([
    { created: '2024-03-13T18:00:00Z', kind: 'manual' }, // 0001, newer than every pre-deploy snapshot
    { created: '2024-03-12T18:00:00Z', kind: 'manual' }, // 0002
    { created: '2024-03-11T18:00:00Z', kind: 'pre-deploy' }, // 0003
    { created: '2024-03-10T18:00:00Z', kind: 'pre-deploy' }, // 0004
    { created: '2024-03-09T18:00:00Z', kind: 'pre-deploy' }, // 0005
  ]);
  try {
    const noRuleKeeps = await prune(f, ['--keep-tag', 'release', '--kind', 'pre-deploy', '--dry-run']);
    assert.is(noRuleKeeps.code, 0, noRuleKeeps.stderr);
    assert.equal(row(noRuleKeeps.stdout, '20240311T180000.000Z-0003').slice(3), ['keep', 'newest']);
    assert.equal(row(noRuleKeeps.stdout, '20240310T180000.000Z-0004').slice(3), ['would remove']);

    const run = await prune(f, ['--keep-last', '1', '--kind', 'pre-deploy']);
    assert.is(run.code, 0, run.stderr);
    assert.equal(await listedIds(f), [
      '20240313T180000.000Z-0001',
      '20240312T180000.000Z-0002',
      '20240311T180000.000Z-0003',
    ]);

    const again = await prune(f, ['--keep-tag', 'release', '--kind', 'pre-deploy']);
    assert.is(again.code, 0, again.stderr);
    assert.equal(row(again.stdout, '20240311T180000.000Z-0003').slice(3), ['keep', 'newest']);
    assert.match(again.stdout, /kept 1, removed 0 snapshots/);
    assert.equal(await listedIds(f, ['--kind', 'pre-deploy']), ['20240311T180000.000Z-0003']);
  } finally {
    await f.remove();
  }
});

test('prune --kind and --tag leave every snapshot outside the scope byte for byte untouched; repeated --tag means all of the tags', async () => {
  const f = await createFixtureRepo([
    { created: '2024-03-13T18:00:00Z', kind: 'scheduled' }, // 0001
    { created: '2024-03-12T18:00:00Z', kind: 'scheduled' }, // 0002
    { created: '2024-03-11T18:00:00Z', kind: 'manual' }, // 0003
    { created: '2024-03-10T18:00:00Z', kind: 'manual' }, // 0004
    { created: '2024-03-09T18:00:00Z', kind: 'pre-restore' }, // 0005
    { created: '2024-03-08T18:00:00Z', kind: 'pre-restore' }, // 0006
    { created: '2024-03-07T18:00:00Z', kind: 'pre-deploy', tags: ['env:prod', 'app:web'] }, // 0007
    { created: '2024-03-06T18:00:00Z', kind: 'pre-deploy', tags: ['env:prod', 'app:web'] }, // 0008
    { created: '2024-03-05T18:00:00Z', kind: 'pre-deploy', tags: ['env:prod'] }, // 0009
    { created: '2024-03-04T18:00:00Z', kind: 'pre-deploy', tags: ['env:prod'] }, // 000a
  ]);
  try {
    const byKind = await prune(f, ['--keep-last', '1', '--kind', 'scheduled']);
    assert.is(byKind.code, 0, byKind.stderr);
    assert.match(
      byKind.stdout,
      /^policy: keep the last 1 snapshots .*\nscope: kind scheduled \(8 snapshots outside it left untouched\)\n/,
    );
    assert.not.ok(byKind.stdout.includes('-0003'), 'out-of-scope snapshots are not in the table');
    const afterKind = await repositoryFiles(f.repo);
    assert.equal(await repositoryFolders(f.repo), f.ids.filter((id) => !id.endsWith('-0002')).sort());

    const byTags = await prune(f, ['--keep-last', '1', '--tag', 'env:prod', '--tag', 'app:web']);
    assert.is(byTags.code, 0, byTags.stderr);
    assert.match(byTags.stdout, /scope: tags env:prod and app:web \(7 snapshots outside it left untouched\)/);
    const after = await repositoryFiles(f.repo);
    for (const [file, content] of afterKind) {
      if (file.startsWith('20240306T180000.000Z-0008/')) assert.not.ok(after.has(file), `${file} removed`);
      else assert.is(after.get(file), content, `${file} untouched`);
    }
    assert.equal(
      await listedIds(f),
      f.ids.filter((id) => !id.endsWith('-0002') && !id.endsWith('-0008')),
    );
  } finally {
    await f.remove();
  }
});

test('groups of kind + tags are pruned independently (a staging burst cannot push out prod), and snapshots from different hosts share one group', async () => {
  const f = await createFixtureRepo([
    { created: '2024-03-13T18:00:00Z', kind: 'pre-deploy', tags: ['env:staging'], host: 'runner-a' }, // 0001
    { created: '2024-03-13T17:00:00Z', kind: 'pre-deploy', tags: ['env:staging'], host: 'runner-b' }, // 0002
    { created: '2024-03-13T16:00:00Z', kind: 'pre-deploy', tags: ['env:staging'], host: 'runner-c' }, // 0003
    { created: '2024-03-13T15:00:00Z', kind: 'pre-deploy', tags: ['env:staging'], host: 'runner-d' }, // 0004
    { created: '2024-03-10T12:00:00Z', kind: 'pre-deploy', tags: ['env:prod'], host: 'runner-e' }, // 0005
    { created: '2024-03-09T12:00:00Z', kind: 'pre-deploy', tags: ['env:prod'], host: 'runner-f' }, // 0006
    { created: '2024-03-08T12:00:00Z', kind: 'pre-deploy', tags: ['env:prod'], host: 'runner-g' }, // 0007
    { created: '2024-03-12T12:00:00Z', kind: 'scheduled', host: 'cron-1' }, // 0008
    { created: '2024-03-01T12:00:00Z', kind: 'scheduled', host: 'cron-2' }, // 0009
  ]);
  try {
    const run = await prune(f, ['--keep-last', '2']);
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stdout, /kept 6, removed 3 snapshots/);
    assert.equal(await listedIds(f), [
      '20240313T180000.000Z-0001',
      '20240313T170000.000Z-0002',
      '20240312T120000.000Z-0008',
      '20240310T120000.000Z-0005',
      '20240309T120000.000Z-0006',
      '20240301T120000.000Z-0009',
    ]);
  } finally {
    await f.remove();
  }
});

test('prune removes an unfinished folder whose start and objects are over an hour old, and keeps one written to just now or started just now', async () => {
  const f = await createFixtureRepo([{ created: '2024-03-13T18:00:00Z', kind: 'scheduled' }]);
  try {
    const now = Date.now();
    const stale = await addUnfinishedFolder(f.repo, {
      started: new Date(now - 3 * HOUR),
      modified: new Date(now - 2 * HOUR),
      suffix: 'aaaa',
    });
    const beingWritten = await addUnfinishedFolder(f.repo, {
      started: new Date(now - 3 * HOUR),
      modified: new Date(now),
      suffix: 'bbbb',
    });
    const justStarted = await addUnfinishedFolder(f.repo, {
      started: new Date(now - 5 * 60 * 1000),
      modified: new Date(now - 2 * HOUR),
      suffix: 'cccc',
    });
    const run = await prune(f, ['--keep-last', '1']);
    assert.is(run.code, 0, run.stderr);
    assert.equal(row(run.stdout, stale).slice(0, 2), [stale, 'remove']);
    assert.equal(row(run.stdout, beingWritten).slice(0, 2), [beingWritten, 'keep']);
    assert.match(row(run.stdout, beingWritten)[2]!, /^written to \d+s ago: a backup may still be writing it$/);
    assert.match(row(run.stdout, justStarted)[2]!, /^started 5m\d*s? ago: a backup may still be writing it$/);
    assert.match(run.stdout, /kept 1, removed 0 snapshots \(0 B freed\), removed 1 unfinished folder \(.+ freed\)\n$/);
    assert.equal(await repositoryFolders(f.repo), [f.ids[0], beingWritten, justStarted].sort());
  } finally {
    await f.remove();
  }
});

test('prune judges the grace period by the clock main is given (io.now): a folder written to just now is kept by the real clock and removed two hours later', async () => {
  const f = await createFixtureRepo([{ created: '2024-03-13T18:00:00Z', kind: 'scheduled' }]);
  try {
    const written = await addUnfinishedFolder(f.repo, { started: new Date(), modified: new Date(), suffix: 'dddd' });
    const args = ['prune', '--repo', f.repo, '--keep-last', '1'];
    const today = await ripcordInProcess(args);
    assert.is(today.code, 0, today.stderr);
    assert.equal(row(today.stdout, written).slice(0, 2), [written, 'keep']);
    const later = await ripcordInProcess(args, { now: () => new Date(Date.now() + 2 * HOUR) });
    assert.is(later.code, 0, later.stderr);
    assert.equal(row(later.stdout, written).slice(0, 2), [written, 'remove']);
    assert.match(row(later.stdout, written)[2]!, /^interrupted backup, last written 2h\d*m?\d*s? ago$/);
    assert.equal(await repositoryFolders(f.repo), [f.ids[0]]);
  } finally {
    await f.remove();
  }
});

test('an empty snapshot folder (a write killed before its first file) is noted by list and removed by prune after the same hour as other unfinished folders', async () => {
  const f = await createFixtureRepo([{ created: '2024-03-13T18:00:00Z', kind: 'scheduled' }]);
  try {
    const now = Date.now();
    const stale = createSnapshotId(new Date(now - 3 * HOUR), 'eeee');
    const fresh = createSnapshotId(new Date(now - 3 * HOUR), 'ffff');
    await fs.mkdir(path.join(f.repo, stale));
    await fs.utimes(path.join(f.repo, stale), new Date(now - 2 * HOUR), new Date(now - 2 * HOUR));
    await fs.mkdir(path.join(f.repo, fresh));
    const list = await ripcord(['list', '--repo', f.repo]);
    assert.is(list.code, 0, list.stderr);
    assert.match(
      list.stderr,
      /^note: 2 unfinished snapshot folders \(interrupted backups\) are not listed; ripcord prune removes them once they are an hour old\n$/,
    );
    const run = await prune(f, ['--keep-last', '1']);
    assert.is(run.code, 0, run.stderr);
    assert.equal(row(run.stdout, stale).slice(0, 2), [stale, 'remove']);
    assert.equal(row(run.stdout, fresh).slice(0, 2), [fresh, 'keep']);
    assert.match(run.stdout, /removed 1 unfinished folder\n$/);
    assert.equal(await repositoryFolders(f.repo), [f.ids[0], fresh].sort());
  } finally {
    await f.remove();
  }
});

test('list, show and prune print the same stored size for a snapshot: every object in its folder', async () => {
  const f = await createFixtureRepo([
    { created: '2024-03-13T18:00:00Z', kind: 'scheduled' },
    { created: '2024-03-12T18:00:00Z', kind: 'scheduled' },
  ]);
  try {
    const old = f.ids[1]!;
    const onDisk = (await fs.readdir(path.join(f.repo, old))).length;
    assert.ok(onDisk >= 4, 'the folder holds the archive, the manifest, SHA256SUMS and snapshot.json');
    let bytes = 0;
    for (const name of await fs.readdir(path.join(f.repo, old)))
      bytes += (await fs.stat(path.join(f.repo, old, name))).size;
    const figure = formatBytes(bytes);
    const list = await ripcord(['list', '--repo', f.repo]);
    assert.is(list.code, 0, list.stderr);
    assert.is(row(list.stdout, old)[6], figure, list.stdout);
    const show = await ripcord(['show', '--repo', f.repo, old]);
    assert.match(show.stdout, new RegExp(`^stored: +${figure.replace('.', '\\.')}$`, 'm'));
    const run = await prune(f, ['--keep-last', '1']);
    assert.is(run.code, 0, run.stderr);
    assert.ok(run.stdout.includes(`removed 1 snapshot (${figure} freed)`), run.stdout);
  } finally {
    await f.remove();
  }
});

test('a damaged snapshot is never removed and a warning on stderr names it', async () => {
  const f = await createFixtureRepo([
    { created: '2024-03-13T18:00:00Z', kind: 'scheduled' },
    { created: '2024-03-12T18:00:00Z', kind: 'scheduled' },
    { created: '2024-03-11T18:00:00Z', kind: 'scheduled' },
  ]);
  try {
    const [newest, , oldest] = f.ids as [string, string, string];
    await damageSnapshot(f.repo, oldest);
    const damagedBefore = [...(await repositoryFiles(f.repo))].filter(([file]) => file.startsWith(`${oldest}/`));
    const run = await prune(f, ['--keep-last', '1']);
    assert.is(run.code, 0, run.stderr);
    assert.equal(stderrLines(run), [
      `warning: snapshot ${oldest} is damaged and was left in place: snapshot.json does not match its own checksum (it was changed or damaged) (run ripcord verify ${oldest})`,
    ]);
    assert.not.ok(run.stdout.includes(oldest), 'a damaged snapshot is not in the table');
    assert.match(run.stdout, /kept 1, removed 1 snapshot \(/);
    assert.equal(await repositoryFolders(f.repo), [oldest, newest]);
    const damagedAfter = [...(await repositoryFiles(f.repo))].filter(([file]) => file.startsWith(`${oldest}/`));
    assert.equal(damagedAfter, damagedBefore);
  } finally {
    await f.remove();
  }
});

test('prune --json prints one JSON document with every decision, its reasons and its group', async () => {
  const f = await createFixtureRepo([
    ...TIMELINE,
    { created: '2024-03-13T12:00:00Z', kind: 'pre-deploy', tags: ['env:prod'], host: 'runner-x' }, // 0008
    { created: '2024-02-13T12:00:00Z', kind: 'pre-deploy', tags: ['env:prod'], host: 'runner-y' }, // 0009
  ]);
  try {
    const run = await prune(f, ['--keep-last', '1', '--keep-daily', '2', '--keep-monthly', 'unlimited', '--json']);
    assert.is(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as JsonReport;
    assert.is(report.dryRun, false);
    assert.equal(
      report.snapshots.map((s) => [s.id, s.action, s.reasons]),
      [
        ['20240313T180000.000Z-0001', 'keep', ['last', 'daily', 'monthly']],
        ['20240313T090000.000Z-0002', 'remove', []],
        ['20240312T233000.000Z-0003', 'keep', ['daily']],
        ['20240312T070000.000Z-0004', 'remove', []],
        ['20240311T080000.000Z-0005', 'remove', []],
        ['20240310T220000.000Z-0006', 'remove', []],
        ['20240307T120000.000Z-0007', 'remove', []],
        ['20240313T120000.000Z-0008', 'keep', ['last', 'daily', 'monthly']],
        ['20240213T120000.000Z-0009', 'keep', ['daily', 'monthly']],
      ],
    );
    const prod = report.snapshots.find((s) => s.id.endsWith('-0008'))!;
    assert.equal(prod.group, { kind: 'pre-deploy', tags: ['env:prod'] });
    assert.is(prod.host, 'runner-x');
    assert.ok(prod.bytes > 0);
    assert.equal(report.summary, {
      kept: 4,
      removed: 5,
      removedUnfinished: 0,
      skippedUnfinished: [],
      bytesFreed: report.snapshots.filter((s) => s.action === 'remove').reduce((sum, s) => sum + s.bytes, 0),
    });
    assert.equal(await listedIds(f), [
      '20240313T180000.000Z-0001',
      '20240313T120000.000Z-0008',
      '20240312T233000.000Z-0003',
      '20240213T120000.000Z-0009',
    ]);
  } finally {
    await f.remove();
  }
});

test('verify --all passes after a prune: nothing is left half-deleted and no unfinished folder remains', async () => {
  const f = await createFixtureRepo(TIMELINE);
  try {
    const stale = new Date(Date.now() - 3 * HOUR);
    await addUnfinishedFolder(f.repo, { started: stale, modified: stale });
    const run = await prune(f, ['--keep-last', '2', '--keep-weekly', '2']);
    assert.is(run.code, 0, run.stderr);
    const verify = await ripcord(['verify', '--all', '--repo', f.repo], {
      env: { RIPCORD_PASSPHRASE: FIXTURE_PASSPHRASE },
    });
    assert.is(verify.code, 0, verify.stderr);
    const ids = await listedIds(f);
    assert.equal(ids, ['20240313T180000.000Z-0001', '20240313T090000.000Z-0002', '20240310T220000.000Z-0006']);
    assert.equal(
      verify.stdout.split('\n').filter(Boolean),
      ids.map((id) => `ok      ${id}`),
    );
    assert.equal(await repositoryFolders(f.repo), [...ids].sort());
    for (const id of ids)
      assert.equal((await fs.readdir(path.join(f.repo, id))).sort(), [
        'SHA256SUMS',
        'archive.tar.gz.pgp',
        'manifest.json.pgp',
        'snapshot.json',
      ]);
  } finally {
    await f.remove();
  }
});

test('prune --help explains every flag on one line and points to docs/retention.md', async () => {
  const run = await ripcord(['prune', '--help']);
  assert.is(run.code, 0, run.stderr);
  const flags = [
    '--keep-last N',
    '--keep-hourly N',
    '--keep-daily N',
    '--keep-weekly N',
    '--keep-monthly N',
    '--keep-yearly N',
    '--keep-within DURATION',
    '--keep-tag TAG',
    '--kind KIND',
    '--tag TAG',
    '--dry-run',
    '--json',
  ];
  for (const name of flags) {
    const line = run.stdout
      .split('\n')
      .find((l) => new RegExp(`^\\s+(-\\w, )?${name.replace(/[-]/g, '\\-')}\\s{2,}\\S`).test(l));
    assert.ok(line, `${name} has a line with an explanation in:\n${run.stdout}`);
  }
  assert.match(run.stdout, /"unlimited"/);
  assert.match(run.stdout, /docs\/retention\.md/);
  const listed = await ripcord(['--help']);
  assert.match(listed.stdout, /\n {2}prune +Remove old snapshots/);
});

test('a prune while another prune holds the repository lock fails with one line naming the holder, and deletes nothing', async () => {
  const f = await createFixtureRepo([{ created: '2024-03-13T18:00:00Z' }, { created: '2024-03-12T18:00:00Z' }]);
  try {
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    const lockKey = path.join(f.repo, 'locks', 'prune', '20261122T000000.000Z-aaaa.json');
    await fs.mkdir(path.dirname(lockKey), { recursive: true });
    await fs.writeFile(
      lockKey,
      JSON.stringify({
        operation: 'prune',
        host: 'runner-7',
        pid: 4242,
        user: 'ci',
        ciRun: 'https://ci.example/run/99',
        acquired: new Date().toISOString(),
        expires,
      }),
    );
    const before = await repositoryFiles(f.repo);
    const run = await ripcord(['prune', '--repo', f.repo, '--keep-last', '1', '--wait', '300ms']);
    assert.is(run.code, 1);
    assert.is(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(
      run.stderr,
      /prune is locked in .*: prune by ci@runner-7 \(pid 4242, https:\/\/ci\.example\/run\/99\)/,
    );
    assert.equal(await repositoryFiles(f.repo), before);
    await fs.rm(lockKey);
    const again = await ripcord(['prune', '--repo', f.repo, '--keep-last', '1']);
    assert.is(again.code, 0, again.stderr);
  } finally {
    await f.remove();
  }
});

test.run();
