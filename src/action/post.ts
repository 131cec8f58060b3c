import * as core from '@actions/core';
import { keepYoungGenerationSmall } from '../archive/reclaim.ts';
import { abandonedMessage, guardAgainstAbandon } from '../ops/unfinished.ts';
import { runPost } from './run-post.ts';

keepYoungGenerationSmall();
await guardAgainstAbandon(runPost({ env: process.env }), () => {
  core.setFailed(abandonedMessage('the post step'));
});
