/**
 * The installed command (dist/cli.cjs) keeps V8's compiled code in the user's own cache
 * folder on Node 22 and later (module.enableCompileCache), and nowhere else: on Node 20, when
 * turned off, or without an absolute cache folder, it writes nothing.
 */
import * as fs from 'node:fs/promises';
import * as module from 'node:module';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ripcordProcess } from '../helpers/cli.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const supported = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';

async function filesUnder(dir: string): Promise<string[]> {
  return (await fs.readdir(dir, { recursive: true }).catch(() => [])).map(String);
}

test(`the compile cache lies in the user's cache folder (${supported ? 'Node 22+: written' : 'Node 20: none'}), and nowhere when turned off`, async () => {
  const dir = await tempDir();
  try {
    const run = async (env: Record<string, string>) => {
      const result = await ripcordProcess(['list', '--repo', path.join(dir, 'repo'), '--json'], { env, cwd: dir });
      assert.ok(result.code === 0 || result.code === 1, result.stderr); // an empty repository: nothing listed
      return result;
    };
    await run({ HOME: path.join(dir, 'home'), XDG_CACHE_HOME: path.join(dir, 'xdg') });
    const xdg = await filesUnder(path.join(dir, 'xdg', 'ripcord', 'compile-cache'));
    assert.is(xdg.length > 0, supported, `cache files: ${xdg.join(', ')}`);
    await run({ HOME: path.join(dir, 'home'), XDG_CACHE_HOME: '' });
    const home = await filesUnder(path.join(dir, 'home', '.cache', 'ripcord', 'compile-cache'));
    assert.is(home.length > 0, supported, 'without XDG_CACHE_HOME: ~/.cache');

    await run({ HOME: path.join(dir, 'off'), XDG_CACHE_HOME: '', NODE_DISABLE_COMPILE_CACHE: '1' });
    await run({ HOME: 'relative/home', XDG_CACHE_HOME: 'relative' });
    assert.equal(await filesUnder(path.join(dir, 'off')), [], 'NODE_DISABLE_COMPILE_CACHE=1: nothing written');
    assert.equal(await filesUnder(path.join(dir, 'relative')), [], 'a relative folder is not used');
  } finally {
    await removeDir(dir);
  }
});

test.run();
