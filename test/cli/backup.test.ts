/**
 * The foundation, end to end through the bundled CLI: real files, real GnuPG, real GNU tar.
 */
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateKeyPair } from '../../src/archive/openpgp-keys.ts';
import { CLI, PROJECT_ROOT, cleanEnv, ripcord, runCommand } from '../helpers/cli.ts';
import { manifestFor, pythonTarGz, writeHandmadeSnapshot, type PyTarMember } from '../helpers/hostile.ts';
import { diffTrees, makeAwkwardTree, removeDir, tempDir } from '../helpers/tree.ts';

const exec = promisify(execFile);
const PASSPHRASE = 'correct horse battery staple';

interface Sandbox {
  dir: string;
  source: string;
  repo: string;
  gnupg: string;
}

async function sandbox(): Promise<Sandbox> {
  const dir = await tempDir();
  const source = path.join(dir, 'source');
  const gnupg = path.join(dir, 'gnupg');
  await fs.mkdir(source);
  await fs.mkdir(gnupg, { mode: 0o700 });
  return { dir, source, repo: path.join(dir, 'repo'), gnupg };
}

/** Pipe `gpg -d archive | tar -xz -C into` through a real shell, as the emergency runbook says. */
async function gpgTarExtract(s: Sandbox, archive: string, into: string, gpgArgs: string[]): Promise<void> {
  await fs.mkdir(into, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const child = spawn('sh', ['-c', 'gpg --batch --quiet "$@" -d "$ARCHIVE" | tar -xz -C "$INTO"', 'sh', ...gpgArgs], {
      env: cleanEnv({ GNUPGHOME: s.gnupg, ARCHIVE: archive, INTO: into }),
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`gpg | tar failed (${code}): ${err}`))));
  });
}

async function snapshotFolder(repo: string, id: string): Promise<string> {
  return path.join(repo, id);
}

function idFrom(stdout: string): string {
  const m = /snapshot (\S+) saved/.exec(stdout) ?? /^(\S+)\s*$/.exec(stdout);
  assert.ok(m, `no snapshot id in output: ${stdout}`);
  return m![1]!;
}

test('a passphrase snapshot restores with only gpg and tar to an identical tree, and sha256sum -c passes', async () => {
  const s = await sandbox();
  try {
    const roots = await makeAwkwardTree(s.source);
    const run = await ripcord(['backup', '--repo', s.repo, ...roots], {
      cwd: s.source,
      env: { RIPCORD_PASSPHRASE: PASSPHRASE },
    });
    assert.is(run.code, 0, run.stderr);
    const id = idFrom(run.stdout);
    const folder = await snapshotFolder(s.repo, id);
    assert.equal((await fs.readdir(folder)).sort(), [
      'SHA256SUMS',
      'archive.tar.gz.pgp',
      'manifest.json.pgp',
      'snapshot.json',
    ]);
    const sums = await exec('sha256sum', ['-c', 'SHA256SUMS'], { cwd: folder });
    assert.match(sums.stdout, /archive\.tar\.gz\.pgp: OK/);
    assert.match(sums.stdout, /manifest\.json\.pgp: OK/);
    const out = path.join(s.dir, 'restored');
    await gpgTarExtract(s, path.join(folder, 'archive.tar.gz.pgp'), out, [
      '--pinentry-mode',
      'loopback',
      '--passphrase',
      PASSPHRASE,
    ]);
    assert.equal(await diffTrees(s.source, out), []);
    // the manifest is readable by gpg too, and is valid JSON
    const manifest = await exec(
      'gpg',
      [
        '--batch',
        '--quiet',
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        PASSPHRASE,
        '-d',
        path.join(folder, 'manifest.json.pgp'),
      ],
      {
        env: cleanEnv({ GNUPGHOME: s.gnupg }),
      },
    );
    const parsed = JSON.parse(manifest.stdout) as { entries: { path: string }[] };
    assert.ok(parsed.entries.some((e) => e.path === 'config/données/ファイル ☃.txt'));
  } finally {
    await removeDir(s.dir);
  }
});

