import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  backupRequestFrom,
  deployRequestFrom
} from "../chunks/chunk-OD4Y2XAR.js";
import {
  applyCopy,
  applyPrune,
  checkFreshness,
  planCopy,
  planPrune,
  verifySnapshots
} from "../chunks/chunk-WG5IVQGF.js";
import {
  ActionInputs,
  InputError,
  Inputs,
  Outputs,
  State,
  actionLog,
  actionReporter,
  capturesFromInput,
  coreActionIo,
  failStep,
  guardContext,
  openRepository,
  outputSnapshot,
  rollbackFromInputs,
  runAudited,
  summarize,
  summaryTable,
  validationFromInputs
} from "../chunks/chunk-HBNWSZPA.js";
import "../chunks/chunk-EPHL5A3A.js";
import "../chunks/chunk-7OKTSJZU.js";
import {
  abandonedMessage,
  guardAgainstAbandon
} from "../chunks/chunk-LFUOFQC4.js";
import {
  BACKUP_LEVELS,
  applyRestore,
  checkRollbackPossible,
  countOf,
  createBackup,
  decryptionKeysFrom,
  describeOrigin,
  encryptionKeysFrom,
  formatAge,
  formatRate,
  isBackupLevel,
  listSnapshots,
  lockOwner,
  matchesFilter,
  parseDuration,
  planRestore,
  preRestoreKeysFrom,
  repositorySkip,
  runGuardedDeploy,
  withLock
} from "../chunks/chunk-IKWDMS5Z.js";
import "../chunks/chunk-4ZCQRPLC.js";
import {
  keepYoungGenerationSmall
} from "../chunks/chunk-LMOK4EBW.js";
import "../chunks/chunk-EYQ7L4U7.js";
import {
  RipcordError
} from "../chunks/chunk-23W3WYYB.js";
import "../chunks/chunk-374JASB6.js";

// src/action/commands/backup.ts
async function runBackup({ io, inputs, log, env, cwd, store, url, note }) {
  const guard = inputs.bool(Inputs.rollbackOnFailure);
  const selection = backupRequestFrom(
    {
      paths: inputs.list(Inputs.paths),
      exclude: inputs.list(Inputs.exclude),
      kind: inputs.text(Inputs.kind) || void 0,
      tags: inputs.list(Inputs.tags)
    },
    guard ? "pre-deploy" : "manual",
    (field, value, problem) => new InputError(Inputs[field], `${JSON.stringify(value)} ${problem}`)
  );
  const level = inputs.text(Inputs.level) || "full";
  if (!isBackupLevel(level))
    throw new InputError(Inputs.level, `${JSON.stringify(level)} is not one of ${BACKUP_LEVELS.join(", ")}`);
  const keys = await encryptionKeysFrom(inputs.keys());
  if (guard) {
    checkRollbackPossible(keys, await decryptionKeysFrom(inputs.keys()));
    validationFromInputs(inputs);
    capturesFromInput(inputs, Inputs.restoreCapture);
  }
  const started = Date.now();
  const origin = describeOrigin(cwd, env);
  origin.catch(() => {
  });
  const { snapshot, fullBecause } = await io.group(
    "Backup",
    () => createBackup({
      ...selection,
      store,
      cwd,
      // a path the guarded job will create is recorded as absent; the post-step rollback removes it
      ...guard ? { allowMissing: true } : {},
      skip: repositorySkip(url, cwd),
      keys,
      newKey: inputs.bool(Inputs.newKey),
      level,
      parentKeys: () => decryptionKeysFrom(inputs.keys()),
      captures: capturesFromInput(inputs, Inputs.capture),
      env,
      origin,
      reporter: actionReporter(log)
    })
  );
  outputSnapshot(io, snapshot);
  if (fullBecause) log.info(`a full snapshot, not ${level}: ${fullBecause}`);
  note?.([snapshot.id]);
  if (guard) {
    io.saveState(State.guardSnapshot, snapshot.id);
    io.saveState(State.guardRepository, url);
    log.info(`if a later step of this job fails, the post step restores ${snapshot.id}`);
  }
  const seconds = Math.max(1e-3, (Date.now() - started) / 1e3);
  await summarize(
    { io, env },
    `ripcord backup: snapshot ${snapshot.id}`,
    summaryTable([
      ["snapshot", snapshot.id],
      ["kind", snapshot.kind],
      ["level", snapshot.level ? `${snapshot.level} on ${snapshot.parent} (chain base ${snapshot.base})` : "full"],
      ["repository", store.properties.location],
      ["files", String(snapshot.files)],
      ["input", `${snapshot.inputBytes} bytes`],
      ["stored", `${snapshot.archiveBytes} bytes`],
      ["archive sha256", snapshot.objects["archive.tar.gz.pgp"].sha256],
      [
        "encryption",
        snapshot.encryption.mode === "passphrase" ? "passphrase (OpenPGP, AES-256)" : `public keys ${snapshot.encryption.recipients.join(", ")}`
      ],
      ["duration", `${seconds.toFixed(1)} s`],
      ["throughput", formatRate(snapshot.inputBytes / seconds)],
      ["automatic rollback", guard ? "armed: a failed job restores this snapshot" : "off"]
    ])
  );
}

