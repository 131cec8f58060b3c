import { keepYoungGenerationSmall } from '../archive/reclaim.ts';
import { runMain } from './run-main.ts';

keepYoungGenerationSmall();
await runMain({ env: process.env });