test('snapshot files are private (0600) and folders 0700, and snapshot.json holds no file name or secret', async () => {
  const s = await sandbox();
  try {
    await fs.writeFile(path.join(s.source, 'secret-name-of-a-file.txt'), 'x');
    const run = await ripcord(['backup', '--repo', s.repo, '--quiet', 'secret-name-of-a-file.txt'], {
      cwd: s.source,
      env: { RIPCORD_PASSPHRASE: PASSPHRASE },
    });
    assert.is(run.code, 0, run.stderr);
    const id = run.stdout.trim();
    const folder = path.join(s.repo, id);
    assert.is((await fs.stat(folder)).mode & 0o777, 0o700);
    for (const name of await fs.readdir(folder))
      assert.is((await fs.stat(path.join(folder, name))).mode & 0o777, 0o600, name);
    const metadata = await fs.readFile(path.join(folder, 'snapshot.json'), 'utf8');
    assert.not.match(metadata, /secret-name-of-a-file/);
    assert.not.match(metadata, new RegExp(PASSPHRASE));
    const parsed = JSON.parse(metadata);
    assert.is(parsed.id, id);
    assert.is(parsed.files, 1);
    assert.is(parsed.encryption.mode, 'passphrase');
  } finally {
    await removeDir(s.dir);
  }
});

test('public-key mode: a gpg --quick-gen-key key and an openpgp.js key each decrypt a two-recipient snapshot with gpg alone', async () => {
  const s = await sandbox();
  try {
    await makeAwkwardTree(s.source, 1);
    const gpgEnv = { env: cleanEnv({ GNUPGHOME: s.gnupg }) };
    await exec(
      'gpg',
      [
        '--batch',
        '--passphrase',
        '',
        '--quick-gen-key',
        'Ripcord Test <gpg@example.test>',
        'default',
        'default',
        'never',
      ],
      gpgEnv,
    );
    const gpgPublic = (await exec('gpg', ['--armor', '--export', 'gpg@example.test'], gpgEnv)).stdout;
    const jsKey = await generateKeyPair('Ripcord JS <js@example.test>');
    const recipientsFile = path.join(s.dir, 'js-public.asc');
    await fs.writeFile(recipientsFile, jsKey.publicKey);
    // inline armored text and a file path, mixed, as RIPCORD_RECIPIENTS allows
    const run = await ripcord(['backup', '--repo', s.repo, '--quiet', 'config', 'scripts', 'state'], {
      cwd: s.source,
      env: { RIPCORD_RECIPIENTS: `${gpgPublic}\n${recipientsFile}`, RIPCORD_SIGNING_KEY: jsKey.privateKey },
    });
    assert.is(run.code, 0, run.stderr);
    const id = run.stdout.trim();
    const archive = path.join(s.repo, id, 'archive.tar.gz.pgp');
    const metadata = JSON.parse(await fs.readFile(path.join(s.repo, id, 'snapshot.json'), 'utf8'));
    assert.is(metadata.encryption.mode, 'public-key');
    assert.is(metadata.encryption.recipients.length, 2);
    assert.ok(metadata.encryption.recipients.includes(jsKey.fingerprint));

    // gpg key (its secret is in this GNUPGHOME)
    const byGpgKey = path.join(s.dir, 'by-gpg-key');
    await gpgTarExtract(s, archive, byGpgKey, []);
    assert.equal(await diffTrees(s.source, byGpgKey), []);

    // openpgp.js key alone, in a fresh GNUPGHOME
    const other: Sandbox = { ...s, gnupg: path.join(s.dir, 'gnupg2') };
    await fs.mkdir(other.gnupg, { mode: 0o700 });
    const keyFile = path.join(s.dir, 'js-private.asc');
    await fs.writeFile(keyFile, jsKey.privateKey);
    await exec('gpg', ['--batch', '--import', keyFile], { env: cleanEnv({ GNUPGHOME: other.gnupg }) });
    const byJsKey = path.join(s.dir, 'by-js-key');
    await gpgTarExtract(other, archive, byJsKey, []);
    assert.equal(await diffTrees(s.source, byJsKey), []);

    // ripcord reads it back with either identity
    for (const identity of [
      keyFile,
      (await exec('gpg', ['--armor', '--export-secret-keys', 'gpg@example.test'], gpgEnv)).stdout,
    ]) {
      const verify = await ripcord(['verify', '--repo', s.repo, '--read-data', id], {
        env: { RIPCORD_IDENTITY: identity, RIPCORD_TRUSTED_SIGNERS: jsKey.fingerprint },
      });
      assert.is(verify.code, 0, verify.stderr);
    }
  } finally {
    await removeDir(s.dir);
  }
});

test('a backup in public-key mode needs no private key, and reading it without one says what to set', async () => {
  const s = await sandbox();
  try {
    const key = await generateKeyPair('Only Public <p@example.test>');
    await fs.writeFile(path.join(s.source, 'a.txt'), 'a');
    const run = await ripcord(['backup', '--repo', s.repo, '--quiet', 'a.txt'], {
      cwd: s.source,
      env: { RIPCORD_RECIPIENTS: key.publicKey },
    });
    assert.is(run.code, 0, run.stderr);
    const ls = await ripcord(['ls', '--repo', s.repo, 'latest'], { env: {} });
    assert.is(ls.code, 1);
    assert.match(ls.stderr, /RIPCORD_IDENTITY/);
    assert.is(ls.stderr.trim().split('\n').length, 1);
  } finally {
    await removeDir(s.dir);
  }
});

