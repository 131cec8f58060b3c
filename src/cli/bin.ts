#!/usr/bin/env node
import { keepYoungGenerationSmall } from '../archive/reclaim.ts';
import { main } from './main.ts';

keepYoungGenerationSmall();
const code = await main(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
});
process.exitCode = code;
