/**
 * A snapshot forged the way docs/format.md lets anyone holding a repository's public key
 * forge one: files packed by GNU tar, encrypted by gpg to the repository's public key,
 * SHA256SUMS written by sha256sum, a sealed snapshot.json; optionally signed by gpg
 * (`gpg --detach-sign`) with some key, the signer's public key beside it. Nothing here
 * uses ripcord's writer.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { manifestEntryLine, manifestHeader, manifestTrailer } from '../../src/domain/manifest.ts';
import type { ManifestEntry } from '../../src/domain/manifest.ts';
import { createSnapshotId } from '../../src/domain/snapshot-id.ts';
import { sealMetadata, serializeMetadata, SNAPSHOT_FORMAT } from '../../src/domain/snapshot.ts';
import type { SnapshotKind, UnsealedMetadata } from '../../src/domain/snapshot.ts';
import { cleanEnv } from './cli.ts';
import type { GnupgHome } from './gpg.ts';

const exec = promisify(execFile);
const MTIME = 1704067200;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export interface ForgeOptions {
  /** a local repository folder */
  repo: string;
  /** holds the recipient's public key (and the signer's secret key, when signing) */
  gpg: GnupgHome;
  /** fingerprint of the repository's public key */
  recipient: string;
  /** archive path -> content; folders are made for every parent */
  files: Record<string, string>;
  kind?: SnapshotKind;
  /** fingerprint of a secret key in `gpg` that signs snapshot.json */
  signWith?: string;
  /** the snapshot's time (default: now) */
  at?: Date;
}

/** Write the forged snapshot into the repository; returns its id. */
export async function forgeSnapshot(options: ForgeOptions): Promise<string> {
  const id = createSnapshotId(options.at ?? new Date());
  const work = await fs.mkdtemp(path.join(path.dirname(options.repo), 'forge-'));
  try {
    const stage = path.join(work, 'stage');
    const names = new Set<string>();
    for (const name of Object.keys(options.files)) {
      const parts = name.split('/');
      for (let i = 1; i < parts.length; i++) names.add(parts.slice(0, i).join('/'));
      names.add(name);
    }
    const ordered = [...names].sort();
    const entries: ManifestEntry[] = [];
    for (const name of ordered) {
      const full = path.join(stage, name);
      const content = options.files[name];
      if (content === undefined) {
        await fs.mkdir(full, { recursive: true });
        await fs.chmod(full, 0o755);
        entries.push({ path: name, type: 'directory', mode: '0755', mtime: MTIME });
      } else {
        await fs.mkdir(path.dirname(full), { recursive: true });
        await fs.writeFile(full, content);
        await fs.chmod(full, 0o644);
        entries.push({
          path: name,
          type: 'file',
          mode: '0644',
          mtime: MTIME,
          size: Buffer.byteLength(content),
          sha256: sha256(Buffer.from(content)),
        });
      }
    }
    for (const name of ordered.reverse()) await fs.utimes(path.join(stage, name), MTIME, MTIME);

    const tarGz = path.join(work, 'archive.tar.gz');
    await exec('tar', [
      '--format=pax',
      '--no-recursion',
      '--owner=0',
      '--group=0',
      '-czf',
      tarGz,
      '-C',
      stage,
      ...[...names].sort(),
    ]);
    const archive = options.gpg.encryptTo(await fs.readFile(tarGz), [options.recipient]);
    const roots = [...new Set(Object.keys(options.files).map((name) => name.split('/')[0]!))].sort();
    const binding: Omit<UnsealedMetadata, 'objects'> = {
      format: SNAPSHOT_FORMAT,
      id,
      created: (options.at ?? new Date()).toISOString(),
      kind: options.kind ?? 'pre-deploy',
      tags: [],
      host: 'ci-runner',
      user: 'runner',
      files: entries.filter((e) => e.type === 'file').length,
      inputBytes: entries.reduce((n, e) => n + (e.size ?? 0), 0),
      archiveBytes: archive.length,
      durationMs: 1,
      compression: 'gzip',
      encryption: { mode: 'public-key', profile: 'rfc4880', recipients: [options.recipient] },
      tool: { name: 'ripcord', version: '0.1.0' },
    };
    const manifestText =
      manifestHeader(roots) +
      entries.map((e, i) => manifestEntryLine(e, i === 0)).join('') +
      manifestTrailer({ archive: { sha256: sha256(archive), bytes: archive.length }, snapshot: binding });
    const manifest = options.gpg.encryptTo(Buffer.from(manifestText), [options.recipient]);

    const folder = path.join(options.repo, id);
    await fs.mkdir(folder, { recursive: true });
    await fs.writeFile(path.join(folder, 'archive.tar.gz.pgp'), archive);
    await fs.writeFile(path.join(folder, 'manifest.json.pgp'), manifest);
    const sums = await exec('sha256sum', ['archive.tar.gz.pgp', 'manifest.json.pgp'], { cwd: folder });
    await fs.writeFile(path.join(folder, 'SHA256SUMS'), sums.stdout);
    const objects = {
      'archive.tar.gz.pgp': { sha256: sha256(archive), bytes: archive.length },
      'manifest.json.pgp': { sha256: sha256(manifest), bytes: manifest.length },
    };
    const record = serializeMetadata(sealMetadata({ ...binding, objects }));
    if (options.signWith) {
      await fs.writeFile(path.join(work, 'snapshot.json'), record);
      options.gpg.ok([
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        '',
        '--local-user',
        options.signWith,
        '--armor',
        '--detach-sign',
        '-o',
        path.join(folder, 'snapshot.json.sig'),
        path.join(work, 'snapshot.json'),
      ]);
      await fs.writeFile(path.join(folder, 'signer.asc'), options.gpg.ok(['--armor', '--export', options.signWith]));
    }
    await fs.writeFile(path.join(folder, 'snapshot.json'), record);
    return id;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** `gpg --verify` of a snapshot's signature in a keyring that holds `publicKey` only. */
export async function gpgVerifySnapshot(folder: string, gnupgHome: string): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await exec(
      'gpg',
      [
        '--batch',
        '--status-fd',
        '2',
        '--verify',
        path.join(folder, 'snapshot.json.sig'),
        path.join(folder, 'snapshot.json'),
      ],
      {
        env: cleanEnv({ GNUPGHOME: gnupgHome, LC_ALL: 'C' }),
      },
    );
    return { code: 0, stderr };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}