test('list, show and ls describe the snapshot; latest resolves to it', async () => {
  const s = await sandbox();
  try {
    const roots = await makeAwkwardTree(s.source, 1);
    const env = { RIPCORD_PASSPHRASE: PASSPHRASE };
    const id = (
      await ripcord(['backup', '--repo', s.repo, '-q', '--tag', 'web,nightly', ...roots], { cwd: s.source, env })
    ).stdout.trim();
    const list = await ripcord(['list', '--repo', s.repo], { env });
    assert.is(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${id.replace('.', '\\.')}.*manual.*web,nightly`));
    const listJson = JSON.parse((await ripcord(['list', '--repo', s.repo, '--json'], { env })).stdout);
    assert.is(listJson[0].id, id);
    assert.equal(listJson[0].tags, ['web', 'nightly']);
    const show = await ripcord(['show', '--repo', s.repo, 'latest'], { env });
    assert.match(show.stdout, new RegExp(`id:\\s+${id.replace('.', '\\.')}`));
    const ls = await ripcord(['ls', '--repo', s.repo, '--json', id.slice(0, 12)], { env });
    assert.is(ls.code, 0, ls.stderr);
    const entries = ls.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const blob = entries.find((e: { path: string }) => e.path === 'state/blob.bin');
    assert.is(blob.size, 1 << 20);
    assert.is(blob.sha256.length, 64);
    assert.ok(
      entries.some(
        (e: { path: string; type: string; target?: string }) =>
          e.path === 'config/current.yaml' && e.type === 'symlink' && e.target === 'app.yaml',
      ),
    );
    assert.ok(
      entries.some((e: { path: string; type: string }) => e.path === 'state/empty-dir' && e.type === 'directory'),
    );
  } finally {
    await removeDir(s.dir);
  }
});

test('verify names the snapshot and the object when any byte of the archive or manifest is flipped', async () => {
  const s = await sandbox();
  try {
    await makeAwkwardTree(s.source, 1);
    const env = { RIPCORD_PASSPHRASE: PASSPHRASE };
    const id = (
      await ripcord(['backup', '--repo', s.repo, '-q', 'config', 'state'], { cwd: s.source, env })
    ).stdout.trim();
    assert.is((await ripcord(['verify', '--repo', s.repo, id], { env })).code, 0);
    for (const object of ['archive.tar.gz.pgp', 'manifest.json.pgp']) {
      const file = path.join(s.repo, id, object);
      const original = await fs.readFile(file);
      for (const offset of [0, 100, Math.floor(original.length / 2), original.length - 1]) {
        const damaged = Buffer.from(original);
        damaged[offset]! ^= 0x01;
        await fs.writeFile(file, damaged);
        for (const args of [
          ['verify', id],
          ['verify', '--read-data', id],
        ]) {
          const run = await ripcord([...args, '--repo', s.repo], { env });
          assert.is(run.code, 1, `${object}@${offset} ${args.join(' ')} passed`);
          const line = run.stderr.trim();
          assert.is(line.split('\n').length, 1, line);
          assert.ok(line.includes(id) && line.includes(object), line);
          assert.not.match(line, /\n\s+at /);
        }
      }
      await fs.writeFile(file, original);
    }
    assert.is((await ripcord(['verify', '--repo', s.repo, '--read-data', id], { env })).code, 0);
  } finally {
    await removeDir(s.dir);
  }
});

test('verify --read-data catches a manifest that does not belong to the archive, even with consistent checksums', async () => {
  const s = await sandbox();
  try {
    const env = { RIPCORD_PASSPHRASE: PASSPHRASE };
    await fs.writeFile(path.join(s.source, 'a.txt'), 'first');
    const first = (await ripcord(['backup', '--repo', s.repo, '-q', 'a.txt'], { cwd: s.source, env })).stdout.trim();
    await fs.writeFile(path.join(s.source, 'a.txt'), 'second, different');
    const second = (await ripcord(['backup', '--repo', s.repo, '-q', 'a.txt'], { cwd: s.source, env })).stdout.trim();
    // Graft the second manifest onto the first snapshot and fix every plaintext checksum,
    // as an attacker (or a confused script) without the key could.
    const { sealMetadata, serializeMetadata, formatChecksums } = await import('../../src/domain/snapshot.ts');
    const manifest = await fs.readFile(path.join(s.repo, second, 'manifest.json.pgp'));
    await fs.writeFile(path.join(s.repo, first, 'manifest.json.pgp'), manifest);
    const meta = JSON.parse(await fs.readFile(path.join(s.repo, first, 'snapshot.json'), 'utf8'));
    const secondMeta = JSON.parse(await fs.readFile(path.join(s.repo, second, 'snapshot.json'), 'utf8'));
    meta.objects['manifest.json.pgp'] = secondMeta.objects['manifest.json.pgp'];
    delete meta.metadataSha256;
    const sealed = sealMetadata(meta);
    await fs.writeFile(path.join(s.repo, first, 'snapshot.json'), serializeMetadata(sealed));
    await fs.writeFile(path.join(s.repo, first, 'SHA256SUMS'), formatChecksums(sealed.objects));

    const quick = await ripcord(['verify', '--repo', s.repo, first], { env });
    assert.is(quick.code, 0, `checksums alone cannot tell: ${quick.stderr}`);
    const deep = await ripcord(['verify', '--repo', s.repo, '--read-data', first], { env });
    assert.is(deep.code, 1);
    assert.match(deep.stderr, new RegExp(first.replace('.', '\\.')));
    assert.match(deep.stderr, /is 5 bytes in the archive but 17 in the manifest/, deep.stderr);
  } finally {
    await removeDir(s.dir);
  }
});

test('an edited snapshot.json is caught by verify without a key', async () => {
  const s = await sandbox();
  try {
    const env = { RIPCORD_PASSPHRASE: PASSPHRASE };
    await fs.writeFile(path.join(s.source, 'a.txt'), 'a');
    const id = (await ripcord(['backup', '--repo', s.repo, '-q', 'a.txt'], { cwd: s.source, env })).stdout.trim();
    const file = path.join(s.repo, id, 'snapshot.json');
    const original = await fs.readFile(file, 'utf8');
    for (const edited of [
      original.replace('"manual"', '"scheduled"'),
      original.replace('\n  "id"', '\n   "id"'),
      original.slice(0, -2),
    ]) {
      await fs.writeFile(file, edited);
      const run = await ripcord(['verify', '--repo', s.repo, id], { env: {} });
      assert.is(run.code, 1, `edit not detected: ${edited.slice(0, 80)}`);
      assert.match(run.stderr, /snapshot\.json/);
    }
  } finally {
    await removeDir(s.dir);
  }
});

test('an unfinished snapshot folder (no snapshot.json) is never listed nor used as latest', async () => {
  const s = await sandbox();
  try {
    const env = { RIPCORD_PASSPHRASE: PASSPHRASE };
    await fs.writeFile(path.join(s.source, 'a.txt'), 'a');
    const id = (await ripcord(['backup', '--repo', s.repo, '-q', 'a.txt'], { cwd: s.source, env })).stdout.trim();
    // an interrupted backup started later: objects present, no snapshot.json
    const unfinished = '29991231T235959.999Z-dead';
    await fs.cp(path.join(s.repo, id), path.join(s.repo, unfinished), { recursive: true });
    await fs.rm(path.join(s.repo, unfinished, 'snapshot.json'));
    const list = await ripcord(['list', '--repo', s.repo, '--json'], { env });
    assert.equal(
      JSON.parse(list.stdout).map((x: { id: string }) => x.id),
      [id],
    );
    assert.match(list.stderr, /1 unfinished/);
    const show = await ripcord(['show', '--repo', s.repo, '--json', 'latest'], { env });
    assert.is(JSON.parse(show.stdout).id, id);
    const direct = await ripcord(['show', '--repo', s.repo, unfinished], { env });
    assert.is(direct.code, 1);
    assert.match(direct.stderr, /does not exist|never completed/);
  } finally {
    await removeDir(s.dir);
  }
});

test('two backups started in the same second get different ids that sort in start order', async () => {
  const s = await sandbox();
  try {
    const env = { RIPCORD_PASSPHRASE: PASSPHRASE };
    await fs.writeFile(path.join(s.source, 'a.txt'), 'a');
    const runs = await Promise.all(
      [0, 1, 2, 3].map(() => ripcord(['backup', '--repo', s.repo, '--json', 'a.txt'], { cwd: s.source, env })),
    );
    const snapshots = runs.map((r) => {
      assert.is(r.code, 0, r.stderr);
      return JSON.parse(r.stdout).snapshot as { id: string; created: string };
    });
    const ids = snapshots.map((x) => x.id);
    assert.is(new Set(ids).size, 4);
    const byId = [...snapshots].sort((a, b) => (a.id < b.id ? -1 : 1));
    const byTime = [...snapshots].sort(
      (a, b) => Date.parse(a.created) - Date.parse(b.created) || (a.id < b.id ? -1 : 1),
    );
    assert.equal(
      byId.map((x) => x.id),
      byTime.map((x) => x.id),
    );
    const list = JSON.parse((await ripcord(['list', '--repo', s.repo, '--json'], { env })).stdout) as { id: string }[];
    assert.equal(
      list.map((x) => x.id),
      [...ids].sort().reverse(),
    );
  } finally {
    await removeDir(s.dir);
  }
});

const oneLine = (stderr: string) => {
  const lines = stderr.trim().split('\n');
  assert.is(lines.length, 1, stderr);
  assert.not.match(stderr, /\s+at .*\(.*:\d+:\d+\)/);
  return lines[0]!;
};

test('a second backup with another passphrase is refused with one line saying what to do, and --new-key starts using it', async () => {
  const s = await sandbox();
  try {
    await fs.writeFile(path.join(s.source, 'a.txt'), 'a');
    const first = await ripcord(['backup', '--repo', s.repo, '-q', 'a.txt'], {
      cwd: s.source,
      env: { RIPCORD_PASSPHRASE: PASSPHRASE },
    });
    assert.is(first.code, 0, first.stderr);
    const typo = await ripcord(['backup', '--repo', s.repo, '-q', 'a.txt'], {
      cwd: s.source,
      env: { RIPCORD_PASSPHRASE: `${PASSPHRASE}!` },
    });
    assert.is(typo.code, 1, 'a mistyped passphrase is refused');
    assert.match(
      oneLine(typo.stderr),
      new RegExp(
        `the passphrase is not the one the newest snapshot in .* \\(${first.stdout.trim()}\\) was made with: give the repository's passphrase .*or pass --new-key`,
      ),
    );
    assert.is((await fs.readdir(s.repo)).filter((name) => /^\d{8}T/.test(name)).length, 1, 'no second snapshot');
    const recorded = JSON.parse(await fs.readFile(path.join(s.repo, first.stdout.trim(), 'snapshot.json'), 'utf8'));
    assert.equal(Object.keys(recorded.encryption.keyCheck), ['s2k', 'salt', 'count', 'hmac']);
    assert.not.ok(JSON.stringify(recorded).includes(PASSPHRASE), 'no passphrase in snapshot.json');

    const same = await ripcord(['backup', '--repo', s.repo, '-q', 'a.txt'], {
      cwd: s.source,
      env: { RIPCORD_PASSPHRASE: PASSPHRASE },
    });
    assert.is(same.code, 0, same.stderr);
    const rotated = await ripcord(['backup', '--repo', s.repo, '-q', '--new-key', 'a.txt'], {
      cwd: s.source,
      env: { RIPCORD_PASSPHRASE: 'the new passphrase' },
    });
    assert.is(rotated.code, 0, rotated.stderr);
    // From here on the new passphrase is the repository's, and the old one is refused.
    const old = await ripcord(['backup', '--repo', s.repo, '-q', 'a.txt'], {
      cwd: s.source,
      env: { RIPCORD_PASSPHRASE: PASSPHRASE },
    });
    assert.is(old.code, 1);
    assert.match(oneLine(old.stderr), new RegExp(`\\(${rotated.stdout.trim()}\\) was made with`));
  } finally {
    await removeDir(s.dir);
  }
});

