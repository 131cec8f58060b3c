import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { once } from 'node:events';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { Readable, Writable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { IntegrityError, KeyError } from '../../src/domain/errors.ts';
import {
  createSessionKeyPackets,
  decryptSessionKey,
  generateKeyPair,
  inspectRecipients,
  keyFingerprints,
  type DecryptionKeys,
  type EncryptionKeys,
} from '../../src/archive/openpgp-keys.ts';
import { createDecryptStream } from '../../src/archive/seipd-decrypt.ts';
import { createEncryptStream, type EncryptOptions } from '../../src/archive/seipd-encrypt.ts';
import { releaseBuffer } from '../../src/archive/reclaim.ts';
import { createPassphrasePacket } from '../../src/archive/skesk.ts';
import { readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { type GnupgHome, type GpgKey, withGnupgHome } from '../helpers/gpg.ts';

const PART = 1 << 20;
const RANDOM = randomBytes(5_000_000);
/** compressible text with some random bytes in between, as gpg compresses it */
const TEXTISH = Buffer.concat([
  Buffer.from(
    Array.from({ length: 40_000 }, (_, i) => `line ${i}: the quick brown fox jumps over the lazy dog\n`).join(''),
  ),
  RANDOM.subarray(0, 300_000),
  Buffer.from('the end\n'),
]);
/** odd chunk sizes, so that every header and block boundary lands inside some chunk */
const ODD = [1, 2, 3, 7, 13, 100, 1000, 4097, 65536, 17];

function split(data: Buffer, sizes: number[] = [65536]): Buffer[] {
  const chunks: Buffer[] = [];
  let i = 0;
  for (let offset = 0; offset < data.length; i++) {
    const size = sizes[i % sizes.length] as number;
    chunks.push(data.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

function sink(out: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.push(chunk);
      callback();
    },
  });
}

async function encrypt(
  data: Buffer,
  keys: EncryptionKeys,
  sizes?: number[],
  options: EncryptOptions = {},
): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(split(data, sizes)), createEncryptStream(keys, options), sink(out));
  return Buffer.concat(out);
}

/** Decrypt with our stream: the plaintext emitted (also before an error) and the error. */
async function tryDecrypt(
  message: Buffer,
  keys: DecryptionKeys,
  sizes?: number[],
): Promise<{ data: Buffer; error: unknown }> {
  const out: Buffer[] = [];
  let error: unknown;
  try {
    await pipeline(Readable.from(split(message, sizes)), createDecryptStream(keys), sink(out));
  } catch (caught) {
    error = caught;
  }
  return { data: Buffer.concat(out), error };
}

async function decrypt(message: Buffer, keys: DecryptionKeys, sizes?: number[]): Promise<Buffer> {
  const { data, error } = await tryDecrypt(message, keys, sizes);
  if (error) throw error;
  return data;
}

