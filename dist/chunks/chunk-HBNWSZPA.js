import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  debug,
  getInput,
  getState,
  group,
  info,
  notice,
  saveState,
  setFailed,
  setOutput,
  setSecret,
  summary,
  warning
} from "./chunk-EPHL5A3A.js";
import {
  AUDITED_OPERATIONS,
  appendRunAudit,
  isAuditable
} from "./chunk-7OKTSJZU.js";
import {
  VERSION,
  actionLogText,
  decryptionKeysFrom,
  describeActor,
  describeOrigin,
  escapeControls,
  htmlText,
  openStore,
  parseCaptureSpec,
  parseDuration,
  preRestoreKeysFrom,
  repositorySkip,
  runRollback
} from "./chunk-IKWDMS5Z.js";
import {
  UsageError,
  isRipcordError
} from "./chunk-23W3WYYB.js";

// src/action/action-io.ts
var coreActionIo = {
  getInput: (name) => getInput(name),
  setOutput: (name, value) => setOutput(name, value),
  saveState: (name, value) => saveState(name, value),
  getState: (name) => getState(name),
  setSecret: (value) => setSecret(value),
  group: (name, body) => group(name, body),
  info: (line) => info(line),
  warning: (line) => warning(line),
  notice: (line) => notice(line),
  debug: (line) => debug(line),
  setFailed: (line) => setFailed(line),
  async writeSummary(heading, rows) {
    await summary.addHeading(heading, 3).addTable([
      [
        { data: "what", header: true },
        { data: "value", header: true }
      ],
      ...rows.map(([k, v]) => [k, v])
    ]).write();
  }
};

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
  level: "level",
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
var COMMANDS = [
  "backup",
  "restore",
  "verify",
  "list",
  "prune",
  "copy",
  "deploy",
  "rollback",
  "check"
];

// src/action/summary.ts
function summaryTable(rows) {
  return rows;
}
async function writeSummary(io, heading, rows, env) {
  if (!env.GITHUB_STEP_SUMMARY) return;
  await io.writeSummary(
    htmlText(heading),
    rows.map(([k, v]) => [htmlText(k), htmlText(v)])
  );
}

// src/action/context.ts
function actionReporter(log) {
  let lastProgress = Date.now();
  return {
    wantsTotals: true,
    emit(event) {
      if (event.type === "warning") log.warning(event.message);
      else if (event.type === "phase" || event.type === "info") log.info(event.message);
      else if (Date.now() - lastProgress >= 1e4) {
        lastProgress = Date.now();
        const total = event.total ? ` of ${event.total.files} files, ${event.total.bytes} bytes` : "";
        log.info(`${event.phase}: ${event.done.files} files, ${event.done.bytes} bytes${total}`);
      }
    }
  };
}
async function openRepository(inputs, url, env) {
  const endpoint = inputs.text(Inputs.s3Endpoint);
  return openStore(url, { s3: endpoint ? { endpoint } : {}, env });
}
function outputSnapshot(io, snapshot) {
  io.setOutput(Outputs.snapshotId, snapshot.id);
  io.setOutput(Outputs.archiveSha256, snapshot.objects["archive.tar.gz.pgp"].sha256);
  io.setOutput(Outputs.archiveBytes, String(snapshot.archiveBytes));
  io.setOutput(Outputs.fileCount, String(snapshot.files));
}
function summarize({ io, env }, heading, rows) {
  return writeSummary(io, heading, rows, env);
}

// src/action/audit-run.ts
async function runAudited(step, operation, command) {
  const store = await openRepository(step.inputs, step.url, step.env);
  const started = /* @__PURE__ */ new Date();
  const noted = { snapshots: [] };
  let failure;
  try {
    return await command({ ...step, store, note: (snapshots, rolledBack) => recordNote(noted, snapshots, rolledBack) });
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    await auditRun(store, operation, step.env, started, noted, failure, step.log);
    await store.close();
  }
}
function recordNote(notes, snapshots, rolledBack) {
  notes.snapshots.push(...snapshots.filter((id) => id && !notes.snapshots.includes(id)));
  if (rolledBack) notes.rolledBack = true;
}
async function auditRun(store, operation, env, started, notes, error, log) {
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
  }).catch(
    (problem) => log.warning(`the audit record was not written: ${problem instanceof Error ? problem.message : String(problem)}`)
  );
}

