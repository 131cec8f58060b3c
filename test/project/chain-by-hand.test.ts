/**
 * docs/format.md's "Restoring a chain by hand", run as printed (with the id of a real link)
 * through bash: sha256sum, gpg, tar and POSIX tools alone restore every link of a chain,
 * deletions, type changes and block deltas included, to the tree ripcord backed up.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROJECT_ROOT, ripcordInProcess } from '../helpers/cli.ts';
import { runShell, userEnv } from '../helpers/package.ts';
import { readTree, removeDir, tempDir } from '../helpers/tree.ts';

const PASSPHRASE = 'chain by hand';

async function procedure(): Promise<string> {
  const doc = await fs.readFile(path.join(PROJECT_ROOT, 'docs/format.md'), 'utf8');
  const start = doc.indexOf('\n### Restoring a chain by hand\n');
  assert.ok(start > 0, 'docs/format.md has the section');
  const block = /^```sh\n([\s\S]*?)\n```$/m.exec(doc.slice(start));
  assert.ok(block, 'the section has a sh block');
  return block![1]!;
}

test('the documented procedure restores a full, two incrementals and a differential exactly as they were taken', async () => {
  const tmp = await tempDir('ripcord-chain-');
  const work = path.join(tmp, 'work');
  const home = path.join(tmp, 'home');
  try {
    const block = await procedure();
    await fs.mkdir(path.join(work, 'config/old-dir/deep'), { recursive: true });
    await fs.mkdir(home);
    await fs.writeFile(path.join(home, 'ripcord-passphrase'), `${PASSPHRASE}\n`, { mode: 0o600 });
    await fs.writeFile(path.join(work, 'config/app.yaml'), 'replicas: 1\n');
    await fs.writeFile(path.join(work, 'config/gone.txt'), 'removed later');
    await fs.writeFile(path.join(work, 'config/becomes-dir'), 'a file first');
    await fs.writeFile(path.join(work, 'config/old-dir/deep/x'), 'x');
    await fs.symlink('app.yaml', path.join(work, 'config/current'));
    const expected = new Map<string, Awaited<ReturnType<typeof readTree>>>();
    const backUp = async (...args: string[]) => {
      const run = await ripcordInProcess(['backup', 'config', '-q', ...args], {
        cwd: work,
        env: { RIPCORD_PASSPHRASE: PASSPHRASE },
      });
      assert.is(run.code, 0, run.stderr);
      const id = run.stdout.trim();
      expected.set(id, await readTree(path.join(work, 'config')));
      return id;
    };

    // 9 MiB: large enough to be stored as a block delta once it changes
    const db = path.join(work, 'config/db.bin');
    const original = randomBytes(9 << 20);
    await fs.writeFile(db, original);
    await backUp();
    const middle = 4 << 20;
    await fs.writeFile(
      db,
      Buffer.concat([original.subarray(0, middle), randomBytes(100_000), original.subarray(middle)]),
    );
    await fs.chmod(db, 0o640);
    await fs.writeFile(path.join(work, 'config/app.yaml'), 'replicas: 2\n');
    await fs.rm(path.join(work, 'config/gone.txt'));
    await fs.rm(path.join(work, 'config/becomes-dir'));
    await fs.mkdir(path.join(work, 'config/becomes-dir'));
    await fs.writeFile(path.join(work, 'config/becomes-dir/inside'), 'inside');
    await fs.rm(path.join(work, 'config/old-dir'), { recursive: true });
    await fs.writeFile(path.join(work, 'config/old-dir'), 'a folder first');
    await fs.chmod(path.join(work, 'config/app.yaml'), 0o600);
    const first = await backUp('--level', 'incremental');
    await fs.rm(path.join(work, 'config/current'));
    await fs.symlink('becomes-dir/inside', path.join(work, 'config/current'));
    await fs.writeFile(path.join(work, 'config/new.txt'), 'new');
    const second = await backUp('--level', 'incremental');
    await fs.rm(path.join(work, 'config/new.txt'));
    const handle = await fs.open(db, 'r+');
    await handle.write(randomBytes(4096), 0, 4096, 7 << 20); // a page rewritten in place
    await handle.close();
    const differential = await backUp('--level', 'differential');
    for (const id of [first, differential]) {
      const list = await ripcordInProcess(['ls', id, '--json'], { cwd: work, env: { RIPCORD_PASSPHRASE: PASSPHRASE } });
      const entry = list.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { path: string; delta?: boolean })
        .find((e) => e.path === 'config/db.bin');
      assert.is(entry?.delta, true, `${id} stores config/db.bin as a block delta`);
    }

    for (const id of [first, second, differential]) {
      const run = await runShell(block.replace(/^id=\S+/m, `id=${id}`), { cwd: work, env: userEnv({ HOME: home }) });
      assert.ok(run.code === 0, `exit ${run.code}: ${run.stdout}${run.stderr}`);
      assert.match(run.stdout.trim().split('\n').pop() ?? '', `restored ${id} from `);
      const out = path.join(home, `restore-${id}`);
      assert.equal(await readTree(path.join(out, 'config')), expected.get(id), `${id} restored by hand`);
      assert.equal(await fs.readdir(out), ['config'], 'nothing else: no chain record, no decrypted archive');
      assert.equal(
        execFileSync('ls', [home]).toString().trim().split('\n').sort(),
        [
          'ripcord-passphrase',
          ...[first, second, differential]
            .slice(0, [first, second, differential].indexOf(id) + 1)
            .map((i) => `restore-${i}`),
        ].sort(),
        'the decrypted archives are gone',
      );
    }
  } finally {
    await removeDir(tmp);
  }
});

test.run();
