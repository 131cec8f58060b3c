/** Real files on disk for tests: the standard awkward tree, and an exact tree comparison. */
import { randomBytes } from 'node:crypto';
import { lstatSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { formatMode, type ManifestEntry } from '../../src/domain/manifest.ts';

export async function tempDir(prefix = 'ripcord-test-'): Promise<string> {
  return fs.mkdtemp(path.join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}

/** A 150-byte relative path under `top` (directories of 20 characters). */
export function longPath(top: string, length = 150): string {
  const parts = [top];
  while (parts.join('/').length + 21 < length - 12) parts.push('d'.repeat(20));
  const base = parts.join('/');
  return `${base}/${'f'.repeat(length - base.length - 1)}`;
}

/**
 * The tree the round-trip tests use: unicode names, a 150-byte path, a symlink, an
 * empty directory, an empty file, an executable file and a few MB of random data.
 */
export async function makeAwkwardTree(root: string, randomMegabytes = 3): Promise<string[]> {
  const files: Record<string, Buffer | string> = {
    'config/app.yaml': 'port: 8080\nname: app\n',
    'config/données/ファイル ☃.txt': 'unicode name\n',
    'config/empty.txt': '',
    'scripts/deploy.sh': '#!/bin/sh\necho deploy\n',
    'state/blob.bin': randomBytes(randomMegabytes << 20),
    [longPath('config')]: 'a long path\n',
  };
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.join(root, path.dirname(name)), { recursive: true });
    await fs.writeFile(path.join(root, name), content);
  }
  await fs.chmod(path.join(root, 'scripts/deploy.sh'), 0o755);
  await fs.mkdir(path.join(root, 'state/empty-dir'), { recursive: true });
  await fs.symlink('app.yaml', path.join(root, 'config/current.yaml'));
  await fs.symlink('../données/ファイル ☃.txt', path.join(root, 'config/dangling-or-not'));
  return ['config', 'scripts', 'state'];
}

export interface TreeEntry {
  type: 'file' | 'directory' | 'symlink' | 'other';
  mode: number;
  content?: string; // hex sha-like fingerprint for files: the bytes themselves, base64
  target?: string;
}

/** Every entry below `root`, keyed by relative path: type, permission bits, content, link target. */
export async function readTree(root: string): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>();
  async function visit(dir: string, prefix: string): Promise<void> {
    const names = (await fs.readdir(dir)).sort();
    for (const name of names) {
      const full = path.join(dir, name);
      const rel = prefix ? `${prefix}/${name}` : name;
      const stats = await fs.lstat(full);
      const mode = stats.mode & 0o7777;
      if (stats.isDirectory()) {
        out.set(rel, { type: 'directory', mode });
        await visit(full, rel);
      } else if (stats.isSymbolicLink()) {
        out.set(rel, { type: 'symlink', mode: 0, target: await fs.readlink(full) });
      } else if (stats.isFile()) {
        out.set(rel, { type: 'file', mode, content: (await fs.readFile(full)).toString('base64') });
      } else {
        out.set(rel, { type: 'other', mode });
      }
    }
  }
  await visit(root, '');
  return out;
}

/** Differences between two trees, as readable lines (empty when identical). */
export async function diffTrees(expectedRoot: string, actualRoot: string, only?: readonly string[]): Promise<string[]> {
  const pick = (tree: Map<string, TreeEntry>) =>
    new Map([...tree].filter(([p]) => !only || only.some((o) => p === o || p.startsWith(`${o}/`))));
  const expected = pick(await readTree(expectedRoot));
  const actual = pick(await readTree(actualRoot));
  const problems: string[] = [];
  for (const [p, e] of expected) {
    const a = actual.get(p);
    if (!a) problems.push(`missing: ${p}`);
    else if (a.type !== e.type) problems.push(`type differs: ${p} (${e.type} vs ${a.type})`);
    else if (a.mode !== e.mode) problems.push(`mode differs: ${p} (${e.mode.toString(8)} vs ${a.mode.toString(8)})`);
    else if (a.content !== e.content) problems.push(`content differs: ${p}`);
    else if (a.target !== e.target) problems.push(`link target differs: ${p}`);
  }
  for (const p of actual.keys()) if (!expected.has(p)) problems.push(`unexpected: ${p}`);
  return problems;
}

/**
 * The manifest entry of a snapshot that read `file` (stored as `name`) as it is now, size,
 * mode, times and inode alike, but hashed other bytes: what bit rot, or a change that left
 * every stat field as it was, looks like to change detection.
 */
export function entryWithOtherContent(file: string, name: string): ManifestEntry & { type: 'file' } {
  const stats = lstatSync(file);
  return {
    path: name,
    type: 'file',
    mode: formatMode(stats.mode),
    mtime: Math.floor(stats.mtimeMs / 1000),
    size: stats.size,
    sha256: '0'.repeat(64),
    ino: stats.ino,
    ctimeMs: stats.ctimeMs,
    mtimeMs: stats.mtimeMs,
  };
}