// src/action/inputs.ts
import * as path from "node:path";
var InputError = class extends UsageError {
  constructor(input, problem) {
    super(`input ${input}: ${problem}`);
  }
};
var ActionInputs = class {
  #io;
  #env;
  constructor(io, env) {
    this.#io = io;
    this.#env = env;
  }
  text(name) {
    return this.#io.getInput(name).trim();
  }
  /** One value per line, or comma-separated on one line. */
  list(name, { commas = true } = {}) {
    return this.#io.getInput(name).split("\n").flatMap((line) => commas ? line.split(",") : [line]).map((s) => s.trim()).filter(Boolean);
  }
  bool(name) {
    const value = this.text(name).toLowerCase();
    if (value === "" || value === "false") return false;
    if (value === "true") return true;
    throw new InputError(name, `${JSON.stringify(value)} is not true or false`);
  }
  count(name) {
    const value = this.text(name);
    if (value === "") return void 0;
    if (value === "unlimited") return -1;
    if (!/^\d+$/.test(value)) throw new InputError(name, `${JSON.stringify(value)} is not a whole number`);
    return Number(value);
  }
  command() {
    const value = this.text(Inputs.command) || "backup";
    if (!COMMANDS.includes(value))
      throw new InputError(Inputs.command, `${JSON.stringify(value)} is not one of ${COMMANDS.join(", ")}`);
    return value;
  }
  required(name, forCommand) {
    const value = this.text(name);
    if (value === "") throw new InputError(name, `is required for command ${forCommand}`);
    return value;
  }
  /** Mask every secret (each line of multi-line keys too) before anything can log it. */
  maskSecrets() {
    const env = this.#env;
    const secrets = [
      this.#io.getInput(Inputs.passphrase),
      this.#io.getInput(Inputs.identity),
      this.#io.getInput(Inputs.identityPassphrase),
      this.#io.getInput(Inputs.signingKey),
      this.#io.getInput(Inputs.signingKeyPassphrase),
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
    for (const mask of masks) this.#io.setSecret(mask);
  }
  keys() {
    const env = this.#env;
    const input = (name) => this.#io.getInput(name);
    return {
      passphrase: input(Inputs.passphrase) || env.RIPCORD_PASSPHRASE,
      recipients: input(Inputs.recipients) || env.RIPCORD_RECIPIENTS,
      identity: input(Inputs.identity) || env.RIPCORD_IDENTITY,
      identityPassphrase: input(Inputs.identityPassphrase) || env.RIPCORD_IDENTITY_PASSPHRASE,
      signingKey: input(Inputs.signingKey) || env.RIPCORD_SIGNING_KEY,
      signingKeyPassphrase: input(Inputs.signingKeyPassphrase) || env.RIPCORD_SIGNING_KEY_PASSPHRASE,
      trustedSigners: input(Inputs.trustedSigners) || env.RIPCORD_TRUSTED_SIGNERS,
      allowUnsigned: this.bool(Inputs.allowUnsigned),
      warn: (message) => this.#io.warning(message)
    };
  }
  workingDirectory() {
    return path.resolve(this.#env.GITHUB_WORKSPACE || process.cwd(), this.text(Inputs.workingDirectory) || ".");
  }
  repository(cwd) {
    const value = this.text(Inputs.repository) || this.#env.RIPCORD_REPO || ".ripcord";
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : path.resolve(cwd, value);
  }
};

// src/action/action-terms.ts
var INPUT_NAMES = new Set(Object.values(Inputs));
var RENAMED = {
  "passphrase-file": Inputs.passphrase,
  "trusted-signer": Inputs.trustedSigners,
  tag: Inputs.tags,
  include: Inputs.paths
};
function inActionTerms(message) {
  return message.split(/(\bripcord [a-z]+[^;()]*)/).map((part, index) => index % 2 === 1 ? `(in a shell, with the ripcord CLI) ${part}` : flagsAsInputs(part)).join("");
}
function flagsAsInputs(text) {
  return text.replace(
    /RIPCORD_PASSPHRASE or --passphrase-file|RIPCORD_PASSPHRASE \(or --passphrase-file\)/g,
    `the ${Inputs.passphrase} input (or RIPCORD_PASSPHRASE)`
  ).replace(/(^|[\s(])--([a-z][a-z-]*)/g, (whole, before, flag) => {
    const input = RENAMED[flag] ?? (INPUT_NAMES.has(flag) ? flag : void 0);
    return input ? `${before}input ${input}` : whole;
  });
}

// src/action/log.ts
function actionLog(io) {
  return {
    info: (text) => io.info(actionLogText(text)),
    warning: (text) => io.warning(escapeControls(text)),
    notice: (text) => io.notice(escapeControls(text)),
    failure: (text) => io.setFailed(escapeControls(text))
  };
}
function failStep(io, error) {
  const log = actionLog(io);
  if (isRipcordError(error)) {
    log.failure(inActionTerms(error.message));
  } else {
    const message = error instanceof Error ? error.message : String(error);
    log.failure(`internal error: ${message} (re-run with debug logging and please report it)`);
    if (error instanceof Error && error.stack) io.debug(error.stack);
  }
}

// src/action/commands/guard.ts
function validationFromInputs(inputs) {
  const retries = inputs.count(Inputs.validateRetries) ?? 0;
  let intervalMs;
  try {
    intervalMs = parseDuration(inputs.text(Inputs.validateInterval) || "5s");
  } catch (error) {
    throw new InputError(Inputs.validateInterval, error.message);
  }
  const healthUrls = inputs.list(Inputs.healthUrl);
  for (const url of healthUrls)
    if (!/^https?:\/\//.test(url)) throw new InputError(Inputs.healthUrl, `${url} is not an http:// or https:// URL`);
  return { commands: inputs.list(Inputs.validate, { commas: false }), healthUrls, retries, intervalMs };
}
function capturesFromInput(inputs, name) {
  return inputs.list(name, { commas: false }).map((spec) => parseCaptureSpec(spec, `input ${name}`));
}
async function guardContext({ inputs, log, env, cwd, store, url }, keys) {
  return {
    store,
    cwd,
    keys,
    decryptionKeys: await decryptionKeysFrom(inputs.keys()),
    origin: await describeOrigin(cwd, env),
    env,
    output: process.stdout,
    reporter: actionReporter(log),
    protect: repositorySkip(url, cwd)
  };
}
async function rollbackFromInputs(context, reference) {
  const { io, inputs } = context;
  const report = await io.group(
    "Rollback",
    async () => runRollback({
      ...await guardContext(context, await preRestoreKeysFrom(inputs.keys())),
      reference,
      validation: validationFromInputs(inputs),
      onRollback: inputs.text(Inputs.onRollback) || void 0,
      restoreCaptures: capturesFromInput(inputs, Inputs.restoreCapture),
      captures: capturesFromInput(inputs, Inputs.capture)
    })
  );
  const rolledBack = report.result === "rolled-back";
  context.note?.(
    [
      report.rollback.restoredSnapshot,
      ...report.rollback.brokenStateSnapshot ? [report.rollback.brokenStateSnapshot] : []
    ],
    rolledBack
  );
  io.setOutput(Outputs.rolledBack, String(rolledBack));
  io.setOutput(Outputs.result, report.result);
  io.setOutput(Outputs.restoredSnapshotId, report.rollback.error ? "" : report.rollback.restoredSnapshot);
  io.setOutput(Outputs.preRestoreSnapshotId, report.rollback.brokenStateSnapshot ?? "");
  await summarize(
    context,
    `ripcord rollback: ${report.result}`,
    summaryTable([
      ["result", report.result],
      ["restored", report.rollback.error ? `NOT restored: ${report.rollback.error}` : report.rollback.restoredSnapshot],
      ["broken state", report.rollback.brokenStateSnapshot ?? "-"],
      [
        "rollback hook",
        report.rollback.onRollback ? report.rollback.onRollback.ok ? "ok" : `FAILED (${report.rollback.onRollback.detail ?? ""})` : "none"
      ],
      [
        "validation",
        report.rollback.validation ? report.rollback.validation.ok ? "passed" : `FAILED: ${report.rollback.validation.failures.map((f) => `${f.check}: ${f.detail}`).join("; ")}` : "no checks"
      ],
      ...report.action ? [["ACTION", report.action]] : []
    ])
  );
  return report;
}

export {
  coreActionIo,
  Inputs,
  Outputs,
  State,
  summaryTable,
  actionReporter,
  openRepository,
  outputSnapshot,
  summarize,
  runAudited,
  InputError,
  ActionInputs,
  actionLog,
  failStep,
  validationFromInputs,
  capturesFromInput,
  guardContext,
  rollbackFromInputs
};
