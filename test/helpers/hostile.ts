/**
 * Hand-made snapshots with hostile content: a tar built by Python's tarfile (or GNU tar),
 * gzip'd, encrypted by real gpg, with a manifest (also gpg-encrypted) and a valid, sealed
 * snapshot.json, so that restore sees a snapshot whose checksums all pass and must still
 * refuse it on its content.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { createSnapshotId } from '../../src/domain/snapshot-id.ts';
import { formatChecksums, sealMetadata, serializeMetadata, SNAPSHOT_FORMAT } from '../../src/domain/snapshot.ts';
import type { UnsealedMetadata } from '../../src/domain/snapshot.ts';
import type { ManifestEntry } from '../../src/domain/manifest.ts';
import { manifestEntryLine, manifestHeader, manifestTrailer } from '../../src/domain/manifest.ts';
import { GnupgHome } from './gpg.ts';
import { pythonExecutable } from './python.ts';

const exec = promisify(execFile);

export interface PyTarMember {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'fifo' | 'chardev';
  data?: string;
  linkname?: string;
  mode?: number;
}

/** A .tar.gz built by Python's tarfile from a member list. */
export async function pythonTarGz(members: PyTarMember[]): Promise<Buffer> {
  const script = `
import io, json, sys, tarfile, time
members = json.loads(sys.stdin.read())
out = io.BytesIO()
with tarfile.open(fileobj=out, mode='w:gz', format=tarfile.PAX_FORMAT) as tar:
    for m in members:
        info = tarfile.TarInfo(m['name'])
        info.mtime = 1704067200
        info.mode = m.get('mode', 0o644)
        data = m.get('data', '').encode()
        kind = m['type']
        if kind == 'file':
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            continue
        info.type = {'dir': tarfile.DIRTYPE, 'symlink': tarfile.SYMTYPE, 'hardlink': tarfile.LNKTYPE,
                     'fifo': tarfile.FIFOTYPE, 'chardev': tarfile.CHRTYPE}[kind]
        info.linkname = m.get('linkname', '')
        tar.addfile(info)
sys.stdout.buffer.write(out.getvalue())
`;
  const child = execFile(pythonExecutable(), ['-c', script], { encoding: 'buffer', maxBuffer: 1 << 26 });
  child.stdin!.end(JSON.stringify(members));
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  await new Promise<void>((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`python3 tarfile failed: ${code}`)))),
  );
  return Buffer.concat(chunks);
}

/** `gpg --symmetric` with AES-256, as ripcord writes its archives. */
const encryptAes256 = (data: Buffer, passphrase: string, gnupgHome: string) =>
  new GnupgHome(gnupgHome).encryptSymmetric(data, passphrase, ['--cipher-algo', 'AES256']);

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Manifest entries as an honest manifest would list these members. */
export function manifestFor(members: PyTarMember[]): ManifestEntry[] {
  return members.map((m) => {
    const base = {
      path: m.name.replace(/\/$/, ''),
      mode: (m.mode ?? 0o644).toString(8).padStart(4, '0'),
      mtime: 1704067200,
    };
    if (m.type === 'dir') return { ...base, type: 'directory' };
    if (m.type === 'symlink') return { ...base, type: 'symlink', target: m.linkname ?? '' };
    const data = Buffer.from(m.data ?? '');
    return { ...base, type: 'file', size: data.length, sha256: sha256(data) };
  }) as ManifestEntry[];
}

/** The fields of snapshot.json a hand-made snapshot of `manifest` has (the manifest's trailer binds them), made by mallory on `host`. */
export function handmadeBinding(fields: {
  id: string;
  host: string;
  manifest: readonly ManifestEntry[];
  archiveBytes: number;
  mode: UnsealedMetadata['encryption']['mode'];
  version: string;
}): Omit<UnsealedMetadata, 'objects'> {
  return {
    format: SNAPSHOT_FORMAT,
    id: fields.id,
    created: new Date().toISOString(),
    kind: 'manual',
    tags: [],
    host: fields.host,
    user: 'mallory',
    files: fields.manifest.filter((e) => e.type === 'file').length,
    inputBytes: fields.manifest.reduce((n, e) => n + (typeof e.size === 'number' ? e.size : 0), 0),
    archiveBytes: fields.archiveBytes,
    durationMs: 1,
    compression: 'gzip',
    encryption: { mode: fields.mode, profile: 'rfc4880', recipients: [] },
    tool: { name: 'ripcord', version: fields.version },
  };
}

/** Write a committed snapshot (all checksums valid) into a local repository folder. */
export async function writeHandmadeSnapshot(options: {
  repo: string;
  tarGz: Buffer;
  manifest: ManifestEntry[];
  roots: string[];
  passphrase: string;
  gnupgHome: string;
}): Promise<string> {
  const id = createSnapshotId();
  const archive = encryptAes256(options.tarGz, options.passphrase, options.gnupgHome);
  const binding = handmadeBinding({
    id,
    host: 'attacker',
    manifest: options.manifest,
    archiveBytes: archive.length,
    mode: 'passphrase',
    version: '0.0.0',
  });
  const manifestText =
    manifestHeader(options.roots) +
    options.manifest.map((e, i) => manifestEntryLine(e, i === 0)).join('') +
    manifestTrailer({ archive: { sha256: sha256(archive), bytes: archive.length }, snapshot: binding });
  const manifest = encryptAes256(Buffer.from(manifestText), options.passphrase, options.gnupgHome);
  const objects = {
    'archive.tar.gz.pgp': { sha256: sha256(archive), bytes: archive.length },
    'manifest.json.pgp': { sha256: sha256(manifest), bytes: manifest.length },
  };
  const metadata = sealMetadata({ ...binding, objects });
  const folder = path.join(options.repo, id);
  await fs.mkdir(folder, { recursive: true });
  await fs.writeFile(path.join(folder, 'archive.tar.gz.pgp'), archive);
  await fs.writeFile(path.join(folder, 'manifest.json.pgp'), manifest);
  await fs.writeFile(path.join(folder, 'SHA256SUMS'), formatChecksums(objects));
  await fs.writeFile(path.join(folder, 'snapshot.json'), serializeMetadata(metadata));
  return id;
}

export async function gnupgHome(dir: string): Promise<string> {
  const home = path.join(dir, 'gnupg');
  await fs.mkdir(home, { recursive: true, mode: 0o700 });
  return home;
}

export { exec };
