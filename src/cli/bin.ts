#!/usr/bin/env node
import { keepYoungGenerationSmall } from '../archive/reclaim.ts';
import { VERSION } from '../ops/version.ts';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V' || argv[0] === 'version')) {
  // Answered before the commands (and what they bundle) are loaded: health checks call this often.
  process.stdout.write(`${VERSION}\n`);
} else {
  keepYoungGenerationSmall();
  const { main } = await import('./main.ts');
  process.exitCode = await main(argv, {
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
  });
}
