/** A whole message encrypted by ripcord's own stream (archive/seipd-encrypt.ts), for tests that hand it to gpg. */
import { buffer } from 'node:stream/consumers';
import type { EncryptionKeys } from '../../src/archive/openpgp-keys.ts';
import { createEncryptStream } from '../../src/archive/seipd-encrypt.ts';

export async function ripcordEncrypt(data: Buffer, keys: EncryptionKeys): Promise<Buffer> {
  const encrypt = createEncryptStream(keys);
  encrypt.end(data);
  return buffer(encrypt);
}