// src/action/commands/check.ts
async function runCheck({ io, inputs, log, store }) {
  const result = await checkFreshness({
    store,
    maxAgeMs: parseDuration(inputs.text(Inputs.maxAge) || "26h"),
    filter: { kind: inputs.text(Inputs.kind) || void 0, tags: inputs.list(Inputs.tags) }
  });
  outputSnapshot(io, result.snapshot);
  log.info(`ok: newest snapshot ${result.snapshot.id} is ${formatAge(result.ageMs)} old and verifies`);
}

// src/action/commands/copy.ts
async function runCopy({ io, inputs, log, env, store, note }) {
  const destination = await openRepository(inputs, inputs.required(Inputs.to, "copy"), env);
  try {
    const reference = inputs.text(Inputs.snapshot) || "all";
    const plan = await planCopy({
      source: store,
      destination,
      references: reference === "all" ? [] : [reference],
      all: reference === "all"
    });
    const result = await io.group("Copy", () => applyCopy(plan, { reporter: actionReporter(log) }));
    note?.(result.snapshots.filter((s) => s.status === "copied").map((s) => s.id));
    log.info(`${result.copied} copied, ${result.present} already present, ${result.bytes} bytes transferred`);
    await summarize(
      { io, env },
      "ripcord copy",
      summaryTable(result.snapshots.map((s) => [s.id, s.status + (s.problem ? `: ${s.problem}` : "")]))
    );
    if (result.failed > 0)
      throw new RipcordError(
        `${result.failed} snapshot(s) failed to copy: ${result.snapshots.find((s) => s.problem)?.problem ?? ""}`
      );
  } finally {
    await destination.close();
  }
}

// src/action/commands/deploy.ts
async function runDeploy(context) {
  const { io, inputs, note } = context;
  const deployCommand = inputs.required(Inputs.deploy, "deploy");
  const level = inputs.text(Inputs.level) || "full";
  if (!isBackupLevel(level))
    throw new InputError(Inputs.level, `${JSON.stringify(level)} is not one of ${BACKUP_LEVELS.join(", ")}`);
  const report = await runGuardedDeploy({
    ...await guardContext(context, await encryptionKeysFrom(inputs.keys())),
    ...deployRequestFrom({
      paths: inputs.list(Inputs.paths),
      exclude: inputs.list(Inputs.exclude),
      tags: inputs.list(Inputs.tags),
      captures: capturesFromInput(inputs, Inputs.capture),
      restoreCaptures: capturesFromInput(inputs, Inputs.restoreCapture),
      command: ["bash", "-c", deployCommand],
      validation: validationFromInputs(inputs),
      onRollback: inputs.text(Inputs.onRollback) || void 0,
      newKey: inputs.bool(Inputs.newKey),
      level
    })
  });
  note?.(
    [report.preDeploySnapshot, ...report.rollback?.brokenStateSnapshot ? [report.rollback.brokenStateSnapshot] : []],
    report.rollback !== void 0
  );
  io.setOutput(Outputs.snapshotId, report.preDeploySnapshot);
  io.setOutput(Outputs.result, report.result);
  io.setOutput(Outputs.rolledBack, String(report.result === "rolled-back"));
  if (report.rollback) {
    io.setOutput(Outputs.restoredSnapshotId, report.rollback.restoredSnapshot);
    io.setOutput(Outputs.preRestoreSnapshotId, report.rollback.brokenStateSnapshot ?? "");
  }
  await summarize(
    context,
    `ripcord deploy: ${report.result}`,
    summaryTable([
      ["result", report.result],
      ["pre-deploy snapshot", report.preDeploySnapshot],
      ...report.failure ? [["what failed", report.failure.detail]] : [],
      ...report.rollback ? [
        ["restored", report.rollback.restoredSnapshot],
        ["broken state", report.rollback.brokenStateSnapshot ?? "-"],
        [
          "validation after rollback",
          report.rollback.validation ? report.rollback.validation.ok ? "passed" : "FAILED" : "no checks"
        ]
      ] : [],
      ...report.action ? [["ACTION", report.action]] : [],
      ["total time", `${(report.timings.totalMs / 1e3).toFixed(1)} s`]
    ])
  );
  if (report.exitCode !== 0) {
    throw new RipcordError(
      report.result === "rolled-back" ? `deploy failed (${report.failure?.detail}); rolled back to ${report.preDeploySnapshot}` : `deploy failed (${report.failure?.detail}); ${report.action ?? ""}`,
      { exitCode: report.exitCode }
    );
  }
}

