/**
 * Confinement: forged snapshots (Python's tarfile and gpg, test/helpers/hostile.ts) that mix
 * entries under their roots with entries outside them, over the local repository (which
 * lives inside the target, as ./.ripcord does), on staging folder names, and symlinks whose
 * text stays inside the target while their resolution, through each other and through a
 * link the target already holds, leaves it; sometimes a file longer than its manifest size.
 *
 * The oracle, independent of ripcord's own checks: nothing outside the target changes; the
 * repository keeps every object it had; a refusal leaves the target as it was; a restore
 * writes only entries under the manifest's roots, and every restored link resolves inside
 * the target (`realpath -m`, which follows every link that exists); and restoring the
 * pre-restore snapshot it printed brings the target back exactly (a true undo).
 *
 * Safety of the test itself: names never pass through a link, so even a careless restore
 * writes nowhere but the sandbox; link targets outside it are only ever created, never followed.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import type { ManifestEntry } from '../../src/domain/manifest.ts';
import { LocalStore } from '../../src/storage/local-store.ts';
import type { PyTarMember } from '../helpers/hostile.ts';
import { gnupgHome, manifestFor, pythonTarGz, writeHandmadeSnapshot } from '../helpers/hostile.ts';
import type { Tree, TrialOutcome } from './harness.ts';
import { count, describeError, newOutcome, violate } from './harness.ts';
import { PASSPHRASE } from './harness.ts';
import { restoreInProcess } from './harness.ts';
import { compareTrees, readTree } from './harness.ts';

const exec = promisify(execFile);

/** Members a forger picks from; names never pass through a link (see the safety note). */
const POOL: PyTarMember[] = [
  { name: 'config', type: 'dir', mode: 0o755 },
  { name: 'config/app.yaml', type: 'file', data: 'port: 8080\n' },
  { name: 'config/new.txt', type: 'file', data: 'new\n' },
  { name: 'config/a', type: 'symlink', linkname: '..' }, // the target: inside
  { name: 'config/b', type: 'symlink', linkname: 'a/..' }, // target/..: outside, though "config/a/.." reads as the target
  { name: 'config/c', type: 'symlink', linkname: 'a/keep.txt' }, // inside
  { name: 'config/d', type: 'symlink', linkname: 'b/outside/secret.txt' }, // outside, through b
  { name: 'config/e', type: 'symlink', linkname: '../up/outside' }, // outside, through the target's own link up -> ..
  { name: 'config/f', type: 'symlink', linkname: '../config/./app.yaml' }, // inside
  { name: 'config/g', type: 'symlink', linkname: '/etc/passwd' }, // outside
  { name: 'config/loop', type: 'symlink', linkname: 'loop/x' }, // never resolves
  { name: 'data', type: 'file', data: 'not a database\n' }, // over the folder data/
  { name: 'data', type: 'dir', mode: 0o755 },
  { name: 'data/important.db', type: 'file', data: 'forged rows\n' },
  { name: 'keep.txt', type: 'file', data: 'overwritten\n' },
  { name: '.ripcord', type: 'file', data: 'the repository, replaced\n' },
  { name: '.ripcord', type: 'symlink', linkname: '../outside' },
  { name: '.ripcord/planted.txt', type: 'file', data: 'planted in the repository\n' },
  { name: '.ripcord-restore-x', type: 'file', data: 'a staging name\n' },
  { name: 'top', type: 'symlink', linkname: 'config/a/config/b' }, // outside, through two links
];

const ROOTS: string[][] = [['.'], ['config'], ['config', 'data'], ['data'], ['config', '.ripcord']];

export interface ConfinementCase {
  /** indexes into POOL, in archive order, a name at most once */
  members: number[];
  roots: string[];
  delete: boolean;
  /** the target holds up -> .. before the restore */
  upLink: boolean;
  /** index into members of a file whose manifest lists fewer bytes than the archive holds, or -1 */
  oversize: number;
}

