import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  Inputs,
  Outputs,
  State,
  auditRun,
  bool,
  fail,
  logInfo,
  logNotice,
  logWarning,
  maskSecrets,
  recordNote,
  rollbackFromInputs,
  text,
  workingDirectory
} from "../chunks/chunk-DEXGTASR.js";
import {
  getState,
  setFailed,
  setOutput
} from "../chunks/chunk-EJQ6XPML.js";
import "../chunks/chunk-BIGIYYLN.js";
import {
  abandonedMessage,
  guardAgainstAbandon
} from "../chunks/chunk-LFUOFQC4.js";
import {
  openStore
} from "../chunks/chunk-OBHWEMUU.js";
import "../chunks/chunk-PP5LREDU.js";
import {
  keepYoungGenerationSmall
} from "../chunks/chunk-SXD3OMJ4.js";
import {
  RipcordError
} from "../chunks/chunk-XDVWM3T4.js";
import "../chunks/chunk-374JASB6.js";

// src/action/run-post.ts
async function runPost({ env }) {
  let outputsWritten = false;
  try {
    maskSecrets(env);
    const snapshot = getState(State.guardSnapshot);
    if (!snapshot || !bool(Inputs.rollbackOnFailure)) {
      logInfo("ripcord: no automatic rollback armed for this step");
      return;
    }
    logWarning(`the job failed or was cancelled: rolling back to the pre-deploy snapshot ${snapshot}`);
    const cwd = workingDirectory(env);
    const url = getState(State.guardRepository);
    const endpoint = text(Inputs.s3Endpoint);
    const store = await openStore(url, { s3: endpoint ? { endpoint } : {} });
    const started = /* @__PURE__ */ new Date();
    const noted = { snapshots: [] };
    let failure;
    try {
      const report = await rollbackFromInputs({ env, cwd, store, url, note: (snapshots, rolledBack) => recordNote(noted, snapshots, rolledBack) }, snapshot);
      outputsWritten = true;
      if (report.exitCode !== 0) throw new RipcordError(`automatic rollback to ${snapshot} failed: ${report.action ?? report.rollback.error ?? ""}`, { exitCode: report.exitCode });
      logNotice(`rolled back to ${snapshot}${report.rollback.brokenStateSnapshot ? `; the broken state is kept as ${report.rollback.brokenStateSnapshot}` : ""}`);
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      await auditRun(store, "rollback", env, started, noted, failure);
      await store.close();
    }
  } catch (error) {
    if (!outputsWritten) setOutput(Outputs.rolledBack, "false");
    fail(error);
  }
}

// src/action/post.ts
keepYoungGenerationSmall();
await guardAgainstAbandon(runPost({ env: process.env }), () => {
  setFailed(abandonedMessage("the post step"));
});
