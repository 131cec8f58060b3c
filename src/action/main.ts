import { keepYoungGenerationSmall } from '../archive/reclaim.ts';
import { abandonedMessage, guardAgainstAbandon } from '../ops/unfinished.ts';
import { coreActionIo } from './action-io.ts';
import { runMain } from './run-main.ts';

keepYoungGenerationSmall();
// The AWS SDK warns on every start under Node < 22; ripcord supports Node 20, so the warning
// is noise on every backup's stderr. An explicit setting is respected.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
await guardAgainstAbandon(runMain({ env: process.env, io: coreActionIo }), () => {
  coreActionIo.setFailed(abandonedMessage('the step'));
});