export function confinementCaseArb(): fc.Arbitrary<ConfinementCase> {
  return fc
    .record({
      members: fc.uniqueArray(fc.integer({ min: 0, max: POOL.length - 1 }), { minLength: 1, maxLength: 7 }),
      roots: fc.constantFrom(...ROOTS),
      delete: fc.boolean(),
      upLink: fc.boolean(),
      oversize: fc.oneof(
        { arbitrary: fc.constant(-1), weight: 6 },
        { arbitrary: fc.integer({ min: 0, max: 6 }), weight: 1 },
      ),
    })
    .map((c) => {
      // one member per name, parents before children, as a packer writes them
      const byName = new Map<string, number>();
      for (const i of c.members) if (!byName.has(POOL[i]!.name)) byName.set(POOL[i]!.name, i);
      const members = [...byName.values()].sort((a, b) =>
        POOL[a]!.name < POOL[b]!.name ? -1 : POOL[a]!.name > POOL[b]!.name ? 1 : 0,
      );
      const oversize =
        c.oversize >= 0 && c.oversize < members.length && POOL[members[c.oversize]!]!.type === 'file' ? c.oversize : -1;
      return { ...c, members, oversize };
    });
}

export function describeConfinementCase(c: ConfinementCase): string {
  const members = c.members.map((i, k) => {
    const m = POOL[i]!;
    return `${m.type} ${m.name}${m.linkname ? ` -> ${m.linkname}` : ''}${k === c.oversize ? ' (oversize)' : ''}`;
  });
  return `[${members.join(', ')}] roots:${JSON.stringify(c.roots)}${c.delete ? ' --delete' : ''}${c.upLink ? ' up-link' : ''}`;
}

export interface ConfinementContext {
  dir: string;
  sandbox: string;
  outside: string;
  target: string;
  repo: string;
  gnupg: string;
}

export async function prepareConfinement(dir: string): Promise<ConfinementContext> {
  const sandbox = await fs.realpath(dir);
  return {
    dir,
    sandbox,
    outside: path.join(sandbox, 'outside'),
    target: path.join(sandbox, 'app'),
    repo: path.join(sandbox, 'app', '.ripcord'),
    gnupg: await gnupgHome(path.join(sandbox, 'keys')),
  };
}

/** The sandbox as every case starts: sentinels outside, a target with config, data and the repository. */
async function resetSandbox(ctx: ConfinementContext, upLink: boolean): Promise<void> {
  await fs.rm(ctx.outside, { recursive: true, force: true });
  await fs.rm(ctx.target, { recursive: true, force: true });
  await fs.mkdir(ctx.outside, { recursive: true });
  await fs.writeFile(path.join(ctx.outside, 'secret.txt'), 'outside the target: must never change\n');
  await fs.mkdir(path.join(ctx.target, 'config'), { recursive: true });
  await fs.mkdir(path.join(ctx.target, 'data'));
  await fs.mkdir(ctx.repo, { mode: 0o700 });
  await fs.writeFile(path.join(ctx.target, 'config/app.yaml'), 'port: 1\n');
  await fs.writeFile(path.join(ctx.target, 'data/important.db'), 'the one copy\n');
  await fs.writeFile(path.join(ctx.target, 'keep.txt'), 'keep\n');
  if (upLink) await fs.symlink('..', path.join(ctx.target, 'up'));
}

const notRepo = (name: string) => name !== '.ripcord' && !name.startsWith('.ripcord/');
const withoutRepo = (tree: Tree) => new Map([...tree].filter(([name]) => notRepo(name)));

/**
 * Does the link at `name` resolve inside the target? The kernel's realpath(3) answers for a
 * link that resolves (ELOOP: a loop reaches nothing); `realpath -m` for a dangling one,
 * following every link that exists and taking the missing rest as written.
 */
async function resolvesInside(target: string, name: string): Promise<boolean> {
  const inside = (resolved: string) => resolved === target || resolved.startsWith(`${target}/`);
  try {
    return inside(await fs.realpath(path.join(target, name)));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return true;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
  }
  const { stdout } = await exec('realpath', ['-m', '--', path.join(target, name)], { timeout: 10_000 });
  return inside(stdout.replace(/\n$/, ''));
}

