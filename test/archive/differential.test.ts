/**
 * The differential decryption corpus: messages made by real GnuPG with every cipher,
 * compression algorithm and S2K mode this gpg offers (read from `gpg --version`), messages
 * ripcord writes, and malformed variants of both (bit flips, truncations, trailing garbage,
 * doubled and dropped packets, no MDC). Each goes through `gpg -d` and through ripcord's
 * decryption stream, and:
 *
 *   - whatever gpg rejects, ripcord rejects (with one line from a named error);
 *   - whatever ripcord accepts, it decrypts to exactly the bytes gpg gives;
 *   - what ripcord writes, gpg decrypts to the original bytes.
 *
 * ripcord may refuse what gpg accepts (it reads AES only, and no BZIP2: the rest is refused
 * with "decrypt it with gpg"); the figures are counted and printed for docs/reliability.md.
 */
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DecryptionKeys, EncryptionKeys } from '../../src/archive/openpgp-keys.ts';
import { createDecryptStream } from '../../src/archive/seipd-decrypt.ts';
import { RipcordError } from '../../src/domain/errors.ts';
import { ripcordEncrypt } from '../helpers/encrypt.ts';
import { withGnupgHome } from '../helpers/gpg.ts';
import type { GnupgHome } from '../helpers/gpg.ts';
import { Rng } from '../reliability/harness.ts';

const PASSPHRASE = 'differential corpus';
const PLAINTEXT = Buffer.concat([
  Buffer.from(Array.from({ length: 400 }, (_, i) => `line ${i}: configs, scripts and state\n`).join('')),
  randomBytes(3000),
]);

interface Figures {
  messages: number;
  gpgAccepted: number;
  ripcordAccepted: number;
  gpgRejected: number;
  ripcordRejectedToo: number;
  violations: string[];
}

const figures: Figures = {
  messages: 0,
  gpgAccepted: 0,
  ripcordAccepted: 0,
  gpgRejected: 0,
  ripcordRejectedToo: 0,
  violations: [],
};

async function ripcordDecrypt(message: Buffer, keys: DecryptionKeys): Promise<{ data: Buffer; error: unknown }> {
  const out: Buffer[] = [];
  let error: unknown;
  try {
    await pipeline(
      Readable.from([message]),
      createDecryptStream(keys),
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          out.push(chunk);
          callback();
        },
      }),
    );
  } catch (caught) {
    error = caught;
  }
  return { data: Buffer.concat(out), error };
}

/** Run one message through gpg -d and ripcord, and hold them to the differential rules. */
async function compare(
  home: GnupgHome,
  label: string,
  message: Buffer,
  keys: DecryptionKeys,
): Promise<'both' | 'gpg-only' | 'neither'> {
  figures.messages += 1;
  const gpg = home.decrypt(message, keys.passphrase);
  const ours = await ripcordDecrypt(message, keys);
  const problem = (text: string) => figures.violations.push(`${label}: ${text}`);
  if (ours.error !== undefined) {
    if (!(ours.error instanceof RipcordError))
      problem(
        `ripcord failed with a bare ${(ours.error as Error)?.name ?? typeof ours.error}: ${String((ours.error as Error)?.message ?? ours.error)}`,
      );
    else if (/\n/.test(ours.error.message)) problem('ripcord refused it with more than one line');
  }
  if (gpg.status !== 0) {
    figures.gpgRejected += 1;
    if (ours.error === undefined)
      problem(`gpg rejects it (${gpg.stderr.trim().split('\n').pop()}), ripcord accepted it`);
    else figures.ripcordRejectedToo += 1;
    return 'neither';
  }
  figures.gpgAccepted += 1;
  if (ours.error !== undefined) return 'gpg-only';
  figures.ripcordAccepted += 1;
  if (!ours.data.equals(gpg.stdout))
    problem(`ripcord decrypted ${ours.data.length} bytes, gpg ${gpg.stdout.length}, and they differ`);
  return 'both';
}

/** The algorithm names after `label:` in `gpg --version` (which may wrap onto more lines). */
function offered(version: string, label: string): string[] {
  const match = new RegExp(`^${label}: ([^\\n]*(?:\\n {2,}[^\\n]*)*)`, 'm').exec(version);
  if (!match) throw new Error(`gpg --version lists no ${label}`);
  return match[1]!.split(/[,\s]+/).filter(Boolean);
}

/** Malformed variants of a valid message, the same for the same seed. */
function mutations(message: Buffer, rng: Rng): { label: string; bytes: Buffer }[] {
  const out: { label: string; bytes: Buffer }[] = [];
  const positions = [0, 1, 3, 8, 20, message.length - 1, message.length - 22, message.length - 21];
  for (let i = 0; i < 5; i++) positions.push(rng.int(0, message.length - 1));
  for (const at of positions.filter((p) => p >= 0 && p < message.length)) {
    const bytes = Buffer.from(message);
    bytes[at]! ^= 1 << rng.int(0, 7);
    out.push({ label: `bit flipped at byte ${at}`, bytes });
  }
  for (const cut of [2, Math.floor(message.length / 2), message.length - 22, message.length - 1]) {
    if (cut > 0 && cut < message.length)
      out.push({ label: `truncated to ${cut} bytes`, bytes: message.subarray(0, cut) });
  }
  out.push({ label: 'trailing garbage', bytes: Buffer.concat([message, Buffer.from('not a packet at all')]) });
  out.push({ label: 'trailing zero bytes', bytes: Buffer.concat([message, Buffer.alloc(64)]) });
  out.push({ label: 'the whole message twice', bytes: Buffer.concat([message, message]) });
  out.push({ label: 'empty', bytes: Buffer.alloc(0) });
  out.push({ label: 'random bytes', bytes: rng.bytes(message.length) });
  return out;
}

