/**
 * Replacing a file so that a reader, or a crash, sees the old content or the new and never
 * a part of either: the new content goes to a partial file beside the target, is flushed,
 * renamed over the target, and then the folder is flushed too (without that, a crash soon
 * after can lose the rename itself). Used by the local store for every object and by the
 * CLI for the files it hands to other programs (the metrics textfile, --report).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** What a partial file's name has after the target's name: "<target>.partial-<random>". */
export const PARTIAL_MARKER = '.partial-';

/**
 * Fill a partial file beside `target` with `write` (which must flush it to disk), then put
 * it in the target's place. The partial file is removed when anything fails.
 */
export async function replaceFile(target: string, write: (partial: string) => Promise<void>): Promise<void> {
  const partial = `${target}${PARTIAL_MARKER}${randomBytes(4).toString('hex')}`;
  try {
    await write(partial);
    await fs.rename(partial, target);
    await syncDirectory(path.dirname(target));
  } catch (error) {
    await fs.rm(partial, { force: true }).catch(() => {});
    throw error;
  }
}

/** Replace `target` with `content`, the new file created with `mode` (less the umask). */
export async function writeFileAtomically(target: string, content: string | Uint8Array, mode: number): Promise<void> {
  await replaceFile(target, async (partial) => {
    const handle = await fs.open(partial, 'wx', mode);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  } finally {
    await handle.close();
  }
}
