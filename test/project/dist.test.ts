/** dist/ is what users run: it must be exactly what a fresh build of the committed source gives. */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROJECT_ROOT } from '../helpers/cli.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const exec = promisify(execFile);

async function filesBelow(root: string, dir = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(path.join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await filesBelow(root, rel)));
    else out.push(rel);
  }
  return out.sort();
}

test('dist/ as committed equals a fresh build of the source (run npm run build and commit dist/ when this fails)', async () => {
  const fresh = await tempDir('ripcord-dist-');
  try {
    await exec(process.execPath, ['build.mjs', fresh], { cwd: PROJECT_ROOT });
    const committed = (await exec('git', ['ls-files', 'dist'], { cwd: PROJECT_ROOT })).stdout
      .split('\n')
      .filter(Boolean)
      .map((f) => f.slice('dist/'.length))
      .sort();
    const built = await filesBelow(fresh);
    assert.equal(committed, built, 'the committed dist/ has different files than a fresh build');
    for (const file of built) {
      const head = (
        await exec('git', ['show', `HEAD:dist/${file}`], { cwd: PROJECT_ROOT, encoding: 'buffer', maxBuffer: 1 << 28 })
      ).stdout;
      const now = await fs.readFile(path.join(fresh, file));
      assert.ok(Buffer.compare(head, now) === 0, `dist/${file} is stale`);
    }
  } finally {
    await removeDir(fresh);
  }
});

test.run();
