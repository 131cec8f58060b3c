// @ts-check
// Digests of a folder tree, for comparing a restore with its source.
import { run, shellQuote } from './measure.mjs';

const C = { ...process.env, LC_ALL: 'C' };

/**
 * content: make-dataset.sh's manifest hash (sha256 over the sorted `sha256sum` lines of every
 * file, paths relative to dir); meta: sha256 over "mode mtime size path" of every file, so a
 * restore that loses modes or mtimes does not pass either.
 * @param {string} dir
 */
export async function treeDigest(dir) {
  const d = shellQuote(dir);
  const [content, meta] = await Promise.all([
    run(
      { shell: `( cd ${d} && find . -type f -print0 | sort -z | xargs -0 -r sha256sum ) | sha256sum | cut -c1-64` },
      { env: C },
    ),
    run(
      { shell: `( cd ${d} && find . -type f -printf '%m %Ts %s %p\\n' | sort ) | sha256sum | cut -c1-64` },
      { env: C },
    ),
  ]);
  return { content: content.stdout.trim(), meta: meta.stdout.trim() };
}

/** Total bytes of the regular files under dirs, and their count. @param {...string} dirs */
export async function treeSize(...dirs) {
  const { stdout } = await run(
    {
      shell: `find ${dirs.map(shellQuote).join(' ')} -type f -printf '%s\\n' | awk '{ s += $1; n++ } END { printf "%d %.0f\\n", n, s }'`,
    },
    { env: C },
  );
  const [files, bytes] = stdout.trim().split(' ').map(Number);
  return { files, bytes };
}

/** du -sb: apparent size of a repository folder in bytes. @param {string} dir */
export async function duBytes(dir) {
  const { stdout } = await run({ argv: ['du', '-sb', dir] }, { env: C });
  return Number(stdout.split(/\s+/)[0]);
}
