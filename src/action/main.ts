import * as core from '@actions/core';
import { keepYoungGenerationSmall } from '../archive/reclaim.ts';
import { guardAgainstAbandon } from '../ops/unfinished.ts';
import { runMain } from './run-main.ts';

keepYoungGenerationSmall();
await guardAgainstAbandon(runMain({ env: process.env }), () => {
  core.setFailed('internal error: the step stopped before it finished (it waited for work that can never complete): treat it as failed, and please report it');
});
