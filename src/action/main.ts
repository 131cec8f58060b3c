import * as core from '@actions/core';
import { keepYoungGenerationSmall } from '../archive/reclaim.ts';
import { abandonedMessage, guardAgainstAbandon } from '../ops/unfinished.ts';
import { runMain } from './run-main.ts';

keepYoungGenerationSmall();
await guardAgainstAbandon(runMain({ env: process.env }), () => {
  core.setFailed(abandonedMessage('the step'));
});