test("a backup to other recipients than the repository's, or with a passphrase instead, is refused; the same keys in another order are not; an empty repository takes any key", async () => {
  const s = await sandbox();
  try {
    await fs.writeFile(path.join(s.source, 'a.txt'), 'a');
    const [one, two, three] = await Promise.all(
      ['One <one@example.com>', 'Two <two@example.com>', 'Three <three@example.com>'].map((uid) =>
        generateKeyPair(uid),
      ),
    );
    const backup = (env: Record<string, string>, ...flags: string[]) =>
      ripcord(['backup', '--repo', s.repo, '-q', ...flags, 'a.txt'], { cwd: s.source, env });
    const first = await backup({ RIPCORD_RECIPIENTS: `${one!.publicKey}\n${two!.publicKey}` });
    assert.is(first.code, 0, first.stderr);
    assert.is(
      (await backup({ RIPCORD_RECIPIENTS: `${two!.publicKey}\n${one!.publicKey}` })).code,
      0,
      'same keys, other order',
    );
    const other = await backup({ RIPCORD_RECIPIENTS: `${one!.publicKey}\n${three!.publicKey}` });
    assert.is(other.code, 1);
    const line = oneLine(other.stderr);
    assert.match(
      line,
      /the recipients \(.*\) are not those of the newest snapshot in .*: set RIPCORD_RECIPIENTS to the repository's keys, or pass --new-key/,
    );
    assert.ok(line.includes(three!.fingerprint) && line.includes(two!.fingerprint), line);
    const fewer = await backup({ RIPCORD_RECIPIENTS: one!.publicKey });
    assert.is(fewer.code, 1, 'a subset is another key set');
    const passphrase = await backup({ RIPCORD_PASSPHRASE: PASSPHRASE });
    assert.is(passphrase.code, 1);
    assert.match(
      oneLine(passphrase.stderr),
      /is encrypted to public keys \(.*\), not a passphrase: set RIPCORD_RECIPIENTS .*--new-key/,
    );
    assert.is((await backup({ RIPCORD_PASSPHRASE: PASSPHRASE }, '--new-key')).code, 0, '--new-key');
    const backToKeys = await backup({ RIPCORD_RECIPIENTS: one!.publicKey });
    assert.is(backToKeys.code, 1);
    assert.match(
      oneLine(backToKeys.stderr),
      /is encrypted with a passphrase, not to public keys: set RIPCORD_PASSPHRASE/,
    );
    const empty = path.join(s.dir, 'empty-repo');
    const fresh = await ripcord(['backup', '--repo', empty, '-q', 'a.txt'], {
      cwd: s.source,
      env: { RIPCORD_RECIPIENTS: three!.publicKey },
    });
    assert.is(fresh.code, 0, fresh.stderr);
  } finally {
    await removeDir(s.dir);
  }
});

