/**
 * Workers run from the source: each process bundles a worker's .ts file once, and keeps the
 * bundle in a folder of this user's for the next process, under the digest of every source
 * file it was built from. Each run here is a real child process (the bundle a process has
 * made is remembered for its lifetime), with TMPDIR pointing into a fresh folder.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const run = promisify(execFile);
const PROJECT = path.resolve(import.meta.dirname, '../..');
const PROGRAM = pathToFileURL(path.join(PROJECT, 'src/archive/worker-program.ts')).href;

/** A worker program echo.ts (it imports word.ts) beside a host module, in a fresh folder. */
async function world(): Promise<{
  dir: string;
  tmp: string;
  word(text: string): Promise<void>;
  cleanup(): Promise<void>;
}> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ripcord-worker-test-'));
  const tmp = path.join(dir, 'tmp');
  await fs.mkdir(path.join(dir, 'src'), { recursive: true });
  await fs.mkdir(tmp);
  await fs.writeFile(
    path.join(dir, 'src/echo.ts'),
    "import { parentPort } from 'node:worker_threads';\nimport { WORD } from './word.ts';\nparentPort?.postMessage(WORD);\n",
  );
  const word = (text: string) =>
    fs.writeFile(path.join(dir, 'src/word.ts'), `export const WORD: string = '${text}';\n`);
  await word('one');
  return { dir, tmp, word, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** What the worker says, started from a child process whose temporary folder is `tmp`. */
async function echo(dir: string, tmp: string): Promise<string> {
  const host = pathToFileURL(path.join(dir, 'src/host.ts')).href;
  const script = `import { startWorker } from ${JSON.stringify(PROGRAM)};
const worker = startWorker({ from: ${JSON.stringify(host)}, name: 'echo' });
worker.once('message', (word) => { process.stdout.write(String(word)); void worker.terminate(); });`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: PROJECT,
    env: { ...process.env, TMPDIR: tmp },
  });
  return stdout;
}

const bundlesIn = async (dir: string) => (await fs.readdir(dir)).filter((f) => /^echo-[0-9a-f]{32}\.mjs$/.test(f));

test('a bundle is built once and reused by the next process; a change to any file it imports builds a new one', async () => {
  const w = await world();
  try {
    const cache = path.join(w.tmp, `ripcord-workers-${process.getuid?.()}`);
    assert.is(await echo(w.dir, w.tmp), 'one');
    const first = await bundlesIn(cache);
    assert.is(first.length, 1, 'one bundle in the cache');
    const built = (await fs.stat(path.join(cache, first[0] as string))).mtimeMs;
    assert.is(((await fs.stat(cache)).mode & 0o777).toString(8), '700', 'the cache is private');

    assert.is(await echo(w.dir, w.tmp), 'one');
    assert.equal(await bundlesIn(cache), first, 'the same bundle');
    assert.is((await fs.stat(path.join(cache, first[0] as string))).mtimeMs, built, 'not written again');

    await w.word('two');
    assert.is(await echo(w.dir, w.tmp), 'two', 'the imported file changed: a new bundle');
    assert.is((await bundlesIn(cache)).length, 2);
  } finally {
    await w.cleanup();
  }
});

test('a cache folder that others may write into is not used: the process builds into a private folder of its own', async () => {
  const w = await world();
  try {
    const cache = path.join(w.tmp, `ripcord-workers-${process.getuid?.()}`);
    await fs.mkdir(cache);
    await fs.chmod(cache, 0o777);
    // a program planted where the bundle would be, under the name the record points to
    const { createHash } = await import('node:crypto');
    const entry = path.join(w.dir, 'src/echo.ts');
    const record = `echo-${createHash('sha256').update(`${entry}\0`).digest('hex').slice(0, 32)}.inputs.json`;
    await fs.writeFile(path.join(cache, record), JSON.stringify([]));
    const planted = "import { parentPort } from 'node:worker_threads';\nparentPort?.postMessage('planted');\n";
    await fs.writeFile(path.join(cache, `echo-${createHash('sha256').digest('hex').slice(0, 32)}.mjs`), planted);
    assert.is(await echo(w.dir, w.tmp), 'one', 'the planted program did not run');
    assert.equal(
      await bundlesIn(cache),
      [`echo-${createHash('sha256').digest('hex').slice(0, 32)}.mjs`],
      'nothing written there',
    );
    const leftovers = (await fs.readdir(w.tmp)).filter((f) => f.startsWith('ripcord-worker-'));
    assert.equal(leftovers, [], 'the private folder went with the process');
  } finally {
    await w.cleanup();
  }
});

test("two checkouts of the same worker share the cache but never each other's bundle", async () => {
  const a = await world();
  const b = await world();
  try {
    await b.word('two');
    // the same temporary folder for both, as a clone beside the working copy has
    assert.is(await echo(a.dir, a.tmp), 'one');
    assert.is(await echo(b.dir, a.tmp), 'two', "b's own source, not a's bundle");
    assert.is(await echo(a.dir, a.tmp), 'one', "and a's again");
    const cache = path.join(a.tmp, `ripcord-workers-${process.getuid?.()}`);
    assert.is((await bundlesIn(cache)).length, 2);
  } finally {
    await a.cleanup();
    await b.cleanup();
  }
});

test.run();
