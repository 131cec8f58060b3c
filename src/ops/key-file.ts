/** A key file the user named (in a key variable, a flag or an input): the armored OpenPGP key blocks in it. */
import * as fs from 'node:fs/promises';
import { KeyError } from '../domain/errors.ts';
import { ARMORED_KEY_BLOCK } from '../domain/keys.ts';

/**
 * The armored key blocks in `file`, named by the setting `what`. A file that cannot be read is
 * refused in the words of `unreadable`, given why ('no such file' or the error code); a file
 * without a block, with the gpg command that exports one.
 */
export async function readKeyFile(
  file: string,
  what: string,
  refusal: { unreadable: (why: string) => string; exportCommand: string },
): Promise<string[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new KeyError(refusal.unreadable(code === 'ENOENT' ? 'no such file' : (code ?? String(error))));
  }
  const blocks = text.match(ARMORED_KEY_BLOCK);
  if (!blocks)
    throw new KeyError(`${what}: ${file} holds no armored OpenPGP key (export one with ${refusal.exportCommand})`);
  return blocks;
}
