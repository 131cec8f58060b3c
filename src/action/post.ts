import * as core from '@actions/core';
import { keepYoungGenerationSmall } from '../archive/reclaim.ts';
import { guardAgainstAbandon } from '../ops/unfinished.ts';
import { runPost } from './run-post.ts';

keepYoungGenerationSmall();
await guardAgainstAbandon(runPost({ env: process.env }), () => {
  core.setFailed('internal error: the post step stopped before it finished (it waited for work that can never complete): treat it as failed, and please report it');
});
