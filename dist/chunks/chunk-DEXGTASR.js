import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  debug,
  getInput,
  group,
  info,
  notice,
  saveState,
  setFailed,
  setOutput,
  setSecret,
  summary,
  warning
} from "./chunk-EJQ6XPML.js";
import {
  AUDITED_OPERATIONS,
  appendRunAudit,
  isAuditable
} from "./chunk-BIGIYYLN.js";
import {
  DEFAULT_EXCLUDES,
  VERSION,
  actionLogText,
  applyCopy,
  applyPrune,
  applyRestore,
  checkFreshness,
  checkRollbackPossible,
  countOf,
  createBackup,
  decryptionKeysFrom,
  describeActor,
  describeOrigin,
  encryptionKeysFrom,
  escapeControls,
  formatAge,
  formatRate,
  htmlText,
  listSnapshots,
  lockOwner,
  matchesFilter,
  openStore,
  parseCaptureSpec,
  parseDuration,
  planCopy,
  planPrune,
  planRestore,
  preRestoreKeysFrom,
  repositorySkip,
  runGuardedDeploy,
  runRollback,
  verifySnapshots,
  withLock
} from "./chunk-OBHWEMUU.js";
import {
  SNAPSHOT_KINDS
} from "./chunk-PP5LREDU.js";
import {
  RipcordError,
  UsageError,
  isRipcordError
} from "./chunk-XDVWM3T4.js";

// src/action/run-main.ts
import * as path2 from "node:path";

// src/action/inputs.ts
import * as path from "node:path";

// src/action/names.ts
var Inputs = {
  command: "command",
  paths: "paths",
  exclude: "exclude",
  workingDirectory: "working-directory",
  repository: "repository",
  passphrase: "passphrase",
  recipients: "recipients",
  identity: "identity",
  identityPassphrase: "identity-passphrase",
  signingKey: "signing-key",
  signingKeyPassphrase: "signing-key-passphrase",
  trustedSigners: "trusted-signers",
  allowUnsigned: "allow-unsigned",
  kind: "kind",
  tags: "tags",
  snapshot: "snapshot",
  target: "target",
  delete: "delete",
  readData: "read-data",
  to: "to",
  maxAge: "max-age",
  keepLast: "keep-last",
  keepHourly: "keep-hourly",
  keepDaily: "keep-daily",
  keepWeekly: "keep-weekly",
  keepMonthly: "keep-monthly",
  keepYearly: "keep-yearly",
  keepWithin: "keep-within",
  deploy: "deploy",
  validate: "validate",
  healthUrl: "health-url",
  validateRetries: "validate-retries",
  validateInterval: "validate-interval",
  onRollback: "on-rollback",
  capture: "capture",
  restoreCapture: "restore-capture",
  rollbackOnFailure: "rollback-on-failure",
  newKey: "new-key",
  s3Endpoint: "s3-endpoint"
};
var Outputs = {
  snapshotId: "snapshot-id",
  archiveSha256: "archive-sha256",
  archiveBytes: "archive-bytes",
  fileCount: "file-count",
  restoredSnapshotId: "restored-snapshot-id",
  preRestoreSnapshotId: "pre-restore-snapshot-id",
  rolledBack: "rolled-back",
  result: "result"
};
var State = {
  /** the pre-deploy snapshot the post step rolls back to */
  guardSnapshot: "guard-snapshot",
  /** the repository it lives in, as resolved by main */
  guardRepository: "guard-repository"
};
var COMMANDS = ["backup", "restore", "verify", "list", "prune", "copy", "deploy", "rollback", "check"];

