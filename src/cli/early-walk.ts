/**
 * Whether a command line is likely to take a chain link (an incremental, differential or
 * auto backup, or a deploy, whose pre-deploy snapshot is `auto` by default), told from its
 * words alone, before the rest of the command line is loaded: run.ts then starts the walk's
 * thread at once (archive/walk-prestart.ts). A backup set (--set) may name a level of its
 * own, so one counts as likely. A wrong guess costs a thread's start on the other core.
 */
const CHAINING = new Set(['incremental', 'differential', 'auto']);

export function likelyChainLink(args: readonly string[]): boolean {
  const [command, ...rest] = args;
  if (command !== 'backup' && command !== 'deploy') return false;
  const end = rest.indexOf('--'); // a deploy's own command follows
  const own = end === -1 ? rest : rest.slice(0, end);
  if (own.some((word) => word === '--help' || word === '-h')) return false;
  let level: string | undefined;
  let set = false;
  own.forEach((word, at) => {
    if (word === '--level') level = own[at + 1];
    else if (word.startsWith('--level=')) level = word.slice('--level='.length);
    else if (word === '--set' || word.startsWith('--set=')) set = true;
  });
  if (level !== undefined) return CHAINING.has(level);
  return command === 'deploy' || set;
}