// src/action/commands/list.ts
async function runList({ io, inputs, log, env, store }) {
  const { snapshots, damaged } = await listSnapshots(store);
  for (const bad of damaged)
    log.warning(`snapshot ${bad.id} is not listed: ${bad.problem} (run ripcord verify ${bad.id})`);
  const shown = snapshots.filter(
    (s) => matchesFilter(s, { kind: inputs.text(Inputs.kind) || void 0, tags: inputs.list(Inputs.tags) })
  );
  for (const s of shown)
    log.info(`${s.id}  ${s.kind}  ${countOf(s.files, "file")}  ${countOf(s.inputBytes, "byte")}  ${s.tags.join(",")}`);
  if (shown[0]) outputSnapshot(io, shown[0]);
  await summarize(
    { io, env },
    `ripcord list: ${countOf(shown.length, "snapshot")}`,
    summaryTable(
      shown.slice(0, 50).map((s) => [
        s.id,
        `${s.kind}, ${countOf(s.files, "file")}, ${countOf(s.archiveBytes, "byte")} stored${s.tags.length ? `, tags ${s.tags.join(",")}` : ""}`
      ])
    )
  );
}

// src/action/commands/prune.ts
async function runPrune({ io, inputs, log, env, store, note }) {
  const within = inputs.text(Inputs.keepWithin);
  const policy = {
    last: inputs.count(Inputs.keepLast),
    hourly: inputs.count(Inputs.keepHourly),
    daily: inputs.count(Inputs.keepDaily),
    weekly: inputs.count(Inputs.keepWeekly),
    monthly: inputs.count(Inputs.keepMonthly),
    yearly: inputs.count(Inputs.keepYearly),
    within: within ? parseDuration(within) : void 0
  };
  const owner = lockOwner("prune", await describeOrigin(process.cwd(), env));
  const { plan, result } = await withLock(store, "prune", owner, { waitMs: 10 * 6e4 }, async () => {
    const plan2 = await planPrune(store, {
      policy: Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== void 0)),
      scope: { kind: inputs.text(Inputs.kind) || void 0, tags: inputs.list(Inputs.tags) },
      now: /* @__PURE__ */ new Date()
    });
    return { plan: plan2, result: await io.group("Prune", () => applyPrune(store, plan2, actionReporter(log))) };
  });
  note?.(result.removedSnapshots);
  log.info(
    `removed ${countOf(result.removedSnapshots.length, "snapshot")} and ${countOf(result.removedUnfinished.length, "unfinished folder")}, ${countOf(result.bytesFreed, "byte")} freed`
  );
  await summarize(
    { io, env },
    "ripcord prune",
    summaryTable(
      plan.snapshots.map((d) => [d.snapshot.id, d.action === "keep" ? `kept (${d.reasons.join(", ")})` : "removed"])
    )
  );
}