test('verify --all --read-data gives every snapshot its verdict (ok, FAILED, cannot decrypt) on one line each, and exits 1', async () => {
  const s = await sandbox();
  try {
    await fs.writeFile(path.join(s.source, 'a.txt'), 'a');
    const backup = async (passphrase: string, ...flags: string[]) => {
      const run = await ripcord(['backup', '--repo', s.repo, '-q', ...flags, 'a.txt'], {
        cwd: s.source,
        env: { RIPCORD_PASSPHRASE: passphrase },
      });
      assert.is(run.code, 0, run.stderr);
      return run.stdout.trim();
    };
    const good = await backup(PASSPHRASE);
    const damaged = await backup(PASSPHRASE);
    // Made by hand with gpg and tar, with another passphrase: intact, and not ours to read.
    const members: PyTarMember[] = [{ name: 'a.txt', type: 'file', data: 'a' }];
    const foreign = await writeHandmadeSnapshot({
      repo: s.repo,
      tarGz: await pythonTarGz(members),
      manifest: manifestFor(members),
      roots: ['a.txt'],
      passphrase: 'somebody else',
      gnupgHome: s.gnupg,
    });
    const newest = await backup(PASSPHRASE);
    const archive = path.join(s.repo, damaged, 'archive.tar.gz.pgp');
    const bytes = await fs.readFile(archive);
    bytes[bytes.length - 3]! ^= 0x01;
    await fs.writeFile(archive, bytes);
    const run = await ripcord(['verify', '--repo', s.repo, '--all', '--read-data'], {
      env: { RIPCORD_PASSPHRASE: PASSPHRASE },
    });
    assert.is(run.code, 1);
    const lines = run.stdout.trim().split('\n');
    assert.is(lines.length, 4, run.stdout);
    assert.match(lines.find((l) => l.includes(newest)) ?? '', /^ok +\S+ \(data read and checked\)$/);
    assert.match(
      lines.find((l) => l.includes(foreign)) ?? '',
      new RegExp(`^cannot decrypt +snapshot ${foreign}: the passphrase does not decrypt this archive`),
    );
    assert.match(
      lines.find((l) => l.includes(damaged)) ?? '',
      new RegExp(`^FAILED +snapshot ${damaged}: archive\\.tar\\.gz\\.pgp is damaged: it does not match its checksum`),
    );
    assert.match(lines.find((l) => l.includes(good)) ?? '', /^ok +\S+ \(data read and checked\)$/);
    assert.match(
      oneLine(run.stderr),
      /2 of 4 snapshot\(s\) did not verify \(1 failed, 1 cannot be decrypted with the keys given\)/,
    );
    const json = JSON.parse(
      (
        await ripcord(['verify', '--repo', s.repo, '--all', '--read-data', '--json'], {
          env: { RIPCORD_PASSPHRASE: PASSPHRASE },
        })
      ).stdout,
    );
    assert.equal(Object.fromEntries((json as { id: string; verdict: string }[]).map((o) => [o.id, o.verdict])), {
      [newest]: 'ok',
      [foreign]: 'cannot-decrypt',
      [damaged]: 'failed',
      [good]: 'ok',
    });
  } finally {
    await removeDir(s.dir);
  }
});

