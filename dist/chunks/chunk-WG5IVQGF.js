import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  OUTCOME_OBJECT,
  bindingOf,
  chain,
  chainOfSnapshot,
  checkStoredChecksum,
  contentMismatch,
  copySignature,
  describeFailure,
  drain,
  fileAsOf,
  forEachLimited,
  formatAge,
  formatDuration,
  headerMismatch,
  keepChains,
  linesOf,
  linkOf,
  listFolders,
  listSnapshots,
  matchesFilter,
  openArchive,
  openDecrypted,
  parseManifest,
  readMetadata,
  readText,
  resolveSnapshot,
  silentReporter,
  storedBytes,
  storedChecksum
} from "./chunk-IKWDMS5Z.js";
import {
  ARCHIVE_OBJECT,
  CHECKSUMS_OBJECT,
  MANIFEST_OBJECT,
  SNAPSHOT_OBJECT,
  formatChecksums,
  isSnapshotId,
  parseChecksums,
  parseMetadata,
  snapshotIdTime
} from "./chunk-4ZCQRPLC.js";
import {
  collectGarbageEvery
} from "./chunk-LMOK4EBW.js";
import {
  IntegrityError,
  KeyError,
  NotFoundError,
  RipcordError,
  SignatureError,
  StorageError,
  UsageError
} from "./chunk-23W3WYYB.js";

