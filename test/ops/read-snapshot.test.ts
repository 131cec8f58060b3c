/** Reading helpers that sit under every restore and verify: lines of a decrypted stream, and a process that must not end silently. */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { linesOf, selectedLines } from '../../src/ops/manifest-lines.ts';
import type { LineSelector } from '../../src/ops/manifest-lines.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const exec = promisify(execFile);

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

test('linesOf splits on \\n and \\r\\n, keeps a last line without a newline, and a character split across chunks stays whole', async () => {
  const euro = Buffer.from('€');
  const chunks = [
    Buffer.from('{"a":1}\r\n{"b":"x'),
    euro.subarray(0, 1),
    Buffer.concat([euro.subarray(1), Buffer.from('"}\n\nlast')]),
  ];
  assert.equal(await collect(linesOf(Readable.from(chunks))), ['{"a":1}', '{"b":"x€"}', '', 'last']);
  assert.equal(await collect(linesOf(Readable.from([]))), []);
});

test('linesOf rejects with the error of a stream that failed before anyone read it (node:readline waits forever there)', async () => {
  const stream = new PassThrough();
  stream.on('error', () => {}); // as stream.pipeline listens, in openDecrypted
  stream.destroy(new Error('wrong key'));
  await tick();
  await tick();
  let caught: unknown;
  try {
    await collect(linesOf(stream));
  } catch (error) {
    caught = error;
  }
  assert.instance(caught, Error);
  assert.is((caught as Error).message, 'wrong key');
});

test('linesOf fails on a line longer than 1 MiB instead of holding it', async () => {
  const big = Buffer.alloc(1 << 16, 0x61);
  const stream = Readable.from(
    (function* () {
      for (let i = 0; i < 40; i++) yield big;
    })(),
  );
  let caught: unknown;
  try {
    await collect(linesOf(stream));
  } catch (error) {
    caught = error;
  }
  assert.match(String(caught), /a line longer than 1 MiB: this is not a manifest/);
});

test('a command whose work can never finish exits 1 with one line, not 0 in silence, as the entry module (the Action) and when imported by a launcher (the CLI)', async () => {
  const dir = await tempDir();
  try {
    const guard = JSON.stringify(path.resolve('src/ops/unfinished.ts'));
    const stuck = path.join(dir, 'stuck.mts');
    await fs.writeFile(
      stuck,
      `import { guardAgainstAbandon } from ${guard};\nawait guardAgainstAbandon(new Promise(() => {}), () => process.stderr.write('abandoned\\n'));\nprocess.stdout.write('not reached\\n');\n`,
    );
    const launcher = path.join(dir, 'launcher.cjs');
    await fs.writeFile(launcher, `import('./stuck.mts');\n`);
    const done = path.join(dir, 'done.mts');
    await fs.writeFile(
      done,
      `import { guardAgainstAbandon } from ${guard};\nconst value = await guardAgainstAbandon(Promise.resolve(7), () => process.stderr.write('abandoned\\n'));\nprocess.stdout.write(value + '\\n');\n`,
    );
    for (const entry of [stuck, launcher]) {
      const result = await exec(process.execPath, ['--import', 'tsx', entry]).then(
        () => ({ code: 0, stdout: '', stderr: '' }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      assert.is(result.code, 1, entry);
      assert.is(result.stderr, 'abandoned\n', entry);
      assert.is(result.stdout, '', entry);
    }
    const fine = await exec(process.execPath, ['--import', 'tsx', done]);
    assert.is(fine.stdout, '7\n');
    assert.is(fine.stderr, '');
  } finally {
    await removeDir(dir);
  }
});

test('selectedLines with a seek gives the lines a look at every line gives, however the plaintext is cut into chunks', async () => {
  const wanted = 'a/b.txt';
  const needle = Buffer.from(`"path":${JSON.stringify(wanted)},`);
  const at = Buffer.from('"at":');
  /** dump's selector: the file's line and those after it up to the next one with an offset */
  const selector = (seeking: boolean): LineSelector => {
    let scan: 'looking' | 'after' | 'done' = 'looking';
    return {
      keep(line) {
        if (scan === 'looking' && line.includes(needle)) scan = 'after';
        else if (scan === 'after' && line.includes(at)) scan = 'done';
        else return scan === 'after';
        return true;
      },
      ...(seeking ? { seek: () => (scan === 'after' ? undefined : needle) } : {}),
    };
  };
  const entry = fc.oneof(
    fc.constant(`{"path":"a/b.txt","type":"file","at":512}`),
    fc.constant(`{"path":"a/b.txt","type":"dir"}`),
    fc.constant(`{"path":"x","linkTarget":"\\"path\\":\\"a/b.txt\\","}`),
    fc.constant('],"not":"the trailer, inside a line"'),
    fc.string({ maxLength: 12 }).map((s) => `{"path":${JSON.stringify(s)},"at":1024}`),
    fc.string({ maxLength: 12 }).map((s) => `{"path":${JSON.stringify(s)},"in":"x"}`),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(entry, { maxLength: 30 }),
      fc.boolean(),
      fc.boolean(),
      fc.array(fc.nat(), { maxLength: 12 }),
      async (entries, crlf, endsWithNewline, cuts) => {
        const eol = crlf ? '\r\n' : '\n';
        const text = [`{"format":"ripcord-manifest/1","roots":["a"],"entries":[`, ...entries, '],"archive":{}}'].join(
          eol,
        );
        const bytes = Buffer.from(endsWithNewline ? text + eol : text);
        const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
        const chunks = [0, ...at].map((from, i) => bytes.subarray(from, [...at, bytes.length][i]));
        const all = await collect(selectedLines(Readable.from(chunks), selector(false)));
        const sought = await collect(selectedLines(Readable.from(chunks), selector(true)));
        assert.equal(sought, all);
        assert.ok(all.at(-1)?.startsWith('],"archive"'), 'the trailer is among them');
      },
    ),
    { numRuns: 400 },
  );
});

test.run();