test('errors are one clear line with a non-zero exit: no key, wrong passphrase, missing path, empty repo', async () => {
  const s = await sandbox();
  try {
    await fs.writeFile(path.join(s.source, 'a.txt'), 'a');
    const noKey = await ripcord(['backup', '--repo', s.repo, 'a.txt'], { cwd: s.source });
    assert.is(noKey.code, 1);
    assert.match(oneLine(noKey.stderr), /no encryption key configured.*RIPCORD_PASSPHRASE/);
    await assert.not.ok(await fs.stat(s.repo).catch(() => undefined), 'nothing written without a key');

    const missing = await ripcord(['backup', '--repo', s.repo, 'nope.txt'], {
      cwd: s.source,
      env: { RIPCORD_PASSPHRASE: PASSPHRASE },
    });
    assert.is(missing.code, 1);
    assert.match(oneLine(missing.stderr), /nope\.txt: no such file or directory/);

    const empty = await ripcord(['show', '--repo', s.repo, 'latest']);
    assert.is(empty.code, 1);
    assert.match(oneLine(empty.stderr), /no snapshots in .*ripcord backup/);

    const id = (
      await ripcord(['backup', '--repo', s.repo, '-q', 'a.txt'], {
        cwd: s.source,
        env: { RIPCORD_PASSPHRASE: PASSPHRASE },
      })
    ).stdout.trim();
    const wrong = await ripcord(['verify', '--read-data', '--repo', s.repo, id], {
      env: { RIPCORD_PASSPHRASE: 'not it' },
    });
    assert.is(wrong.code, 1);
    assert.match(oneLine(wrong.stderr), /passphrase/);

    const usage = await ripcord(['backup', '--frobnicate']);
    assert.is(usage.code, 2);
    assert.match(oneLine(usage.stderr), /--frobnicate.*ripcord backup --help/);

    const unknown = await ripcord(['restorr']);
    assert.is(unknown.code, 2);
    assert.match(
      oneLine(unknown.stderr),
      /^ripcord: unknown command restorr: did you mean restore\? see ripcord --help$/,
    );

    const typo = await ripcord(['prune', '--kep-last', '3']);
    assert.is(typo.code, 2);
    assert.match(
      oneLine(typo.stderr),
      /Unknown option '--kep-last' \(did you mean --keep-last\? see ripcord prune --help\)$/,
    );
  } finally {
    await removeDir(s.dir);
  }
});

