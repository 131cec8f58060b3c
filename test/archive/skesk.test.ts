/**
 * The iterated S2K (archive/skesk.ts): a key derived a second time in one process comes from
 * memory, and is exactly what the derivation gives; a caller that zeroes its key does not
 * zero the next caller's.
 */
import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  createPassphrasePacket,
  deriveKey,
  deriveReserved,
  rememberReserved,
  reserveSalts,
} from '../../src/archive/skesk.ts';

const SHA256 = 8;
const ITERATED = 3;

/** RFC 4880 3.7.1.3 written out plainly, for one hash context: the reference the fast one must match. */
function plainS2k(passphrase: string, salt: Buffer, coded: number): Buffer {
  const count = (16 + (coded & 15)) << ((coded >> 4) + 6);
  const unit = Buffer.concat([salt, Buffer.from(passphrase)]);
  const input = Buffer.alloc(Math.max(count, unit.length));
  for (let at = 0; at < input.length; at += unit.length) unit.copy(input, at);
  return createHash('sha256').update(input).digest();
}

test('a key derived twice is the S2K of the passphrase both times; each caller gets its own copy', () => {
  const salt = Buffer.from('0102030405060708', 'hex');
  const expected = plainS2k('correct horse', salt, 96);
  const first = deriveKey(Buffer.from('correct horse'), SHA256, ITERATED, salt, 96, 32);
  assert.equal(first, expected);
  first.fill(0);
  const second = deriveKey(Buffer.from('correct horse'), SHA256, ITERATED, salt, 96, 32);
  assert.equal(second, expected, 'zeroing the first copy left the remembered key whole');
});

test('another passphrase, salt or count is another key, never the remembered one', () => {
  const salt = Buffer.from('0102030405060708', 'hex');
  const other = Buffer.from('0102030405060709', 'hex');
  const key = (passphrase: string, s: Buffer, coded: number) =>
    deriveKey(Buffer.from(passphrase), SHA256, ITERATED, s, coded, 32).toString('hex');
  const seen = [key('one', salt, 96), key('two', salt, 96), key('one', other, 96), key('one', salt, 97)];
  assert.is(new Set(seen).size, 4);
  assert.is(seen[1], plainS2k('two', salt, 96).toString('hex'));
  assert.is(seen[3], plainS2k('one', salt, 97).toString('hex'));
  // and again, now from memory
  assert.equal([key('one', salt, 96), key('two', salt, 96), key('one', other, 96), key('one', salt, 97)], seen);
});

test('more keys than it keeps: the oldest are derived again, and still right', () => {
  const keys = Array.from({ length: 40 }, (_, i) => Buffer.from(`salt${String(i).padStart(4, '0')}`));
  const first = keys.map((salt) => deriveKey(Buffer.from('p'), SHA256, ITERATED, salt, 16, 32).toString('hex'));
  const again = keys.map((salt) => deriveKey(Buffer.from('p'), SHA256, ITERATED, salt, 16, 32).toString('hex'));
  assert.equal(again, first);
  assert.is(first[0], plainS2k('p', keys[0]!, 16).toString('hex'));
});

/** The salt of a SKESK v4 packet as createPassphrasePacket writes it: 2 header octets, then version, cipher, S2K type, hash. */
const saltOf = (packet: Uint8Array) => Buffer.from(packet.subarray(6, 14)).toString('hex');

test('salts drawn ahead: the next packets take them in order, once each, and the keys derived for them elsewhere are the S2K', () => {
  const passphrase = `ahead ${Math.random()}`;
  const job = reserveSalts(passphrase, 2);
  const keys = deriveReserved(job); // what the walk's thread does
  assert.equal(
    keys.map((k) => k.toString('hex')),
    job.salts.map((salt) => plainS2k(passphrase, salt, 224).toString('hex')),
  );
  rememberReserved(job, keys);
  const sessionKey = Buffer.alloc(32, 7);
  const packets = [1, 2, 3].map(() => createPassphrasePacket(sessionKey, passphrase));
  assert.equal(
    packets.slice(0, 2).map(saltOf),
    job.salts.map((s) => s.toString('hex')),
  );
  assert.not.ok(
    job.salts.some((s) => s.toString('hex') === saltOf(packets[2]!)),
    'a third packet draws a fresh salt',
  );
  // another passphrase's packets never take these salts
  const other = reserveSalts(`other ${Math.random()}`, 1);
  assert.is.not(saltOf(createPassphrasePacket(sessionKey, passphrase)), other.salts[0]!.toString('hex'));
});

test('a key that came back malformed is not kept: the packet derives its own, and the right one', () => {
  const passphrase = `malformed ${Math.random()}`;
  const job = reserveSalts(passphrase, 1);
  rememberReserved(job, [Buffer.alloc(5)]);
  const key = deriveKey(Buffer.from(passphrase), SHA256, ITERATED, job.salts[0]!, 224, 32);
  assert.equal(key, plainS2k(passphrase, job.salts[0]!, 224));
});

test.run();
