/**
 * Signed snapshots in public-key mode (docs/security.md), end to end through the bundled
 * CLI with real GnuPG: anyone holding the repository's public key can forge a snapshot that
 * decrypts and authenticates, so restore, rollback and verify --read-data use only snapshots
 * signed by a trusted signer. The forgeries are made with gpg, GNU tar and sha256sum alone.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ripcord } from '../helpers/cli.ts';
import { forgeSnapshot, gpgVerifySnapshot } from '../helpers/forge-snapshot.ts';
import { GnupgHome, withGnupgHome } from '../helpers/gpg.ts';
import type { GpgKey } from '../helpers/gpg.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

interface World {
  dir: string;
  app: string;
  repo: string;
  gpg: GnupgHome;
  /** the repository's key: its public half encrypts, its secret half is the restore identity */
  repoKey: GpgKey;
  /** the CI's signing key */
  ciKey: GpgKey;
  /** a key of someone who may write to the repository */
  otherKey: GpgKey;
  /** what a backup job holds */
  writer: Record<string, string>;
  /** what a restore job holds: the identity, the CI's key trusted by fingerprint */
  reader: Record<string, string>;
}

async function withWorld(fn: (world: World) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  try {
    await withGnupgHome(async (gpg) => {
      const repoKey = gpg.generateKey('Repository <repo@example.test>', 'future-default');
      const ciKey = gpg.generateKey('CI signer <ci@example.test>', 'ed25519', { usage: 'sign' });
      const otherKey = gpg.generateKey('Someone else <other@example.test>', 'ed25519', { usage: 'sign' });
      const app = path.join(dir, 'app');
      await fs.mkdir(path.join(app, 'config'), { recursive: true });
      await fs.writeFile(path.join(app, 'config/app.json'), '{"release":"v1"}\n');
      const writer = { RIPCORD_RECIPIENTS: repoKey.publicKey, RIPCORD_SIGNING_KEY: ciKey.secretKey };
      const reader = { RIPCORD_IDENTITY: repoKey.secretKey, RIPCORD_TRUSTED_SIGNERS: ciKey.fingerprint };
      await fn({ dir, app, repo: path.join(dir, 'repo'), gpg, repoKey, ciKey, otherKey, writer, reader });
    });
  } finally {
    await removeDir(dir);
  }
}

/** The state a deploy leaves: config v2 and a database. */
async function deployV2(app: string): Promise<void> {
  await fs.writeFile(path.join(app, 'config/app.json'), '{"release":"v2"}\n');
}

async function backup(w: World, env: Record<string, string>, extra: string[] = []): Promise<string> {
  const run = await ripcord(['backup', '--repo', w.repo, '--kind', 'pre-deploy', '--quiet', ...extra, 'config'], {
    cwd: w.app,
    env,
  });
  assert.is(run.code, 0, run.stderr);
  return run.stdout.trim().split('\n').pop()!.split(/\s+/)[0]!;
}

function forged(w: World, signWith?: string): Promise<string> {
  return forgeSnapshot({
    repo: w.repo,
    gpg: w.gpg,
    recipient: w.repoKey.fingerprint,
    files: {
      'config/app.json': '{"release":"forged"}\n',
      '.ripcord-captured/db': `.shell touch ${path.join(w.dir, 'PWNED')}\n`,
    },
    ...(signWith ? { signWith } : {}),
    at: new Date(Date.now() + 60_000),
  });
}

const exec = promisify(execFile);
const appConfig = (w: World) => fs.readFile(path.join(w.app, 'config/app.json'), 'utf8');
const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );
const oneLine = (stderr: string) => stderr.trim().split('\n').length === 1;

