/**
 * This user's private folder on this machine, for what must outlive no command and what
 * nobody else may touch: restore locks, and scratch space for decrypted content (the file
 * `dump` holds back until the archive has authenticated, a decrypted manifest, captured
 * command output before it is encrypted).
 *
 * Restore locks live here rather than in the target, so that a restore leaves nothing in
 * the folder it restores (no lock file for diff, the next backup or git to see), and rather
 * than in a folder shared by every user, where anyone who made the folder first could plant
 * a lock that blocks every restore and rollback into a chosen target, or, as root, lock
 * every other user out of restoring at all. The folder is $TMPDIR/ripcord-<uid>, made 0700;
 * before use its owner and mode are checked, and one that belongs to someone else (or that
 * others could have written into) is passed over for ripcord-<uid>-1, -2, ... Every process
 * of the user walks the same list and so meets in the same folder. A TMPDIR that everyone
 * can write is refused unless it is sticky (as /tmp is): without the sticky bit anyone could
 * rename the checked folder away and put their own in its place. The price of locks per
 * user: two different users restoring into one target at once are not kept apart (each of
 * them needs write access to the whole target for that, and a shared lock folder never kept
 * them apart either: the first user's folder was closed to the second).
 *
 * Decrypted content is written to files that are unlinked as soon as they are opened: the
 * kernel frees them when the last descriptor closes, so even SIGKILL leaves no plaintext
 * behind. Captured output is read back by name while the archive is written, so it lives in
 * a scratch folder named after its process; the next command of this user removes the
 * scratch folders of processes that are gone.
 */
import { randomBytes } from 'node:crypto';
import { close, constants, ftruncate, open, read as fsRead, write as fsWrite } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { RipcordError } from '../domain/errors.ts';

/** How many folders a user walks past (each taken by someone else) before giving up. */
const CANDIDATES = 100;
const SCRATCH = 'scratch-';

const folders = new Map<string, Promise<string>>();

/** This user's private folder under $TMPDIR (made on first use, owner and mode checked). */
export function privateFolder(): Promise<string> {
  const base = path.resolve(tmpdir());
  let folder = folders.get(base);
  if (!folder) {
    folder = claimFolder(base).then(async (dir) => {
      await removeAbandonedScratch(dir);
      return dir;
    });
    folders.set(base, folder);
    folder.catch(() => folders.delete(base));
  }
  return folder;
}

async function claimFolder(base: string): Promise<string> {
  // Only the sticky bit keeps others from renaming a folder of ours away and putting theirs in its place.
  const parent = await fs.stat(base).catch(() => undefined);
  if (parent && (parent.mode & 0o002) !== 0 && (parent.mode & 0o1000) === 0) {
    throw new RipcordError(
      `${base} (TMPDIR) is writable by everyone but not sticky, so anyone could replace ripcord's private folder in it: set TMPDIR to a folder only you can write, or chmod +t ${base}`,
    );
  }
  const uid = process.getuid?.();
  const name = `ripcord-${uid ?? 'user'}`;
  const passed: string[] = [];
  for (let n = 0; n < CANDIDATES; n++) {
    const dir = path.join(base, n === 0 ? name : `${name}-${n}`);
    try {
      await fs.mkdir(dir, { mode: 0o700 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new RipcordError(
          `cannot make ripcord's private folder ${dir}: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : String(code)}; set TMPDIR to a folder you can write`,
          {
            cause: error,
          },
        );
      }
    }
    const stats = await fs.lstat(dir);
    if (stats.isDirectory() && (uid === undefined || stats.uid === uid) && (stats.mode & 0o022) === 0) {
      // Nobody else could ever write into it: tighten a readable one and use it.
      if ((stats.mode & 0o777) !== 0o700) await fs.chmod(dir, 0o700);
      return dir;
    }
    const why = stats.isSymbolicLink()
      ? 'a symlink'
      : !stats.isDirectory()
        ? 'not a folder'
        : uid !== undefined && stats.uid !== uid
          ? `owned by uid ${stats.uid}`
          : 'writable by others';
    passed.push(`${path.basename(dir)} (${why})`);
  }
  throw new RipcordError(
    `no private folder for ripcord in ${base}: the first ${CANDIDATES} names are taken by others (${passed.slice(0, 3).join(', ')}, ...); set TMPDIR to a folder only you can write`,
  );
}

/** Scratch folders of processes that are gone (killed before they could remove them). */
async function removeAbandonedScratch(dir: string): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    const pid = scratchOwner(name);
    if (pid !== undefined && !processAlive(pid))
      await fs.rm(path.join(dir, name), { recursive: true, force: true }).catch(() => {});
  }
}

