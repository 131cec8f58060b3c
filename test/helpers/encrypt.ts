/** A whole message encrypted by ripcord's own stream (archive/seipd-encrypt.ts), for tests that hand it to gpg. */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EncryptionKeys } from '../../src/archive/openpgp-keys.ts';
import { createEncryptStream } from '../../src/archive/seipd-encrypt.ts';

export async function ripcordEncrypt(data: Buffer, keys: EncryptionKeys): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from([data]),
    createEncryptStream(keys),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk);
        callback();
      },
    }),
  );
  return Buffer.concat(out);
}