test('a forged pre-deploy snapshot, made with gpg and tar and encrypted to the repository key, is refused by restore, rollback and verify --read-data', async () => {
  await withWorld(async (w) => {
    await backup(w, w.writer);
    await deployV2(w.app);
    const id = await forged(w);

    const restore = await ripcord(
      ['restore', id, '--repo', w.repo, '--target', w.app, '--yes', '--restore-capture', 'db=sqlite3 app.db'],
      { cwd: w.app, env: w.reader },
    );
    assert.is(restore.code, 1, restore.stdout);
    assert.match(restore.stderr, new RegExp(`snapshot ${id} is not signed.*--allow-unsigned`));
    assert.ok(oneLine(restore.stderr), restore.stderr);

    const rollback = await ripcord(
      ['rollback', '--repo', w.repo, '--directory', w.app, '--restore-capture', 'db=sqlite3 app.db'],
      { cwd: w.app, env: w.reader },
    );
    assert.is(rollback.code, 20, rollback.stderr);
    assert.match(rollback.stderr, new RegExp(`snapshot ${id} is not signed`));

    const verify = await ripcord(['verify', '--read-data', id, '--repo', w.repo], { env: w.reader });
    assert.is.not(verify.code, 0, verify.stdout);
    assert.match(verify.stderr, /is not signed/);

    assert.is(await appConfig(w), '{"release":"v2"}\n');
    assert.not.ok(await exists(path.join(w.dir, 'PWNED')), 'the forged captured state never reached sqlite3');
  });
});

test('a snapshot signed by a key that is not a trusted signer is refused, and so is any signed snapshot when no signer is trusted', async () => {
  await withWorld(async (w) => {
    await backup(w, w.writer);
    await deployV2(w.app);
    const id = await forged(w, w.otherKey.fingerprint);

    const untrusted = await ripcord(['restore', id, '--repo', w.repo, '--target', w.app, '--yes'], {
      cwd: w.app,
      env: w.reader,
    });
    assert.is(untrusted.code, 1);
    assert.match(
      untrusted.stderr,
      new RegExp(`snapshot ${id} is signed by ${w.otherKey.fingerprint}, which is not a trusted signer`),
    );
    assert.ok(oneLine(untrusted.stderr), untrusted.stderr);

    // --allow-unsigned is for unsigned snapshots only: it does not make an untrusted signer good
    const allowed = await ripcord(['restore', id, '--repo', w.repo, '--target', w.app, '--yes', '--allow-unsigned'], {
      cwd: w.app,
      env: w.reader,
    });
    assert.is(allowed.code, 1);
    assert.match(allowed.stderr, /not a trusted signer/);

    const noneTrusted = await ripcord(['restore', id, '--repo', w.repo, '--target', w.app, '--yes'], {
      cwd: w.app,
      env: { RIPCORD_IDENTITY: w.repoKey.secretKey },
    });
    assert.is(noneTrusted.code, 1);
    assert.match(noneTrusted.stderr, /no trusted signers are configured/);
    assert.is(await appConfig(w), '{"release":"v2"}\n');
  });
});

test('a snapshot signed by the trusted signing key restores, by fingerprint or by armored key, and rollback restores it', async () => {
  await withWorld(async (w) => {
    const id = await backup(w, w.writer);
    assert.ok(await exists(path.join(w.repo, id, 'snapshot.json.sig')));
    await deployV2(w.app);

    const restore = await ripcord(['restore', id, '--repo', w.repo, '--target', w.app, '--yes'], {
      cwd: w.app,
      env: w.reader,
    });
    assert.is(restore.code, 0, restore.stderr);
    assert.is(await appConfig(w), '{"release":"v1"}\n');
    assert.not.match(restore.stderr, /warning/);

    await deployV2(w.app);
    const keyFile = path.join(w.dir, 'ci.pub.asc');
    await fs.writeFile(keyFile, w.ciKey.publicKey);
    const rollback = await ripcord(['rollback', '--repo', w.repo, '--directory', w.app, '--trusted-signer', keyFile], {
      cwd: w.app,
      env: { RIPCORD_IDENTITY: w.repoKey.secretKey, RIPCORD_SIGNING_KEY: w.ciKey.secretKey },
    });
    assert.is(rollback.code, 0, rollback.stderr);
    assert.is(await appConfig(w), '{"release":"v1"}\n');

    const verify = await ripcord(['verify', '--read-data', id, '--repo', w.repo], { env: w.reader });
    assert.is(verify.code, 0, verify.stderr);
  });
});

