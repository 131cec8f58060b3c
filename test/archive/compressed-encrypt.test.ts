/**
 * createCompressedEncryptStreams (what manifests are written with): the Literal Data packet
 * inside a Compressed Data packet (ZIP). Real GnuPG and ripcord's own reader must both give
 * back the exact bytes, at every size around the 64 KiB literal parts.
 */
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDecryptStream } from '../../src/archive/seipd-decrypt.ts';
import { createCompressedEncryptStreams } from '../../src/archive/seipd-encrypt.ts';
import { withGnupgHome } from '../helpers/gpg.ts';

const PASSPHRASE = 'compressed manifests';

/** text that compresses as a manifest does: JSON lines with a random hash each */
function manifestLike(bytes: number): Buffer {
  const lines: string[] = [];
  let total = 0;
  for (let i = 0; total < bytes; i++) {
    const line = `,{"path":"repo/app-${i % 97}/config/file-${i}.yaml","type":"file","mode":"0644","size":${i * 7},"sha256":"${randomBytes(32).toString('hex')}"}\n`;
    lines.push(line);
    total += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, bytes);
}

/** `data` in chunks of these sizes, in turn */
function chunks(data: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let offset = 0, i = 0; offset < data.length; i++) {
    const size = sizes[i % sizes.length] as number;
    out.push(data.subarray(offset, offset + size));
    offset += size;
  }
  return out;
}

async function collect(source: Readable, ...stages: NodeJS.ReadWriteStream[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.push(chunk);
      callback();
    },
  });
  await pipeline(source, ...(stages as unknown as [NodeJS.ReadWriteStream]), sink);
  return Buffer.concat(out);
}

const encrypt = (data: Buffer, sizes: number[]) =>
  collect(
    Readable.from(chunks(data, sizes)),
    ...createCompressedEncryptStreams({ mode: 'passphrase', passphrase: PASSPHRASE }),
  );

test('gpg and ripcord decrypt a compressed message to the same bytes, at every size around the 64 KiB literal parts', async () => {
  await withGnupgHome(async (home) => {
    const K = 1 << 16;
    for (const size of [0, 1, 5, K - 7, K - 6, K - 5, K, K + 1, 2 * K - 6, 3 * K + 11, 700_000]) {
      const data = manifestLike(size);
      const message = await encrypt(data, [1000, 65_536, 3, 200_000]);
      const args = ['--pinentry-mode', 'loopback', '--passphrase', PASSPHRASE];
      const byGpg = home.ok([...args, '--decrypt'], message);
      assert.ok(byGpg.equals(data), `gpg: ${size} bytes`);
      const packets = home.ok([...args, '--list-packets'], message).toString();
      assert.match(packets, /:compressed packet: algo=1/, `${size} bytes: a Compressed Data packet, ZIP`);
      const byRipcord = await collect(
        Readable.from(chunks(message, [777])),
        createDecryptStream({ passphrase: PASSPHRASE }),
      );
      assert.ok(byRipcord.equals(data), `ripcord: ${size} bytes`);
      if (size === 700_000) assert.ok(message.length < size / 2, `compressed: ${message.length} bytes for ${size}`);
    }
  });
});

test('a flipped bit in a compressed message is refused by ripcord, as in any other', async () => {
  const data = manifestLike(200_000);
  const message = await encrypt(data, [4096]);
  const damaged = Buffer.from(message);
  const at = Math.floor(damaged.length / 2);
  damaged[at] = (damaged[at] as number) ^ 0x10;
  let error: unknown;
  try {
    await collect(Readable.from([damaged]), createDecryptStream({ passphrase: PASSPHRASE }));
  } catch (caught) {
    error = caught;
  }
  assert.instance(error, Error, 'the damaged message was read without an error');
});

test.run();
