/**
 * Fixture repositories: snapshots with chosen creation times, kinds, tags and hosts,
 * without waiting for the clock. One real snapshot is taken once per process with the
 * bundled CLI (build it first); every fixture snapshot is a copy of its folder under a new
 * id whose snapshot.json is rewritten (id, created, kind, tags, host) and re-sealed.
 *
 * The encrypted objects are the template's, unchanged, so SHA256SUMS and `ripcord verify`
 * pass on every copy. `verify --read-data` does NOT: the manifest's authenticated copy of
 * the metadata still names the template snapshot.
 */
import { rmSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createSnapshotId } from '../../src/domain/snapshot-id.ts';
import type { SnapshotKind, SnapshotMetadata } from '../../src/domain/snapshot.ts';
import { sealMetadata, serializeMetadata, SNAPSHOT_OBJECT } from '../../src/domain/snapshot.ts';
import { ripcord } from './cli.ts';
import { readTree, removeDir, tempDir } from './tree.ts';

export const FIXTURE_PASSPHRASE = 'fixture repository passphrase';

export interface FixtureSnapshot {
  /** creation time, ISO 8601 UTC ("2024-03-13T18:00:00Z"); the id starts with it */
  created: string;
  /** the id's 4 hex digits; default: the snapshot's position in the list, from 0001 */
  suffix?: string;
  /** default manual */
  kind?: SnapshotKind;
  tags?: string[];
  /** default fixture-host */
  host?: string;
  /**
   * pre-deploy only: whether its deploy recorded an outcome (outcome.json). Default true;
   * false leaves it pinned, as a deploy still running or whose job died.
   */
  outcome?: boolean;
}

export interface FixtureRepo {
  /** a temporary folder holding the repository (and room for anything else) */
  dir: string;
  repo: string;
  /** the ids of the snapshots asked for, in the order given */
  ids: string[];
  remove(): Promise<void>;
}

interface Template {
  folder: string;
  metadata: SnapshotMetadata;
}

let template: Promise<Template> | undefined;

/** The one real snapshot every fixture snapshot is copied from (taken on first use). */
function templateSnapshot(): Promise<Template> {
  template ??= (async () => {
    const dir = await tempDir('ripcord-fixture-template-');
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    await fs.writeFile(path.join(dir, 'state.txt'), 'fixture state\n');
    const repo = path.join(dir, 'repo');
    const run = await ripcord(['backup', '--repo', repo, '-q', 'state.txt'], {
      cwd: dir,
      env: { RIPCORD_PASSPHRASE: FIXTURE_PASSPHRASE },
    });
    if (run.code !== 0) throw new Error(`fixture template backup failed (${run.code}): ${run.stderr}`);
    const id = run.stdout.trim();
    const folder = path.join(repo, id);
    const metadata = JSON.parse(await fs.readFile(path.join(folder, SNAPSHOT_OBJECT), 'utf8')) as SnapshotMetadata;
    return { folder, metadata };
  })();
  return template;
}

/** The id a fixture snapshot gets: its creation time and suffix. */
export function fixtureId(created: string, suffix: string): string {
  return createSnapshotId(new Date(created), suffix);
}

/** A new temporary repository holding exactly these snapshots. */
export async function createFixtureRepo(snapshots: readonly FixtureSnapshot[]): Promise<FixtureRepo> {
  const dir = await tempDir('ripcord-fixture-');
  const repo = path.join(dir, 'repo');
  await fs.mkdir(repo, { mode: 0o700 });
  const ids: string[] = [];
  for (const [index, spec] of snapshots.entries()) {
    ids.push(await addFixtureSnapshot(repo, { suffix: (index + 1).toString(16).padStart(4, '0'), ...spec }));
  }
  return { dir, repo, ids, remove: () => removeDir(dir) };
}

/** Copy the template into `repo` as a committed snapshot described by `spec`; returns its id. */
export async function addFixtureSnapshot(repo: string, spec: FixtureSnapshot): Promise<string> {
  const { folder, metadata } = await templateSnapshot();
  const created = new Date(spec.created);
  if (Number.isNaN(created.getTime())) throw new Error(`fixture: invalid created time ${spec.created}`);
  const id = fixtureId(spec.created, spec.suffix ?? '0000');
  const target = path.join(repo, id);
  await copyFolder(folder, target);
  const { metadataSha256: _old, ...rest } = metadata;
  const rewritten = sealMetadata({
    ...rest,
    id,
    created: created.toISOString(),
    kind: spec.kind ?? 'manual',
    tags: [...(spec.tags ?? [])],
    host: spec.host ?? 'fixture-host',
  });
  await fs.writeFile(path.join(target, SNAPSHOT_OBJECT), serializeMetadata(rewritten), { mode: 0o600 });
  if (rewritten.kind === 'pre-deploy' && spec.outcome !== false) {
    await fs.writeFile(
      path.join(target, 'outcome.json'),
      `${JSON.stringify({ result: 'deployed', at: rewritten.created, exitCode: 0 })}\n`,
      { mode: 0o600 },
    );
  }
  return id;
}

/**
 * An interrupted backup: the template's objects without snapshot.json, under an id started
 * at `started`, every file's modification time set to `modified`. Returns its id.
 */
export async function addUnfinishedFolder(
  repo: string,
  spec: { started: Date; modified: Date; suffix?: string },
): Promise<string> {
  const { folder } = await templateSnapshot();
  const id = createSnapshotId(spec.started, spec.suffix ?? 'dead');
  const target = path.join(repo, id);
  await copyFolder(folder, target);
  await fs.rm(path.join(target, SNAPSHOT_OBJECT));
  for (const name of await fs.readdir(target)) await fs.utimes(path.join(target, name), spec.modified, spec.modified);
  return id;
}

/** Change one byte of a snapshot's snapshot.json, so that it no longer matches its own checksum. */
export async function damageSnapshot(repo: string, id: string): Promise<void> {
  const file = path.join(repo, id, SNAPSHOT_OBJECT);
  const text = await fs.readFile(file, 'utf8');
  const damaged = text.replace(/"files": (\d+)/, (_, n: string) => `"files": ${Number(n) + 1}`);
  if (damaged === text) throw new Error(`fixture: cannot damage ${file}`);
  await fs.writeFile(file, damaged);
}

/**
 * Every file in the repository with its content, for "nothing changed" comparisons. The
 * audit log (audit/) is left out: every run, failed ones included, adds a record to it.
 */
export async function repositoryFiles(repo: string): Promise<Map<string, string | undefined>> {
  const tree = await readTree(repo);
  return new Map(
    [...tree]
      .filter(([name, entry]) => entry.type === 'file' && !name.startsWith('audit/'))
      .map(([name, entry]) => [name, entry.content]),
  );
}

/** The snapshot folders in the repository (committed or not), sorted; not the audit log. */
export async function repositoryFolders(repo: string): Promise<string[]> {
  return (await fs.readdir(repo)).filter((name) => name !== 'audit').sort();
}

async function copyFolder(from: string, to: string): Promise<void> {
  await fs.mkdir(to, { mode: 0o700 });
  for (const name of await fs.readdir(from)) await fs.copyFile(path.join(from, name), path.join(to, name));
}
