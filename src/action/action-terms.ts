/**
 * Messages from the operations speak the CLI's language (flags, `ripcord …` command lines),
 * which the Action's user cannot type. In the Action's log they are said in its own terms:
 * a flag the Action has as an input becomes that input, the passphrase file becomes the
 * passphrase input, and a suggested `ripcord` command line is marked as one for a shell.
 */
import { Inputs } from './names.ts';

const INPUT_NAMES = new Set<string>(Object.values(Inputs));
/** flags whose Action input has another name */
const RENAMED: Record<string, string> = {
  'passphrase-file': Inputs.passphrase,
  'trusted-signer': Inputs.trustedSigners,
  tag: Inputs.tags,
  include: Inputs.paths,
};

export function inActionTerms(message: string): string {
  // a suggested command line (up to ; or a parenthesis) is left as it is: it is for a shell
  return message
    .split(/(\bripcord [a-z]+[^;()]*)/)
    .map((part, index) => (index % 2 === 1 ? `(in a shell, with the ripcord CLI) ${part}` : flagsAsInputs(part)))
    .join('');
}

function flagsAsInputs(text: string): string {
  return text
    .replace(
      /RIPCORD_PASSPHRASE or --passphrase-file|RIPCORD_PASSPHRASE \(or --passphrase-file\)/g,
      `the ${Inputs.passphrase} input (or RIPCORD_PASSPHRASE)`,
    )
    .replace(/(^|[\s(])--([a-z][a-z-]*)/g, (whole, before: string, flag: string) => {
      const input = RENAMED[flag] ?? (INPUT_NAMES.has(flag) ? flag : undefined);
      return input ? `${before}input ${input}` : whole;
    });
}