// src/action/inputs.ts
var InputError = class extends UsageError {
  constructor(input, problem) {
    super(`input ${input}: ${problem}`);
  }
};
function text(name) {
  return getInput(name).trim();
}
function list(name, { commas = true } = {}) {
  return getInput(name).split("\n").flatMap((line) => commas ? line.split(",") : [line]).map((s) => s.trim()).filter(Boolean);
}
function bool(name) {
  const value = text(name).toLowerCase();
  if (value === "" || value === "false") return false;
  if (value === "true") return true;
  throw new InputError(name, `${JSON.stringify(value)} is not true or false`);
}
function count(name) {
  const value = text(name);
  if (value === "") return void 0;
  if (value === "unlimited") return -1;
  if (!/^\d+$/.test(value)) throw new InputError(name, `${JSON.stringify(value)} is not a whole number`);
  return Number(value);
}
function command() {
  const value = text(Inputs.command) || "backup";
  if (!COMMANDS.includes(value)) throw new InputError(Inputs.command, `${JSON.stringify(value)} is not one of ${COMMANDS.join(", ")}`);
  return value;
}
function required(name, forCommand) {
  const value = text(name);
  if (value === "") throw new InputError(name, `is required for command ${forCommand}`);
  return value;
}
function maskSecrets(env) {
  const secrets = [
    getInput(Inputs.passphrase),
    getInput(Inputs.identity),
    getInput(Inputs.identityPassphrase),
    getInput(Inputs.signingKey),
    getInput(Inputs.signingKeyPassphrase),
    env.RIPCORD_PASSPHRASE ?? "",
    env.RIPCORD_IDENTITY ?? "",
    env.RIPCORD_IDENTITY_PASSPHRASE ?? "",
    env.RIPCORD_SIGNING_KEY ?? "",
    env.RIPCORD_SIGNING_KEY_PASSPHRASE ?? ""
  ];
  const masks = /* @__PURE__ */ new Set();
  for (const secret of secrets) {
    if (!secret.trim()) continue;
    masks.add(secret);
    for (const line of secret.split("\n")) if (line.trim().length >= 4) masks.add(line.trim());
  }
  for (const mask of masks) setSecret(mask);
}
function keyInputs(env) {
  return {
    passphrase: getInput(Inputs.passphrase) || env.RIPCORD_PASSPHRASE,
    recipients: getInput(Inputs.recipients) || env.RIPCORD_RECIPIENTS,
    identity: getInput(Inputs.identity) || env.RIPCORD_IDENTITY,
    identityPassphrase: getInput(Inputs.identityPassphrase) || env.RIPCORD_IDENTITY_PASSPHRASE,
    signingKey: getInput(Inputs.signingKey) || env.RIPCORD_SIGNING_KEY,
    signingKeyPassphrase: getInput(Inputs.signingKeyPassphrase) || env.RIPCORD_SIGNING_KEY_PASSPHRASE,
    trustedSigners: getInput(Inputs.trustedSigners) || env.RIPCORD_TRUSTED_SIGNERS,
    allowUnsigned: bool(Inputs.allowUnsigned),
    warn: (message) => warning(message)
  };
}
function workingDirectory(env) {
  return path.resolve(env.GITHUB_WORKSPACE || process.cwd(), text(Inputs.workingDirectory) || ".");
}
function repository(env, cwd) {
  const value = text(Inputs.repository) || env.RIPCORD_REPO || ".ripcord";
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : path.resolve(cwd, value);
}

// src/action/summary.ts
function summaryTable(rows) {
  return rows;
}
async function writeSummary(heading, rows, env) {
  if (!env.GITHUB_STEP_SUMMARY) return;
  await summary.addHeading(htmlText(heading), 3).addTable([[{ data: "what", header: true }, { data: "value", header: true }], ...rows.map(([k, v]) => [htmlText(k), htmlText(v)])]).write();
}

// src/action/log.ts
function logInfo(text2) {
  info(actionLogText(text2));
}
function logWarning(text2) {
  warning(escapeControls(text2));
}
function logNotice(text2) {
  notice(escapeControls(text2));
}
function logFailure(text2) {
  setFailed(escapeControls(text2));
}