test('a snapshot signed with gpg by the trusted key restores: ripcord checks signatures gpg makes', async () => {
  await withWorld(async (w) => {
    const id = await forged(w, w.ciKey.fingerprint);
    const restore = await ripcord(['restore', id, '--repo', w.repo, '--target', w.app, '--yes'], {
      cwd: w.app,
      env: w.reader,
    });
    assert.is(restore.code, 0, restore.stderr);
    assert.is(await appConfig(w), '{"release":"forged"}\n');
  });
});

test('gpg --verify checks the signature of a ripcord snapshot, sha256sum -c still checks its objects, and a changed snapshot.json fails gpg', async () => {
  await withWorld(async (w) => {
    const id = await backup(w, w.writer);
    const folder = path.join(w.repo, id);
    // a keyring that holds only the signer's public key, as an auditor's would
    const auditor = path.join(w.dir, 'auditor-gnupg');
    await fs.mkdir(auditor, { mode: 0o700 });
    new GnupgHome(auditor).importKey(w.ciKey.publicKey);

    const good = await gpgVerifySnapshot(folder, auditor);
    assert.is(good.code, 0, good.stderr);
    assert.match(good.stderr, new RegExp(`VALIDSIG ${w.ciKey.fingerprint}`));
    const sums = await exec('sha256sum', ['-c', 'SHA256SUMS'], { cwd: folder });
    assert.match(sums.stdout, /archive\.tar\.gz\.pgp: OK/);
    // the objects against the checksums the signature covers, as docs/security.md does it by hand
    const signedSums = await exec(
      'sh',
      ['-c', 'jq -r \'.objects | to_entries[] | "\\(.value.sha256)  \\(.key)"\' snapshot.json | sha256sum -c'],
      { cwd: folder },
    );
    assert.match(signedSums.stdout, /archive\.tar\.gz\.pgp: OK\nmanifest\.json\.pgp: OK/);

    const copy = path.join(w.dir, 'changed');
    await fs.mkdir(copy);
    await fs.copyFile(path.join(folder, 'snapshot.json.sig'), path.join(copy, 'snapshot.json.sig'));
    const record = await fs.readFile(path.join(folder, 'snapshot.json'), 'utf8');
    await fs.writeFile(path.join(copy, 'snapshot.json'), record.replace('"pre-deploy"', '"scheduled"'));
    const bad = await gpgVerifySnapshot(copy, auditor);
    assert.is.not(bad.code, 0);
    assert.match(bad.stderr, /BADSIG/);
  });
});

test('a signature over another snapshot.json is refused as one that does not verify', async () => {
  await withWorld(async (w) => {
    const first = await backup(w, w.writer);
    const second = await backup(w, w.writer, ['--tag', 'second']);
    await fs.copyFile(path.join(w.repo, first, 'snapshot.json.sig'), path.join(w.repo, second, 'snapshot.json.sig'));
    const restore = await ripcord(['restore', second, '--repo', w.repo, '--target', w.app, '--yes'], {
      cwd: w.app,
      env: w.reader,
    });
    assert.is(restore.code, 1);
    assert.match(
      restore.stderr,
      new RegExp(`snapshot ${second}: its signature \\(snapshot.json.sig\\) does not verify`),
    );
    assert.ok(oneLine(restore.stderr), restore.stderr);
  });
});

test('--allow-unsigned restores a snapshot made before signing was set up, with a warning naming it', async () => {
  await withWorld(async (w) => {
    const id = await backup(w, { RIPCORD_RECIPIENTS: w.repoKey.publicKey });
    assert.not.ok(await exists(path.join(w.repo, id, 'snapshot.json.sig')));
    await deployV2(w.app);
    const refused = await ripcord(['restore', id, '--repo', w.repo, '--target', w.app, '--yes'], {
      cwd: w.app,
      env: w.reader,
    });
    assert.is(refused.code, 1);
    const restore = await ripcord(['restore', id, '--repo', w.repo, '--target', w.app, '--yes', '--allow-unsigned'], {
      cwd: w.app,
      env: w.reader,
    });
    assert.is(restore.code, 0, restore.stderr);
    assert.match(restore.stderr, new RegExp(`warning: snapshot ${id} is NOT signed`));
    assert.is(await appConfig(w), '{"release":"v1"}\n');
  });
});

