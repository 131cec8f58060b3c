// The CLI proper, loaded by bin.cts (the installed `ripcord` command) for everything but --version.
// Also runnable on its own: `node dist/cli.js <command>`.
import { keepYoungGenerationSmall } from '../archive/reclaim.ts';

keepYoungGenerationSmall();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
});