// src/action/action-terms.ts
var INPUT_NAMES = new Set(Object.values(Inputs));
var RENAMED = { "passphrase-file": Inputs.passphrase, "trusted-signer": Inputs.trustedSigners, tag: Inputs.tags, include: Inputs.paths };
function inActionTerms(message) {
  return message.split(/(\bripcord [a-z]+[^;()]*)/).map((part, index) => index % 2 === 1 ? `(in a shell, with the ripcord CLI) ${part}` : flagsAsInputs(part)).join("");
}
function flagsAsInputs(text2) {
  return text2.replace(/RIPCORD_PASSPHRASE or --passphrase-file|RIPCORD_PASSPHRASE \(or --passphrase-file\)/g, `the ${Inputs.passphrase} input (or RIPCORD_PASSPHRASE)`).replace(/(^|[\s(])--([a-z][a-z-]*)/g, (whole, before, flag) => {
    const input = RENAMED[flag] ?? (INPUT_NAMES.has(flag) ? flag : void 0);
    return input ? `${before}input ${input}` : whole;
  });
}

// src/action/run-main.ts
function actionReporter() {
  let lastProgress = Date.now();
  return {
    wantsTotals: true,
    emit(event) {
      if (event.type === "warning") logWarning(event.message);
      else if (event.type === "phase" || event.type === "info") logInfo(event.message);
      else if (Date.now() - lastProgress >= 1e4) {
        lastProgress = Date.now();
        const total = event.total ? ` of ${event.total.files} files, ${event.total.bytes} bytes` : "";
        logInfo(`${event.phase}: ${event.done.files} files, ${event.done.bytes} bytes${total}`);
      }
    }
  };
}
function validationFromInputs() {
  const retries = count(Inputs.validateRetries) ?? 0;
  let intervalMs;
  try {
    intervalMs = parseDuration(text(Inputs.validateInterval) || "5s");
  } catch (error) {
    throw new InputError(Inputs.validateInterval, error.message);
  }
  const healthUrls = list(Inputs.healthUrl);
  for (const url of healthUrls) if (!/^https?:\/\//.test(url)) throw new InputError(Inputs.healthUrl, `${url} is not an http:// or https:// URL`);
  return { commands: list(Inputs.validate, { commas: false }), healthUrls, retries, intervalMs };
}
function capturesFromInput(name) {
  return list(name, { commas: false }).map((spec) => parseCaptureSpec(spec, `input ${name}`));
}
async function openRepository(env, cwd) {
  const url = repository(env, cwd);
  const endpoint = text(Inputs.s3Endpoint);
  return { store: await openStore(url, { s3: endpoint ? { endpoint } : {} }), url };
}
function outputSnapshot(snapshot) {
  setOutput(Outputs.snapshotId, snapshot.id);
  setOutput(Outputs.archiveSha256, snapshot.objects["archive.tar.gz.pgp"].sha256);
  setOutput(Outputs.archiveBytes, String(snapshot.archiveBytes));
  setOutput(Outputs.fileCount, String(snapshot.files));
}
async function runMain({ env }) {
  try {
    maskSecrets(env);
    const which = command();
    const cwd = workingDirectory(env);
    const { store, url } = await openRepository(env, cwd);
    const started = /* @__PURE__ */ new Date();
    const noted = { snapshots: [] };
    let failure;
    try {
      await COMMAND_RUNNERS[which]({ env, cwd, store, url, note: (snapshots, rolledBack) => recordNote(noted, snapshots, rolledBack) });
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      await auditRun(store, which, env, started, noted, failure);
      await store.close();
    }
  } catch (error) {
    fail(error);
  }
}
function fail(error) {
  if (isRipcordError(error)) {
    logFailure(inActionTerms(error.message));
  } else {
    const message = error instanceof Error ? error.message : String(error);
    logFailure(`internal error: ${message} (re-run with debug logging and please report it)`);
    if (error instanceof Error && error.stack) debug(error.stack);
  }
}
function recordNote(notes, snapshots, rolledBack) {
  notes.snapshots.push(...snapshots.filter((id) => id && !notes.snapshots.includes(id)));
  if (rolledBack) notes.rolledBack = true;
}
async function auditRun(store, operation, env, started, notes, error) {
  if (!AUDITED_OPERATIONS.includes(operation) || !isAuditable(error)) return;
  const finished = /* @__PURE__ */ new Date();
  const actor = describeActor(env);
  await appendRunAudit(store, {
    time: finished.toISOString(),
    operation,
    result: error === void 0 ? "success" : "failure",
    snapshots: notes.snapshots,
    actor: actor.actor,
    host: actor.host,
    ...actor.ciRunUrl ? { ciRunUrl: actor.ciRunUrl } : {},
    exitCode: error === void 0 ? 0 : isRipcordError(error) ? error.exitCode : 1,
    ...error !== void 0 ? { error: error instanceof Error ? error.message : String(error) } : {},
    ...notes.rolledBack ? { rolledBack: true } : {},
    durationMs: finished.getTime() - started.getTime(),
    tool: `ripcord ${VERSION}`
  }).catch((problem) => logWarning(`the audit record was not written: ${problem instanceof Error ? problem.message : String(problem)}`));
}
var COMMAND_RUNNERS = {
  async backup({ env, cwd, store, url, note }) {
    const guard = bool(Inputs.rollbackOnFailure);
    const kind = text(Inputs.kind) || (guard ? "pre-deploy" : "manual");
    if (!SNAPSHOT_KINDS.includes(kind)) throw new InputError(Inputs.kind, `${JSON.stringify(kind)} is not one of ${SNAPSHOT_KINDS.join(", ")}`);
    const keys = await encryptionKeysFrom(keyInputs(env));
    if (guard) {
      checkRollbackPossible(keys, await decryptionKeysFrom(keyInputs(env)));
      validationFromInputs();
      capturesFromInput(Inputs.restoreCapture);
    }
    const paths = list(Inputs.paths);
    const started = Date.now();
    const origin = await describeOrigin(cwd, env);
    const { snapshot } = await group(
      "Backup",
      () => createBackup({
        store,
        paths: paths.length ? paths : ["."],
        cwd,
        exclude: [...list(Inputs.exclude), ...paths.length ? [] : DEFAULT_EXCLUDES],
        skip: repositorySkip(url, cwd),
        kind,
        tags: list(Inputs.tags),
        keys,
        newKey: bool(Inputs.newKey),
        captures: capturesFromInput(Inputs.capture),
        env,
        origin,
        reporter: actionReporter()
      })
    );
    outputSnapshot(snapshot);
    note?.([snapshot.id]);
    if (guard) {
      saveState(State.guardSnapshot, snapshot.id);
      saveState(State.guardRepository, url);
      logInfo(`if a later step of this job fails, the post step restores ${snapshot.id}`);
    }
    const seconds = Math.max(1e-3, (Date.now() - started) / 1e3);
    await writeSummary(`ripcord backup: snapshot ${snapshot.id}`, summaryTable([
      ["snapshot", snapshot.id],
      ["kind", snapshot.kind],
      ["repository", store.properties.location],
      ["files", String(snapshot.files)],
      ["input", `${snapshot.inputBytes} bytes`],
      ["stored", `${snapshot.archiveBytes} bytes`],
      ["archive sha256", snapshot.objects["archive.tar.gz.pgp"].sha256],
      ["encryption", snapshot.encryption.mode === "passphrase" ? "passphrase (OpenPGP, AES-256)" : `public keys ${snapshot.encryption.recipients.join(", ")}`],
      ["duration", `${seconds.toFixed(1)} s`],
      ["throughput", formatRate(snapshot.inputBytes / seconds)],
      ["automatic rollback", guard ? "armed: a failed job restores this snapshot" : "off"]
    ]), env);
  },
  async restore({ env, cwd, store, url, note }) {
    const reference = text(Inputs.snapshot) || "latest";
    const keys = await decryptionKeysFrom(keyInputs(env));
    const target = path2.resolve(cwd, text(Inputs.target) || ".");
    const result = await group("Restore", async () => {
      const plan = await planRestore({
        store,
        reference,
        target,
        delete: bool(Inputs.delete),
        keys,
        protect: repositorySkip(url, cwd),
        restoreCaptures: capturesFromInput(Inputs.restoreCapture)
      });
      logInfo(`restoring ${plan.snapshot.id} into ${target}: ${plan.counts.add} to add, ${plan.counts.change} to change, ${plan.counts.remove} to remove`);
      return applyRestore(plan, {
        store,
        keys,
        encryptionKeys: await preRestoreKeysFrom(keyInputs(env)),
        origin: await describeOrigin(target, env),
        preRestoreCaptures: capturesFromInput(Inputs.capture),
        env,
        reporter: actionReporter()
      });
    });
    note?.([result.snapshot.id, ...result.preRestoreSnapshot ? [result.preRestoreSnapshot.id] : []]);
    setOutput(Outputs.restoredSnapshotId, result.snapshot.id);
    setOutput(Outputs.preRestoreSnapshotId, result.preRestoreSnapshot?.id ?? "");
    await writeSummary(`ripcord restore: ${result.snapshot.id}`, summaryTable([
      ["restored", result.snapshot.id],
      ["into", target],
      ["added / changed / removed", `${result.counts.add} / ${result.counts.change} / ${result.counts.remove}`],
      ["pre-restore snapshot", result.preRestoreSnapshot ? `${result.preRestoreSnapshot.id} (restore it to undo)` : "none"],
      ["duration", `${(result.durationMs / 1e3).toFixed(1)} s`]
    ]), env);
  },
  async verify({ env, store }) {
    const readData = bool(Inputs.readData);
    const reference = text(Inputs.snapshot);
    const outcomes = await group(
      "Verify",
      async () => verifySnapshots({
        store,
        references: reference && reference !== "all" ? [reference] : [],
        all: reference === "all",
        readData,
        ...readData ? { keys: await decryptionKeysFrom(keyInputs(env)) } : {},
        reporter: actionReporter()
      })
    );
    const verdicts = { ok: "ok", failed: "FAILED", "cannot-decrypt": "cannot decrypt" };
    for (const outcome of outcomes) logInfo(`${verdicts[outcome.verdict]} ${outcome.id}${outcome.problems.length ? `: ${outcome.problems.join("; ")}` : ""}`);
    const first = outcomes[0];
    if (first) setOutput(Outputs.snapshotId, first.id);
    await writeSummary("ripcord verify", summaryTable(outcomes.map((o) => [o.id, o.ok ? `ok${o.readData ? " (data read)" : ""}` : `${verdicts[o.verdict]}: ${o.problems.join("; ")}`])), env);
    const failed = outcomes.flatMap((o) => o.problems);
    if (failed.length) throw new RipcordError(failed.length === 1 ? failed[0] : `${failed[0]} (and ${failed.length - 1} more problems)`);
  },
  async list({ env, store }) {
    const { snapshots, damaged } = await listSnapshots(store);
    for (const bad of damaged) logWarning(`snapshot ${bad.id} is not listed: ${bad.problem} (run ripcord verify ${bad.id})`);
    const shown = snapshots.filter((s) => matchesFilter(s, { kind: text(Inputs.kind) || void 0, tags: list(Inputs.tags) }));
    for (const s of shown) logInfo(`${s.id}  ${s.kind}  ${countOf(s.files, "file")}  ${countOf(s.inputBytes, "byte")}  ${s.tags.join(",")}`);
    if (shown[0]) outputSnapshot(shown[0]);
    await writeSummary(`ripcord list: ${countOf(shown.length, "snapshot")}`, summaryTable(shown.slice(0, 50).map((s) => [s.id, `${s.kind}, ${countOf(s.files, "file")}, ${countOf(s.archiveBytes, "byte")} stored${s.tags.length ? `, tags ${s.tags.join(",")}` : ""}`])), env);
  },
  async prune({ env, store, note }) {
    const within = text(Inputs.keepWithin);
    const policy = {
      last: count(Inputs.keepLast),
      hourly: count(Inputs.keepHourly),
      daily: count(Inputs.keepDaily),
      weekly: count(Inputs.keepWeekly),
      monthly: count(Inputs.keepMonthly),
      yearly: count(Inputs.keepYearly),
      within: within ? parseDuration(within) : void 0
    };
    const owner = lockOwner("prune", await describeOrigin(process.cwd(), env));
    const { plan, result } = await withLock(store, "prune", owner, { waitMs: 10 * 6e4 }, async () => {
      const plan2 = await planPrune(store, {
        policy: Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== void 0)),
        scope: { kind: text(Inputs.kind) || void 0, tags: list(Inputs.tags) },
        now: /* @__PURE__ */ new Date()
      });
      return { plan: plan2, result: await group("Prune", () => applyPrune(store, plan2, actionReporter())) };
    });
    note?.(result.removedSnapshots);
    logInfo(`removed ${countOf(result.removedSnapshots.length, "snapshot")} and ${countOf(result.removedUnfinished.length, "unfinished folder")}, ${countOf(result.bytesFreed, "byte")} freed`);
    await writeSummary("ripcord prune", summaryTable(plan.snapshots.map((d) => [d.snapshot.id, d.action === "keep" ? `kept (${d.reasons.join(", ")})` : "removed"])), env);
  },
  async copy({ env, store, note }) {
    const destinationUrl = required(Inputs.to, "copy");
    const endpoint = text(Inputs.s3Endpoint);
    const destination = await openStore(destinationUrl, { s3: endpoint ? { endpoint } : {} });
    try {
      const reference = text(Inputs.snapshot) || "all";
      const plan = await planCopy({ source: store, destination, references: reference === "all" ? [] : [reference], all: reference === "all" });
      const result = await group("Copy", () => applyCopy(plan, { reporter: actionReporter() }));
      note?.(result.snapshots.filter((s) => s.status === "copied").map((s) => s.id));
      logInfo(`${result.copied} copied, ${result.present} already present, ${result.bytes} bytes transferred`);
      await writeSummary("ripcord copy", summaryTable(result.snapshots.map((s) => [s.id, s.status + (s.problem ? `: ${s.problem}` : "")])), env);
      if (result.failed > 0) throw new RipcordError(`${result.failed} snapshot(s) failed to copy: ${result.snapshots.find((s) => s.problem)?.problem ?? ""}`);
    } finally {
      await destination.close();
    }
  },
  async deploy({ env, cwd, store, url, note }) {
    const deployCommand = required(Inputs.deploy, "deploy");
    const paths = list(Inputs.paths);
    const report = await runGuardedDeploy({
      ...await guardContext({ env, cwd, store, url }, await encryptionKeysFrom(keyInputs(env))),
      paths: paths.length ? paths : ["."],
      exclude: [...list(Inputs.exclude), ...paths.length ? [] : DEFAULT_EXCLUDES],
      tags: list(Inputs.tags),
      captures: capturesFromInput(Inputs.capture),
      restoreCaptures: capturesFromInput(Inputs.restoreCapture),
      command: ["bash", "-c", deployCommand],
      validation: validationFromInputs(),
      onRollback: text(Inputs.onRollback) || void 0,
      newKey: bool(Inputs.newKey)
    });
    note?.([report.preDeploySnapshot, ...report.rollback?.brokenStateSnapshot ? [report.rollback.brokenStateSnapshot] : []], report.rollback !== void 0);
    setOutput(Outputs.snapshotId, report.preDeploySnapshot);
    setOutput(Outputs.result, report.result);
    setOutput(Outputs.rolledBack, String(report.result === "rolled-back"));
    if (report.rollback) {
      setOutput(Outputs.restoredSnapshotId, report.rollback.restoredSnapshot);
      setOutput(Outputs.preRestoreSnapshotId, report.rollback.brokenStateSnapshot ?? "");
    }
    await writeSummary(`ripcord deploy: ${report.result}`, summaryTable([
      ["result", report.result],
      ["pre-deploy snapshot", report.preDeploySnapshot],
      ...report.failure ? [["what failed", report.failure.detail]] : [],
      ...report.rollback ? [["restored", report.rollback.restoredSnapshot], ["broken state", report.rollback.brokenStateSnapshot ?? "-"], ["validation after rollback", report.rollback.validation ? report.rollback.validation.ok ? "passed" : "FAILED" : "no checks"]] : [],
      ...report.action ? [["ACTION", report.action]] : [],
      ["total time", `${(report.timings.totalMs / 1e3).toFixed(1)} s`]
    ]), env);
    if (report.exitCode !== 0) {
      throw new RipcordError(
        report.result === "rolled-back" ? `deploy failed (${report.failure?.detail}); rolled back to ${report.preDeploySnapshot}` : `deploy failed (${report.failure?.detail}); ${report.action ?? ""}`,
        { exitCode: report.exitCode }
      );
    }
  },
  async rollback({ env, cwd, store, url, note }) {
    const report = await rollbackFromInputs({ env, cwd, store, url, ...note ? { note } : {} }, text(Inputs.snapshot) || void 0);
    if (report.exitCode !== 0) throw new RipcordError(`rollback failed: ${report.action ?? report.rollback.error ?? ""}`, { exitCode: report.exitCode });
  },
  async check({ store }) {
    const result = await checkFreshness({
      store,
      maxAgeMs: parseDuration(text(Inputs.maxAge) || "26h"),
      filter: { kind: text(Inputs.kind) || void 0, tags: list(Inputs.tags) }
    });
    outputSnapshot(result.snapshot);
    logInfo(`ok: newest snapshot ${result.snapshot.id} is ${formatAge(result.ageMs)} old and verifies`);
  }
};
async function guardContext({ env, cwd, store, url }, keys) {
  return {
    store,
    cwd,
    keys,
    decryptionKeys: await decryptionKeysFrom(keyInputs(env)),
    origin: await describeOrigin(cwd, env),
    env,
    output: process.stdout,
    reporter: actionReporter(),
    protect: repositorySkip(url, cwd)
  };
}
async function rollbackFromInputs(context, reference) {
  const { env } = context;
  const report = await group(
    "Rollback",
    async () => runRollback({
      ...await guardContext(context, await preRestoreKeysFrom(keyInputs(env))),
      reference,
      validation: validationFromInputs(),
      onRollback: text(Inputs.onRollback) || void 0,
      restoreCaptures: capturesFromInput(Inputs.restoreCapture),
      captures: capturesFromInput(Inputs.capture)
    })
  );
  const rolledBack = report.result === "rolled-back";
  context.note?.([report.rollback.restoredSnapshot, ...report.rollback.brokenStateSnapshot ? [report.rollback.brokenStateSnapshot] : []], rolledBack);
  setOutput(Outputs.rolledBack, String(rolledBack));
  setOutput(Outputs.result, report.result);
  setOutput(Outputs.restoredSnapshotId, report.rollback.error ? "" : report.rollback.restoredSnapshot);
  setOutput(Outputs.preRestoreSnapshotId, report.rollback.brokenStateSnapshot ?? "");
  await writeSummary(`ripcord rollback: ${report.result}`, summaryTable([
    ["result", report.result],
    ["restored", report.rollback.error ? `NOT restored: ${report.rollback.error}` : report.rollback.restoredSnapshot],
    ["broken state", report.rollback.brokenStateSnapshot ?? "-"],
    ["rollback hook", report.rollback.onRollback ? report.rollback.onRollback.ok ? "ok" : `FAILED (${report.rollback.onRollback.detail ?? ""})` : "none"],
    ["validation", report.rollback.validation ? report.rollback.validation.ok ? "passed" : `FAILED: ${report.rollback.validation.failures.map((f) => `${f.check}: ${f.detail}`).join("; ")}` : "no checks"],
    ...report.action ? [["ACTION", report.action]] : []
  ]), env);
  return report;
}

export {
  Inputs,
  Outputs,
  State,
  text,
  bool,
  maskSecrets,
  workingDirectory,
  logInfo,
  logWarning,
  logNotice,
  runMain,
  fail,
  recordNote,
  auditRun,
  rollbackFromInputs
};