test('copy keeps the signature, so the copy restores where signatures are required', async () => {
  await withWorld(async (w) => {
    const id = await backup(w, w.writer);
    const other = path.join(w.dir, 'other-repo');
    const copy = await ripcord(['copy', id, '--repo', w.repo, '--to', other], { env: {} });
    assert.is(copy.code, 0, copy.stderr);
    await deployV2(w.app);
    const restore = await ripcord(['restore', id, '--repo', other, '--target', w.app, '--yes'], {
      cwd: w.app,
      env: w.reader,
    });
    assert.is(restore.code, 0, restore.stderr);
    assert.is(await appConfig(w), '{"release":"v1"}\n');
  });
});

test('the configuration file names the signing key (a file) and the trusted signers (a fingerprint), for backup and restore alike', async () => {
  await withWorld(async (w) => {
    await fs.writeFile(path.join(w.dir, 'ci.key.asc'), w.ciKey.secretKey, { mode: 0o600 });
    await fs.writeFile(
      path.join(w.app, 'ripcord.config.json'),
      JSON.stringify({ 'signing-key': '../ci.key.asc', 'trusted-signers': [w.ciKey.fingerprint] }),
    );
    const id = await backup(w, { RIPCORD_RECIPIENTS: w.repoKey.publicKey });
    assert.ok(await exists(path.join(w.repo, id, 'snapshot.json.sig')), 'signed with the key the file names');
    await deployV2(w.app);
    // the restore job holds no signing key of its own: the file's trusted signer alone makes the snapshot usable
    await fs.writeFile(
      path.join(w.app, 'ripcord.config.json'),
      JSON.stringify({ 'trusted-signers': [w.ciKey.fingerprint] }),
    );
    const restore = await ripcord(
      [
        'restore',
        id,
        '--repo',
        w.repo,
        '--target',
        w.app,
        '--yes',
        '--no-pre-restore',
        '--exclude',
        'ripcord.config.json',
      ],
      { cwd: w.app, env: { RIPCORD_IDENTITY: w.repoKey.secretKey } },
    );
    assert.is(restore.code, 0, restore.stderr);
    assert.is(await appConfig(w), '{"release":"v1"}\n');
    await fs.writeFile(
      path.join(w.app, 'ripcord.config.json'),
      JSON.stringify({ 'trusted-signers': [w.otherKey.fingerprint] }),
    );
    const untrusted = await ripcord(['restore', id, '--repo', w.repo, '--target', w.app, '--yes', '--no-pre-restore'], {
      cwd: w.app,
      env: { RIPCORD_IDENTITY: w.repoKey.secretKey },
    });
    assert.is(untrusted.code, 1);
    assert.match(untrusted.stderr, /not a trusted signer/);
  });
});

test('a guarded deploy in public-key mode without a signing key refuses to start, since it could not roll back; with one it rolls back', async () => {
  await withWorld(async (w) => {
    const deploy = (env: Record<string, string>) =>
      ripcord(
        [
          'deploy',
          '--repo',
          w.repo,
          '--paths',
          'config',
          '--validate',
          'grep -q v1 config/app.json',
          '--',
          'sh',
          '-c',
          'echo \'{"release":"v2"}\' > config/app.json',
        ],
        { cwd: w.app, env },
      );
    const unsigned = await deploy({ RIPCORD_RECIPIENTS: w.repoKey.publicKey, RIPCORD_IDENTITY: w.repoKey.secretKey });
    assert.is(unsigned.code, 2, unsigned.stderr);
    assert.match(unsigned.stderr, /could not roll back: set RIPCORD_SIGNING_KEY/);
    assert.ok(oneLine(unsigned.stderr), unsigned.stderr);
    assert.is(await appConfig(w), '{"release":"v1"}\n', 'nothing was deployed');
    const signed = await deploy({ ...w.writer, RIPCORD_IDENTITY: w.repoKey.secretKey });
    assert.is(signed.code, 10, signed.stderr);
    assert.is(await appConfig(w), '{"release":"v1"}\n', 'rolled back');
  });
});

test.run();
