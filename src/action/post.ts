import { keepYoungGenerationSmall } from '../archive/reclaim.ts';
import { abandonedMessage, guardAgainstAbandon } from '../ops/unfinished.ts';
import { coreActionIo } from './action-io.ts';
import { runPost } from './run-post.ts';

keepYoungGenerationSmall();
await guardAgainstAbandon(runPost({ env: process.env, io: coreActionIo }), () => {
  coreActionIo.setFailed(abandonedMessage('the post step'));
});