test("gpg -d and ripcord agree on every gpg cipher, compression and S2K mode, on ripcord's messages, and on malformed variants of both", async () => {
  await withGnupgHome(async (home) => {
    const rng = new Rng('differential');
    const version = home.ok(['--version']).toString();
    const ciphers = offered(version, 'Cipher');
    const compressions = offered(version, 'Compression').map((name) => (name === 'Uncompressed' ? 'none' : name));
    const hashes = offered(version, 'Hash');
    const passphraseKeys: DecryptionKeys = { passphrase: PASSPHRASE };
    const valid: { label: string; message: Buffer; keys: DecryptionKeys }[] = [];
    const expectBoth = async (label: string, message: Buffer, keys: DecryptionKeys) => {
      valid.push({ label, message, keys });
      return compare(home, label, message, keys);
    };

    // gpg --symmetric: every cipher with every compression
    for (const cipher of ciphers) {
      for (const compression of compressions) {
        const label = `gpg --symmetric --cipher-algo ${cipher} --compress-algo ${compression}`;
        const message = home.encryptSymmetric(PLAINTEXT, PASSPHRASE, [
          '--cipher-algo',
          cipher,
          '--compress-algo',
          compression,
        ]);
        const result = await expectBoth(label, message, passphraseKeys);
        // what ripcord reads: the AES family, uncompressed, ZIP or ZLIB (not BZIP2)
        if (/^AES/.test(cipher) && compression !== 'BZIP2') assert.is(result, 'both', label);
      }
    }
    // every S2K mode with every digest
    for (const mode of ['0', '1', '3']) {
      for (const hash of hashes) {
        const label = `gpg --symmetric --s2k-mode ${mode} --s2k-digest-algo ${hash}`;
        const message = home.encryptSymmetric(PLAINTEXT, PASSPHRASE, [
          '--s2k-mode',
          mode,
          '--s2k-digest-algo',
          hash,
          '--cipher-algo',
          'AES256',
        ]);
        assert.is(await expectBoth(label, message, passphraseKeys), 'both', label);
      }
    }
    // public-key messages to an RSA and a cv25519 key, compressed or not, signed, anonymous
    const ecc = home.generateKey('Corpus ECC <ecc@example.test>', 'future-default');
    const rsa = home.generateKey('Corpus RSA <rsa@example.test>', 'rsa2048', { encryptionSubkey: 'rsa2048' });
    for (const key of [ecc, rsa]) {
      const keys: DecryptionKeys = { identities: [{ armoredKey: key.secretKey }] };
      for (const extra of [
        [],
        ['--compress-algo', 'none'],
        ['--compress-algo', 'zlib'],
        ['--compress-algo', 'bzip2'],
        ['--sign'],
        ['--throw-keyids'],
        ['--cipher-algo', 'CAMELLIA256'],
      ]) {
        const label = `gpg -e to ${key.fingerprint.slice(-8)} ${extra.join(' ')}`;
        const result = await expectBoth(label, home.encryptTo(PLAINTEXT, [key.fingerprint], extra), keys);
        if (!extra.includes('CAMELLIA256') && !extra.includes('bzip2')) assert.is(result, 'both', label);
      }
    }
    // ripcord's own messages: gpg reads them (the other direction)
    const written: [string, EncryptionKeys, DecryptionKeys][] = [
      ['ripcord passphrase message', { mode: 'passphrase', passphrase: PASSPHRASE }, passphraseKeys],
      [
        'ripcord message to a cv25519 key',
        { mode: 'public-key', recipients: [ecc.publicKey] },
        { identities: [{ armoredKey: ecc.secretKey }] },
      ],
      [
        'ripcord message to an RSA key',
        { mode: 'public-key', recipients: [rsa.publicKey] },
        { identities: [{ armoredKey: rsa.secretKey }] },
      ],
    ];
    for (const [label, encryptionKeys, keys] of written) {
      const message = await ripcordEncrypt(PLAINTEXT, encryptionKeys);
      const gpg = home.decrypt(message, keys.passphrase);
      assert.is(gpg.status, 0, `${label}: ${gpg.stderr}`);
      assert.ok(gpg.stdout.equals(PLAINTEXT), `${label}: gpg decrypts it to the original bytes`);
      assert.is(await expectBoth(label, message, keys), 'both', label);
    }
    // hand-made malformed messages: no MDC (as --rfc2440 writes), and mutations of valid ones
    await compare(
      home,
      'gpg --rfc2440 (SED, no MDC)',
      home.encryptSymmetric(PLAINTEXT, PASSPHRASE, ['--rfc2440', '--cipher-algo', 'AES256']),
      passphraseKeys,
    );
    const bases = valid.filter((v) =>
      /AES256 --compress-algo ZIP$|s2k-mode 3 --s2k-digest-algo SHA256|^ripcord|to \S+ $/.test(v.label),
    );
    assert.ok(bases.length >= 7, `mutation bases: ${bases.map((b) => b.label).join('; ')}`);
    for (const base of bases) {
      for (const mutated of mutations(base.message, rng))
        await compare(home, `${base.label}, ${mutated.label}`, mutated.bytes, base.keys);
    }
  });
  console.log(
    `differential corpus: ${figures.messages} messages; gpg accepted ${figures.gpgAccepted} (ripcord decrypted ${figures.ripcordAccepted} of them to the same bytes), gpg rejected ${figures.gpgRejected} (ripcord rejected ${figures.ripcordRejectedToo}); violations: ${figures.violations.length}`,
  );
  assert.equal(figures.violations, []);
  assert.is(figures.ripcordRejectedToo, figures.gpgRejected);
});

test.run();
