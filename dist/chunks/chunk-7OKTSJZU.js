import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  forEachLimited,
  readText
} from "./chunk-IKWDMS5Z.js";
import {
  NotFoundError,
  StorageError,
  UsageError
} from "./chunk-23W3WYYB.js";

// src/ops/audit.ts
import { randomBytes } from "node:crypto";
var AUDIT_PREFIX = "audit/";
var AUDIT_FORMAT = "ripcord-audit/1";
var AUDITED_OPERATIONS = ["backup", "restore", "prune", "copy", "deploy", "rollback"];
var KEY_PATTERN = /^audit\/(\d{4}-\d{2})\/(\d{8}T\d{6}\.\d{3}Z)-[0-9a-f]{12}\.json$/;
function auditKey(time, random = randomBytes(6).toString("hex")) {
  const month = time.toISOString().slice(0, 7);
  const stamp = time.toISOString().replace(/[-:]/g, "");
  return `${AUDIT_PREFIX}${month}/${stamp}-${random}.json`;
}
async function appendAudit(store, entry) {
  const record = { format: AUDIT_FORMAT, ...entry };
  const time = new Date(record.time);
  if (Number.isNaN(time.getTime())) throw new TypeError(`audit record with an invalid time: ${record.time}`);
  const key = auditKey(time);
  await store.put(key, Buffer.from(`${JSON.stringify(record)}
`));
  return key;
}
function isAuditable(error) {
  return !(error instanceof UsageError) && !(error instanceof StorageError);
}
async function appendRunAudit(store, entry) {
  if (entry.result === "failure") {
    let empty = true;
    for await (const _ of store.list("")) {
      empty = false;
      break;
    }
    if (empty) return void 0;
  }
  return appendAudit(store, entry);
}
async function readAudit(store, query = {}) {
  const sinceMonth = query.since?.toISOString().slice(0, 7);
  const keys = [];
  const damaged = [];
  for await (const object of store.list(AUDIT_PREFIX)) {
    const match = KEY_PATTERN.exec(object.key);
    if (!match) {
      if (!object.key.includes(".partial-")) damaged.push({ key: object.key, problem: "not an audit record name" });
      continue;
    }
    if (sinceMonth === void 0 || match[1] >= sinceMonth) keys.push(object.key);
  }
  const records = [];
  await forEachLimited(keys, 16, async (key) => {
    let text;
    try {
      text = await readText(store, key);
    } catch (error) {
      if (error instanceof NotFoundError) return;
      throw error;
    }
    const read = parseAuditRecord(text);
    if ("problem" in read) damaged.push({ key, problem: read.problem });
    else records.push({ key, record: read.record });
  });
  const since = query.since?.getTime() ?? -Infinity;
  return {
    records: records.filter(
      ({ record }) => Date.parse(record.time) >= since && (query.operation === void 0 || record.operation === query.operation)
    ).sort((a, b) => Date.parse(a.record.time) - Date.parse(b.record.time) || (a.key < b.key ? -1 : 1)).map(({ record }) => record),
    damaged: damaged.sort((a, b) => a.key < b.key ? -1 : 1)
  };
}
function parseAuditRecord(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: "not valid JSON" };
  }
  const r = value;
  if (typeof r !== "object" || r === null || Array.isArray(r)) return { problem: "not a JSON object" };
  if (r.format !== AUDIT_FORMAT) return { problem: `unknown format ${JSON.stringify(r.format)}` };
  if (typeof r.time !== "string" || Number.isNaN(Date.parse(r.time))) return { problem: "no valid time" };
  if (typeof r.operation !== "string" || r.operation === "") return { problem: "no operation" };
  if (r.result !== "success" && r.result !== "failure") return { problem: "no valid result" };
  if (!Array.isArray(r.snapshots) || !r.snapshots.every((s) => typeof s === "string"))
    return { problem: "no valid snapshot list" };
  if (typeof r.actor !== "string" || typeof r.host !== "string") return { problem: "no actor or host" };
  return { record: r };
}

export {
  AUDITED_OPERATIONS,
  isAuditable,
  appendRunAudit,
  readAudit
};