export async function confinementTrial(
  ctx: ConfinementContext,
  c: ConfinementCase,
  label: string,
): Promise<TrialOutcome> {
  const outcome = newOutcome(`${label}: ${describeConfinementCase(c)}`);
  outcome.faults = 1;
  await resetSandbox(ctx, c.upLink);
  const members = c.members.map((i) => POOL[i]!);
  const manifest: ManifestEntry[] = manifestFor(members.map((m, k) => (k === c.oversize ? { ...m, data: 'x' } : m)));
  const archived = members.map((m, k) => (k === c.oversize ? { ...m, data: (m.data ?? '').repeat(4096) } : m));
  const id = await writeHandmadeSnapshot({
    repo: ctx.repo,
    tarGz: await pythonTarGz(archived),
    manifest,
    roots: c.roots,
    passphrase: PASSPHRASE,
    gnupgHome: ctx.gnupg,
  });

  const sandboxBefore = await readTree(ctx.sandbox);
  const targetBefore = withoutRepo(await readTree(ctx.target));
  const repoBefore = await readTree(ctx.repo);
  const store = new LocalStore(ctx.repo);
  let error: unknown;
  let preRestore: string | undefined;
  let undoAllows = false;
  try {
    const { plan, result } = await restoreInProcess(store, id, ctx.target, { delete: c.delete, protect: [ctx.repo] });
    preRestore = result.preRestoreSnapshot?.id;
    undoAllows = plan.undoNeedsOutsideLinks; // the undo command ripcord prints then carries --allow-outside-symlinks
  } catch (e) {
    error = e;
  }

  const inTarget = (name: string) => name === 'app' || name.startsWith('app/');
  const outside = compareTrees(
    new Map([...sandboxBefore].filter(([n]) => !inTarget(n) && !n.startsWith('keys'))),
    new Map([...(await readTree(ctx.sandbox))].filter(([n]) => !inTarget(n) && !n.startsWith('keys'))),
  );
  if (outside.lost.length + outside.extra.length > 0) {
    outcome.lost += 1;
    violate(outcome, 'never-writes-outside-the-target', [...outside.lost, ...outside.extra].slice(0, 5).join('; '));
  }
  const repoAfter = await readTree(ctx.repo).catch(() => new Map() as Tree);
  const repoLost = compareTrees(repoBefore, repoAfter).lost;
  if (repoLost.length > 0) {
    outcome.lost += 1;
    violate(outcome, 'keeps-the-repository', repoLost.slice(0, 5).join('; '));
  }

  const targetAfter = withoutRepo(await readTree(ctx.target).catch(() => new Map() as Tree));
  if (error) {
    const { message, ripcord } = describeError(error);
    count(outcome, 'refused');
    if (!ripcord) violate(outcome, 'refuses-with-its-own-error', message);
    const diff = compareTrees(targetBefore, targetAfter);
    if (diff.lost.length + diff.extra.length > 0)
      violate(
        outcome,
        'refusal-leaves-target-untouched',
        `${message}: ${[...diff.lost, ...diff.extra].slice(0, 5).join('; ')}`,
      );
    outcome.notes.push(message);
  } else {
    count(outcome, 'restored');
    const roots = c.roots.map((r) => (r === '.' ? '' : r));
    for (const entry of manifest) {
      if (!roots.some((r) => r === '' || entry.path === r || entry.path.startsWith(`${r}/`)))
        violate(outcome, 'writes-only-under-the-roots', `${entry.path} is outside ${JSON.stringify(c.roots)}`);
      if (!notRepo(entry.path) || entry.path.startsWith('.ripcord-restore-'))
        violate(outcome, 'keeps-the-repository', `${entry.path} was restored`);
      if (entry.type === 'symlink' && !(await resolvesInside(ctx.target, entry.path)))
        violate(outcome, 'links-resolve-inside-the-target', `${entry.path} -> ${entry.target} resolves outside`);
    }
    if (c.oversize >= 0)
      violate(
        outcome,
        'refuses-an-oversized-entry',
        `${members[c.oversize]!.name} holds more than its manifest size, yet was restored`,
      );
    if (!preRestore) violate(outcome, 'undo-is-exact', 'no pre-restore snapshot');
    else {
      const undo = await restoreInProcess(store, preRestore, ctx.target, {
        protect: [ctx.repo],
        allowOutsideSymlinks: undoAllows,
        preRestore: false,
      }).then(
        () => undefined,
        (e: unknown) => describeError(e).message,
      );
      const back = compareTrees(targetBefore, withoutRepo(await readTree(ctx.target).catch(() => new Map() as Tree)));
      if (undo !== undefined || back.lost.length + back.extra.length > 0) {
        outcome.lost += back.lost.length > 0 ? 1 : 0;
        violate(
          outcome,
          'undo-is-exact',
          [...(undo ? [`the undo failed: ${undo}`] : []), ...back.lost, ...back.extra.map((e) => `extra ${e}`)]
            .slice(0, 5)
            .join('; '),
        );
      } else count(outcome, 'undone exactly');
    }
  }
  if (outcome.violations.length === 0) outcome.detected = 1;
  return outcome;
}