// src/domain/retention.ts
var UNLIMITED = -1;
var KEEP_REASONS = [
  "last",
  "hourly",
  "daily",
  "weekly",
  "monthly",
  "yearly",
  "within",
  "tag",
  "newest",
  "pinned"
];
var RetentionPolicyError = class extends UsageError {
};
var COUNT_RULES = ["last", "hourly", "daily", "weekly", "monthly", "yearly"];
var FLAGS = {
  last: "--keep-last",
  hourly: "--keep-hourly",
  daily: "--keep-daily",
  weekly: "--keep-weekly",
  monthly: "--keep-monthly",
  yearly: "--keep-yearly",
  within: "--keep-within",
  tags: "--keep-tag"
};
var ALL_FLAGS = Object.values(FLAGS).join(", ");
function hasKeepRule(policy) {
  return COUNT_RULES.some((rule) => (policy[rule] ?? 0) !== 0) || (policy.within ?? 0) > 0 || (policy.tags?.length ?? 0) > 0;
}
function validatePolicy(policy) {
  if (policy === null || typeof policy !== "object") {
    throw new RetentionPolicyError("the retention policy is missing");
  }
  for (const rule of COUNT_RULES) {
    const value = policy[rule];
    if (value === void 0) continue;
    if (typeof value !== "number" || !Number.isInteger(value) || value < UNLIMITED) {
      throw new RetentionPolicyError(
        `${FLAGS[rule]} must be a whole number of 0 or more, or "unlimited" (-1); got ${describeValue(value)}`
      );
    }
  }
  const within = policy.within;
  if (within !== void 0 && (typeof within !== "number" || !Number.isFinite(within) || within < 0)) {
    throw new RetentionPolicyError(
      `${FLAGS.within} must be a duration of 0 or more, such as "30d" or "1d12h"; got ${describeValue(within)} ms`
    );
  }
  const tags = policy.tags;
  if (tags !== void 0) {
    if (!Array.isArray(tags)) {
      throw new RetentionPolicyError(`${FLAGS.tags} must be a list of tags; got ${describeValue(tags)}`);
    }
    for (const tag of tags) {
      if (typeof tag !== "string" || tag === "") {
        throw new RetentionPolicyError(`${FLAGS.tags} needs a non-empty tag; got ${describeValue(tag)}`);
      }
    }
  }
  if (!hasKeepRule(policy)) {
    throw new RetentionPolicyError(
      `refusing to prune without a keep rule: give at least one of ${ALL_FLAGS} (without one, every snapshot except the newest of each group would be removed)`
    );
  }
}
function describeValue(value) {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "a list";
  return String(value);
}
function parseKeepCount(text, flag = "--keep-*") {
  const trimmed = text.trim();
  if (trimmed === "unlimited") return UNLIMITED;
  if (/^\d+$/.test(trimmed)) {
    const n = Number(trimmed);
    if (Number.isSafeInteger(n)) return n;
  }
  const hint = /^-\d+$/.test(trimmed) ? ' (negative counts are not allowed; to keep all, write "unlimited")' : "";
  throw new RetentionPolicyError(
    `${flag} takes a whole number of 0 or more, or "unlimited"; got ${JSON.stringify(text)}${hint}`
  );
}
function describePolicy(policy) {
  const counts = [];
  for (const rule of COUNT_RULES) {
    const n = policy[rule] ?? 0;
    if (n === 0) continue;
    const amount = n === UNLIMITED ? "all" : String(n);
    counts.push(rule === "last" ? n === UNLIMITED ? "all" : `the last ${n}` : `${amount} ${rule}`);
  }
  const parts = [];
  if (counts.length > 0) parts.push(`${counts.join(", ")} snapshots`);
  if ((policy.within ?? 0) > 0) {
    parts.push(`all snapshots within ${formatDuration(policy.within ?? 0)} of the newest of their group`);
  }
  if ((policy.tags?.length ?? 0) > 0) {
    parts.push(`all snapshots tagged ${(policy.tags ?? []).join(" or ")}`);
  }
  return parts.length === 0 ? "keep nothing (no keep rule)" : `keep ${parts.join(", ")}`;
}
function groupKey(candidate) {
  const tags = [...new Set(candidate.tags)].sort();
  return JSON.stringify({ kind: candidate.kind, tags });
}
function isoWeek(date) {
  const day = (date.getUTCDay() + 6) % 7;
  const thursday = new Date(date.getTime());
  thursday.setUTCHours(0, 0, 0, 0);
  thursday.setUTCDate(thursday.getUTCDate() - day + 3);
  const year = thursday.getUTCFullYear();
  const janFirst = new Date(thursday.getTime());
  janFirst.setUTCMonth(0, 1);
  const week = 1 + Math.floor((thursday.getTime() - janFirst.getTime()) / (7 * 24 * 60 * 60 * 1e3));
  return { year, week };
}
function bucketOf(rule, date, position) {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + 1;
  const d = date.getUTCDate();
  switch (rule) {
    case "last":
      return position;
    // every snapshot is its own bucket
    case "hourly":
      return y * 1e6 + m * 1e4 + d * 100 + date.getUTCHours();
    case "daily":
      return y * 1e4 + m * 100 + d;
    case "weekly": {
      const w = isoWeek(date);
      return w.year * 100 + w.week;
    }
    case "monthly":
      return y * 100 + m;
    case "yearly":
      return y;
  }
}
function newestFirst(a, b) {
  if (a.time !== b.time) return b.time - a.time;
  const x = a.snapshot.id;
  const y = b.snapshot.id;
  return x < y ? 1 : x > y ? -1 : 0;
}
function applyRetention(snapshots, policy, options = {}) {
  validatePolicy(policy);
  const now = options.now === void 0 ? void 0 : options.now.getTime();
  if (now !== void 0 && Number.isNaN(now)) throw new RangeError("options.now is not a valid date");
  const entries = snapshots.map((snapshot) => {
    const time = snapshot.created instanceof Date ? snapshot.created.getTime() : Number.NaN;
    if (Number.isNaN(time)) {
      throw new RangeError(`snapshot ${snapshot.id} has no valid creation time`);
    }
    return { snapshot, time, group: groupKey(snapshot), reasons: /* @__PURE__ */ new Set() };
  });
  entries.sort(newestFirst);
  const groups = /* @__PURE__ */ new Map();
  for (const entry of entries) {
    const members = groups.get(entry.group);
    if (members === void 0) groups.set(entry.group, [entry]);
    else members.push(entry);
  }
  for (const members of groups.values()) decideGroup(members, policy, now);
  return entries.map((entry) => ({
    snapshot: entry.snapshot,
    keep: entry.reasons.size > 0,
    reasons: KEEP_REASONS.filter((reason) => entry.reasons.has(reason)),
    group: entry.group
  }));
}
function decideGroup(members, policy, now) {
  const newest = members[0];
  if (newest === void 0) return;
  for (const rule of COUNT_RULES) {
    const count = policy[rule] ?? 0;
    if (count === 0) continue;
    let slots = count === UNLIMITED ? Infinity : count;
    let lastBucket;
    for (const [position, entry] of members.entries()) {
      if (slots <= 0) break;
      const bucket = bucketOf(rule, new Date(entry.time), position);
      if (bucket !== lastBucket) {
        entry.reasons.add(rule);
        lastBucket = bucket;
        slots -= 1;
      }
    }
  }
  const within = policy.within ?? 0;
  if (within > 0) {
    let anchor = newest.time;
    if (now !== void 0 && anchor > now) {
      anchor = members.find((entry) => entry.time <= now)?.time ?? now;
    }
    const cutoff = anchor - within;
    for (const entry of members) {
      if (entry.time > cutoff) entry.reasons.add("within");
      else break;
    }
  }
  const keepTags = new Set(policy.tags ?? []);
  for (const entry of members) {
    if (keepTags.size > 0 && entry.snapshot.tags.some((tag) => keepTags.has(tag))) entry.reasons.add("tag");
    if (entry.snapshot.pinned === true) entry.reasons.add("pinned");
  }
  if (newest.reasons.size === 0) newest.reasons.add("newest");
}