function scratchName(purpose: string): string {
  return `${SCRATCH}${process.pid}-${purpose}-${randomBytes(6).toString('hex')}`;
}

function scratchOwner(name: string): number | undefined {
  const match = /^scratch-(\d+)-/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** A process of this user is alive (one that cannot be signalled belongs to someone else, and is alive). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A file with no name: written anew from its start, read back from its start as often as needed. */
export interface ScratchFile {
  write(): Writable;
  /** the whole file, or `length` bytes of it from `from` on */
  read(from?: number, length?: number): Readable;
  /** close the file (after any read or write still under way), which frees it */
  close(): Promise<void>;
}

/** A private file for decrypted content, unlinked at once so that nothing outlives the process. */
export async function openScratchFile(purpose: string): Promise<ScratchFile> {
  const file = path.join(await privateFolder(), scratchName(purpose));
  const fd = await promisify(open)(
    file,
    constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    await fs.unlink(file);
  } catch (error) {
    await promisify(close)(fd);
    throw error;
  }
  // Streams of our own over the descriptor: Node's file streams close theirs when destroyed,
  // and the number could then be another file's by the time the scratch file is closed.
  let pending = 0;
  let idle: (() => void) | undefined;
  const io = (op: (done: (error: Error | null, bytes: number) => void) => void) =>
    new Promise<number>((resolve, reject) => {
      pending += 1;
      op((error, bytes) => {
        pending -= 1;
        if (pending === 0) idle?.();
        if (error) reject(error);
        else resolve(bytes);
      });
    });
  return {
    write() {
      let position = 0;
      return new Writable({
        highWaterMark: 1 << 20,
        construct(callback) {
          io((cb) => ftruncate(fd, 0, (error) => cb(error, 0))).then(() => callback(), callback);
        },
        write(chunk: Buffer, _encoding, callback) {
          (async () => {
            for (let done = 0; done < chunk.length; ) {
              const bytes = await io((cb) => fsWrite(fd, chunk, done, chunk.length - done, position, cb));
              done += bytes;
              position += bytes;
            }
          })().then(() => callback(), callback);
        },
      });
    },
    read(from = 0, length = Number.POSITIVE_INFINITY) {
      let position = from;
      const end = from + length;
      const stream: Readable = new Readable({
        highWaterMark: 1 << 20,
        read(size) {
          const buffer = Buffer.allocUnsafe(Math.min(Math.max(size, 64 << 10), 1 << 20, Math.max(end - position, 0)));
          if (buffer.length === 0) {
            stream.push(null);
            return;
          }
          io((cb) => fsRead(fd, buffer, 0, buffer.length, position, cb)).then(
            (bytes) => {
              position += bytes;
              stream.push(bytes === 0 ? null : buffer.subarray(0, bytes));
            },
            (error: Error) => stream.destroy(error),
          );
        },
      });
      return stream;
    },
    async close() {
      if (pending > 0) await new Promise<void>((resolve) => (idle = resolve));
      await promisify(close)(fd);
    },
  };
}

/** A private folder for files that must be read back by name; removed by `remove`, or by the next command if this process is killed. */
export async function makeScratchFolder(purpose: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = path.join(await privateFolder(), scratchName(purpose));
  await fs.mkdir(dir, { mode: 0o700 });
  return { dir, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}
