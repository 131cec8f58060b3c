// The CLI proper, loaded by bin.cts (the installed `ripcord` command) for everything but --version.
// Also runnable on its own: `node dist/cli.js <command>`.
import { keepYoungGenerationSmall } from '../archive/reclaim.ts';
import { abandonedMessage, guardAgainstAbandon } from '../ops/unfinished.ts';

keepYoungGenerationSmall();
const { main } = await import('./main.ts');
const args = process.argv.slice(2);
process.exitCode = await guardAgainstAbandon(main(args, { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr }), () => {
  process.stderr.write(`ripcord: ${abandonedMessage(args[0] ?? 'the command')}\n`);
});