function assertEqualBytes(actual: Buffer, expected: Buffer, what: string): void {
  assert.ok(
    actual.equals(expected),
    `${what}: got ${actual.length} bytes, expected ${expected.length} (first difference at ${firstDifference(actual, expected)})`,
  );
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

function assertError(
  error: unknown,
  type: typeof KeyError | typeof IntegrityError,
  pattern: RegExp,
  what: string,
): void {
  assert.ok(
    error instanceof type,
    `${what}: expected ${type.name}, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
  );
  assert.match((error as Error).message, pattern, what);
  assert.not.match((error as Error).message, /\n/, `${what}: one line`);
}

/** Offset of the SEIPD packet (tag 18) in one of our messages (new-format ESK packets). */
function seipdOffset(message: Buffer): number {
  let offset = 0;
  while (message[offset] !== 0xd2) {
    const b = message[offset + 1] as number;
    if (b < 192) offset += 2 + b;
    else if (b < 224) offset += 3 + ((b - 192) << 8) + (message[offset + 2] as number) + 192;
    else offset += 6 + message.readUInt32BE(offset + 2);
  }
  return offset;
}

// --- our messages, passphrase mode

const BOUNDARY_SIZES = [
  0,
  1,
  100,
  PART - 54,
  PART - 53,
  PART - 52,
  PART - 7,
  PART - 6,
  PART - 5,
  PART,
  PART + 1,
  2 * PART - 6,
  2 * PART - 5,
  5_000_000,
];

/** gpg -d decrypts our passphrase messages of every boundary size to identical bytes, without a warning. */
async function assertGpgDecrypts(home: GnupgHome, options: EncryptOptions) {
  for (const size of BOUNDARY_SIZES) {
    const data = RANDOM.subarray(0, size);
    const message = await encrypt(
      data,
      { mode: 'passphrase', passphrase: 'correct horse' },
      size % 2 ? [65536] : ODD,
      options,
    );
    const result = home.decrypt(message, 'correct horse');
    assert.is(result.status, 0, `gpg -d of ${size} bytes: ${result.stderr}`);
    assert.not.match(result.stderr, /not integrity protected|WARNING/, `gpg warns for ${size} bytes: ${result.stderr}`);
    assertEqualBytes(result.stdout, data, `gpg -d of ${size} bytes`);
  }
}

test('passphrase mode: gpg -d decrypts our messages to identical bytes (empty, sizes around the partial-length boundaries, 5 MB)', async () => {
  await withGnupgHome((home) => assertGpgDecrypts(home, {}));
});

test('passphrase mode: createDecryptStream decrypts our messages to identical bytes, fed whole or in odd-sized chunks', async () => {
  for (const size of BOUNDARY_SIZES) {
    const data = RANDOM.subarray(0, size);
    const message = await encrypt(data, { mode: 'passphrase', passphrase: 'pw' });
    assertEqualBytes(await decrypt(message, { passphrase: 'pw' }, [message.length || 1]), data, `whole, ${size} bytes`);
    assertEqualBytes(await decrypt(message, { passphrase: 'pw' }, ODD), data, `odd chunks, ${size} bytes`);
  }
});

test('parallel mode (encryption on a worker thread): gpg -d decrypts the messages to identical bytes (empty, around the part boundaries, 5 MB)', async () => {
  await withGnupgHome((home) => assertGpgDecrypts(home, { parallel: true, workerAfter: 0 }));
});

test('parallel mode round-trips every size around the 1 MiB part boundaries, fed in large or in odd chunks, with the worker started with the message or after its first 4 MiB', async () => {
  const pair = await generateKeyPair('Parallel <parallel@example.com>');
  const sizes = [0, 1, 18, 19, ...Array.from({ length: 24 }, (_, i) => PART - 12 + i), 3 * PART + 5, 4_999_999];
  // Each message costs a worker start (~0.3 s under tsx): every size once, the two ways of
  // feeding it taking turns, and the largest size both ways; that one also with the default
  // start, after 4 MiB written (the bytes before it handed to the worker when it starts).
  for (const [index, size] of sizes.entries()) {
    const data = RANDOM.subarray(0, size);
    const largest = size === sizes.at(-1);
    const feeds = largest ? [[1 << 20], ODD] : [index % 2 === 0 ? [1 << 20] : ODD];
    for (const [chunks, workerAfter] of [
      ...feeds.map((f) => [f, 0] as const),
      ...(largest ? feeds.map((f) => [f, undefined] as const) : []),
    ]) {
      const message = await encrypt(data, { mode: 'public-key', recipients: [pair.publicKey] }, chunks, {
        parallel: true,
        ...(workerAfter === undefined ? {} : { workerAfter }),
      });
      assertEqualBytes(
        await decrypt(message, { identities: [{ armoredKey: pair.privateKey }] }, [65536]),
        data,
        `${size} bytes in chunks of ${chunks.length === 1 ? '1 MiB' : 'odd sizes'}`,
      );
    }
  }
});

test('owned chunks (ownsChunks) are encrypted in place, without a copy, and gpg -d reads the message, in this thread and on the worker', async () => {
  await withGnupgHome(async (home) => {
    for (const parallel of [false, true]) {
      for (const size of [0, 1, 511, 512, 65_535, 65_536, 300_123, PART + 1, 5_000_000]) {
        const data = RANDOM.subarray(0, size);
        // chunks of odd sizes, each in memory of its own, as packArchive emits them
        const chunks = split(data, [300_001, 7, 65_536, 1, 999_999]).map((chunk) =>
          Buffer.from(new Uint8Array(chunk).buffer),
        );
        const out: Buffer[] = [];
        await pipeline(
          Readable.from(chunks),
          createEncryptStream(
            { mode: 'passphrase', passphrase: 'owned' },
            { parallel, ...(parallel ? { workerAfter: 0 } : {}), ownsChunks: true },
          ),
          sink(out),
        );
        const result = home.decrypt(Buffer.concat(out), 'owned');
        assert.is(result.status, 0, `gpg -d of ${size} bytes (parallel ${parallel}): ${result.stderr}`);
        assertEqualBytes(result.stdout, data, `gpg -d of ${size} bytes (parallel ${parallel})`);
        if (parallel)
          assert.ok(
            chunks.every((chunk) => chunk.buffer.byteLength === 0),
            "the chunks' memory went to the worker instead of being copied",
          );
        else
          assert.ok(
            chunks.every((chunk) => chunk.buffer.byteLength === chunk.length),
            'in this thread the chunks keep their memory',
          );
      }
    }
  });
});

test('the literal parts found in one decrypted buffer are sent on as one buffer: a member per part per set bit of its length made 5,500 gunzip writes a restore', async () => {
  const data = RANDOM;
  // chunks of odd sizes, each framed as one literal part per set bit of its length, as packArchive's members are
  const chunks = split(data, [300_001, 7, 65_536, 1, 999_999]).map((chunk) =>
    Buffer.from(new Uint8Array(chunk).buffer),
  );
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    createEncryptStream({ mode: 'passphrase', passphrase: 'parts' }, { ownsChunks: true }),
    sink(out),
  );
  const message = Buffer.concat(out);
  const reads = split(message, [PART]);
  const plain: Buffer[] = [];
  await pipeline(Readable.from(reads), createDecryptStream({ passphrase: 'parts' }), sink(plain));
  assertEqualBytes(Buffer.concat(plain), data, 'the decrypted bytes');
  // each read is at most two encrypted parts, each sent on as one buffer, plus the 22 bytes held back from the one before
  assert.ok(plain.length <= 4 * reads.length, `${plain.length} buffers out of ${reads.length} reads`);
});

test("owned chunks that live in Node's buffer pool (small Buffer.from and gzip results) go to the worker as copies, and gpg -d reads the message", async () => {
  // Node 22 and 24 refuse to transfer the pool (DataCloneError), where Node 20 copied it.
  await withGnupgHome(async (home) => {
    const texts = ['a small gzip member', 'x'.repeat(100), '', 'the end'];
    const chunks = [
      ...texts.map((text) => Buffer.from(text)),
      gzipSync(Buffer.from('pooled')),
      new Uint8Array(RANDOM.subarray(0, 70_000)).buffer,
    ].map((chunk) => Buffer.from(chunk as ArrayBuffer));
    const data = Buffer.concat(chunks);
    const out: Buffer[] = [];
    await pipeline(
      Readable.from(chunks),
      createEncryptStream(
        { mode: 'passphrase', passphrase: 'pooled' },
        { parallel: true, workerAfter: 0, ownsChunks: true },
      ),
      sink(out),
    );
    const result = home.decrypt(Buffer.concat(out), 'pooled');
    assert.is(result.status, 0, `gpg -d: ${result.stderr}`);
    assertEqualBytes(result.stdout, data, 'gpg -d of pooled chunks');
    assert.ok(Buffer.from('still usable').toString() === 'still usable', 'the pool still works after the message');
  });
});

test('parallel mode runs on a worker thread that is gone once the stream has ended or was destroyed; a message that ends before the worker would start (4 MiB) starts none', async () => {
  const threads = () => readdirSync('/proc/self/task').length;
  const keys = { mode: 'passphrase', passphrase: 'pw' } as const;
  await encrypt(RANDOM, keys, [1 << 20], { parallel: true }); // warms up thread pools that stay
  await delay(200);
  const before = threads();
  const settled = async () => {
    for (let i = 0; i < 100 && threads() > before; i++) await delay(20);
    return threads();
  };

  const stream = createEncryptStream(keys, { parallel: true, workerAfter: 0 });
  const out: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => out.push(chunk));
  stream.write(RANDOM.subarray(0, 3 * PART));
  for (let i = 0; i < 500 && out.reduce((n, c) => n + c.length, 0) < 2 * PART; i++) await delay(10);
  assert.ok(threads() > before, `a worker thread while encrypting (${threads()} threads, ${before} before)`);
  stream.end();
  await once(stream, 'end');
  assert.is(await settled(), before, 'the worker is gone after the end');
  const message = Buffer.concat(out);
  assertEqualBytes(await decrypt(message, { passphrase: 'pw' }), RANDOM.subarray(0, 3 * PART), 'the message');

  const aborted = createEncryptStream(keys, { parallel: true, workerAfter: 0 });
  aborted.on('data', () => {});
  aborted.on('error', () => {});
  aborted.write(RANDOM);
  await delay(100);
  assert.ok(threads() > before, 'a worker thread before the abort');
  aborted.destroy(new Error('the store failed'));
  assert.is(await settled(), before, 'the worker is gone after destroy');

  // A small message with the default start: encrypted in this thread, no worker at any point.
  const small = createEncryptStream(keys, { parallel: true });
  const smallOut: Buffer[] = [];
  let most = threads();
  small.on('data', (chunk: Buffer) => {
    smallOut.push(chunk);
    most = Math.max(most, threads());
  });
  small.end(RANDOM.subarray(0, 3 * PART));
  await once(small, 'end');
  assert.is(Math.max(most, threads()), before, 'no worker thread for a message under 4 MiB');
  assertEqualBytes(
    await decrypt(Buffer.concat(smallOut), { passphrase: 'pw' }),
    RANDOM.subarray(0, 3 * PART),
    'the small message',
  );
});

test('round trip of every size from 0 to 160 bytes and around the 1 MiB part boundaries (block, prefix and MDC edges)', async () => {
  // a public key: no S2K per message, so hundreds of messages stay fast
  const pair = await generateKeyPair('Sizes <sizes@example.com>');
  const sizes = [
    ...Array.from({ length: 161 }, (_, i) => i),
    255,
    256,
    257,
    ...Array.from({ length: 80 }, (_, i) => PART - 70 + i),
  ];
  for (const size of sizes) {
    const data = RANDOM.subarray(1000, 1000 + size);
    const message = await encrypt(data, { mode: 'public-key', recipients: [pair.publicKey] }, [7, 65536]);
    assertEqualBytes(
      await decrypt(message, { identities: [{ armoredKey: pair.privateKey }] }, [5, 3, 65536]),
      data,
      `${size} bytes`,
    );
  }
});

test('our message is one SKESK v4 (iterated+salted S2K, SHA-256, AES-256) and a SEIPD v1 with MDC in 1 MiB partial parts', async () => {
  const message = await encrypt(RANDOM.subarray(0, 3 * PART), { mode: 'passphrase', passphrase: 'pw' });
  assert.equal(
    [...message.subarray(0, 6)],
    [0xc3, 46, 4, 9, 3, 8],
    'SKESK: new format tag 3, v4, AES-256, S2K type 3, SHA-256',
  );
  assert.is(message[48], 0xd2, 'SEIPD: new-format tag 18');
  assert.is(message[49], 0xe0 | 20, 'first partial part is 1 MiB');
  assert.is(message[50], 1, 'SEIPD version 1');
  await withGnupgHome((home) => {
    const packets = home.listPackets(message, 'pw');
    assert.match(packets, /symkey enc packet: version 4, cipher 9, aead 0,s2k 3, hash 8/);
    assert.match(packets, /mdc_method: 2/);
    assert.match(packets, /literal data packet:\s+mode b \(62\), created 0, name=""/);
  });
});

// --- public keys

/**
 * One rsa3072 key with an rsa3072 encryption subkey, made by gpg --quick-gen-key once for the
 * tests that need one: each such key costs gpg about a second to make.
 */
let rsaKey: Promise<GpgKey> | undefined;
const gpgRsaKey = (): Promise<GpgKey> =>
  (rsaKey ??= withGnupgHome((home) =>
    home.generateKey('RSA Test <rsa@example.com>', 'rsa3072', { encryptionSubkey: 'rsa3072' }),
  ));

test('public-key mode: gpg decrypts a message to an rsa3072 key made by gpg --quick-gen-key (ours does too)', async () => {
  await withGnupgHome(async (home) => {
    const key = await gpgRsaKey();
    home.importKey(key.secretKey);
    const data = RANDOM.subarray(0, 2_500_000);
    const message = await encrypt(data, { mode: 'public-key', recipients: [key.publicKey] });
    const result = home.decrypt(message);
    assert.is(result.status, 0, result.stderr);
    assertEqualBytes(result.stdout, data, 'gpg -d');
    assertEqualBytes(await decrypt(message, { identities: [{ armoredKey: key.secretKey }] }, ODD), data, 'ours');
  });
});

test('public-key mode: gpg decrypts a message to an ed25519/cv25519 key made by gpg --quick-gen-key future-default (ours does too)', async () => {
  await withGnupgHome(async (home) => {
    const key = home.generateKey('Future <future@example.com>', 'future-default');
    const data = RANDOM.subarray(0, 1_500_000);
    const message = await encrypt(data, { mode: 'public-key', recipients: [key.publicKey] });
    const result = home.decrypt(message);
    assert.is(result.status, 0, result.stderr);
    assertEqualBytes(result.stdout, data, 'gpg -d');
    assertEqualBytes(await decrypt(message, { identities: [{ armoredKey: key.secretKey }] }), data, 'ours');
  });
});

test('public-key mode: gpg decrypts a message to a passphrase-protected key made by generateKeyPair (openpgp.js)', async () => {
  const pair = await generateKeyPair('Keygen Test <keygen@example.com>', 'key secret');
  assert.match(pair.fingerprint, /^[0-9A-F]{40}$/);
  assert.equal(await keyFingerprints(pair.publicKey), [pair.fingerprint]);
  assert.equal(await keyFingerprints(pair.privateKey), [pair.fingerprint]);
  const data = RANDOM.subarray(0, 1_200_000);
  const message = await encrypt(data, { mode: 'public-key', recipients: [pair.publicKey] });
  await withGnupgHome(async (home) => {
    home.importKey(pair.privateKey, 'key secret');
    const listed = home.ok(['--with-colons', '--list-secret-keys']).toString();
    assert.ok(listed.includes(pair.fingerprint), 'gpg lists the imported key');
    const result = home.decrypt(message, 'key secret');
    assert.is(result.status, 0, result.stderr);
    assertEqualBytes(result.stdout, data, 'gpg -d');
  });
  assertEqualBytes(
    await decrypt(message, { identities: [{ armoredKey: pair.privateKey, passphrase: 'key secret' }] }),
    data,
    'ours',
  );
});

test('public-key mode with two recipients: each one alone decrypts, with gpg and with ours', async () => {
  const pair = await generateKeyPair('Second <second@example.com>');
  await withGnupgHome(async (homeA) => {
    const keyA = homeA.generateKey('First <first@example.com>', 'future-default');
    const data = RANDOM.subarray(0, 3_000_000);
    // both keys in one string, as an armored keyring file would hold them
    const message = await encrypt(data, { mode: 'public-key', recipients: [`${keyA.publicKey}\n${pair.publicKey}`] });
    const resultA = homeA.decrypt(message);
    assert.is(resultA.status, 0, resultA.stderr);
    assertEqualBytes(resultA.stdout, data, 'gpg with the first key only');
    await withGnupgHome(async (homeB) => {
      homeB.importKey(pair.privateKey);
      const resultB = homeB.decrypt(message);
      assert.is(resultB.status, 0, resultB.stderr);
      assertEqualBytes(resultB.stdout, data, 'gpg with the second key only');
    });
    assertEqualBytes(
      await decrypt(message, { identities: [{ armoredKey: keyA.secretKey }] }),
      data,
      'ours with the first key',
    );
    assertEqualBytes(
      await decrypt(message, { identities: [{ armoredKey: pair.privateKey }] }),
      data,
      'ours with the second key',
    );
  });
});

test('createSessionKeyPackets and decryptSessionKey round-trip an AES-256 session key (passphrase and public key)', async () => {
  const sessionKey = randomBytes(32);
  const skesk = await createSessionKeyPackets(sessionKey, { mode: 'passphrase', passphrase: 'pw' });
  const fromPassphrase = await decryptSessionKey(skesk, { passphrase: 'pw' });
  assert.is(fromPassphrase.algorithm, 9);
  assert.ok(Buffer.from(fromPassphrase.key).equals(sessionKey));
  const pair = await generateKeyPair('Session <session@example.com>');
  const pkesk = await createSessionKeyPackets(sessionKey, { mode: 'public-key', recipients: [pair.publicKey] });
  assert.is(pkesk[0], 0xc1, 'PKESK, new format tag 1');
  assert.is(pkesk[2], 3, 'PKESK version 3');
  const fromKey = await decryptSessionKey(pkesk, { identities: [{ armoredKey: pair.privateKey }] });
  assert.is(fromKey.algorithm, 9);
  assert.ok(Buffer.from(fromKey.key).equals(sessionKey));
});

// --- messages made by gpg

test('messages made by gpg --symmetric (its calibrated S2K count, default ZIP compression, none, zlib, zip, AES-128, AES-192) decrypt to the original bytes', async () => {
  await withGnupgHome(async (home) => {
    const variants: string[][] = [
      [],
      ['--compress-algo', 'none'],
      ['--compress-algo', 'zlib'],
      ['--compress-algo', 'zip'],
      ['--cipher-algo', 'AES128'],
      ['--cipher-algo', 'AES192', '--compress-algo', 'zlib'],
    ];
    for (const extra of variants) {
      // gpg's own calibrated S2K count once, the small test count for the rest
      const message = home.encryptSymmetric(TEXTISH, 'gpg pass', extra, extra.length === 0);
      const what = `gpg --symmetric ${extra.join(' ')}`;
      assertEqualBytes(await decrypt(message, { passphrase: 'gpg pass' }), TEXTISH, what);
      assertEqualBytes(await decrypt(message, { passphrase: 'gpg pass' }, ODD), TEXTISH, `${what}, odd chunks`);
    }
    const empty = home.encryptSymmetric(Buffer.alloc(0), 'gpg pass');
    assert.is((await decrypt(empty, { passphrase: 'gpg pass' })).length, 0, 'empty input');
  });
});

test('messages made by gpg -e -r (compressed, uncompressed, signed, anonymous recipient) decrypt with the identity', async () => {
  await withGnupgHome(async (home) => {
    const key = home.generateKey('Gpg Recipient <recipient@example.com>', 'future-default');
    const identity = { identities: [{ armoredKey: key.secretKey }] };
    for (const extra of [
      [],
      ['--compress-algo', 'none'],
      ['--compress-algo', 'zlib'],
      ['--sign'],
      ['--throw-keyids'],
    ]) {
      const message = home.encryptTo(TEXTISH, [key.fingerprint], extra);
      assertEqualBytes(await decrypt(message, identity, ODD), TEXTISH, `gpg -e ${extra.join(' ')}`);
    }
    const rsa = await gpgRsaKey();
    home.importKey(rsa.publicKey);
    const message = home.encryptTo(RANDOM.subarray(0, 100_000), [rsa.fingerprint, key.fingerprint]);
    assertEqualBytes(
      await decrypt(message, { identities: [{ armoredKey: rsa.secretKey }] }),
      RANDOM.subarray(0, 100_000),
      'gpg -e to an RSA key',
    );
  });
});

test('marker packets before the session-key packets are skipped (new and old format)', async () => {
  const data = RANDOM.subarray(0, 10_000);
  const message = await encrypt(data, { mode: 'passphrase', passphrase: 'pw' });
  const withMarkers = Buffer.concat([
    Buffer.from([0xca, 3, 0x50, 0x47, 0x50]),
    Buffer.from([0xa8, 3, 0x50, 0x47, 0x50]),
    message,
  ]);
  assertEqualBytes(await decrypt(withMarkers, { passphrase: 'pw' }, ODD), data, 'with marker packets');
});

// --- output of its own (ownOutput), for a reader that frees what it reads

/**
 * Decrypt with ownOutput into a reader that destroys each chunk once it has copied it: it
 * overwrites the bytes and frees the memory. A chunk that shared memory with another, or a
 * view the stream kept and read again after giving it out, would come out wrong.
 */
async function decryptFreeing(message: Buffer, keys: DecryptionKeys, sizes?: number[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const seen = new Set<ArrayBufferLike>();
  const destroying = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      assert.is(chunk.byteOffset, 0, 'a chunk is the start of its memory');
      assert.is(chunk.byteLength, chunk.buffer.byteLength, 'and the whole of it');
      assert.not.ok(seen.has(chunk.buffer), 'memory of its own, given out once');
      seen.add(chunk.buffer);
      out.push(Buffer.from(chunk));
      chunk.fill(0xee);
      releaseBuffer(chunk);
      callback();
    },
  });
  // input in buffers of its own too, as a stored object is read
  const input = split(message, sizes).map((chunk) => Buffer.from(chunk));
  await pipeline(Readable.from(input), createDecryptStream(keys, { ownOutput: true }), destroying);
  return Buffer.concat(out);
}

/** A passphrase message whose SEIPD holds `packets` as they are (our writer only makes one literal packet). */
function sealPackets(packets: Buffer, passphrase: string): Buffer {
  const sessionKey = randomBytes(32);
  const prefix = randomBytes(16);
  const prefixed = Buffer.concat([prefix, prefix.subarray(14), packets, Buffer.from([0xd3, 0x14])]);
  const mdc = createHash('sha1').update(prefixed).digest();
  const cipher = createCipheriv('aes-256-cfb', sessionKey, Buffer.alloc(16));
  const body = Buffer.concat([Buffer.from([1]), cipher.update(Buffer.concat([prefixed, mdc])), cipher.final()]);
  const header = Buffer.alloc(6);
  header[0] = 0xc0 | 18;
  header[1] = 0xff;
  header.writeUInt32BE(body.length, 2);
  return Buffer.concat([createPassphrasePacket(sessionKey, passphrase), header, body]);
}

test("ownOutput: each chunk is memory of its own, which the reader may free at once; our messages and gpg's decrypt the same", async () => {
  const data = Buffer.concat([RANDOM.subarray(0, 3_000_000), TEXTISH]);
  const message = await encrypt(data, { mode: 'passphrase', passphrase: 'pw' });
  for (const sizes of [[PART], [65536], [3 * PART], ODD])
    assertEqualBytes(
      await decryptFreeing(message, { passphrase: 'pw' }, sizes),
      data,
      `ours, in ${sizes.join('/')}-byte reads`,
    );
  await withGnupgHome(async (home) => {
    for (const extra of [[], ['--compress-algo', 'none'], ['--compress-algo', 'zlib']]) {
      const gpgMessage = home.encryptSymmetric(TEXTISH, 'gpg pass', extra);
      for (const sizes of [[PART], ODD])
        assertEqualBytes(
          await decryptFreeing(gpgMessage, { passphrase: 'gpg pass' }, sizes),
          TEXTISH,
          `gpg --symmetric ${extra.join(' ')}, in ${sizes.join('/')}-byte reads`,
        );
    }
  });
});

test('ownOutput: a literal header split between two freed buffers, after a large padding packet, is read whole', async () => {
  const content = RANDOM.subarray(0, 100_000);
  const literal = Buffer.concat([
    Buffer.from([0xc0 | 11, 0xff, 0, 0, 0, 0, 0x62, 4]),
    Buffer.from('name'),
    Buffer.alloc(4),
    content,
  ]);
  literal.writeUInt32BE(literal.length - 6, 2);
  // Decrypted output comes in whole cipher blocks: padding packets of 16 sizes put the end of
  // the first read's plaintext at every offset of the literal packet's 18 bytes of headers.
  for (let extra = 0; extra < 16; extra += 1) {
    const size = 100_000 + extra;
    const padding = Buffer.concat([Buffer.from([0xc0 | 21, 0xff, 0, 0, 0, 0]), randomBytes(size)]);
    padding.writeUInt32BE(size, 2);
    const message = sealPackets(Buffer.concat([padding, literal]), 'pw');
    // where the literal packet's ciphertext starts: the SEIPD's header and version, the prefix, the padding
    const start = seipdOffset(message) + 6 + 1 + 18 + padding.length;
    // (the last 22 bytes of each decrypted buffer are held back, in case they are the MDC)
    for (const into of [22 + 4, 22 + 12, 22 + 20]) {
      const what = `padding of ${size} bytes, the first read ending ${into} bytes into the literal packet`;
      const sizes = [start + into, 1 << 30];
      assertEqualBytes(await decryptFreeing(message, { passphrase: 'pw' }, sizes), content, what);
      assertEqualBytes(await decrypt(message, { passphrase: 'pw' }, sizes), content, `${what}, without ownOutput`);
    }
  }
});

// --- wrong keys

test('a wrong passphrase gives KeyError before any plaintext is emitted (our message and gpg --symmetric)', async () => {
  const data = RANDOM.subarray(0, 500_000);
  const ours = await encrypt(data, { mode: 'passphrase', passphrase: 'right' });
  const oursResult = await tryDecrypt(ours, { passphrase: 'wrong' });
  assertError(oursResult.error, KeyError, /the passphrase does not decrypt this archive/, 'our message');
  assert.is(oursResult.data.length, 0, 'no plaintext emitted');
  // the SKESK's encrypted session key has no checksum: many wrong passphrases, never anything but KeyError
  const small = await encrypt(Buffer.from('secret'), { mode: 'passphrase', passphrase: 'right' });
  for (let i = 0; i < 25; i++) {
    const result = await tryDecrypt(small, { passphrase: `wrong ${i}` });
    assertError(result.error, KeyError, /the passphrase does not decrypt this archive/, `wrong passphrase ${i}`);
    assert.is(result.data.length, 0);
  }
  await withGnupgHome(async (home) => {
    for (const extra of [[], ['--compress-algo', 'none']]) {
      const message = home.encryptSymmetric(TEXTISH, 'right', extra);
      const result = await tryDecrypt(message, { passphrase: 'wrong' });
      assertError(
        result.error,
        KeyError,
        /the passphrase does not decrypt this archive/,
        `gpg --symmetric ${extra.join(' ')}`,
      );
      assert.is(result.data.length, 0, 'no plaintext emitted');
    }
  });
});

test('a wrong identity gives KeyError naming the key IDs the archive is encrypted to, before any plaintext', async () => {
  const right = await generateKeyPair('Right <right@example.com>');
  const wrong = await generateKeyPair('Wrong <wrong@example.com>');
  const message = await encrypt(RANDOM.subarray(0, 200_000), { mode: 'public-key', recipients: [right.publicKey] });
  const result = await tryDecrypt(message, { identities: [{ armoredKey: wrong.privateKey }] });
  assertError(
    result.error,
    KeyError,
    /none of the given identity keys .* can decrypt this archive; it is encrypted to key ID 0x[0-9A-F]{16}/,
    'wrong identity',
  );
  assert.is(result.data.length, 0);
});

test('missing or locked keys give KeyError: no identity for a public-key archive, no passphrase, public key as identity, wrong key passphrase', async () => {
  const pair = await generateKeyPair('Locked <locked@example.com>', 'unlock me');
  const toKey = await encrypt(RANDOM.subarray(0, 1000), { mode: 'public-key', recipients: [pair.publicKey] });
  const withPassphrase = await encrypt(RANDOM.subarray(0, 1000), { mode: 'passphrase', passphrase: 'pw' });
  assertError(
    (await tryDecrypt(toKey, { passphrase: 'pw' })).error,
    KeyError,
    /encrypted to public keys .*set RIPCORD_IDENTITY/,
    'passphrase for a public-key archive',
  );
  assertError((await tryDecrypt(toKey, {})).error, KeyError, /set RIPCORD_IDENTITY/, 'no keys');
  assertError(
    (await tryDecrypt(withPassphrase, { identities: [{ armoredKey: pair.privateKey }] })).error,
    KeyError,
    /encrypted with a passphrase; set RIPCORD_PASSPHRASE/,
    'identity for a passphrase archive',
  );
  assertError(
    (await tryDecrypt(toKey, { identities: [{ armoredKey: pair.publicKey }] })).error,
    KeyError,
    /RIPCORD_IDENTITY holds a public key; give the private key/,
    'public key as identity',
  );
  assertError(
    (await tryDecrypt(toKey, { identities: [{ armoredKey: pair.privateKey }] })).error,
    KeyError,
    /protected by a passphrase/,
    'locked identity',
  );
  assertError(
    (await tryDecrypt(toKey, { identities: [{ armoredKey: pair.privateKey, passphrase: 'nope' }] })).error,
    KeyError,
    /passphrase for identity key .* is wrong/,
    'wrong key passphrase',
  );
  assertError(
    (await tryDecrypt(toKey, { identities: [{ armoredKey: 'garbage' }] })).error,
    KeyError,
    /RIPCORD_IDENTITY does not hold a readable/,
    'garbage identity',
  );
});

// --- damage

test('flipping any single byte of the encrypted data makes the stream fail: IntegrityError (KeyError inside the prefix), never a clean end', async () => {
  const pair = await generateKeyPair('Flip <flip@example.com>');
  const identity = { identities: [{ armoredKey: pair.privateKey }] };
  const data = RANDOM.subarray(0, 3000);
  const message = await encrypt(data, { mode: 'public-key', recipients: [pair.publicKey] });
  const start = seipdOffset(message);
  const bodyStart = start + 3; // tag, two-octet length
  const positions = new Set<number>();
  for (let i = start; i < bodyStart + 60; i++) positions.add(i);
  for (let i = message.length - 60; i < message.length; i++) positions.add(i);
  for (let i = bodyStart + 60; i < message.length - 60; i += 97) positions.add(i);
  for (const position of positions) {
    const damaged = Buffer.from(message);
    damaged[position] = (damaged[position] as number) ^ (position % 2 ? 0x01 : 0x80);
    const { error } = await tryDecrypt(damaged, identity);
    assert.ok(
      error instanceof IntegrityError || error instanceof KeyError,
      `flip at ${position - bodyStart} of the body: ${error instanceof Error ? error.message : 'no error'}`,
    );
    if (position >= bodyStart + 1 + 18 + 16 && error instanceof KeyError)
      assert.unreachable(`flip at ${position - bodyStart} gave KeyError: ${error.message}`);
    if (position >= message.length - 22)
      assertError(error, IntegrityError, /failed its integrity check \(MDC\)/, `flip in the MDC at ${position}`);
  }
});

test('a flipped byte in a 3 MB passphrase message fails the MDC at the end, after plaintext was released', async () => {
  const data = RANDOM.subarray(0, 3_000_000);
  const message = await encrypt(data, { mode: 'passphrase', passphrase: 'pw' });
  const damaged = Buffer.from(message);
  damaged[1_500_000] = (damaged[1_500_000] as number) ^ 0x10;
  const { data: released, error } = await tryDecrypt(damaged, { passphrase: 'pw' });
  assertError(error, IntegrityError, /failed its integrity check \(MDC\): the data was modified or damaged/, 'MDC');
  assert.ok(released.length > 1_000_000, `plaintext is streamed before the check (${released.length} bytes released)`);
});

test('a damaged gpg --symmetric message (compressed) fails with IntegrityError', async () => {
  await withGnupgHome(async (home) => {
    const message = home.encryptSymmetric(TEXTISH, 'pw');
    for (const position of [60, 200, Math.floor(message.length / 2), message.length - 30, message.length - 5]) {
      const damaged = Buffer.from(message);
      damaged[position] = (damaged[position] as number) ^ 0x04;
      const { error } = await tryDecrypt(damaged, { passphrase: 'pw' });
      assert.ok(
        error instanceof IntegrityError || error instanceof KeyError,
        `flip at ${position}: ${error instanceof Error ? error.message : 'no error'}`,
      );
    }
  });
});

test('a truncated message errors with IntegrityError at every cut point', async () => {
  const data = RANDOM.subarray(0, 2 * PART + 5000);
  const message = await encrypt(data, { mode: 'passphrase', passphrase: 'pw' });
  const seipd = seipdOffset(message);
  const cuts = new Set([
    0,
    1,
    5,
    seipd - 1,
    seipd,
    seipd + 1,
    seipd + 2,
    seipd + 30,
    PART,
    PART + seipd + 2,
    2 * PART,
    message.length - 23,
    message.length - 22,
    message.length - 21,
    message.length - 1,
  ]);
  for (let i = 0; i < 20; i++) cuts.add(Math.floor(Math.random() * message.length));
  for (const cut of cuts) {
    const { error } = await tryDecrypt(message.subarray(0, cut), { passphrase: 'pw' });
    assertError(
      error,
      IntegrityError,
      cut === 0 ? /empty/ : /truncated|failed its integrity check/,
      `cut at ${cut} of ${message.length}`,
    );
  }
  const extra = await tryDecrypt(Buffer.concat([message, Buffer.from([0xcb, 1, 0x62])]), { passphrase: 'pw' });
  assertError(extra.error, IntegrityError, /unexpected data after the encrypted data packet/, 'trailing packet');
});

// --- refused formats

test('SED without MDC (tag 9, made by gpg --rfc2440) is refused with IntegrityError', async () => {
  await withGnupgHome(async (home) => {
    const message = home.encryptSymmetric(RANDOM.subarray(0, 5000), 'pw', ['--rfc2440', '--cipher-algo', 'AES256']);
    assert.match(
      home.listPackets(message, 'pw'),
      /encrypted data packet:(?![\s\S]*mdc_method)/,
      'gpg made a tag 9 packet',
    );
    const { data, error } = await tryDecrypt(message, { passphrase: 'pw' });
    assertError(error, IntegrityError, /without integrity protection .*refuses/, 'SED');
    assert.is(data.length, 0);
  });
});

test('a gpg --symmetric message with a cipher other than AES (Twofish) is refused: decrypt it with gpg', async () => {
  await withGnupgHome(async (home) => {
    const message = home.encryptSymmetric(Buffer.from('hello'), 'pw', ['--cipher-algo', 'TWOFISH']);
    const { data, error } = await tryDecrypt(message, { passphrase: 'pw' });
    assertError(
      error,
      IntegrityError,
      /encrypted with Twofish; ripcord decrypts only AES archives: decrypt it with gpg/,
      'Twofish',
    );
    assert.is(data.length, 0);
  });
});

test('AEAD (tag 20) and SEIPD v2 messages are refused: decrypt them with gpg', async () => {
  const ours = await encrypt(Buffer.from('x'), { mode: 'passphrase', passphrase: 'pw' });
  const esk = ours.subarray(0, seipdOffset(ours));
  const aead = Buffer.concat([esk, Buffer.from([0xd4, 40, 1, 9, 2, 16]), randomBytes(38)]);
  assertError(
    (await tryDecrypt(aead, { passphrase: 'pw' })).error,
    IntegrityError,
    /AEAD.*decrypt it with gpg/,
    'tag 20',
  );
  const v2 = Buffer.concat([esk, Buffer.from([0xd2, 60, 2, 9, 2, 16]), randomBytes(58)]);
  assertError(
    (await tryDecrypt(v2, { passphrase: 'pw' })).error,
    IntegrityError,
    /SEIPD v2.*decrypt it with gpg/,
    'SEIPD v2',
  );
});

test('not an encrypted binary message: armored text, a key, plain literal data, garbage are refused with one clear line', async () => {
  const pair = await generateKeyPair('Armor <armor@example.com>');
  await withGnupgHome(async (home) => {
    const armored = home.encryptSymmetric(Buffer.from('hello'), 'pw', ['--armor']);
    assertError(
      (await tryDecrypt(armored, { passphrase: 'pw' })).error,
      IntegrityError,
      /ASCII-armored.*gpg --dearmor/,
      'armored',
    );
    const plain = home.ok(['--compress-algo', 'none', '--store'], Buffer.from('hello'));
    assertError(
      (await tryDecrypt(plain, { passphrase: 'pw' })).error,
      IntegrityError,
      /not an encrypted OpenPGP message/,
      'literal data',
    );
  });
  const base64 = pair.publicKey
    .split('\n')
    .filter((line) => line && !line.startsWith('-----') && !line.startsWith('=') && !line.includes(':'))
    .join('');
  const binaryKey = Buffer.from(base64, 'base64');
  assert.is(binaryKey[0], 0xc6, 'a binary public key packet');
  assertError(
    (await tryDecrypt(binaryKey, { passphrase: 'pw' })).error,
    IntegrityError,
    /OpenPGP key, not an encrypted archive/,
    'key',
  );
  assertError(
    (await tryDecrypt(Buffer.from('just some text'), { passphrase: 'pw' })).error,
    IntegrityError,
    /not a readable OpenPGP message/,
    'text',
  );
});

// --- cheap checks before key derivation

/** A junk public-key session-key packet (PKESK v3, RSA, a random 256-bit "MPI"): well-formed, opened by nothing. */
function junkPkesk(): Buffer {
  return Buffer.concat([Buffer.from([0xc1, 44, 3]), randomBytes(8), Buffer.from([1, 0x01, 0x00]), randomBytes(32)]);
}

/** A junk passphrase session-key packet (SKESK v4, AES-256, iterated S2K at the largest count): each one tried costs 64 MiB of SHA-256. */
function junkSkesk(): Buffer {
  return Buffer.concat([Buffer.from([0xc3, 46, 4, 9, 3, 8]), randomBytes(8), Buffer.from([255]), randomBytes(33)]);
}

test('a message with more than 16 session-key packets is refused by their count before any key is tried; 16 are still read', async () => {
  const data = RANDOM.subarray(0, 10_000);
  const message = await encrypt(data, { mode: 'passphrase', passphrase: 'pw' });
  const sixteen = Buffer.concat([...Array.from({ length: 15 }, junkPkesk), message]);
  assertEqualBytes(await decrypt(sixteen, { passphrase: 'pw' }, ODD), data, '15 junk packets and ours');
  const seventeen = Buffer.concat([...Array.from({ length: 16 }, junkPkesk), message]);
  const refused = await tryDecrypt(seventeen, { passphrase: 'pw' });
  assertError(
    refused.error,
    IntegrityError,
    /damaged or hostile: it holds more than 16 session-key packets .*refusing before trying any key/,
    '16 junk packets and ours',
  );
  assert.is(refused.data.length, 0);
  // Refused while the packets are read, before the encrypted data that would start the key derivation:
  // without any key at all (nothing to derive), the count is still what is reported.
  const pile = Buffer.concat([...Array.from({ length: 1000 }, junkSkesk), message]);
  for (const keys of [{ passphrase: 'pw' }, {}]) {
    const result = await tryDecrypt(pile, keys, ODD);
    assertError(
      result.error,
      IntegrityError,
      /more than 16 session-key packets/,
      `1000 junk packets, keys ${JSON.stringify(keys)}`,
    );
    assert.is(result.data.length, 0);
  }
});

test('a backup to more than 16 recipients is refused: no reader would accept its archive', async () => {
  const pairs = await Promise.all(
    Array.from({ length: 17 }, (_, i) => generateKeyPair(`Recipient ${i} <r${i}@example.com>`)),
  );
  await assertRejects(
    encrypt(Buffer.from('x'), { mode: 'public-key', recipients: pairs.map((p) => p.publicKey) }),
    /17 recipient keys given: an archive carries at most 16/,
    '17 recipients',
  );
});

test('a passphrase session-key packet that does not parse is damage (IntegrityError), not a wrong passphrase', async () => {
  const message = await encrypt(RANDOM.subarray(0, 1000), { mode: 'passphrase', passphrase: 'pw' });
  assert.equal([...message.subarray(0, 6)], [0xc3, 46, 4, 9, 3, 8], 'our SKESK opens the message');
  const rest = message.subarray(48);
  const shortKey = Buffer.concat([Buffer.from([0xc3, 45]), message.subarray(2, 47), rest]); // encrypted key one byte short
  const longKey = Buffer.concat([Buffer.from([0xc3, 47]), message.subarray(2, 48), Buffer.from([0]), rest]); // one byte too many
  const cutSalt = Buffer.concat([Buffer.from([0xc3, 8]), message.subarray(2, 10), rest]); // ends inside the salt
  for (const [what, damaged] of [
    ['short key', shortKey],
    ['long key', longKey],
    ['cut salt', cutSalt],
  ] as const) {
    const result = await tryDecrypt(damaged, { passphrase: 'pw' });
    assertError(
      result.error,
      IntegrityError,
      /passphrase session-key packet is malformed .*the archive is damaged/,
      what,
    );
    assert.is(result.data.length, 0);
  }
});

// --- streaming

async function bytesAcceptedWithoutReading(stream: Transform, input: Buffer): Promise<number> {
  let accepted = 0;
  for (const chunk of split(input, [65536])) {
    accepted += chunk.length;
    if (!stream.write(chunk)) {
      const drained = await Promise.race([once(stream, 'drain').then(() => true), delay(1000).then(() => false)]);
      if (!drained) break;
    }
  }
  stream.destroy();
  return accepted;
}

test('backpressure: with nobody reading, encryption and decryption stop taking input after a few MiB', async () => {
  const input = RANDOM.subarray(0, 5_000_000);
  const big = Buffer.concat([input, input, input, input]);
  const encrypted = await bytesAcceptedWithoutReading(
    createEncryptStream({ mode: 'passphrase', passphrase: 'pw' }),
    big,
  );
  assert.ok(encrypted < 4 * PART, `encrypt took ${encrypted} bytes without a reader`);
  const message = await encrypt(big, { mode: 'passphrase', passphrase: 'pw' });
  const decrypted = await bytesAcceptedWithoutReading(createDecryptStream({ passphrase: 'pw' }), message);
  assert.ok(decrypted < 4 * PART, `decrypt took ${decrypted} bytes without a reader`);
});

// --- recipients

test('inspectRecipients returns fingerprints and user IDs of gpg and openpgp.js keys', async () => {
  const pair = await generateKeyPair('Keygen <keygen@example.com>');
  await withGnupgHome(async (home) => {
    const key = home.generateKey('Inspect Me <inspect@example.com>', 'future-default');
    const info = await inspectRecipients([key.publicKey, pair.publicKey]);
    assert.equal(info, [
      { fingerprint: key.fingerprint, userIds: ['Inspect Me <inspect@example.com>'] },
      { fingerprint: pair.fingerprint, userIds: ['Keygen <keygen@example.com>'] },
    ]);
  });
});

test('inspectRecipients rejects a private key, garbage text, an expired key, a revoked key and a sign-only key with KeyError', async () => {
  const pair = await generateKeyPair('Private <private@example.com>');
  await assertRejects(
    inspectRecipients([pair.privateKey]),
    /RIPCORD_RECIPIENTS holds a private key; give the public key/,
    'private key',
  );
  await assertRejects(
    inspectRecipients(['not a key at all']),
    /RIPCORD_RECIPIENTS does not hold a readable armored OpenPGP public key/,
    'garbage',
  );
  await assertRejects(inspectRecipients([]), /no recipient keys/, 'nothing');
  await withGnupgHome(async (home) => {
    const expired = home.generateKey('Expired <expired@example.com>', 'future-default', {
      expire: '1d',
      fakedTime: '20200101T000000',
    });
    await assertRejects(
      inspectRecipients([expired.publicKey]),
      /recipient key [0-9A-F]{40} \(Expired <expired@example.com>\) expired on 2020-01-02/,
      'expired',
    );
    await assertRejects(
      pipeline(
        Readable.from([Buffer.from('x')]),
        createEncryptStream({ mode: 'public-key', recipients: [expired.publicKey] }),
        sink([]),
      ),
      /expired/,
      'encrypting to it',
    );
    const revoked = home.generateKey('Revoked <revoked@example.com>', 'future-default');
    await home.revoke(revoked.fingerprint);
    const revokedPublic = home.ok(['--armor', '--export', revoked.fingerprint]).toString();
    await assertRejects(inspectRecipients([revokedPublic]), /is revoked/, 'revoked');
    const signOnly = home.generateKey('Sign Only <sign@example.com>', 'ed25519', { usage: 'sign' });
    await assertRejects(inspectRecipients([signOnly.publicKey]), /has no usable encryption subkey/, 'sign-only');
  });
});

async function assertRejects(promise: Promise<unknown>, pattern: RegExp, what: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assertError(error, KeyError, pattern, what);
    return;
  }
  assert.unreachable(`${what}: no error`);
}

test('an empty passphrase is refused with KeyError', async () => {
  await assertRejects(
    encrypt(Buffer.from('x'), { mode: 'passphrase', passphrase: '' }),
    /passphrase is empty/,
    'empty passphrase',
  );
});

test.run();
