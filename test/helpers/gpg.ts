/**
 * Real GnuPG for tests: a throw-away GNUPGHOME per test, key generation with
 * `gpg --quick-gen-key`, encryption and decryption through the gpg binary.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface GpgResult {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

export interface GpgKey {
  fingerprint: string;
  publicKey: string;
  secretKey: string;
}

/**
 * The S2K count for gpg --symmetric in tests. Without one, gpg asks its agent for a count
 * calibrated to about 100 ms of hashing per call, and a fresh agent first spends about a
 * second calibrating it: most of the time of the tests that forge snapshots. The format is
 * the same whatever the count; one test keeps the calibrated count (openpgp.test.ts).
 */
const FAST_S2K = ['--s2k-count', '65536'];

export class GnupgHome {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Run gpg in this home (batch mode, no tty, C locale). */
  run(args: string[], input?: Buffer): GpgResult {
    const result = spawnSync('gpg', ['--homedir', this.dir, '--batch', '--no-tty', '--no-auto-key-locate', ...args], {
      input,
      env: { ...process.env, GNUPGHOME: this.dir, LC_ALL: 'C', LANG: 'C' },
      maxBuffer: 512 << 20,
    });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString() };
  }

  /** Run gpg and fail loudly unless it exits 0. */
  ok(args: string[], input?: Buffer): Buffer {
    const result = this.run(args, input);
    if (result.status !== 0) throw new Error(`gpg ${args.join(' ')} exited ${result.status}: ${result.stderr.trim()}`);
    return result.stdout;
  }

  /**
   * A new key without passphrase: `algo` as for --quick-gen-key (rsa3072, future-default,
   * ed25519 ...), `usage` default/sign/encr..., `expire` never/1d..., `encryptionSubkey`
   * an algorithm for an added encryption subkey (rsa3072 ...).
   */
  generateKey(
    userId: string,
    algo: string,
    options: { usage?: string; expire?: string; fakedTime?: string; encryptionSubkey?: string } = {},
  ): GpgKey {
    const faked = options.fakedTime ? ['--faked-system-time', options.fakedTime] : [];
    const noPassphrase = ['--pinentry-mode', 'loopback', '--passphrase', ''];
    this.ok([
      ...faked,
      ...noPassphrase,
      '--quick-gen-key',
      userId,
      algo,
      options.usage ?? 'default',
      options.expire ?? 'never',
    ]);
    const colons = this.ok(['--with-colons', '--list-keys', userId]).toString();
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1];
    if (!fingerprint) throw new Error(`no fingerprint for ${userId} in: ${colons}`);
    // --quick-gen-key with an explicit algorithm (rsa3072, ed25519) makes no encryption subkey
    if (options.encryptionSubkey)
      this.ok([
        ...noPassphrase,
        '--quick-add-key',
        fingerprint,
        options.encryptionSubkey,
        'encr',
        options.expire ?? 'never',
      ]);
    return {
      fingerprint,
      publicKey: this.ok(['--armor', '--export', fingerprint]).toString(),
      secretKey: this.ok([
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        '',
        '--armor',
        '--export-secret-keys',
        fingerprint,
      ]).toString(),
    };
  }

  /** Import armored keys (a protected secret key needs its passphrase). */
  importKey(armored: string, passphrase = ''): void {
    this.ok(['--pinentry-mode', 'loopback', '--passphrase', passphrase, '--import'], Buffer.from(armored));
  }

  /** Import a key's revocation certificate that --quick-gen-key stored. */
  async revoke(fingerprint: string): Promise<void> {
    const text = await fs.readFile(path.join(this.dir, 'openpgp-revocs.d', `${fingerprint}.rev`), 'utf8');
    // the stored certificate is "disarmed" with a leading colon
    this.ok(['--import'], Buffer.from(text.replace(/^:-----BEGIN/m, '-----BEGIN')));
  }

  /** `gpg -d` of a message; `passphrase` for symmetric messages or a protected key. */
  decrypt(message: Buffer, passphrase?: string): GpgResult {
    const secret = passphrase === undefined ? [] : ['--pinentry-mode', 'loopback', '--passphrase', passphrase];
    return this.run([...secret, '--decrypt'], message);
  }

  /**
   * `gpg --symmetric` of data, with extra options (--compress-algo, --cipher-algo ...), and the
   * small S2K count of FAST_S2K unless `calibrated` asks for the count gpg's agent calibrates.
   */
  encryptSymmetric(data: Buffer, passphrase: string, extra: string[] = [], calibrated = false): Buffer {
    const count = calibrated ? [] : FAST_S2K;
    return this.ok(
      ['--pinentry-mode', 'loopback', '--passphrase', passphrase, ...count, ...extra, '--symmetric'],
      data,
    );
  }

  /** `gpg -e -r` of data to keys in this home, with extra options (--sign, --compress-algo ...). */
  encryptTo(data: Buffer, recipients: string[], extra: string[] = []): Buffer {
    const to = recipients.flatMap((r) => ['--recipient', r]);
    return this.ok(
      ['--trust-model', 'always', '--pinentry-mode', 'loopback', '--passphrase', '', ...to, ...extra, '--encrypt'],
      data,
    );
  }

  /** `gpg --list-packets` of a message (stdout and stderr, for diagnostics and format checks). */
  listPackets(message: Buffer, passphrase?: string): string {
    const secret = passphrase === undefined ? [] : ['--pinentry-mode', 'loopback', '--passphrase', passphrase];
    const result = this.run([...secret, '--list-packets'], message);
    return `${result.stdout.toString()}\n${result.stderr}`;
  }
}

/** A fresh GNUPGHOME (mode 0700) for `fn`; its agent is stopped and the directory removed after. */
export async function withGnupgHome<T>(fn: (home: GnupgHome) => Promise<T> | T): Promise<T> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'ripcord-gpg-'));
  await fs.chmod(dir, 0o700);
  try {
    return await fn(new GnupgHome(dir));
  } finally {
    spawnSync('gpgconf', ['--homedir', dir, '--kill', 'all'], {
      env: { ...process.env, GNUPGHOME: dir },
      stdio: 'ignore',
    });
    await fs.rm(dir, { recursive: true, force: true });
  }
}
