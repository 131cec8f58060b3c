import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  NotFoundError,
  RipcordError,
  StorageError,
  UsageError,
  assertValidKey
} from "./chunk-23W3WYYB.js";

// src/domain/snapshot-id.ts
import { randomBytes } from "node:crypto";
var ID_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z-[0-9a-f]{4}$/;
function createSnapshotId(at = /* @__PURE__ */ new Date(), random = randomBytes(2).toString("hex")) {
  const stamp = at.toISOString().replace(/[-:]/g, "");
  return `${stamp}-${random}`;
}
function isSnapshotId(value) {
  return ID_PATTERN.test(value);
}
function snapshotIdTime(id) {
  const m = ID_PATTERN.exec(id);
  if (!m) throw new Error(`not a snapshot id: ${id}`);
  const [, y, mo, d, h, mi, s, ms] = m;
  return /* @__PURE__ */ new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
}
function compareNewestFirst(a, b) {
  return a < b ? 1 : a > b ? -1 : 0;
}

// src/domain/snapshot.ts
import { createHash } from "node:crypto";
var SNAPSHOT_FORMAT = "ripcord-snapshot/1";
var ARCHIVE_OBJECT = "archive.tar.gz.pgp";
var MANIFEST_OBJECT = "manifest.json.pgp";
var CHECKSUMS_OBJECT = "SHA256SUMS";
var SNAPSHOT_OBJECT = "snapshot.json";
var SNAPSHOT_KINDS = ["manual", "pre-deploy", "pre-restore", "scheduled"];
function isSnapshotKind(value) {
  return SNAPSHOT_KINDS.includes(value);
}
var TAG_CHARACTERS = "A-Z a-z 0-9 . _ : / = @ + -";
var MAX_TAG_LENGTH = 128;
var TAG = /^[A-Za-z0-9._:/=@+-]+$/;
function tagProblem(tag) {
  if (tag.length === 0) return "a tag cannot be empty";
  if (tag.length > MAX_TAG_LENGTH)
    return `tag ${JSON.stringify(`${tag.slice(0, 32)}...`)} is longer than ${MAX_TAG_LENGTH} characters`;
  if (!TAG.test(tag)) return `tag ${JSON.stringify(tag)} has a character outside ${TAG_CHARACTERS}`;
  return void 0;
}
function checkLabels(kind, tags) {
  if (!isSnapshotKind(kind))
    throw new UsageError(`kind ${JSON.stringify(kind)} is not one of ${SNAPSHOT_KINDS.join(", ")}`);
  for (const tag of tags) {
    const problem = tagProblem(tag);
    if (problem) throw new UsageError(problem);
  }
}
function isPassphraseCheck(value) {
  const check = value;
  return typeof check === "object" && check !== null && check.s2k === "iterated-sha256" && typeof check.salt === "string" && /^[0-9a-f]{16}$/.test(check.salt) && Number.isInteger(check.count) && check.count >= 0 && check.count <= 255 && typeof check.hmac === "string" && /^[0-9a-f]{64}$/.test(check.hmac);
}
var KEY_ORDER = [
  "format",
  "id",
  "created",
  "kind",
  "tags",
  "host",
  "user",
  "git",
  "ci",
  "restoredFrom",
  "mergedFrom",
  "level",
  "parent",
  "parentManifestSha256",
  "base",
  "files",
  "inputBytes",
  "archiveBytes",
  "durationMs",
  "compression",
  "encryption",
  "objects",
  "tool",
  "metadataSha256"
];
function ordered(metadata) {
  const out = {};
  for (const key of KEY_ORDER) if (metadata[key] !== void 0) out[key] = metadata[key];
  return out;
}
function digest(metadata) {
  const { metadataSha256: _ignored, ...rest } = metadata;
  return createHash("sha256").update(JSON.stringify(ordered(rest))).digest("hex");
}
function sealMetadata(metadata) {
  return { ...metadata, metadataSha256: digest(metadata) };
}
function serializeMetadata(metadata) {
  return `${JSON.stringify(ordered(metadata), null, 2)}
`;
}
function parseMetadata(text, expectedId) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: "snapshot.json is not valid JSON" };
  }
  const problem = checkShape(value);
  if (problem) return { problem: `snapshot.json ${problem}` };
  const metadata = value;
  if (metadata.id !== expectedId) return { problem: `snapshot.json names a different id (${String(metadata.id)})` };
  if (digest(metadata) !== metadata.metadataSha256)
    return { problem: "snapshot.json does not match its own checksum (it was changed or damaged)" };
  if (serializeMetadata(metadata) !== text)
    return { problem: "snapshot.json is not in canonical form (it was edited or damaged)" };
  return { metadata };
}
function checkShape(value) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "is not an object";
  const m = value;
  if (m.format !== SNAPSHOT_FORMAT) return `has an unknown format ${JSON.stringify(m.format)}`;
  if (typeof m.id !== "string" || !isSnapshotId(m.id)) return "has no valid id";
  if (typeof m.created !== "string" || Number.isNaN(Date.parse(m.created))) return "has no valid created time";
  if (!isSnapshotKind(m.kind)) return `has an unknown kind (not one of ${SNAPSHOT_KINDS.join(", ")})`;
  if (!Array.isArray(m.tags) || !m.tags.every((t) => typeof t === "string")) return "has invalid tags";
  for (const field of ["files", "inputBytes", "archiveBytes", "durationMs"]) {
    if (typeof m[field] !== "number" || !Number.isSafeInteger(m[field]) || m[field] < 0)
      return `has an invalid ${field}`;
  }
  const strings = (value2, fields, required = []) => typeof value2 === "object" && value2 !== null && !Array.isArray(value2) && fields.every(
    (f) => value2[f] === void 0 ? !required.includes(f) : typeof value2[f] === "string"
  );
  if (typeof m.host !== "string" || typeof m.user !== "string") return "has an invalid host or user";
  if (m.git !== void 0 && !strings(m.git, ["commit", "branch", "remote"], ["commit"]))
    return "has an invalid git record";
  if (m.ci !== void 0 && !strings(m.ci, ["provider", "runId", "runUrl", "actor", "workflow", "ref"]))
    return "has an invalid ci record";
  if (m.restoredFrom !== void 0 && (typeof m.restoredFrom !== "string" || !isSnapshotId(m.restoredFrom)))
    return "has an invalid restoredFrom";
  if (m.mergedFrom !== void 0 && (typeof m.mergedFrom !== "string" || !isSnapshotId(m.mergedFrom)))
    return "has an invalid mergedFrom";
  const chainProblem = chainFieldsProblem(m);
  if (chainProblem) return chainProblem;
  const encryption = m.encryption;
  if (!strings(encryption, ["mode", "profile"], ["mode", "profile"]) || !Array.isArray(encryption.recipients) || !encryption.recipients.every((r) => typeof r === "string")) {
    return "has an invalid encryption record";
  }
  if (!strings(m.tool, ["name", "version"], ["name", "version"])) return "has an invalid tool record";
  const objects = m.objects;
  for (const name of [ARCHIVE_OBJECT, MANIFEST_OBJECT]) {
    const o = objects?.[name];
    if (!o || typeof o.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(o.sha256) || typeof o.bytes !== "number") {
      return `has no valid checksum for ${name}`;
    }
  }
  if (encryption?.keyCheck !== void 0 && !isPassphraseCheck(encryption.keyCheck))
    return "has an invalid encryption.keyCheck";
  if (typeof m.metadataSha256 !== "string") return "has no metadataSha256";
  return void 0;
}
function chainFieldsProblem(m) {
  if (m.level === void 0) {
    return m.parent !== void 0 || m.base !== void 0 || m.parentManifestSha256 !== void 0 ? "names a parent but no level" : void 0;
  }
  if (m.level !== "incremental" && m.level !== "differential") return "has an unknown level";
  for (const field of ["parent", "base"])
    if (typeof m[field] !== "string" || !isSnapshotId(m[field])) return `has an invalid ${field}`;
  if (typeof m.parentManifestSha256 !== "string" || !/^[0-9a-f]{64}$/.test(m.parentManifestSha256))
    return "has an invalid parentManifestSha256";
  return void 0;
}
function formatChecksums(objects) {
  return `${objects[ARCHIVE_OBJECT].sha256}  ${ARCHIVE_OBJECT}
${objects[MANIFEST_OBJECT].sha256}  ${MANIFEST_OBJECT}
`;
}
function parseChecksums(text) {
  const sums = /* @__PURE__ */ new Map();
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (m) sums.set(m[2], m[1]);
  }
  return sums;
}

