import { runMain } from './run-main.ts';

await runMain({ env: process.env });
