import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  ActionInputs,
  Inputs,
  Outputs,
  State,
  actionLog,
  coreActionIo,
  failStep,
  rollbackFromInputs,
  runAudited
} from "../chunks/chunk-HBNWSZPA.js";
import "../chunks/chunk-EPHL5A3A.js";
import "../chunks/chunk-7OKTSJZU.js";
import {
  abandonedMessage,
  guardAgainstAbandon
} from "../chunks/chunk-LFUOFQC4.js";
import "../chunks/chunk-IKWDMS5Z.js";
import "../chunks/chunk-4ZCQRPLC.js";
import {
  keepYoungGenerationSmall
} from "../chunks/chunk-LMOK4EBW.js";
import "../chunks/chunk-EYQ7L4U7.js";
import {
  RipcordError
} from "../chunks/chunk-23W3WYYB.js";
import "../chunks/chunk-374JASB6.js";

// src/action/run-post.ts
async function runPost({ env, io = coreActionIo }) {
  const inputs = new ActionInputs(io, env);
  const log = actionLog(io);
  let outputsWritten = false;
  try {
    inputs.maskSecrets();
    const snapshot = io.getState(State.guardSnapshot);
    if (!snapshot || !inputs.bool(Inputs.rollbackOnFailure)) {
      log.info("ripcord: no automatic rollback armed for this step");
      return;
    }
    log.warning(`the job failed or was cancelled: rolling back to the pre-deploy snapshot ${snapshot}`);
    const cwd = inputs.workingDirectory();
    const url = io.getState(State.guardRepository);
    await runAudited({ io, inputs, log, env, cwd, url }, "rollback", async (context) => {
      const report = await rollbackFromInputs(context, snapshot);
      outputsWritten = true;
      if (report.exitCode !== 0)
        throw new RipcordError(
          `automatic rollback to ${snapshot} failed: ${report.action ?? report.rollback.error ?? ""}`,
          { exitCode: report.exitCode }
        );
      log.notice(
        `rolled back to ${snapshot}${report.rollback.brokenStateSnapshot ? `; the broken state is kept as ${report.rollback.brokenStateSnapshot}` : ""}`
      );
    });
  } catch (error) {
    if (!outputsWritten) io.setOutput(Outputs.rolledBack, "false");
    failStep(io, error);
  }
}

// src/action/post.ts
keepYoungGenerationSmall();
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
await guardAgainstAbandon(runPost({ env: process.env, io: coreActionIo }), () => {
  coreActionIo.setFailed(abandonedMessage("the post step"));
});