// src/storage/replace-file.ts
import { randomBytes as randomBytes2 } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
var PARTIAL_MARKER = ".partial-";
async function replaceFile(target, write) {
  const partial = `${target}${PARTIAL_MARKER}${randomBytes2(4).toString("hex")}`;
  try {
    await write(partial);
    await fs.rename(partial, target);
    await syncDirectory(path.dirname(target));
  } catch (error) {
    await fs.rm(partial, { force: true }).catch(() => {
    });
    throw error;
  }
}
async function writeFileAtomically(target, content, mode) {
  await replaceFile(target, async (partial) => {
    const handle = await fs.open(partial, "wx", mode);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}
async function syncDirectory(dir) {
  const handle = await fs.open(dir, "r");
  try {
    await handle.sync();
  } catch {
  } finally {
    await handle.close();
  }
}

// src/storage/local-store.ts
import { createReadStream, createWriteStream, openSync } from "node:fs";
import * as fs2 from "node:fs/promises";
import * as path2 from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
var LocalStore = class {
  properties;
  root;
  constructor(root) {
    this.root = path2.resolve(root);
    this.properties = { location: this.root, listable: true, deletable: true, durable: true };
  }
  pathOf(key) {
    assertValidKey(key);
    return path2.join(this.root, ...key.split("/"));
  }
  async put(key, body, options = {}) {
    const target = this.pathOf(key);
    try {
      await replaceFile(target, async (partial) => {
        let fd;
        for (let attempt = 0; fd === void 0; attempt++) {
          try {
            await fs2.mkdir(path2.dirname(target), { recursive: true, mode: 448 });
            fd = openSync(partial, "wx", 384);
          } catch (error) {
            if (!isCode(error, "ENOENT") || attempt >= 100) throw error;
          }
        }
        const out = createWriteStream("", { fd, autoClose: true, highWaterMark: 1 << 20 });
        if (options.onWritten) reportWrites(out, options.onWritten);
        const flusher = await BackgroundFlush.open(partial);
        try {
          await pipeline(body instanceof Uint8Array ? Readable.from([body]) : body, flusher.counting(), out);
          await flusher.finish();
        } finally {
          await flusher.close();
        }
      });
    } catch (error) {
      await this.removeEmptyFolders([path2.dirname(target)]);
      throw this.classify(error, `write ${key}`);
    }
  }
  async get(key, options = {}) {
    const file = this.pathOf(key);
    let handle;
    try {
      handle = await fs2.open(file, "r");
    } catch (error) {
      throw this.classify(error, `read ${key}`);
    }
    return createReadStream("", {
      fd: handle,
      highWaterMark: 1 << 20,
      ...options.offset ? { start: options.offset } : {},
      ...options.length !== void 0 ? { end: (options.offset ?? 0) + options.length - 1 } : {}
    });
  }
  async openFile(key) {
    let handle;
    try {
      handle = await fs2.open(this.pathOf(key), "r");
    } catch (error) {
      throw this.classify(error, `read ${key}`);
    }
    return {
      read: async (buffer) => {
        try {
          return (await handle.read(buffer, 0, buffer.length, null)).bytesRead;
        } catch (error) {
          throw this.classify(error, `read ${key}`);
        }
      },
      close: () => handle.close()
    };
  }
  async stat(key) {
    try {
      const stats = await fs2.stat(this.pathOf(key));
      return stats.isFile() ? { key, size: stats.size, modified: stats.mtime } : void 0;
    } catch (error) {
      if (isCode(error, "ENOENT") || isCode(error, "ENOTDIR")) return void 0;
      throw this.classify(error, `stat ${key}`);
    }
  }
  async *list(prefix, options) {
    const slash = prefix.lastIndexOf("/");
    const base = slash < 0 ? "" : prefix.slice(0, slash);
    const start = base === "" ? this.root : this.pathOf(base);
    if (base !== "" && options?.within && !options.within(base.split("/")[0])) return;
    yield* this.walk(start, base, prefix, options?.within);
  }
  async *walk(dir, keyPrefix, filter, within) {
    let entries;
    try {
      entries = await fs2.readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isCode(error, "ENOENT") || isCode(error, "ENOTDIR")) return;
      throw this.classify(error, `list ${keyPrefix || "/"}`);
    }
    const files = [];
    const folders = [];
    for (const entry of entries) {
      const key = keyPrefix === "" ? entry.name : `${keyPrefix}/${entry.name}`;
      if (!key.startsWith(filter) && !filter.startsWith(`${key}/`)) continue;
      const full = path2.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (keyPrefix === "" && within && !within(entry.name)) continue;
        folders.push({ key, full });
      } else if (entry.isFile()) files.push({ key, full });
    }
    for (let i = 0; i < files.length; i += STATS_AT_ONCE) {
      const objects = await Promise.all(files.slice(i, i + STATS_AT_ONCE).map((file) => this.listed(file)));
      for (const object of objects) if (object) yield object;
    }
    for (const folder of folders) yield* this.walk(folder.full, folder.key, filter);
  }
  /** A listed file as a stored object; undefined when it went away since its folder was read. */
  async listed({ key, full }) {
    try {
      const stats = await fs2.stat(full);
      return { key, size: stats.size, modified: stats.mtime };
    } catch (error) {
      if (!isCode(error, "ENOENT")) throw this.classify(error, `list ${key}`);
      return void 0;
    }
  }
  async *listEmptyFolders() {
    let entries;
    try {
      entries = await fs2.readdir(this.root, { withFileTypes: true });
    } catch (error) {
      if (isCode(error, "ENOENT") || isCode(error, "ENOTDIR")) return;
      throw this.classify(error, "list /");
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const full = path2.join(this.root, entry.name);
      try {
        if ((await fs2.readdir(full)).length === 0)
          yield { key: entry.name, size: 0, modified: (await fs2.stat(full)).mtime };
      } catch (error) {
        if (!isCode(error, "ENOENT") && !isCode(error, "ENOTDIR")) throw this.classify(error, `list ${entry.name}`);
      }
    }
  }
  async removeEmptyFolder(key) {
    try {
      await fs2.rmdir(this.pathOf(key));
      return true;
    } catch (error) {
      if (isCode(error, "ENOENT") || isCode(error, "ENOTEMPTY") || isCode(error, "EEXIST") || isCode(error, "ENOTDIR"))
        return false;
      throw this.classify(error, `delete ${key}/`);
    }
  }
  async delete(keys) {
    const folders = /* @__PURE__ */ new Set();
    for (const key of keys) {
      const file = this.pathOf(key);
      await fs2.rm(file, { force: true }).catch((error) => {
        throw this.classify(error, `delete ${key}`);
      });
      folders.add(path2.dirname(file));
    }
    await this.removeEmptyFolders([...folders]);
  }
  /** Remove these folders and their parents inside the store while they are empty, deepest first. */
  async removeEmptyFolders(folders) {
    for (const folder of folders.sort((a, b) => b.length - a.length)) {
      for (let dir = folder; dir.startsWith(this.root + path2.sep); dir = path2.dirname(dir)) {
        try {
          await fs2.rmdir(dir);
        } catch {
          break;
        }
      }
    }
  }
  async close() {
  }
  classify(error, action) {
    if (error instanceof RipcordError) return error;
    if (isCode(error, "ENOENT") || isCode(error, "ENOTDIR")) {
      return new NotFoundError(`${this.properties.location}: cannot ${action}: no such object`, { cause: error });
    }
    const code = error?.code;
    const hint = code === "ENOSPC" ? "the disk is full; free space or use another repository" : code === "EACCES" || code === "EPERM" ? "permission denied; check the repository folder owner and mode" : code === "EROFS" ? "the file system is read-only" : error?.message ?? String(error);
    return new StorageError(`${this.properties.location}: cannot ${action}: ${hint}`, { cause: error });
  }
};
var STATS_AT_ONCE = 16;
var BackgroundFlush = class _BackgroundFlush {
  /** bytes written between two flushes */
  static EVERY = 32 << 20;
  #file;
  #inFlight;
  #failure;
  constructor(file) {
    this.#file = file;
  }
  static async open(file) {
    return new _BackgroundFlush(await fs2.open(file, "r+"));
  }
  /** A pass-through stage that starts a flush each time another EVERY bytes have gone by. */
  counting() {
    let since = 0;
    return new Transform({
      transform: (chunk, _encoding, done) => {
        if (this.#failure !== void 0) return done(this.#failure);
        since += chunk.length;
        if (since >= _BackgroundFlush.EVERY && this.#inFlight === void 0) {
          since = 0;
          this.#inFlight = this.#file.datasync().catch((error) => void (this.#failure = error)).finally(() => this.#inFlight = void 0);
        }
        done(null, chunk);
      }
    });
  }
  /** Wait for the flush in flight and flush the rest: the file is on disk when this resolves. */
  async finish() {
    await this.#inFlight;
    if (this.#failure !== void 0) throw this.#failure;
    await this.#file.sync();
  }
  async close() {
    await this.#inFlight;
    await this.#file.close();
  }
};
function reportWrites(out, onWritten) {
  const write = out._write.bind(out);
  out._write = (chunk, encoding, callback) => write(chunk, encoding, (error) => {
    if (!error) onWritten(chunk);
    callback(error);
  });
  const writev = out._writev?.bind(out);
  if (!writev) return;
  out._writev = (chunks, callback) => writev(chunks, (error) => {
    if (!error) for (const { chunk } of chunks) onWritten(chunk);
    callback(error);
  });
}
function isCode(error, code) {
  return error?.code === code;
}

export {
  createSnapshotId,
  isSnapshotId,
  snapshotIdTime,
  compareNewestFirst,
  SNAPSHOT_FORMAT,
  ARCHIVE_OBJECT,
  MANIFEST_OBJECT,
  CHECKSUMS_OBJECT,
  SNAPSHOT_OBJECT,
  SNAPSHOT_KINDS,
  TAG_CHARACTERS,
  MAX_TAG_LENGTH,
  checkLabels,
  isPassphraseCheck,
  sealMetadata,
  serializeMetadata,
  parseMetadata,
  formatChecksums,
  parseChecksums,
  PARTIAL_MARKER,
  writeFileAtomically,
  LocalStore
};