// src/ops/copy.ts
import { createHash } from "node:crypto";
import { Transform } from "node:stream";
var PARALLEL_CHECKS = 8;
async function planCopy(request) {
  const { source, destination } = request;
  if (source.properties.location === destination.properties.location) {
    throw new UsageError(
      `the source and the destination are the same repository (${source.properties.location}): give another --to`
    );
  }
  const ids = request.all ? await committedIds(source) : await resolveIds(source, request.references);
  const snapshots = new Array(ids.length);
  const indexed = ids.map((id, index) => ({ id, index }));
  await forEachLimited(indexed, PARALLEL_CHECKS, async ({ id, index }) => {
    snapshots[index] = await planSnapshot(source, destination, id, !request.all);
  });
  return { source, destination, snapshots };
}
async function committedIds(store) {
  const folders = await listFolders(store);
  const ids = [...folders.values()].filter((f) => f.objects.some((o) => o.key === `${f.id}/${SNAPSHOT_OBJECT}`)).map((f) => f.id);
  if (ids.length === 0) throw new NotFoundError(`no snapshots in ${store.properties.location}: nothing to copy`);
  return ids.sort().reverse();
}
async function resolveIds(store, references) {
  if (references.length === 0) throw new UsageError("which snapshots? give ids, latest, or --all");
  const ids = [];
  for (const reference of references) {
    const id = isSnapshotId(reference) ? reference : (await resolveSnapshot(store, reference)).id;
    if (!ids.includes(id)) ids.push(id);
    const read = await readMetadata(store, id);
    if ("metadata" in read && read.metadata.level) {
      const chain2 = await chainOfSnapshot(store, read.metadata).catch((error) => {
        throw new IntegrityError(
          `${error instanceof Error ? error.message : String(error)}; refusing to copy a snapshot its copy could not restore`
        );
      });
      for (const link of chain2) if (!ids.includes(link.id)) ids.push(link.id);
    }
  }
  return ids.sort().reverse();
}
async function planSnapshot(source, destination, id, named) {
  const from = source.properties.location;
  const damaged = (problem) => ({
    id,
    decision: "damaged",
    bytes: 0,
    problem: `snapshot ${id} in ${from} is damaged and was not copied: ${problem} (run ripcord verify ${id} there)`
  });
  let record;
  try {
    record = await readText(source, `${id}/${SNAPSHOT_OBJECT}`);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    if (named)
      throw new NotFoundError(`snapshot ${id} does not exist in ${from} (or was never completed): see ripcord list`);
    return damaged("snapshot.json disappeared while copying");
  }
  const parsed = parseMetadata(record, id);
  if ("problem" in parsed) return damaged(parsed.problem);
  const metadata = parsed.metadata;
  const checksums = formatChecksums(metadata.objects);
  const bytes = metadata.objects[ARCHIVE_OBJECT].bytes + metadata.objects[MANIFEST_OBJECT].bytes + Buffer.byteLength(checksums) + Buffer.byteLength(record);
  const existing = await readIfPresent(destination, `${id}/${SNAPSHOT_OBJECT}`);
  if (existing !== void 0) {
    if (existing === record) return { id, decision: "present", bytes, metadata, record };
    return {
      id,
      decision: "conflict",
      bytes: 0,
      problem: `snapshot ${id} already exists in ${destination.properties.location} with a different snapshot.json: refusing to overwrite a committed snapshot (compare ripcord show ${id} in both repositories)`
    };
  }
  const sums = await readIfPresent(source, `${id}/${CHECKSUMS_OBJECT}`);
  if (sums === void 0) return damaged(`${CHECKSUMS_OBJECT} is missing`);
  if (sums !== checksums) return damaged(`${CHECKSUMS_OBJECT} disagrees with snapshot.json`);
  for (const object of [ARCHIVE_OBJECT, MANIFEST_OBJECT]) {
    const stat = await source.stat(`${id}/${object}`);
    const expected = metadata.objects[object].bytes;
    if (!stat) return damaged(`${object} is missing`);
    if (stat.size !== expected) return damaged(`${object} is ${stat.size} bytes, snapshot.json says ${expected}`);
  }
  return { id, decision: "copy", bytes, metadata, record };
}
async function readIfPresent(store, key) {
  try {
    return await readText(store, key);
  } catch (error) {
    if (error instanceof NotFoundError) return void 0;
    throw error;
  }
}
async function applyCopy(plan, options = {}) {
  const reporter = options.reporter ?? silentReporter;
  const pending = plan.snapshots.filter((s) => s.decision === "copy");
  const total = { files: pending.length * 4, bytes: pending.reduce((sum, s) => sum + s.bytes, 0) };
  const done = { files: 0, bytes: 0 };
  const progress = {
    add(bytes) {
      done.bytes += bytes;
      reporter.emit({ type: "progress", phase: "copy", done: { ...done }, total });
    },
    object() {
      done.files += 1;
      reporter.emit({ type: "progress", phase: "copy", done: { ...done }, total });
    }
  };
  const outcomes = [];
  let position = 0;
  for (const planned of plan.snapshots) {
    if (planned.decision === "present") {
      outcomes.push({ id: planned.id, status: "present", bytes: 0 });
      continue;
    }
    if (planned.decision !== "copy") {
      outcomes.push({ id: planned.id, status: "failed", bytes: 0, problem: planned.problem });
      continue;
    }
    position += 1;
    const label = `snapshot ${planned.id} (${position}/${pending.length})`;
    try {
      const status = await copySnapshot(plan, planned, { reporter, progress, label });
      outcomes.push({ id: planned.id, status, bytes: status === "copied" ? planned.bytes : 0 });
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      outcomes.push({ id: planned.id, status: "failed", bytes: 0, problem: error.message });
    }
  }
  const count = (status) => outcomes.filter((o) => o.status === status).length;
  return {
    snapshots: outcomes,
    copied: count("copied"),
    present: count("present"),
    failed: count("failed"),
    bytes: outcomes.reduce((sum, o) => sum + o.bytes, 0)
  };
}
async function copySnapshot(plan, planned, { reporter, progress, label }) {
  const { source, destination } = plan;
  const { id } = planned;
  const metadata = planned.metadata;
  const record = planned.record;
  const from = source.properties.location;
  const to = destination.properties.location;
  const written = [];
  let object = ARCHIVE_OBJECT;
  let keepWritten = false;
  const step = (message) => reporter.emit({ type: "phase", phase: "copy", message: `${label}: ${message}` });
  try {
    for (const name of [ARCHIVE_OBJECT, MANIFEST_OBJECT]) {
      object = name;
      const expected = metadata.objects[name];
      step(`copying ${name} (${expected.bytes} bytes)`);
      const check = new ExpectedChecksum(
        expected,
        (actual) => mismatch(
          id,
          name,
          `read from ${from}`,
          actual,
          expected,
          `the source copy is damaged; nothing was committed in ${to}`
        ),
        (bytes) => progress.add(bytes)
      );
      written.push(`${id}/${name}`);
      const body = chain(await source.get(`${id}/${name}`), check);
      try {
        await destination.put(`${id}/${name}`, body, { size: expected.bytes });
      } catch (error) {
        body.destroy();
        throw check.failure ?? error;
      }
      if (check.failure) throw check.failure;
      progress.object();
    }
    for (const name of [ARCHIVE_OBJECT, MANIFEST_OBJECT]) {
      object = name;
      const expected = metadata.objects[name];
      step(`verifying ${name} in ${to}`);
      const arrived = (actual) => mismatch(id, name, `as stored in ${to}`, actual, expected, "the copy was removed; run ripcord copy again");
      const stat = await destination.stat(`${id}/${name}`);
      if (!stat)
        throw new IntegrityError(
          `snapshot ${id}: ${name} is missing in ${to} after it was written: the copy was removed; run ripcord copy again`
        );
      if (stat.size !== expected.bytes) throw arrived({ sha256: "", bytes: stat.size });
      const check = new ExpectedChecksum(expected, arrived);
      await drain(chain(await destination.get(`${id}/${name}`), check));
    }
    object = CHECKSUMS_OBJECT;
    step(`writing ${CHECKSUMS_OBJECT}`);
    const checksums = formatChecksums(metadata.objects);
    written.push(`${id}/${CHECKSUMS_OBJECT}`);
    await destination.put(`${id}/${CHECKSUMS_OBJECT}`, Buffer.from(checksums));
    await expectStored(destination, id, CHECKSUMS_OBJECT, checksums);
    progress.add(Buffer.byteLength(checksums));
    progress.object();
    await copySignature(source, destination, id, written);
    object = SNAPSHOT_OBJECT;
    const committed = await readIfPresent(destination, `${id}/${SNAPSHOT_OBJECT}`);
    if (committed !== void 0) {
      keepWritten = true;
      if (committed === record) return "present";
      throw new RipcordError(
        `snapshot ${id} was committed in ${to} by someone else during the copy, with a different snapshot.json: run ripcord verify ${id} there`
      );
    }
    step(`committing ${SNAPSHOT_OBJECT}`);
    written.push(`${id}/${SNAPSHOT_OBJECT}`);
    await destination.put(`${id}/${SNAPSHOT_OBJECT}`, Buffer.from(record));
    await expectStored(destination, id, SNAPSHOT_OBJECT, record);
    progress.add(Buffer.byteLength(record));
    progress.object();
    step(`copied to ${to}`);
    return "copied";
  } catch (error) {
    if (!keepWritten) await removeWritten(destination, written);
    throw describeCopyFailure(error, id, object, to);
  }
}
async function expectStored(store, id, object, content) {
  const stored = await readIfPresent(store, `${id}/${object}`);
  if (stored !== content) {
    throw new IntegrityError(
      `snapshot ${id}: ${object} as stored in ${store.properties.location} ${stored === void 0 ? "is missing after it was written" : "differs from what was written"}: the copy was removed; run ripcord copy again`
    );
  }
}
function mismatch(id, object, where, actual, expected, consequence) {
  const got = actual.sha256 === "" ? `${actual.bytes} bytes` : `${actual.bytes} bytes, sha256 ${actual.sha256.slice(0, 12)}\u2026`;
  return new IntegrityError(
    `snapshot ${id}: ${object} ${where} does not match snapshot.json (${got}; expected ${expected.bytes} bytes, sha256 ${expected.sha256.slice(0, 12)}\u2026): ${consequence}`
  );
}
async function removeWritten(store, keys) {
  if (keys.length === 0) return;
  try {
    await store.delete(keys);
  } catch {
  }
}
function describeCopyFailure(error, id, object, to) {
  if (error instanceof IntegrityError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const message = `snapshot ${id} was not copied (${object}): ${reason}; nothing of it was committed in ${to}`;
  if (error instanceof StorageError) return new StorageError(message, { transient: error.transient, cause: error });
  if (error instanceof RipcordError) return new RipcordError(message, { exitCode: error.exitCode, cause: error });
  return new RipcordError(message, { cause: error });
}
var ExpectedChecksum = class extends Transform {
  constructor(expected, describe, onBytes = () => {
  }) {
    super({ highWaterMark: 1 << 20 });
    this.expected = expected;
    this.describe = describe;
    this.onBytes = onBytes;
  }
  expected;
  describe;
  onBytes;
  /** set when the bytes did not match */
  failure;
  hash = createHash("sha256");
  bytes = 0;
  /** an object is read in many short-lived buffers: return them as they go (see archive/reclaim.ts) */
  collect = collectGarbageEvery(16 << 20);
  _transform(chunk, _encoding, callback) {
    this.bytes += chunk.length;
    if (this.bytes > this.expected.bytes) {
      callback(this.failure = this.describe({ sha256: "", bytes: this.bytes }));
      return;
    }
    this.hash.update(chunk);
    this.onBytes(chunk.length);
    this.collect(chunk.length);
    callback(null, chunk);
  }
  _flush(callback) {
    const actual = { sha256: this.hash.digest("hex"), bytes: this.bytes };
    if (actual.sha256 !== this.expected.sha256 || actual.bytes !== this.expected.bytes) {
      callback(this.failure = this.describe(actual));
      return;
    }
    callback();
  }
};

// src/ops/verify.ts
import { createHash as createHash2 } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
function outcomeOf(id, problems, readData, verdict) {
  const ok = problems.length === 0;
  return { id, ok, verdict: verdict ?? (ok ? "ok" : "failed"), problems, readData };
}
async function verifySnapshots(request) {
  const reporter = request.reporter ?? silentReporter;
  const { store } = request;
  const outcomes = [];
  let targets = [];
  let listed = /* @__PURE__ */ new Map();
  if (request.all) {
    const listing = await listSnapshots(store);
    listed = new Map(listing.snapshots.map((s) => [s.id, s]));
    for (const bad of listing.damaged) outcomes.push(outcomeOf(bad.id, [`snapshot ${bad.id}: ${bad.problem}`], false));
    targets = listing.snapshots;
    if (targets.length === 0 && outcomes.length === 0)
      throw new NotFoundError(`no snapshots in ${store.properties.location}: nothing to verify`);
  } else {
    for (const reference of request.references.length ? request.references : ["latest"]) {
      try {
        targets.push(await resolveSnapshot(store, reference));
      } catch (error) {
        if (!(error instanceof NotFoundError) || !/cannot be used/.test(error.message)) throw error;
        outcomes.push(
          outcomeOf(
            reference,
            [error.message.replace(/^snapshot \S+ in \S+ cannot be used: /, `snapshot ${reference}: `)],
            false
          )
        );
      }
    }
  }
  if (request.readData && !request.keys)
    throw new KeyError("verify --read-data decrypts the archive: set RIPCORD_PASSPHRASE or RIPCORD_IDENTITY");
  const chainProblems = /* @__PURE__ */ new Map();
  const links = /* @__PURE__ */ new Map();
  const ordered = [];
  for (const snapshot of targets) {
    if (snapshot.level) {
      try {
        const chain2 = await chainOfSnapshot(store, snapshot, listed);
        links.set(
          snapshot.id,
          chain2.slice(0, -1).map((l) => l.id)
        );
        for (const link of chain2.slice(0, -1)) if (!ordered.some((s) => s.id === link.id)) ordered.push(link);
      } catch (error) {
        if (!(error instanceof RipcordError)) throw error;
        chainProblems.set(snapshot.id, error.message);
      }
    }
    if (!ordered.some((s) => s.id === snapshot.id)) ordered.push(snapshot);
  }
  targets = ordered;
  for (const [index, snapshot] of targets.entries()) {
    reporter.emit({
      type: "phase",
      phase: "verify",
      message: `verifying ${snapshot.id} (${index + 1}/${targets.length})`
    });
    const problems = await verifyStoredObjects(store, snapshot);
    const broken = chainProblems.get(snapshot.id);
    if (broken) problems.push(broken);
    for (const link of links.get(snapshot.id) ?? []) {
      const outcome = outcomes.find((o) => o.id === link);
      if (outcome && !outcome.ok)
        problems.push(
          `snapshot ${snapshot.id} needs ${link}, which failed verification: ${snapshot.id} cannot be restored`
        );
    }
    if (problems.length === 0 && request.readData) {
      try {
        problems.push(...await verifyContent(store, snapshot, request.keys, reporter));
      } catch (error) {
        if (!(error instanceof KeyError)) throw error;
        outcomes.push(
          outcomeOf(snapshot.id, [error.message], true, error instanceof SignatureError ? "failed" : "cannot-decrypt")
        );
        continue;
      }
    }
    outcomes.push(outcomeOf(snapshot.id, problems, Boolean(request.readData)));
  }
  return outcomes;
}
async function verifyStoredObjects(store, snapshot) {
  const problems = [];
  const id = snapshot.id;
  let sums;
  try {
    sums = parseChecksums(await readText(store, `${id}/${CHECKSUMS_OBJECT}`));
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    sums = /* @__PURE__ */ new Map();
    problems.push(`snapshot ${id}: ${CHECKSUMS_OBJECT} is missing`);
  }
  for (const object of [ARCHIVE_OBJECT, MANIFEST_OBJECT]) {
    const expected = snapshot.objects[object];
    if (problems.length === 0 && sums.get(object) !== expected.sha256) {
      problems.push(`snapshot ${id}: ${CHECKSUMS_OBJECT} and snapshot.json disagree about ${object}`);
    }
    const stat = await store.stat(`${id}/${object}`);
    if (!stat) {
      problems.push(`snapshot ${id}: ${object} is missing`);
      continue;
    }
    const sum = await storedChecksum(store, `${id}/${object}`);
    try {
      checkStoredChecksum(snapshot, object, sum);
    } catch (error) {
      problems.push(error.message);
    }
  }
  return problems;
}
async function verifyContent(store, snapshot, keys, reporter) {
  const problems = [];
  const problem = (message) => problems.push(`snapshot ${snapshot.id}: ${message}`);
  const manifestReader = await openDecrypted(store, snapshot, MANIFEST_OBJECT, keys, { checked: true });
  const archive = await openArchive(store, snapshot, keys, { checked: true, consumesInOrder: true });
  let object = MANIFEST_OBJECT;
  try {
    const manifest = await parseManifest(linesOf(manifestReader.plaintext));
    object = ARCHIVE_OBJECT;
    let files = 0;
    let bytes = 0;
    const deltas = [];
    const nextOwn = async () => {
      for (let next = await manifest.entries.next(); ; next = await manifest.entries.next()) {
        if (!next.done && next.value.delta) deltas.push(next.value.path);
        else if (next.done || next.value.in === void 0) return next;
      }
    };
    for await (const item of archive.items) {
      const next = await nextOwn();
      if (next.done) {
        problem(`the archive holds ${item.entry.path}, which the manifest does not list`);
        break;
      }
      const mismatch2 = await compareEntry(item, next.value);
      if (mismatch2) problem(mismatch2);
      if (item.entry.kind === "file") files += 1;
      bytes += item.entry.size;
      reporter.emit({
        type: "progress",
        phase: "verify",
        done: { files, bytes },
        total: { files: snapshot.files, bytes: snapshot.inputBytes }
      });
    }
    const missing = await nextOwn();
    if (!missing.done) problem(`the manifest lists ${missing.value.path}, which the archive does not hold`);
    await archive.finish();
    object = MANIFEST_OBJECT;
    await drain(manifestReader.plaintext);
    checkStoredChecksum(snapshot, MANIFEST_OBJECT, manifestReader.stored.result());
    const trailer = manifest.trailer();
    if (!isDeepStrictEqual(trailer.archive, snapshot.objects[ARCHIVE_OBJECT])) {
      problem("the manifest was written for a different archive than the one stored");
    }
    if (!isDeepStrictEqual(trailer.snapshot, bindingOf(snapshot))) {
      problem("snapshot.json differs from the copy authenticated inside the manifest (it was edited)");
    }
    if (problems.length === 0) problems.push(...await buildDeltas(store, snapshot, keys, deltas));
  } catch (error) {
    if (error instanceof KeyError) throw error;
    const failure = describeFailure(snapshot, object, error);
    problems.push(failure.message);
    if (!(error instanceof RipcordError) && !(error instanceof Error)) throw error;
  } finally {
    manifestReader.plaintext.destroy();
    archive.close();
  }
  return problems;
}
async function buildDeltas(store, snapshot, keys, files) {
  if (files.length === 0) return [];
  const source = { store, keys, chain: await chainOfSnapshot(store, snapshot), also: files, cache: /* @__PURE__ */ new Map() };
  const problems = [];
  for (const file of files) {
    try {
      const built = await fileAsOf(source, snapshot, file);
      await built.content.close();
    } catch (error) {
      if (error instanceof KeyError) throw error;
      problems.push(`${file} cannot be built from its block delta: ${error.message}`);
    }
  }
  return problems;
}
async function compareEntry(item, expected) {
  const hash = createHash2("sha256");
  let size = 0;
  for await (const chunk of item.body) {
    hash.update(chunk);
    size += chunk.length;
  }
  return headerMismatch(item.entry, expected) ?? contentMismatch(item.entry, expected, size, hash.digest("hex"));
}

// src/ops/check.ts
var StaleSnapshotError = class extends RipcordError {
};
async function checkFreshness(request) {
  const now = request.now ?? /* @__PURE__ */ new Date();
  const { snapshots } = await listSnapshots(request.store);
  const filter = request.filter ?? {};
  const newest = snapshots.find((s) => (filter.kind ? true : s.kind !== "pre-restore") && matchesFilter(s, filter));
  const scope = [filter.kind && `kind ${filter.kind}`, filter.tags?.length && `tags ${filter.tags.join(",")}`].filter(Boolean).join(", ");
  if (!newest)
    throw new NotFoundError(
      `no snapshot${scope ? ` with ${scope}` : ""} in ${request.store.properties.location}: the backups are not running`
    );
  const ageMs = now.getTime() - Date.parse(newest.created);
  if (ageMs > request.maxAgeMs) {
    throw new StaleSnapshotError(
      `the newest snapshot${scope ? ` with ${scope}` : ""} in ${request.store.properties.location} is ${newest.id}, ${formatAge(ageMs)} old (limit ${formatAge(request.maxAgeMs)}): the backups have stopped`
    );
  }
  const [outcome] = await verifySnapshots({ store: request.store, references: [newest.id] });
  if (!outcome?.ok)
    throw new StaleSnapshotError(
      `the newest snapshot ${newest.id} does not verify: ${outcome?.problems[0] ?? "unknown problem"}`
    );
  return { snapshot: newest, ageMs };
}

// src/ops/prune.ts
var UNFINISHED_GRACE_MS = 60 * 60 * 1e3;
var PIN_LIMIT_MS = 7 * 24 * 60 * 60 * 1e3;
function isPinned(snapshot, folder, now) {
  return snapshot.kind === "pre-deploy" && now.getTime() - Date.parse(snapshot.created) < PIN_LIMIT_MS && !folder?.objects.some((o) => o.key === `${snapshot.id}/${OUTCOME_OBJECT}`);
}
async function planPrune(store, request) {
  validatePolicy(request.policy);
  if (!store.properties.listable) {
    throw new UsageError(
      `${store.properties.location} cannot list its contents, so prune cannot see which snapshots exist`
    );
  }
  const listing = await listSnapshots(store);
  return decidePrune(listing, listing.folders, request, store.properties.location);
}
function decidePrune(listing, folders, request, location) {
  const now = request.now;
  if (Number.isNaN(now.getTime())) throw new RangeError('prune needs a valid "now"');
  const scope = {
    ...request.scope?.kind ? { kind: request.scope.kind } : {},
    tags: [...request.scope?.tags ?? []]
  };
  const filter = scope;
  const inScope = listing.snapshots.filter((snapshot) => matchesFilter(snapshot, filter));
  const candidates = inScope.map((snapshot) => ({
    id: snapshot.id,
    created: new Date(snapshot.created),
    kind: snapshot.kind,
    tags: snapshot.tags,
    pinned: isPinned(snapshot, folders.get(snapshot.id), now),
    metadata: snapshot
  }));
  const decisions = applyRetention(candidates, request.policy, { now });
  const byGroup = /* @__PURE__ */ new Map();
  for (const decision of decisions) {
    const rows = byGroup.get(decision.group) ?? [];
    if (rows.length === 0) byGroup.set(decision.group, rows);
    rows.push({
      snapshot: decision.snapshot.metadata,
      action: decision.keep ? "keep" : "remove",
      reasons: decision.reasons,
      group: decision.group,
      bytes: storedBytes(decision.snapshot.metadata, folders.get(decision.snapshot.id))
    });
  }
  const snapshots = [...byGroup.values()].flat();
  keepWhatChainsNeed(snapshots, listing.snapshots);
  return {
    location,
    policy: request.policy,
    scope,
    now,
    snapshots,
    unfinished: listing.unfinished.map((folder) => decideUnfinished(folder, now)),
    damaged: [...listing.damaged].sort((a, b) => a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
    outOfScope: listing.snapshots.length - inScope.length
  };
}
function keepWhatChainsNeed(decisions, all) {
  const removing = new Set(decisions.filter((d) => d.action === "remove").map((d) => d.snapshot.id));
  const kept = new Set(all.map((s) => s.id).filter((id) => !removing.has(id)));
  const neededBy = keepChains(kept, new Map(all.map((s) => [s.id, linkOf(s)])));
  for (const decision of decisions) {
    const by = neededBy.get(decision.snapshot.id);
    if (decision.action === "remove" && by !== void 0) {
      decision.action = "keep";
      decision.neededBy = by;
    }
  }
}
function folderBytes(folder) {
  return folder?.objects.reduce((sum, object) => sum + object.size, 0);
}
function decideUnfinished(folder, now) {
  const started = snapshotIdTime(folder.id);
  const times = [...folder.objects, ...folder.emptySince ? [{ modified: folder.emptySince }] : []].map(
    (object) => object.modified.getTime()
  );
  const lastModified = new Date(times.length > 0 ? Math.max(...times) : started.getTime());
  const base = { id: folder.id, objects: folder.objects, bytes: folderBytes(folder) ?? 0, lastModified };
  if (!isOlderThanGrace(started, now)) {
    return { ...base, action: "keep", reason: `started ${age(started, now)}: a backup may still be writing it` };
  }
  if (!isOlderThanGrace(lastModified, now)) {
    return {
      ...base,
      action: "keep",
      reason: `written to ${age(lastModified, now)}: a backup may still be writing it`
    };
  }
  return { ...base, action: "remove", reason: `interrupted backup, last written ${age(lastModified, now)}` };
}
function isOlderThanGrace(time, now) {
  return now.getTime() - time.getTime() > UNFINISHED_GRACE_MS;
}
function age(time, now) {
  const ms = now.getTime() - time.getTime();
  const text = formatDuration(Math.floor(Math.abs(ms) / 1e3) * 1e3, { maxParts: 2 });
  return ms < 0 ? `${text} in the future (clock skew?)` : `${text} ago`;
}
async function applyPrune(store, plan, reporter = silentReporter) {
  const result = {
    removedSnapshots: [],
    removedUnfinished: [],
    skippedUnfinished: [],
    removedPartials: [],
    bytesFreed: 0
  };
  if (store.properties.deletable) {
    for (const prefix of ["audit/", "locks/"]) {
      const stale = [];
      for await (const object of store.list(prefix)) {
        if (object.key.includes(".partial-") && plan.now.getTime() - object.modified.getTime() > UNFINISHED_GRACE_MS)
          stale.push(object);
      }
      if (stale.length === 0) continue;
      await store.delete(stale.map((object) => object.key));
      result.removedPartials.push(...stale.map((object) => object.key));
      result.bytesFreed += stale.reduce((sum, object) => sum + object.size, 0);
    }
  }
  const snapshots = plan.snapshots.filter((decision) => decision.action === "remove");
  const unfinished = plan.unfinished.filter((decision) => decision.action === "remove");
  if (snapshots.length + unfinished.length === 0) return result;
  if (!store.properties.deletable) {
    throw new UsageError(
      `${store.properties.location} does not allow deleting objects, so prune cannot remove snapshots from it`
    );
  }
  try {
    for (const [index, decision] of snapshots.entries()) {
      const id = decision.snapshot.id;
      reporter.emit({
        type: "phase",
        phase: "prune",
        message: `removing snapshot ${id} (${index + 1}/${snapshots.length})`
      });
      await store.delete([`${id}/${SNAPSHOT_OBJECT}`]);
      const rest = await listFolder(store, id);
      if (rest.length > 0) await store.delete(rest.map((object) => object.key));
      result.removedSnapshots.push(id);
      result.bytesFreed += decision.bytes;
    }
    for (const [index, decision] of unfinished.entries()) {
      reporter.emit({
        type: "phase",
        phase: "prune",
        message: `removing unfinished folder ${decision.id} (${index + 1}/${unfinished.length})`
      });
      const objects = await listFolder(store, decision.id);
      if (objects.length === 0) {
        if (decision.objects.length === 0 && await store.removeEmptyFolder?.(decision.id))
          result.removedUnfinished.push(decision.id);
        continue;
      }
      const changed = changedSincePlanning(decision.id, objects, plan.now);
      if (changed) {
        result.skippedUnfinished.push({ id: decision.id, reason: changed });
        reporter.emit({ type: "warning", message: `left unfinished folder ${decision.id} in place: ${changed}` });
        continue;
      }
      await store.delete(objects.map((object) => object.key));
      result.removedUnfinished.push(decision.id);
      result.bytesFreed += objects.reduce((sum, object) => sum + object.size, 0);
    }
  } catch (error) {
    if (!(error instanceof RipcordError)) throw error;
    const done = `removed ${result.removedSnapshots.length} of ${snapshots.length} snapshot(s) and ${result.removedUnfinished.length} of ${unfinished.length} unfinished folder(s) before that; run ripcord prune again to finish`;
    throw new StorageError(`prune stopped: ${error.message} (${done})`, {
      transient: error instanceof StorageError && error.transient,
      cause: error
    });
  }
  return result;
}
async function listFolder(store, id) {
  const objects = [];
  for await (const object of store.list(`${id}/`)) objects.push(object);
  return objects;
}
function changedSincePlanning(id, objects, now) {
  if (objects.some((object) => object.key === `${id}/${SNAPSHOT_OBJECT}`))
    return "it was committed (snapshot.json appeared) after planning";
  const fresh = objects.find((object) => !isOlderThanGrace(object.modified, now));
  if (!fresh) return void 0;
  const when = fresh.modified.getTime() > now.getTime() ? "after planning" : age(fresh.modified, now);
  return `${fresh.key} was written to ${when}: a backup may still be writing it`;
}

export {
  hasKeepRule,
  parseKeepCount,
  describePolicy,
  planCopy,
  applyCopy,
  verifySnapshots,
  checkFreshness,
  planPrune,
  applyPrune
};