test('an unreadable file fails the backup with one line naming it, and leaves no snapshot', async () => {
  const s = await sandbox();
  try {
    await fs.writeFile(path.join(s.source, 'ok.txt'), 'ok');
    await fs.writeFile(path.join(s.source, 'locked.txt'), 'secret');
    await fs.chmod(path.join(s.source, 'locked.txt'), 0o000);
    // Root reads everything: run the CLI as an unprivileged user then.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      for (const dir of [s.dir, s.source]) await fs.chmod(dir, 0o777);
    }
    const run = await ripcord(['backup', '--repo', s.repo, 'ok.txt', 'locked.txt'], {
      cwd: s.source,
      env: { RIPCORD_PASSPHRASE: PASSPHRASE, HOME: s.dir },
      ...(asRoot ? { uid: 65534 } : {}),
    });
    assert.is(run.code, 1, run.stdout + run.stderr);
    assert.match(oneLine(run.stderr), /cannot read .*locked\.txt: permission denied/);
    const list = await ripcord(['list', '--repo', s.repo, '--json']);
    assert.equal(JSON.parse(list.stdout || '[]'), []);
  } finally {
    await removeDir(s.dir);
  }
});

test('list of a repository folder that does not exist fails with one line naming it (a mistyped --repo is not an empty repository); an empty folder lists no snapshots', async () => {
  const dir = await tempDir();
  try {
    const missing = path.join(dir, 'no-such-repo');
    const run = await ripcord(['list', '--repo', missing], { env: { RIPCORD_PASSPHRASE: 'x' } });
    assert.is(run.code, 1, run.stdout);
    assert.equal(run.stderr.trim().split('\n'), [
      `ripcord: ${missing}: no repository there (no such folder): check --repo or RIPCORD_REPO; the first backup creates it`,
    ]);
    assert.ok(!(await fs.stat(missing).catch(() => undefined)), 'list did not create it');
    const empty = await ripcord(['list', '--repo', dir]);
    assert.is(empty.code, 0, empty.stderr);
    assert.match(empty.stdout, /^no snapshots in /);
  } finally {
    await removeDir(dir);
  }
});

