import { keepYoungGenerationSmall } from '../archive/reclaim.ts';
import { abandonedMessage, guardAgainstAbandon } from '../ops/unfinished.ts';
import { coreActionIo } from './action-io.ts';
import { runMain } from './run-main.ts';

keepYoungGenerationSmall();
await guardAgainstAbandon(runMain({ env: process.env, io: coreActionIo }), () => {
  coreActionIo.setFailed(abandonedMessage('the step'));
});