// src/action/commands/restore.ts
import * as path from "node:path";
async function runRestore({ io, inputs, log, env, cwd, store, url, note }) {
  const reference = inputs.text(Inputs.snapshot) || "latest";
  const keys = await decryptionKeysFrom(inputs.keys());
  const target = path.resolve(cwd, inputs.text(Inputs.target) || ".");
  const result = await io.group("Restore", async () => {
    const plan = await planRestore({
      store,
      reference,
      target,
      delete: inputs.bool(Inputs.delete),
      keys,
      protect: repositorySkip(url, cwd),
      restoreCaptures: capturesFromInput(inputs, Inputs.restoreCapture)
    });
    log.info(
      `restoring ${plan.snapshot.id} into ${target}: ${plan.counts.add} to add, ${plan.counts.change} to change, ${plan.counts.remove} to remove`
    );
    return applyRestore(plan, {
      store,
      keys,
      encryptionKeys: await preRestoreKeysFrom(inputs.keys()),
      origin: await describeOrigin(target, env),
      preRestoreCaptures: capturesFromInput(inputs, Inputs.capture),
      env,
      reporter: actionReporter(log)
    });
  });
  note?.([result.snapshot.id, ...result.preRestoreSnapshot ? [result.preRestoreSnapshot.id] : []]);
  io.setOutput(Outputs.restoredSnapshotId, result.snapshot.id);
  io.setOutput(Outputs.preRestoreSnapshotId, result.preRestoreSnapshot?.id ?? "");
  await summarize(
    { io, env },
    `ripcord restore: ${result.snapshot.id}`,
    summaryTable([
      ["restored", result.snapshot.id],
      ["into", target],
      ["added / changed / removed", `${result.counts.add} / ${result.counts.change} / ${result.counts.remove}`],
      [
        "pre-restore snapshot",
        result.preRestoreSnapshot ? `${result.preRestoreSnapshot.id} (restore it to undo)` : result.createdTarget ? "none needed: the target did not exist (remove it to undo)" : "none"
      ],
      ["duration", `${(result.durationMs / 1e3).toFixed(1)} s`]
    ])
  );
}

// src/action/commands/rollback.ts
async function runRollback(context) {
  const report = await rollbackFromInputs(context, context.inputs.text(Inputs.snapshot) || void 0);
  if (report.exitCode !== 0)
    throw new RipcordError(`rollback failed: ${report.action ?? report.rollback.error ?? ""}`, {
      exitCode: report.exitCode
    });
}

// src/action/commands/verify.ts
async function runVerify({ io, inputs, log, env, store }) {
  const readData = inputs.bool(Inputs.readData);
  const reference = inputs.text(Inputs.snapshot);
  const outcomes = await io.group(
    "Verify",
    async () => verifySnapshots({
      store,
      references: reference && reference !== "all" ? [reference] : [],
      all: reference === "all",
      readData,
      ...readData ? { keys: await decryptionKeysFrom(inputs.keys()) } : {},
      reporter: actionReporter(log)
    })
  );
  const verdicts = { ok: "ok", failed: "FAILED", "cannot-decrypt": "cannot decrypt" };
  for (const outcome of outcomes)
    log.info(
      `${verdicts[outcome.verdict]} ${outcome.id}${outcome.problems.length ? `: ${outcome.problems.join("; ")}` : ""}`
    );
  const first = outcomes[0];
  if (first) io.setOutput(Outputs.snapshotId, first.id);
  await summarize(
    { io, env },
    "ripcord verify",
    summaryTable(
      outcomes.map((o) => [
        o.id,
        o.ok ? `ok${o.readData ? " (data read)" : ""}` : `${verdicts[o.verdict]}: ${o.problems.join("; ")}`
      ])
    )
  );
  const failed = outcomes.flatMap((o) => o.problems);
  if (failed.length)
    throw new RipcordError(failed.length === 1 ? failed[0] : `${failed[0]} (and ${failed.length - 1} more problems)`);
}

// src/action/run-main.ts
var COMMAND_RUNNERS = {
  backup: runBackup,
  restore: runRestore,
  verify: runVerify,
  list: runList,
  prune: runPrune,
  copy: runCopy,
  deploy: runDeploy,
  rollback: runRollback,
  check: runCheck
};
async function runMain({ env, io = coreActionIo }) {
  const inputs = new ActionInputs(io, env);
  const log = actionLog(io);
  try {
    inputs.maskSecrets();
    const which = inputs.command();
    const cwd = inputs.workingDirectory();
    const url = inputs.repository(cwd);
    await runAudited({ io, inputs, log, env, cwd, url }, which, COMMAND_RUNNERS[which]);
  } catch (error) {
    failStep(io, error);
  }
}

// src/action/main.ts
keepYoungGenerationSmall();
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
await guardAgainstAbandon(runMain({ env: process.env, io: coreActionIo }), () => {
  coreActionIo.setFailed(abandonedMessage("the step"));
});
