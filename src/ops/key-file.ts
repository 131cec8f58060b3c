/** A key file the user named (in a key variable, a flag or an input): the armored OpenPGP key blocks in it. */
import * as fs from 'node:fs/promises';
import { KeyError } from '../domain/errors.ts';

/** One armored OpenPGP key block, public or private; global, to find every block in a text. */
export const ARMOR_BLOCK = /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g;

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
  const blocks = text.match(ARMOR_BLOCK);
  if (!blocks)
    throw new KeyError(`${what}: ${file} holds no armored OpenPGP key (export one with ${refusal.exportCommand})`);
  return blocks;
}