test('--help works for every command and --version prints the version', async () => {
  const main = await ripcord(['--help']);
  assert.is(main.code, 0);
  for (const command of ['backup', 'list', 'show', 'ls', 'verify']) {
    assert.match(main.stdout, new RegExp(`\\n  ${command}\\s`));
    const help = await ripcord([command, '--help']);
    assert.is(help.code, 0, command);
    assert.match(help.stdout, new RegExp(`Usage: ripcord ${command}`));
    assert.match(help.stdout, /--repo URL/);
  }
  for (const command of ['restore', 'show', 'ls', 'dump', 'verify']) {
    const help = await ripcord([command, '--help']);
    assert.match(
      help.stdout.replace(/\s+/g, ' '),
      /latest: the newest snapshot that is not a pre-restore snapshot/,
      `${command} --help says what latest is`,
    );
  }
  const version = await ripcord(['--version']);
  const pkg = JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
  assert.is(version.stdout, `${pkg.version}\n`);
  assert.is((await ripcord(['version'])).stdout, `${pkg.version}\n`);
});

test('the installed command answers --version on its own and loads the CLI for anything else', async () => {
  const pkg = JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
  assert.is(pkg.bin.ripcord, 'dist/cli.cjs');
  // the launcher alone, without the bundle next to it: --version needs nothing else
  const dir = await tempDir();
  try {
    await fs.copyFile(CLI, path.join(dir, 'cli.cjs'));
    const alone = path.join(dir, 'cli.cjs');
    const version = await runCommand(process.execPath, [alone, '--version'], { env: cleanEnv() });
    assert.is(version.code, 0, version.stderr);
    assert.is(version.stdout, `${pkg.version}\n`);
    const list = await runCommand(process.execPath, [alone, 'list'], { env: cleanEnv() });
    assert.is(list.code, 1);
    assert.match(list.stderr, /^ripcord: cannot load .*cli\.js .*reinstall ripcord\n$/);
  } finally {
    await removeDir(dir);
  }
  // with the bundle, other commands reach the CLI and keep their exit codes
  const bad = await ripcord(['no-such-command']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /no-such-command/);
});

test('with no paths, backup takes the working directory without .git, node_modules or the repository itself', async () => {
  const s = await sandbox();
  try {
    const env = { RIPCORD_PASSPHRASE: PASSPHRASE };
    await fs.mkdir(path.join(s.source, '.git'));
    await fs.writeFile(path.join(s.source, '.git/HEAD'), 'x');
    await fs.mkdir(path.join(s.source, 'node_modules/pkg'), { recursive: true });
    await fs.writeFile(path.join(s.source, 'node_modules/pkg/index.js'), 'x');
    await fs.writeFile(path.join(s.source, 'app.conf'), 'x');
    const first = await ripcord(['backup'], { cwd: s.source, env });
    assert.is(first.code, 0, first.stderr);
    const second = await ripcord(['backup', '-q'], { cwd: s.source, env });
    const ls = await ripcord(['ls', '--json', second.stdout.trim()], { cwd: s.source, env });
    const paths = ls.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).path);
    assert.equal(paths, ['app.conf']);
  } finally {
    await removeDir(s.dir);
  }
});

test('a file name that is not valid UTF-8 fails the backup with one line instead of being skipped', async () => {
  const s = await sandbox();
  try {
    await fs.mkdir(path.join(s.source, 'dir'));
    // Latin-1 "café" written as raw bytes: a name no UTF-8 string can represent
    const name = Buffer.concat([Buffer.from(path.join(s.source, 'dir') + '/caf'), Buffer.from([0xe9])]);
    await fs.writeFile(name, 'x');
    const run = await ripcord(['backup', '--repo', s.repo, 'dir'], {
      cwd: s.source,
      env: { RIPCORD_PASSPHRASE: PASSPHRASE },
    });
    assert.is(run.code, 1);
    assert.match(oneLine(run.stderr), /file name is not valid UTF-8/);
    const list = await ripcord(['list', '--repo', s.repo, '--json']);
    assert.equal(JSON.parse(list.stdout || '[]'), []);
  } finally {
    await removeDir(s.dir);
  }
});

test.run();
