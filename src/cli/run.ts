// The CLI proper, loaded by bin.cts (the installed `ripcord` command) for everything but --version.
// Also runnable on its own: `node dist/cli.js <command>`.
import { keepYoungGenerationSmall } from '../archive/reclaim.ts';
import { prestartWalkThread } from '../archive/walk-prestart.ts';
import { likelyChainLink } from './early-walk.ts';
import { abandonedMessage, guardAgainstAbandon } from '../ops/unfinished.ts';

keepYoungGenerationSmall();
// The AWS SDK warns on every start under Node < 22; ripcord supports Node 20, so the warning
// is noise on every backup's stderr. An explicit setting is respected.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// A reader that has seen enough (`ripcord ls latest | head`) closes the pipe: what is left to
// print goes nowhere, and the command finishes as it would have, without a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}
const args = process.argv.slice(2);
// A chain link waits for its walk's thread: started now, it starts while the rest loads.
if (likelyChainLink(args)) prestartWalkThread();
const { main } = await import('./main.ts');
process.exitCode = await guardAgainstAbandon(
  main(args, {
    env: process.env,
    cwd: process.cwd(),
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  }),
  () => {
    process.stderr.write(`ripcord: ${abandonedMessage(args[0] ?? 'the command')}\n`);
  },
);
