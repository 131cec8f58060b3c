/**
 * A snapshot's manifest rewritten the way a key holder can: decrypted and encrypted again by
 * gpg with the passphrase, the checksums in snapshot.json and SHA256SUMS and its seal updated.
 * The result decrypts, authenticates and verifies like any snapshot.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { formatChecksums, sealMetadata, serializeMetadata } from '../../src/domain/snapshot.ts';
import type { SnapshotMetadata } from '../../src/domain/snapshot.ts';

const exec = promisify(execFile);

export async function rewriteManifest(
  repo: string,
  id: string,
  passphrase: string,
  edit: (text: string) => string,
): Promise<void> {
  const folder = path.join(repo, id);
  const manifest = path.join(folder, 'manifest.json.pgp');
  const gpg = ['--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', passphrase];
  const { stdout } = await exec('gpg', [...gpg, '--decrypt', manifest], { encoding: 'buffer', maxBuffer: 64 << 20 });
  const plain = path.join(repo, `${id}-manifest.json`);
  await fs.writeFile(plain, edit(stdout.toString()));
  await fs.rm(manifest);
  await exec('gpg', [...gpg, '--symmetric', '--cipher-algo', 'AES256', '--output', manifest, plain]);
  await fs.rm(plain);
  const bytes = await fs.readFile(manifest);
  const metadata = JSON.parse(await fs.readFile(path.join(folder, 'snapshot.json'), 'utf8')) as SnapshotMetadata;
  const { metadataSha256: _old, ...rest } = metadata;
  const sealed = sealMetadata({
    ...rest,
    objects: {
      ...metadata.objects,
      'manifest.json.pgp': { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length },
    },
  });
  await fs.writeFile(path.join(folder, 'snapshot.json'), serializeMetadata(sealed));
  await fs.writeFile(path.join(folder, 'SHA256SUMS'), formatChecksums(sealed.objects));
}
