import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  diffSnapshots,
  diffWithFolder,
  dumpFile
} from "./chunk-STV4SJTA.js";
import {
  backupRequestFrom,
  deployRequestFrom
} from "./chunk-OD4Y2XAR.js";
import {
  applyCopy,
  applyPrune,
  checkFreshness,
  describePolicy,
  hasKeepRule,
  parseKeepCount,
  planCopy,
  planPrune,
  verifySnapshots
} from "./chunk-WG5IVQGF.js";
import {
  AUDITED_OPERATIONS,
  appendRunAudit,
  isAuditable,
  readAudit
} from "./chunk-7OKTSJZU.js";
import {
  BACKUP_LEVELS,
  CAPTURED_DIR,
  DEFAULT_AUTO_POLICY,
  DEFAULT_COMPRESSION_LEVEL,
  DEFAULT_EXCLUDES,
  MAX_CHAIN,
  VERSION,
  applyRestore,
  compileBodyPattern,
  countOf,
  createBackup,
  decryptionKeysFrom,
  describeActor,
  describeOrigin,
  encryptionKeysFrom,
  escapeControls,
  escapeControlsKeepingLines,
  escapeJsonControls,
  formatAge,
  isBackupLevel,
  isChainRecordOf,
  listSnapshots,
  lockOwner,
  makeScratchFolder,
  matchesFilter,
  openStore,
  parseCaptureSpec,
  parseDuration,
  parseExpectedStatus,
  planRestore,
  preRestoreKeysFrom,
  readManifest,
  readStoredBytes,
  removeStaleStaging,
  repositorySkip,
  resolveSnapshot,
  runGuardedDeploy,
  runRollback,
  shellQuote,
  silentReporter,
  slackText,
  storedBytes,
  undoCommand,
  withLock,
  withManifest
} from "./chunk-IKWDMS5Z.js";
import {
  LocalStore,
  MAX_TAG_LENGTH,
  SNAPSHOT_KINDS,
  TAG_CHARACTERS,
  writeFileAtomically
} from "./chunk-4ZCQRPLC.js";
import "./chunk-LMOK4EBW.js";
import {
  closeMatches,
  validateAgainstSchema
} from "./chunk-AO3CSKHO.js";
import "./chunk-EYQ7L4U7.js";
import {
  ExitCode,
  IntegrityError,
  InterruptedError,
  KeyError,
  NotFoundError,
  StorageError,
  UsageError,
  isRipcordError
} from "./chunk-23W3WYYB.js";
import "./chunk-374JASB6.js";

// src/cli/command.ts
import { parseArgs } from "node:util";
var FOLDER_OPTION = { type: "string", short: "C", value: "DIR" };
var PATHS_OPTION = {
  type: "string",
  short: "p",
  value: "P1,P2",
  multiple: true
};
var TAG_OPTION = { type: "string", short: "t", value: "TAG", multiple: true };
var GLOBAL_OPTIONS = {
  repo: {
    type: "string",
    short: "r",
    value: "URL",
    description: "repository: a local path, s3://bucket/prefix or actions-cache://name (default: $RIPCORD_REPO, else ./.ripcord)"
  },
  json: { type: "boolean", description: "print machine-readable JSON on stdout" },
  quiet: { type: "boolean", short: "q", description: "print only results and warnings, no progress" },
  debug: { type: "boolean", description: "print stack traces and internal details on failure" },
  "passphrase-file": {
    type: "string",
    value: "FILE",
    description: "read the passphrase from FILE instead of $RIPCORD_PASSPHRASE"
  },
  "signing-key": {
    type: "string",
    value: "FILE",
    description: "armored private key that signs every snapshot written, public-key mode above all (default: $RIPCORD_SIGNING_KEY; its passphrase: $RIPCORD_SIGNING_KEY_PASSPHRASE; docs/security.md)"
  },
  "trusted-signer": {
    type: "string",
    value: "KEY",
    multiple: true,
    description: "a fingerprint, or a file with an armored public key, whose signatures are trusted; public-key snapshots are used only when signed by one (default: $RIPCORD_TRUSTED_SIGNERS)"
  },
  "allow-unsigned": {
    type: "boolean",
    description: "use snapshots that are not signed (made before signing was set up), with a warning naming each: anyone holding the public key could have made them"
  },
  config: {
    type: "string",
    value: "FILE",
    description: "configuration file: backup sets, repository, monitoring (default: ./ripcord.config.json when there is one)"
  },
  help: { type: "boolean", short: "h", description: "show this help" },
  "s3-endpoint": {
    type: "string",
    value: "URL",
    group: "S3",
    description: "S3-compatible endpoint (MinIO, Ceph, R2...); path-style addressing is used with it (default: $AWS_ENDPOINT_URL)"
  },
  "s3-region": {
    type: "string",
    value: "REGION",
    group: "S3",
    description: "region (default: $AWS_REGION, the profile, else us-east-1)"
  },
  "s3-sse": {
    type: "string",
    value: "AES256|aws:kms",
    group: "S3",
    description: "server-side encryption for every object written"
  },
  "s3-kms-key-id": {
    type: "string",
    value: "KEY",
    group: "S3",
    description: "KMS key for --s3-sse aws:kms (default: the AWS-managed key)"
  },
  "s3-storage-class": {
    type: "string",
    value: "CLASS",
    group: "S3",
    description: "storage class, e.g. STANDARD_IA (archive classes need a thaw before restore)"
  },
  "s3-object-lock-days": {
    type: "string",
    value: "N",
    group: "S3",
    description: "Object Lock retention in days for every object written (immutable backups; the bucket needs Object Lock enabled)"
  },
  "s3-object-lock-mode": {
    type: "string",
    value: "MODE",
    group: "S3",
    description: "GOVERNANCE or COMPLIANCE",
    default: "GOVERNANCE"
  }
};
function parseCommandLine(command, argv) {
  const specs3 = { ...GLOBAL_OPTIONS, ...command.options };
  const options = Object.fromEntries(
    Object.entries(specs3).map(([name, spec]) => [
      name,
      { type: spec.type, ...spec.short ? { short: spec.short } : {}, ...spec.multiple ? { multiple: true } : {} }
    ])
  );
  try {
    const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: parsed.values, positionals: parsed.positionals };
  } catch (error) {
    const message = error.message.replace(/\. To specify a positional argument.*$/s, "").replace(/\s+/g, " ");
    const unknown = /^Unknown option '--([^'=]+)'/.exec(message)?.[1];
    const close = unknown === void 0 ? [] : closeMatches(unknown, Object.keys(specs3));
    const hint = close.length > 0 ? `did you mean ${close.map((name) => `--${name}`).join(" or ")}? ` : "";
    throw new UsageError(`${message} (${hint}see ripcord ${command.name} --help)`);
  }
}
function formatHelp(command) {
  const lines = [`Usage: ${command.usage}`, "", command.summary];
  if (command.description) lines.push("", command.description);
  if (/<id\|latest/.test(command.usage)) {
    lines.push(
      "",
      "A snapshot is named by its id, a unique start of it, or latest: the newest snapshot that is",
      "not a pre-restore snapshot (so that restoring latest twice does the same thing twice)."
    );
  }
  const section = (title, specs3) => {
    const rows = Object.entries(specs3).map(([name, spec]) => {
      const flag2 = `${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.value ? ` ${spec.value}` : ""}`;
      const more = [spec.multiple ? "(repeatable)" : "", spec.default ? `(default: ${spec.default})` : ""].filter(Boolean).join(" ");
      return [flag2, `${spec.description}${more ? ` ${more}` : ""}`];
    });
    if (rows.length === 0) return;
    const width = Math.max(...rows.map(([flag2]) => flag2.length));
    lines.push("", `${title}:`, ...rows.map(([flag2, text]) => `  ${flag2.padEnd(width)}  ${text}`));
  };
  section("Options", Object.fromEntries(Object.entries(command.options).filter(([, spec]) => !spec.group)));
  section(
    "Monitoring options (docs/observability.md)",
    Object.fromEntries(Object.entries(command.options).filter(([, spec]) => spec.group === "Monitoring"))
  );
  section("Common options", Object.fromEntries(Object.entries(GLOBAL_OPTIONS).filter(([, spec]) => !spec.group)));
  section(
    "S3 options (for s3:// repositories)",
    Object.fromEntries(Object.entries(GLOBAL_OPTIONS).filter(([, spec]) => spec.group === "S3"))
  );
  if (command.examples?.length) lines.push("", "Examples:", ...command.examples.map((e) => `  ${e}`));
  return `${lines.join("\n")}
`;
}
function stringOption(values, name) {
  const value = values[name];
  return typeof value === "string" ? value : void 0;
}
function listOption(values, name) {
  const value = values[name];
  if (value === void 0) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((v) => String(v).split(",")).map((s) => s.trim()).filter(Boolean);
}
function flag(values, name) {
  return values[name] === true;
}

// src/cli/config-file.ts
import * as fs from "node:fs/promises";
import * as path from "node:path";

// schema/ripcord.config.schema.json
var ripcord_config_schema_default = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://github.com/owner/ripcord/blob/main/schema/ripcord.config.schema.json",
  title: "ripcord configuration (ripcord.config.json)",
  description: "Named backup sets, each with its own paths, repository and retention, and where ripcord reports on its runs. Command-line flags override every value here. Reference: docs/observability.md.",
  type: "object",
  additionalProperties: false,
  properties: {
    $schema: {
      type: "string",
      description: "The schema that editors use to complete and check this file, e.g. ./node_modules/ripcord-backup/schema/ripcord.config.schema.json"
    },
    repository: {
      $ref: "#/$defs/repository",
      description: "Repository of every set that names none (a local path, relative to this file, or s3://bucket/prefix). --repo overrides it; it overrides $RIPCORD_REPO."
    },
    "signing-key": {
      type: "string",
      minLength: 1,
      description: "File holding the armored private key that signs every snapshot written (relative to this file; never the key itself: this file is not secret). --signing-key overrides it; it overrides $RIPCORD_SIGNING_KEY. Its passphrase: $RIPCORD_SIGNING_KEY_PASSPHRASE. See docs/security.md."
    },
    "trusted-signers": {
      type: "array",
      minItems: 1,
      description: "Whose signatures restore, rollback, deploy and verify --read-data trust: primary-key fingerprints (40 hex digits) or files with armored public keys (relative to this file). --trusted-signer overrides it; it overrides $RIPCORD_TRUSTED_SIGNERS. See docs/security.md.",
      items: { type: "string", minLength: 1 }
    },
    sets: {
      type: "object",
      description: "Backup sets by name: ripcord backup --set NAME, prune --set NAME, check --set NAME. Each snapshot of a set carries the tag set:NAME.",
      minProperties: 1,
      propertyNames: { title: 'a set name of letters, digits, ".", "_" and "-"', pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$" },
      additionalProperties: { $ref: "#/$defs/set" }
    },
    metrics: {
      type: "object",
      description: "Prometheus metrics of every backup, restore, prune, copy, deploy, rollback, check and verify run (docs/observability.md).",
      additionalProperties: false,
      properties: {
        file: {
          type: "string",
          minLength: 1,
          description: "node_exporter textfile to update (replaced atomically), e.g. /var/lib/node_exporter/textfile_collector/ripcord.prom; relative to this file. --metrics-file overrides it."
        },
        pushgateway: {
          $ref: "#/$defs/url",
          description: 'Prometheus Pushgateway to push to, e.g. http://pushgateway:9091 (group job="ripcord", operation, set). --pushgateway overrides it.'
        },
        labels: {
          type: "object",
          description: 'Labels added to every metric and to the Pushgateway group, e.g. { "repository": "acme/app" }. --metrics-label NAME=VALUE replaces them.',
          propertyNames: {
            title: "a Prometheus label name other than operation, set, result, job and instance",
            pattern: "^(?!(operation|set|result|job|instance)$)(?!__)[a-zA-Z_][a-zA-Z0-9_]*$"
          },
          additionalProperties: { type: "string" }
        }
      }
    },
    notify: {
      type: "object",
      description: "A Slack-compatible webhook that hears about failures and rollbacks.",
      additionalProperties: false,
      properties: {
        webhook: {
          $ref: "#/$defs/url",
          description: "Incoming-webhook URL (Slack, Mattermost, Rocket.Chat, Discord's /slack endpoint). It is a secret: prefer $RIPCORD_NOTIFY_WEBHOOK. --notify-webhook overrides it."
        },
        on: {
          type: "array",
          description: "Events that post besides failures and rollbacks, which always do.",
          uniqueItems: true,
          items: { enum: ["failure", "rollback", "success"] }
        }
      }
    }
  },
  $defs: {
    set: {
      type: "object",
      additionalProperties: false,
      required: ["paths"],
      properties: {
        description: { type: "string", description: "What the set holds, for people." },
        paths: {
          type: "array",
          description: "Files and folders to back up, relative to directory (stored as GNU tar stores them).",
          minItems: 1,
          items: { type: "string", minLength: 1 }
        },
        excludes: {
          type: "array",
          description: 'Globs to skip (as --exclude): a pattern without "/" matches a name at any depth, e.g. "*.log".',
          items: { type: "string", minLength: 1 }
        },
        captures: {
          type: "object",
          description: "Command output stored as files (as --capture NAME='CMD'): NAME -> shell command, stored as .ripcord-captured/NAME.",
          propertyNames: { title: 'a capture name of letters, digits, ".", "_" and "-"', pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$" },
          additionalProperties: { type: "string", minLength: 1 }
        },
        directory: {
          type: "string",
          minLength: 1,
          description: "Folder the paths are relative to (as -C); relative to this file, which is also the default."
        },
        repository: { $ref: "#/$defs/repository", description: "Where this set's snapshots go (default: the top-level repository)." },
        "copy-to": {
          $ref: "#/$defs/repository",
          description: "A second repository: every backup of the set is copied there, checksums verified on arrival (3-2-1)."
        },
        tags: {
          type: "array",
          description: "Labels for every snapshot of the set, besides set:NAME.",
          uniqueItems: true,
          items: { title: "a tag of 1 to 128 characters of A-Z a-z 0-9 . _ : / = @ + -", type: "string", pattern: "^[A-Za-z0-9._:/=@+-]{1,128}$" }
        },
        kind: {
          enum: ["manual", "pre-deploy", "scheduled"],
          description: "Kind of the set's snapshots (default scheduled)."
        },
        level: {
          enum: ["full", "incremental", "differential", "auto"],
          description: "What each backup of the set holds (as --level): full (the default), incremental, differential, or auto: an incremental unless the chain's full snapshot is older than full-every or the chain has max-chain links after it."
        },
        "full-every": {
          $ref: "#/$defs/duration",
          description: "level auto: take a full snapshot once the chain's full one is this old (default 7d)."
        },
        "max-chain": {
          type: "integer",
          minimum: 1,
          maximum: 999,
          description: "level auto: take a full snapshot once the chain has this many links after its full one (default 28)."
        },
        "max-age": {
          $ref: "#/$defs/duration",
          description: "check --set NAME fails when the set's newest snapshot is older than this (default 26h)."
        },
        retention: { $ref: "#/$defs/retention" }
      }
    },
    retention: {
      type: "object",
      description: "What prune --set NAME keeps (docs/retention.md); keep-* flags on the command line replace the whole policy.",
      additionalProperties: false,
      minProperties: 1,
      properties: {
        "keep-last": { $ref: "#/$defs/count", description: "the N newest snapshots of each group" },
        "keep-hourly": { $ref: "#/$defs/count", description: "the newest snapshot of each of the N most recent hours (UTC) that have one" },
        "keep-daily": { $ref: "#/$defs/count", description: "the newest snapshot of each of the N most recent days (UTC) that have one" },
        "keep-weekly": { $ref: "#/$defs/count", description: "the newest snapshot of each of the N most recent ISO weeks that have one" },
        "keep-monthly": { $ref: "#/$defs/count", description: "the newest snapshot of each of the N most recent months that have one" },
        "keep-yearly": { $ref: "#/$defs/count", description: "the newest snapshot of each of the N most recent years that have one" },
        "keep-within": { $ref: "#/$defs/duration", description: "every snapshot taken less than this before the newest of its group, e.g. 30d" },
        "keep-tag": {
          type: "array",
          description: "every snapshot carrying any of these tags",
          items: { title: "a tag without commas or spaces", type: "string", pattern: "^[^,\\s]+$" }
        }
      }
    },
    count: {
      anyOf: [{ type: "integer", minimum: 0 }, { const: "unlimited" }]
    },
    duration: {
      title: "a duration such as 30d, 26h or 1d12h (units y, w, d, h, m = minutes, s)",
      type: "string",
      pattern: "^(?=\\d)(\\d+y)?(\\d+w)?(\\d+d)?(\\d+h)?(\\d+m)?(\\d+s)?$"
    },
    repository: {
      title: "a local path or s3://bucket/prefix",
      type: "string",
      minLength: 1
    },
    url: {
      title: "an http:// or https:// URL",
      type: "string",
      pattern: "^https?://[^\\s]+$"
    }
  }
};

// src/domain/json-source.ts
var JsonSyntaxError = class extends Error {
  constructor(message, position) {
    super(message);
    this.position = position;
    this.name = "JsonSyntaxError";
  }
  position;
};
function jsonPointer(path9) {
  return path9.map((part) => `/${String(part).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}
function positionOf(parsed, path9) {
  for (let length = path9.length; length >= 0; length--) {
    const found = parsed.positions.get(jsonPointer(path9.slice(0, length)));
    if (found) return found;
  }
  return { line: 1, column: 1 };
}
function parseJsonWithPositions(source) {
  const text = source.startsWith("\uFEFF") ? source.slice(1) : source;
  const positions = /* @__PURE__ */ new Map();
  let at = 0;
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  const positionAt = (offset) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = low + high + 1 >> 1;
      if (lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - lineStarts[low] + 1 };
  };
  const fail = (message, offset = at) => {
    throw new JsonSyntaxError(message, positionAt(offset));
  };
  const describe = (offset) => offset >= text.length ? "the end of the file" : JSON.stringify(text[offset]);
  const skipSpace = () => {
    while (at < text.length && " 	\n\r".includes(text[at])) at += 1;
  };
  const expect = (char) => {
    if (text[at] !== char) fail(`expected ${JSON.stringify(char)} but found ${describe(at)}`);
    at += 1;
  };
  const parseString = () => {
    const start = at;
    expect('"');
    let out = "";
    for (; ; ) {
      if (at >= text.length) fail("a string is not closed", start);
      const char = text[at];
      if (char === '"') {
        at += 1;
        return out;
      }
      if (char === "\\") {
        const escaped = text[at + 1];
        const simple = {
          '"': '"',
          "\\": "\\",
          "/": "/",
          b: "\b",
          f: "\f",
          n: "\n",
          r: "\r",
          t: "	"
        };
        if (escaped !== void 0 && escaped in simple) {
          out += simple[escaped];
          at += 2;
        } else if (escaped === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) {
          out += String.fromCharCode(parseInt(text.slice(at + 2, at + 6), 16));
          at += 6;
        } else {
          fail(`invalid escape \\${escaped ?? ""} in a string`);
        }
        continue;
      }
      if (char < " ") fail("a control character (such as a line break) inside a string: write it as \\n");
      out += char;
      at += 1;
    }
  };
  const parseValue2 = (path9) => {
    skipSpace();
    const start = at;
    if (path9.length === 0 || typeof path9[path9.length - 1] === "number")
      positions.set(jsonPointer(path9), positionAt(start));
    const char = text[at];
    if (char === "{") {
      at += 1;
      const object = {};
      let comma = -1;
      skipSpace();
      if (text[at] === "}") {
        at += 1;
        return object;
      }
      for (; ; ) {
        skipSpace();
        const keyStart = at;
        if (text[at] === "}" && comma >= 0) fail('a comma before "}" (trailing commas are not allowed in JSON)', comma);
        if (text[at] !== '"') fail(`expected a key in double quotes but found ${describe(at)}`);
        const key = parseString();
        if (Object.hasOwn(object, key))
          fail(`the key ${JSON.stringify(key)} appears twice in the same object`, keyStart);
        positions.set(jsonPointer([...path9, key]), positionAt(keyStart));
        skipSpace();
        expect(":");
        Object.defineProperty(object, key, {
          value: parseValue2([...path9, key]),
          enumerable: true,
          writable: true,
          configurable: true
        });
        skipSpace();
        if (text[at] === ",") {
          comma = at;
          at += 1;
          continue;
        }
        if (text[at] === "}") {
          at += 1;
          return object;
        }
        fail(`expected "," or "}" but found ${describe(at)}`);
      }
    }
    if (char === "[") {
      at += 1;
      const array = [];
      skipSpace();
      if (text[at] === "]") {
        at += 1;
        return array;
      }
      for (; ; ) {
        array.push(parseValue2([...path9, array.length]));
        skipSpace();
        if (text[at] === ",") {
          const comma = at;
          at += 1;
          skipSpace();
          if (text[at] === "]") fail('a comma before "]" (trailing commas are not allowed in JSON)', comma);
          continue;
        }
        if (text[at] === "]") {
          at += 1;
          return array;
        }
        fail(`expected "," or "]" but found ${describe(at)}`);
      }
    }
    if (char === '"') return parseString();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      text.slice(at, at + 400)
    )?.[0];
    if (literal) {
      at += literal.length;
      return literal === "true" ? true : literal === "false" ? false : literal === "null" ? null : Number(literal);
    }
    if (char === "/") return fail("comments are not allowed in JSON");
    if (char === "'") return fail("strings must use double quotes");
    return fail(`expected a value but found ${describe(at)}`);
  };
  const value = parseValue2([]);
  skipSpace();
  if (at < text.length) fail(`unexpected ${describe(at)} after the end of the document`);
  return { value, positions };
}

// src/domain/config.ts
var CONFIG_FILE_NAME = "ripcord.config.json";
var CONFIG_SCHEMA = ripcord_config_schema_default;
var KEEP_COUNT_KEYS = [
  "keep-last",
  "keep-hourly",
  "keep-daily",
  "keep-weekly",
  "keep-monthly",
  "keep-yearly"
];
var DEFAULT_SET_KIND = "scheduled";
function setTag(name) {
  return `set:${name}`;
}
var ConfigError = class extends UsageError {
};
function parseConfig(text, source) {
  let parsed;
  try {
    parsed = parseJsonWithPositions(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError)
      throw new ConfigError(
        `${source}:${error.position.line}:${error.position.column}: not valid JSON: ${error.message}`
      );
    throw error;
  }
  const problems = validateAgainstSchema(parsed.value, CONFIG_SCHEMA);
  if (problems.length === 0) problems.push(...semanticProblems(parsed.value));
  if (problems.length > 0) throw configError(problems, parsed, source);
  return parsed.value;
}
function retentionPolicyOf(retention) {
  const policy = {};
  const rules = {
    "keep-last": "last",
    "keep-hourly": "hourly",
    "keep-daily": "daily",
    "keep-weekly": "weekly",
    "keep-monthly": "monthly",
    "keep-yearly": "yearly"
  };
  for (const key of KEEP_COUNT_KEYS) {
    const count = retention[key];
    if (count !== void 0) policy[rules[key]] = parseKeepCount(String(count), key);
  }
  if (retention["keep-within"] !== void 0) policy.within = parseDuration(retention["keep-within"]);
  if (retention["keep-tag"] !== void 0) policy.tags = [...retention["keep-tag"]];
  return policy;
}
function describePath(path9) {
  return path9.map((part, i) => typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`).join("") || "(the whole file)";
}
function semanticProblems(config) {
  const problems = [];
  const duration = (path9, text) => {
    if (text === void 0) return;
    try {
      parseDuration(text);
    } catch (error) {
      problems.push({ path: path9, message: error.message });
    }
  };
  for (const [name, set] of Object.entries(config.sets ?? {})) {
    duration(["sets", name, "max-age"], set["max-age"]);
    duration(["sets", name, "full-every"], set["full-every"]);
    if (set.retention) {
      duration(["sets", name, "retention", "keep-within"], set.retention["keep-within"]);
      if (problems.length === 0 && !hasKeepRule(retentionPolicyOf(set.retention))) {
        problems.push({
          path: ["sets", name, "retention"],
          message: "keeps nothing (every rule is 0): give at least one rule that keeps snapshots"
        });
      }
    }
  }
  return problems;
}
function configError(problems, parsed, source) {
  const describeOne = (problem) => `${source}:${positionOf(parsed, problem.path).line}: ${describePath(problem.path)}: ${problem.message}`;
  const [first, ...rest] = problems;
  const more = rest.length === 0 ? "" : ` (and ${rest.length} more problem${rest.length === 1 ? "" : "s"}: ${rest.slice(0, 2).map(describeOne).join("; ")}${rest.length > 2 ? "; ..." : ""})`;
  return new ConfigError(`${describeOne(first)}${more}`);
}

// src/cli/config-file.ts
var KEEP_FLAGS = [...KEEP_COUNT_KEYS, "keep-within", "keep-tag"];
async function loadConfig(cwd, explicit) {
  const display = explicit ?? CONFIG_FILE_NAME;
  const file = path.resolve(cwd, display);
  let text;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    const code = error.code;
    if (explicit === void 0 && code === "ENOENT") return void 0;
    throw new UsageError(
      `--config ${display}: cannot read it (${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : error.message ?? code})`
    );
  }
  return { config: parseConfig(text, display), file, display };
}
function applyConfig(command, values, positionals, loaded) {
  const out = { ...values };
  const given = (name) => values[name] !== void 0;
  const accepts = (name) => name in command.options || name in GLOBAL_OPTIONS;
  const fill = (name, value) => {
    if (value !== void 0 && accepts(name) && !given(name)) out[name] = value;
  };
  const setName = stringOption(values, "set");
  if (!loaded) {
    if (setName !== void 0) {
      throw new UsageError(
        `--set ${setName} needs a configuration file: ${CONFIG_FILE_NAME} in the working directory, or --config FILE`
      );
    }
    return { values: out, positionals };
  }
  const { config } = loaded;
  const base = path.dirname(loaded.file);
  const local = (p) => path.resolve(base, p);
  const repository = (url) => /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : local(url);
  fill("repo", config.repository === void 0 ? void 0 : repository(config.repository));
  fill("signing-key", config["signing-key"] === void 0 ? void 0 : local(config["signing-key"]));
  fill(
    "trusted-signer",
    config["trusted-signers"]?.map((signer) => /^(0x)?[0-9a-f\s]+$/i.test(signer) ? signer : local(signer))
  );
  fill("metrics-file", config.metrics?.file === void 0 ? void 0 : local(config.metrics.file));
  fill("pushgateway", config.metrics?.pushgateway);
  fill(
    "metrics-label",
    config.metrics?.labels && Object.entries(config.metrics.labels).map(([name, value]) => `${name}=${value}`)
  );
  fill("notify-webhook", config.notify?.webhook);
  fill("notify-on", config.notify?.on);
  if (setName === void 0) return { values: out, positionals };
  const set = config.sets?.[setName];
  if (!set) {
    const names = Object.keys(config.sets ?? {});
    throw new UsageError(
      `there is no set ${JSON.stringify(setName)} in ${loaded.display} (${names.length ? `its sets: ${names.join(", ")}` : "it defines no sets"})`
    );
  }
  if (set.repository !== void 0 && !given("repo")) out.repo = repository(set.repository);
  const scope = [...listOption(values, "tag"), setTag(setName)];
  switch (command.name) {
    case "backup":
      if (positionals.length === 0) positionals = [...set.paths];
      fill("directory", local(set.directory ?? "."));
      fill("exclude", set.excludes);
      fill("capture", set.captures && Object.entries(set.captures).map(([name, cmd]) => `${name}=${cmd}`));
      fill("kind", set.kind ?? DEFAULT_SET_KIND);
      fill("level", set.level);
      fill("full-every", set["full-every"]);
      fill("max-chain", set["max-chain"] === void 0 ? void 0 : String(set["max-chain"]));
      fill("copy-to", set["copy-to"] === void 0 ? void 0 : repository(set["copy-to"]));
      out.tag = [...given("tag") ? listOption(values, "tag") : set.tags ?? [], setTag(setName)];
      break;
    case "prune":
      if (!KEEP_FLAGS.some(given)) {
        if (!set.retention) {
          throw new UsageError(
            `set ${setName} in ${loaded.display} has no "retention": add one, or give --keep-* flags`
          );
        }
        for (const [key, value] of Object.entries(set.retention))
          out[key] = Array.isArray(value) ? value.map(String) : String(value);
      }
      out.tag = scope;
      break;
    case "check":
      fill("max-age", set["max-age"]);
      out.tag = scope;
      break;
    default:
      out.tag = scope;
  }
  return { values: out, positionals };
}
var SET_OPTION = {
  type: "string",
  value: "NAME",
  description: `use the backup set NAME of the configuration file (--config, default ./${CONFIG_FILE_NAME}); flags override it`
};

// src/cli/format.ts
var terminalText = escapeControls;
function formatBytes(bytes) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1e3 && unit < units.length - 1) {
    value /= 1e3;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}
function formatDuration(ms) {
  if (ms < 1e3) return `${Math.round(ms)}ms`;
  const seconds = ms / 1e3;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}
function formatCount(n) {
  const [whole, fraction] = String(Math.round(n * 1e3) / 1e3).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ",");
  return fraction === void 0 ? grouped : `${grouped}.${fraction}`;
}
function formatTime(iso) {
  return iso.replace("T", " ").replace(/\.\d+Z$/, "Z");
}
function formatTable(header, cells, rightAligned = []) {
  const rows = cells.map((row) => row.map((cell) => escapeControls(String(cell ?? ""))));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells2) => cells2.map((cell, i) => rightAligned.includes(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

// src/cli/commands/audit.ts
var auditCommand = {
  name: "audit",
  summary: "Print the repository's audit log: every backup, restore, prune, copy, deploy and rollback, by whom, and how it went.",
  usage: "ripcord audit [options]",
  description: [
    `Every ${AUDITED_OPERATIONS.join(", ")} run (dry runs excepted) leaves one record in the repository, under`,
    "audit/YYYY-MM/ (one object per record, so concurrent writers never clash; docs/format.md), with its",
    "time, operation, result, snapshot ids, set, actor ($GITHUB_ACTOR, else the OS user), host and CI run.",
    "Oldest first. Needs no key."
  ].join("\n"),
  options: {
    since: {
      type: "string",
      value: "DURATION|DATE",
      description: "only records of the last DURATION (7d, 12h) or since DATE (2026-11-01, UTC)"
    },
    operation: {
      type: "string",
      value: "OP",
      description: `only records of this operation (${AUDITED_OPERATIONS.join(" | ")})`
    }
  },
  examples: ["ripcord audit --since 7d", "ripcord audit --repo s3://acme-backups/app --operation restore --json"],
  async run(context, values, positionals) {
    if (positionals.length > 0)
      throw new UsageError(`audit takes no arguments (got ${positionals[0]}): see ripcord audit --help`);
    const since = sinceDate(stringOption(values, "since"), /* @__PURE__ */ new Date());
    const operation = stringOption(values, "operation");
    if (operation !== void 0 && !AUDITED_OPERATIONS.includes(operation)) {
      throw new UsageError(`--operation ${operation} is not one of ${AUDITED_OPERATIONS.join(", ")}`);
    }
    const store = await context.openRepository();
    const { records, damaged } = await readAudit(store, {
      ...since ? { since } : {},
      ...operation ? { operation } : {}
    });
    for (const bad of damaged)
      context.stderr.write(
        `warning: ${terminalText(bad.key)} in ${store.properties.location} is not a readable audit record: ${terminalText(bad.problem)}
`
      );
    if (context.json) {
      context.printJson(records);
    } else if (records.length === 0) {
      context.print(`no audit records in ${store.properties.location}${since ? ` since ${since.toISOString()}` : ""}`);
    } else {
      context.print(
        formatTable(
          ["TIME (UTC)", "OPERATION", "SET", "RESULT", "SNAPSHOTS", "ACTOR", "HOST", "CI RUN / ERROR"],
          records.map((r) => [
            formatTime(r.time),
            r.operation,
            r.set ?? "",
            r.exitCode === ExitCode.rollbackFailed ? "ROLLBACK FAILED" : r.rolledBack ? "rolled back" : r.result === "success" ? "ok" : "FAILED",
            r.snapshots.join(",") || "-",
            r.actor,
            r.host,
            r.error ?? r.ciRunUrl ?? ""
          ])
        )
      );
    }
    return 0;
  }
};
function sinceDate(text, now) {
  if (text === void 0) return void 0;
  if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/.test(text)) {
    const date = new Date(text.length === 10 ? `${text}T00:00:00Z` : text);
    if (!Number.isNaN(date.getTime())) return date;
  }
  try {
    return new Date(now.getTime() - parseDuration(text));
  } catch (error) {
    throw new UsageError(
      `--since ${text}: give a duration such as 7d or 12h, or a date such as 2026-11-01 (${error.message})`
    );
  }
}

// src/cli/commands/backup.ts
import * as path2 from "node:path";

// src/cli/commands/level-options.ts
function levelOptions(defaultLevel) {
  return {
    level: {
      type: "string",
      value: "LEVEL",
      description: "full | incremental (what changed since the newest snapshot of the same paths and set) | differential (since the newest full one) | auto (incremental, full when --full-every or --max-chain says so)",
      default: defaultLevel
    },
    "full-every": {
      type: "string",
      value: "DURATION",
      description: `--level auto: a full snapshot once the chain's full one is this old (default 7d)`
    },
    "max-chain": {
      type: "string",
      value: "N",
      description: `--level auto: a full snapshot once the chain has N links after its full one (default ${DEFAULT_AUTO_POLICY.maxChain})`
    }
  };
}
function levelFrom(values, defaultLevel) {
  const level = stringOption(values, "level") ?? defaultLevel;
  if (!isBackupLevel(level)) throw new UsageError(`--level ${level}: give one of ${BACKUP_LEVELS.join(", ")}`);
  const auto = { ...DEFAULT_AUTO_POLICY };
  const fullEvery = stringOption(values, "full-every");
  if (fullEvery !== void 0) {
    try {
      auto.fullEveryMs = parseDuration(fullEvery);
    } catch (error) {
      throw new UsageError(`--full-every ${fullEvery}: ${error.message}`);
    }
  }
  const maxChain = stringOption(values, "max-chain");
  if (maxChain !== void 0) {
    const n = Number(maxChain);
    if (!Number.isInteger(n) || n < 1 || n > MAX_CHAIN - 1)
      throw new UsageError(`--max-chain ${maxChain}: give a whole number from 1 to ${MAX_CHAIN - 1}`);
    auto.maxChain = n;
  }
  return { level, auto };
}

// src/domain/run-record.ts
function summarizeSnapshot(snapshot) {
  return {
    id: snapshot.id,
    kind: snapshot.kind,
    created: snapshot.created,
    tags: [...snapshot.tags],
    files: snapshot.files,
    inputBytes: snapshot.inputBytes,
    archiveBytes: snapshot.archiveBytes
  };
}
function mergeNotes(into, notes) {
  return {
    ...into,
    ...notes,
    snapshots: [
      ...into.snapshots ?? [],
      ...(notes.snapshots ?? []).filter((id) => !(into.snapshots ?? []).includes(id))
    ],
    warnings: [...into.warnings ?? [], ...notes.warnings ?? []],
    timings: { ...into.timings, ...notes.timings },
    details: { ...into.details, ...notes.details }
  };
}
function durationMs(run) {
  return Math.max(0, run.finishedAt.getTime() - run.startedAt.getTime());
}
function runReport(run) {
  const ms = durationMs(run);
  const seconds = Math.max(ms, 1) / 1e3;
  return {
    format: "ripcord-report/1",
    operation: run.operation,
    set: run.set ?? null,
    result: run.result,
    exitCode: run.exitCode,
    error: run.error ?? null,
    repository: run.repository ?? null,
    snapshots: run.snapshots,
    snapshot: run.snapshot ?? null,
    dryRun: run.dryRun,
    rolledBack: run.rolledBack,
    timings: {
      startedAt: run.startedAt.toISOString(),
      finishedAt: run.finishedAt.toISOString(),
      durationMs: ms,
      phasesMs: run.timings
    },
    sizes: run.snapshot ? { files: run.snapshot.files, inputBytes: run.snapshot.inputBytes, archiveBytes: run.snapshot.archiveBytes } : null,
    throughput: run.bytesProcessed !== void 0 ? { bytes: run.bytesProcessed, bytesPerSecond: Math.round(run.bytesProcessed / seconds) } : null,
    warnings: run.warnings,
    details: run.details,
    repositoryState: run.repositoryState ?? null,
    host: run.origin.host,
    actor: run.origin.actor,
    ciRunUrl: run.origin.ciRunUrl ?? null,
    tool: run.tool
  };
}
function notificationEvent(run) {
  if (run.rolledBack) return "rollback";
  return run.result;
}
function slackMessage(run) {
  const event = notificationEvent(run);
  const what = `ripcord ${run.operation}${run.set ? ` (set ${run.set})` : ""}`;
  const headline = event === "failure" ? `:red_circle: ${what} FAILED on ${run.origin.host}` : event === "rollback" ? `:warning: ${what} ROLLED BACK on ${run.origin.host}${run.exitCode === ExitCode.rollbackFailed ? ": the rollback itself FAILED, a human must act now" : ""}` : `:large_green_circle: ${what} succeeded on ${run.origin.host}`;
  const facts = [];
  if (run.error) facts.push(["error", run.error]);
  if (run.repository) facts.push(["repository", run.repository]);
  if (run.snapshots.length > 0) facts.push(["snapshots", run.snapshots.join(", ")]);
  if (run.snapshot)
    facts.push([
      "size",
      `${countOf(run.snapshot.files, "file")}, ${countOf(run.snapshot.inputBytes, "byte")} in, ${countOf(run.snapshot.archiveBytes, "byte")} stored`
    ]);
  facts.push(["duration", `${(durationMs(run) / 1e3).toFixed(1)} s`]);
  facts.push(["by", run.origin.actor]);
  if (run.origin.ciRunUrl) facts.push(["run", run.origin.ciRunUrl]);
  if (run.warnings.length > 0) facts.push(["warnings", run.warnings.slice(0, 5).join("; ")]);
  const text = [headline, ...facts.map(([k, v]) => `${k}: ${v}`)].map(slackText).join("\n");
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*${slackText(headline)}*` } },
      {
        type: "section",
        fields: facts.slice(0, 10).map(([k, v]) => ({ type: "mrkdwn", text: `*${k}*
${slackText(v).slice(0, 1900)}` }))
      }
    ]
  };
}

// src/cli/progress.ts
function createProgressReporter(options) {
  const { stream, quiet, interactive } = options;
  const now = options.now ?? Date.now;
  let drawn = false;
  let lastDraw = 0;
  let phaseStart = now();
  let lastLog = now();
  const clear = () => {
    if (drawn) stream.write("\r\x1B[2K");
    drawn = false;
  };
  const describe = (phase, done, total) => {
    const elapsed = Math.max(1, now() - phaseStart);
    const rate = done.bytes / elapsed * 1e3;
    const parts = [phase];
    if (total && total.bytes > 0) {
      const fraction = Math.min(1, done.bytes / total.bytes);
      const width = 20;
      const filled = Math.round(fraction * width);
      if (interactive)
        parts.push(`[${"=".repeat(filled)}${filled < width ? ">" : ""}${" ".repeat(Math.max(0, width - filled - 1))}]`);
      parts.push(`${String(Math.floor(fraction * 100)).padStart(3)}%`);
      parts.push(`${formatCount(done.files)}/${formatCount(total.files)} files`);
      parts.push(`${formatBytes(done.bytes)}/${formatBytes(total.bytes)}`);
      parts.push(`${formatBytes(rate)}/s`);
      if (rate > 0 && fraction < 1) parts.push(`ETA ${formatDuration((total.bytes - done.bytes) / rate * 1e3)}`);
    } else {
      parts.push(`${formatCount(done.files)} files`, formatBytes(done.bytes), `${formatBytes(rate)}/s`);
    }
    return parts.join("  ");
  };
  return {
    wantsTotals: !quiet,
    emit(event) {
      switch (event.type) {
        case "warning":
          clear();
          stream.write(`warning: ${terminalText(event.message)}
`);
          return;
        case "phase":
        case "info":
          if (event.type === "phase") {
            phaseStart = now();
            lastLog = now();
          }
          if (quiet || !interactive) return;
          stream.write(`\r\x1B[2K${terminalText(event.message)}`);
          drawn = true;
          return;
        case "progress": {
          if (quiet) return;
          const t = now();
          if (interactive) {
            if (t - lastDraw < 100) return;
            lastDraw = t;
            stream.write(`\r\x1B[2K${describe(event.phase, event.done, event.total)}`);
            drawn = true;
          } else if (t - lastLog >= 1e4) {
            lastLog = t;
            stream.write(`${describe(event.phase, event.done, event.total)}
`);
          }
        }
      }
    },
    finish: clear
  };
}

// src/cli/context.ts
function createContext(io, values) {
  const json = flag(values, "json");
  const quiet = flag(values, "quiet");
  const repository = stringOption(values, "repo") ?? (io.env.RIPCORD_REPO || ".ripcord");
  const keyInputs = {
    passphrase: io.env.RIPCORD_PASSPHRASE,
    passphraseFile: stringOption(values, "passphrase-file"),
    recipients: io.env.RIPCORD_RECIPIENTS,
    identity: io.env.RIPCORD_IDENTITY,
    identityPassphrase: io.env.RIPCORD_IDENTITY_PASSPHRASE,
    signingKey: stringOption(values, "signing-key") ?? io.env.RIPCORD_SIGNING_KEY,
    signingKeyPassphrase: io.env.RIPCORD_SIGNING_KEY_PASSPHRASE,
    trustedSigners: values["trusted-signer"] === void 0 ? io.env.RIPCORD_TRUSTED_SIGNERS : listOption(values, "trusted-signer").join("\n"),
    allowUnsigned: flag(values, "allow-unsigned"),
    warn: (message) => reporter.emit({ type: "warning", message })
  };
  const stores = [];
  const run = { notes: {} };
  const progress = createProgressReporter({
    stream: io.stderr,
    quiet: quiet || json,
    interactive: Boolean(io.stderr.isTTY) && io.env.CI !== "true"
  });
  const reporter = {
    ...progress.wantsTotals ? { wantsTotals: true } : {},
    emit(event) {
      if (event.type === "warning") run.notes = mergeNotes(run.notes, { warnings: [event.message] });
      progress.emit(event);
    },
    finish: () => progress.finish()
  };
  return {
    ...io,
    now: io.now ?? (() => /* @__PURE__ */ new Date()),
    json,
    quiet,
    repository,
    async openRepository() {
      const store = await openStore(
        repository.startsWith("/") || /^[a-z][a-z0-9+.-]*:\/\//i.test(repository) ? repository : `${io.cwd}/${repository}`,
        {
          s3: s3Options(values),
          env: io.env
        }
      );
      stores.push(store);
      run.repository ??= store.properties.location;
      return store;
    },
    encryptionKeys: () => encryptionKeysFrom(keyInputs),
    decryptionKeys: () => decryptionKeysFrom(keyInputs),
    preRestoreKeys: () => preRestoreKeysFrom(keyInputs),
    reporter,
    record(notes) {
      run.notes = mergeNotes(run.notes, notes);
    },
    run,
    // Values from the repository are escaped where they are formatted (terminalText); these
    // are the last guard, so that no control character a command forgot reaches the terminal.
    print(line = "") {
      io.stdout.write(`${escapeControlsKeepingLines(line)}
`);
    },
    printJson(value) {
      io.stdout.write(`${jsonText(value, 2)}
`);
    },
    async close() {
      await Promise.all(stores.splice(0).map((store) => store.close()));
    }
  };
}
function jsonText(value, indent2) {
  return escapeJsonControls(JSON.stringify(value, null, indent2));
}
function s3Options(values) {
  const days = stringOption(values, "s3-object-lock-days");
  if (days !== void 0 && !/^[1-9]\d*$/.test(days))
    throw new UsageError(`--s3-object-lock-days ${days}: give a whole number of days`);
  const options = {
    endpoint: stringOption(values, "s3-endpoint"),
    region: stringOption(values, "s3-region"),
    sse: stringOption(values, "s3-sse"),
    kmsKeyId: stringOption(values, "s3-kms-key-id"),
    storageClass: stringOption(values, "s3-storage-class"),
    objectLockDays: days === void 0 ? void 0 : Number(days),
    objectLockMode: stringOption(values, "s3-object-lock-mode")
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== void 0));
}

// src/cli/interrupt.ts
var SIGNALS = ["SIGINT", "SIGTERM"];
async function whileInterruptible(message, run) {
  const controller = new AbortController();
  const handlers = SIGNALS.map((name) => {
    const handler = () => {
      if (controller.signal.aborted) {
        removeAll();
        process.kill(process.pid, name);
        return;
      }
      controller.abort(new InterruptedError(`${message} (${name})`, name));
    };
    process.on(name, handler);
    return [name, handler];
  });
  const removeAll = () => {
    for (const [name, handler] of handlers) process.removeListener(name, handler);
  };
  try {
    return await run(controller.signal);
  } finally {
    removeAll();
  }
}

// src/cli/commands/backup.ts
var backupCommand = {
  name: "backup",
  summary: "Take an encrypted, checksummed snapshot of files and folders.",
  usage: "ripcord backup [options] [paths...]",
  description: [
    "Paths are stored as GNU tar stores them: relative to the working directory (-C DIR changes it),",
    'absolute paths without their leading "/". With no paths, the working directory is backed up',
    `without ${DEFAULT_EXCLUDES.join(" and ")}. The repository itself is never backed up.`,
    "",
    "Encryption: RIPCORD_PASSPHRASE (or --passphrase-file), or RIPCORD_RECIPIENTS (armored public keys,",
    "inline or as file paths) so that the machine taking backups holds no key that can read them.",
    "Without a key ripcord refuses: it never writes an unencrypted backup. A key other than the one",
    "the repository's newest snapshot was made with (a mistyped passphrase, other recipients) is refused",
    "too, unless --new-key says to start using it.",
    "",
    "Prints the snapshot id on stdout (only the id with --quiet). Progress shows percentages after a",
    "first pass that counts the files; with --quiet, a backup to a local or actions-cache repository",
    "skips that pass (S3 keeps it: it sizes the upload parts).",
    "",
    "An incremental or differential stores only what changed since its parent, and of a changed file",
    'of 8 MiB or more (a database, a growing log) only the blocks that changed (docs/format.md, "Block',
    'deltas"). A file with its size, mode and time but a new inode (a tree restored, unpacked or',
    "copied with cp -a) is hashed and stored only if its content changed; --force-read hashes every",
    "file instead of trusting size, times and inode.",
    "",
    "Ctrl-C (or SIGTERM) stops a backup: what it wrote is removed, it says so in one line, the audit log",
    "records the interrupted run, and it exits 130 (143 for SIGTERM). A second Ctrl-C ends it at once."
  ].join("\n"),
  options: {
    directory: { ...FOLDER_OPTION, description: "resolve paths from DIR instead of the working directory" },
    exclude: {
      type: "string",
      short: "e",
      value: "GLOB",
      multiple: true,
      description: 'skip matching paths; a pattern without "/" matches a name at any depth (e.g. "*.log")'
    },
    tag: {
      ...TAG_OPTION,
      description: `label the snapshot (comma-separated or repeated): 1-${MAX_TAG_LENGTH} characters of ${TAG_CHARACTERS}`
    },
    kind: { type: "string", value: "KIND", description: `${SNAPSHOT_KINDS.join(" | ")}`, default: "manual" },
    capture: {
      type: "string",
      value: "NAME='CMD'",
      multiple: true,
      description: "store the stdout of CMD (run with sh -c) as .ripcord-captured/NAME"
    },
    ...levelOptions("full"),
    "force-read": {
      type: "boolean",
      description: "incremental and differential: read and hash every file instead of trusting size, times and inode"
    },
    "compression-level": {
      type: "string",
      value: "N",
      description: "gzip level 1-9 for compressible data (9 is smallest; random and compressed data is stored as is)",
      default: String(DEFAULT_COMPRESSION_LEVEL)
    },
    "copy-to": {
      type: "string",
      value: "REPO",
      description: "then copy the new snapshot to REPO too, checksums verified on arrival (as ripcord copy)"
    },
    "new-key": {
      type: "boolean",
      description: "start using a passphrase or recipients other than the repository's newest snapshot's (otherwise refused)"
    },
    set: SET_OPTION
  },
  examples: [
    "RIPCORD_PASSPHRASE=... ripcord backup config scripts",
    'ripcord backup --tag nightly --exclude "*.log" -C /srv/app config state',
    "ripcord backup --repo s3://my-bucket/backups /etc/nginx",
    "ripcord backup config --capture db='sqlite3 app.db .dump' --capture crontab='crontab -l'"
  ],
  async run(context, values, positionals) {
    const selection = backupRequestFrom(
      {
        paths: positionals,
        exclude: listOption(values, "exclude"),
        kind: stringOption(values, "kind"),
        tags: listOption(values, "tag")
      },
      "manual",
      (field, value, problem) => new UsageError(`--${field} ${value} ${problem}`)
    );
    const levelText = stringOption(values, "compression-level") ?? String(DEFAULT_COMPRESSION_LEVEL);
    const level = Number(levelText);
    if (!Number.isInteger(level) || level < 1 || level > 9)
      throw new UsageError(`--compression-level ${levelText}: give a whole number from 1 to 9`);
    const { level: backupLevel, auto } = levelFrom(values, "full");
    const cwd = path2.resolve(context.cwd, stringOption(values, "directory") ?? ".");
    const origin = describeOrigin(cwd, context.env);
    origin.catch(() => {
    });
    const keys = await context.encryptionKeys();
    const store = await context.openRepository();
    const { snapshot, warnings, fullBecause } = await whileInterruptible(
      "backup interrupted; nothing was saved",
      async (signal) => createBackup({
        ...selection,
        signal,
        store,
        cwd,
        skip: repositorySkip(context.repository, context.cwd),
        keys,
        origin,
        compressionLevel: level,
        level: backupLevel,
        auto,
        forceRead: flag(values, "force-read"),
        parentKeys: () => context.decryptionKeys(),
        newKey: flag(values, "new-key"),
        captures: (Array.isArray(values.capture) ? values.capture : []).map(
          (spec) => parseCaptureSpec(spec, "--capture")
        ),
        env: context.env,
        reporter: context.reporter
      })
    );
    context.record({
      snapshots: [snapshot.id],
      snapshot: summarizeSnapshot(snapshot),
      bytesProcessed: snapshot.inputBytes,
      timings: { backup: snapshot.durationMs }
    });
    const copyTo = stringOption(values, "copy-to");
    let copied;
    if (copyTo) {
      const destinationContext = createContext(context, { ...values, repo: copyTo });
      try {
        const result = await destinationContext.openRepository().then(
          async (destination) => applyCopy(await planCopy({ source: store, destination, references: [snapshot.id] }), {
            reporter: context.reporter
          })
        ).catch((error) => ({ error }));
        const problem = "error" in result ? result.error.message : result.snapshots.find((s) => s.problem)?.problem;
        if (problem !== void 0 || "error" in result) {
          throw new IntegrityError(
            `snapshot ${snapshot.id} was saved to ${store.properties.location} but not copied to ${destinationContext.repository}: ${problem}`
          );
        }
        copied = { to: destinationContext.run.repository ?? destinationContext.repository, bytes: result.bytes };
        context.record({ details: { copiedTo: copied.to, copiedBytes: copied.bytes } });
      } finally {
        await destinationContext.close();
      }
    }
    context.reporter.finish();
    if (context.json) {
      context.printJson({
        snapshot,
        warnings,
        ...fullBecause ? { fullBecause } : {},
        ...copied ? { copiedTo: copied.to } : {}
      });
    } else if (context.quiet) {
      context.print(snapshot.id);
    } else {
      const stored = store.properties.listable ? await readStoredBytes(store, snapshot) : storedBytes(snapshot);
      const ratio = snapshot.inputBytes > 0 ? ` (${Math.round(stored / snapshot.inputBytes * 100)}%)` : "";
      context.print(
        `${snapshot.level ? `${snapshot.level} ` : ""}snapshot ${snapshot.id} saved to ${store.properties.location}`
      );
      if (snapshot.level) context.print(`  parent ${snapshot.parent}, chain base ${snapshot.base}`);
      if (fullBecause)
        context.print(
          backupLevel === "auto" ? `  a full snapshot: ${fullBecause}` : `  a full snapshot, not ${backupLevel}: ${fullBecause}`
        );
      context.print(
        `  ${formatCount(snapshot.files)} ${snapshot.files === 1 ? "file" : "files"}, ${formatBytes(snapshot.inputBytes)} in, ${formatBytes(stored)} stored${ratio}, ${formatDuration(snapshot.durationMs)}`
      );
      context.print(`  archive sha256 ${snapshot.objects["archive.tar.gz.pgp"].sha256}`);
      context.print(
        `  encrypted with ${snapshot.encryption.mode === "passphrase" ? "a passphrase" : `public keys ${snapshot.encryption.recipients.join(", ")}`}`
      );
      if (copied) context.print(`  copied to ${copied.to}, checksums verified on arrival`);
      if (warnings.length) context.print(`  ${warnings.length} warning${warnings.length === 1 ? "" : "s"} (see above)`);
    }
    return 0;
  }
};

// src/cli/commands/check.ts
var checkCommand = {
  name: "check",
  summary: "Fail when the newest snapshot is too old or does not verify (for cron monitors).",
  usage: "ripcord check [options] --max-age DURATION",
  description: "Exit 0 when the newest snapshot (narrowed by --kind/--tag) is younger than --max-age and its stored objects verify; otherwise one line on stderr and exit 1. Needs no key.",
  options: {
    "max-age": {
      type: "string",
      value: "DURATION",
      description: "oldest acceptable age of the newest snapshot (26h, 2d)",
      default: "26h"
    },
    kind: { type: "string", value: "KIND", description: "only snapshots of this kind" },
    tag: { ...TAG_OPTION, description: "only snapshots carrying these tags" },
    set: {
      ...SET_OPTION,
      description: `${SET_OPTION.description}: checks the set's newest snapshot (tag set:NAME) against its max-age`
    }
  },
  examples: [
    "ripcord check --max-age 26h --kind scheduled",
    "ripcord check --max-age 2d --tag nightly || notify-oncall"
  ],
  async run(context, values) {
    const store = await context.openRepository();
    const result = await checkFreshness({
      store,
      maxAgeMs: parseDuration(stringOption(values, "max-age") ?? "26h"),
      filter: { kind: stringOption(values, "kind"), tags: listOption(values, "tag") }
    });
    context.record({
      snapshots: [result.snapshot.id],
      snapshot: summarizeSnapshot(result.snapshot),
      details: { ageSeconds: Math.round(result.ageMs / 1e3) }
    });
    if (context.json)
      context.printJson({ ok: true, snapshot: result.snapshot.id, ageSeconds: Math.round(result.ageMs / 1e3) });
    else context.print(`ok: newest snapshot ${result.snapshot.id} is ${formatAge(result.ageMs)} old and verifies`);
    return 0;
  }
};

// src/cli/commands/copy.ts
var copyCommand = {
  name: "copy",
  summary: "Copy snapshots to another repository, checksums verified on arrival (no key needed).",
  usage: "ripcord copy [options] <id|latest...|--all> --to REPO",
  description: [
    "Copies the encrypted objects byte for byte, from any repository to any other (local, s3://).",
    "Every object is checked against the source snapshot.json while it streams and read back from",
    "the destination before snapshot.json is written there, last, to commit the copy. A snapshot",
    "the destination already has (identical snapshot.json) is skipped; a different snapshot under",
    "the same id is never overwritten. A damaged source snapshot is reported, not copied.",
    "--to takes the same URLs as --repo (relative paths from the working directory); the --s3-*",
    "options apply to both repositories."
  ].join("\n"),
  options: {
    to: { type: "string", value: "REPO", description: "destination repository: a local path or s3://bucket/prefix" },
    all: { type: "boolean", short: "a", description: "copy every snapshot of the repository" },
    "dry-run": { type: "boolean", short: "n", description: "show what would be copied and write nothing" }
  },
  examples: [
    "ripcord copy latest --to s3://offsite-bucket/app",
    "ripcord copy --all --repo s3://offsite-bucket/app --to /mnt/usb/ripcord",
    "ripcord copy --all --to ../second-disk/.ripcord --dry-run"
  ],
  async run(context, values, positionals) {
    const to = stringOption(values, "to");
    if (!to) throw new UsageError("copy needs a destination: --to REPO (a local path or s3://bucket/prefix)");
    const all = flag(values, "all");
    if (all && positionals.length > 0) throw new UsageError("give snapshot ids or --all, not both");
    if (!all && positionals.length === 0)
      throw new UsageError("which snapshots? give ids, latest, or --all (see ripcord copy --help)");
    const dryRun = flag(values, "dry-run");
    const source = await context.openRepository();
    const destinationContext = createContext(context, { ...values, repo: to });
    try {
      const destination = await destinationContext.openRepository();
      const plan = await planCopy({ source, destination, references: positionals, all });
      if (dryRun) {
        context.record({ dryRun: true });
        printDryRun(context, plan);
        return finish(
          plan.snapshots.flatMap((s) => s.problem ? [s.problem] : []),
          plan.snapshots.length
        );
      }
      const result = await applyCopy(plan, { reporter: context.reporter });
      context.record({
        snapshots: result.snapshots.filter((o) => o.status === "copied").map((o) => o.id),
        bytesProcessed: result.bytes,
        details: {
          to: destination.properties.location,
          copied: result.copied,
          present: result.present,
          failed: result.failed
        }
      });
      context.reporter.finish();
      const from = source.properties.location;
      const into = destination.properties.location;
      if (context.json) {
        context.printJson({ dryRun: false, from, to: into, ...result });
      } else {
        for (const outcome of result.snapshots) context.print(describeOutcome(outcome, into));
        context.print(
          `${result.copied} copied, ${result.present} already present${result.failed ? `, ${result.failed} failed` : ""}, ${formatBytes(result.bytes)} transferred from ${from} to ${into}`
        );
      }
      return finish(
        result.snapshots.flatMap((o) => o.problem ? [o.problem] : []),
        result.snapshots.length
      );
    } finally {
      await destinationContext.close();
    }
  }
};
function describeOutcome(outcome, into) {
  switch (outcome.status) {
    case "copied":
      return `copied   ${outcome.id}  ${formatBytes(outcome.bytes)}, checksums verified on arrival`;
    case "present":
      return `present  ${outcome.id}  already in ${into}`;
    case "failed":
      return `FAILED   ${terminalText(outcome.problem ?? "")}`;
  }
}
function printDryRun(context, plan) {
  const into = plan.destination.properties.location;
  const pending = plan.snapshots.filter((s) => s.decision === "copy");
  const present = plan.snapshots.filter((s) => s.decision === "present").length;
  const bytes = pending.reduce((sum, s) => sum + s.bytes, 0);
  if (context.json) {
    context.printJson({
      dryRun: true,
      from: plan.source.properties.location,
      to: into,
      snapshots: plan.snapshots.map((s) => ({
        id: s.id,
        decision: s.decision,
        bytes: s.bytes,
        ...s.problem ? { problem: s.problem } : {}
      })),
      wouldCopy: pending.length,
      present,
      bytes
    });
    return;
  }
  for (const s of plan.snapshots) {
    if (s.decision === "copy") context.print(`would copy  ${s.id}  ${formatBytes(s.bytes)}`);
    else if (s.decision === "present") context.print(`present     ${s.id}  already in ${into}`);
    else context.print(`FAILED      ${terminalText(s.problem ?? "")}`);
  }
  context.print(
    `dry run: ${pending.length} would be copied (${formatBytes(bytes)}), ${present} already present; nothing was written to ${into}`
  );
}
function finish(problems, total) {
  if (problems.length === 1) throw new IntegrityError(problems[0]);
  if (problems.length > 1) {
    throw new IntegrityError(
      `${problems.length} of ${total} snapshot(s) were not copied: ${problems[0]} (and ${problems.length - 1} more listed above)`
    );
  }
  return 0;
}

// src/cli/commands/guard-options.ts
import * as path3 from "node:path";
var VALIDATION_OPTIONS = {
  validate: { type: "string", value: "CMD", multiple: true, description: "a check that must exit 0 (run with sh -c)" },
  "health-url": {
    type: "string",
    value: "URL",
    multiple: true,
    description: "a URL that must answer with --expect-status"
  },
  "expect-status": {
    type: "string",
    value: "STATUS",
    description: "expected HTTP status: 200, 2xx, 200-399 or a list",
    default: "2xx"
  },
  "expect-body": {
    type: "string",
    value: "REGEX",
    description: "the health URL body must match this regular expression"
  },
  "validate-retries": {
    type: "string",
    value: "N",
    description: "extra validation attempts before giving up",
    default: "0"
  },
  "validate-interval": {
    type: "string",
    value: "DURATION",
    description: "wait between attempts (5s, 1m)",
    default: "5s"
  },
  "validate-timeout": { type: "string", value: "DURATION", description: "limit per check per attempt", default: "60s" },
  "on-rollback": {
    type: "string",
    value: "CMD",
    description: "run after the files are restored (e.g. restart the service)"
  },
  "restore-capture": {
    type: "string",
    value: "NAME='CMD'",
    multiple: true,
    description: "on rollback, feed captured state NAME to CMD on stdin"
  }
};
async function guardSurroundings(context, values) {
  const cwd = path3.resolve(context.cwd, stringOption(values, "directory") ?? ".");
  return {
    cwd,
    origin: await describeOrigin(cwd, context.env),
    env: context.env,
    output: context.stderr,
    reporter: context.reporter,
    protect: repositorySkip(context.repository, context.cwd)
  };
}
function specs(value) {
  return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
}
function captureOptions(values, name) {
  return specs(values[name]).map((spec) => parseCaptureSpec(spec, `--${name}`));
}
function validationPlan(values) {
  const retriesText = stringOption(values, "validate-retries") ?? "0";
  if (!/^\d+$/.test(retriesText)) throw new UsageError(`--validate-retries ${retriesText}: give a whole number`);
  const plan = {
    commands: specs(values.validate),
    healthUrls: listOption(values, "health-url"),
    expectStatus: stringOption(values, "expect-status") ?? "2xx",
    retries: Number(retriesText),
    intervalMs: parseDuration(stringOption(values, "validate-interval") ?? "5s"),
    timeoutMs: parseDuration(stringOption(values, "validate-timeout") ?? "60s")
  };
  const body = stringOption(values, "expect-body");
  if (body !== void 0) {
    compileBodyPattern(body);
    plan.expectBody = body;
  }
  parseExpectedStatus(plan.expectStatus);
  for (const url of plan.healthUrls) {
    if (!/^https?:\/\//.test(url)) throw new UsageError(`--health-url ${url}: give an http:// or https:// URL`);
  }
  return plan;
}
function describeValidation(result) {
  return result.ok ? `passed (${result.attempts} attempt${result.attempts === 1 ? "" : "s"})` : `FAILED after ${countOf(result.attempts, "attempt")}: ${result.failures.map((f) => `${f.check}: ${f.detail}`).join("; ")}`;
}
function rollbackLines(rollback) {
  const rows = [
    ["restored", rollback.error ? `NOT restored: ${terminalText(rollback.error)}` : rollback.restoredSnapshot]
  ];
  if (rollback.brokenStateSnapshot)
    rows.push([
      "broken state",
      `${rollback.brokenStateSnapshot} (kept for forensics: ripcord ls ${rollback.brokenStateSnapshot})`
    ]);
  if (rollback.onRollback) {
    rows.push([
      "rollback hook",
      rollback.onRollback.ok ? `ok (${rollback.onRollback.command})` : `FAILED: ${rollback.onRollback.command} ${rollback.onRollback.detail ?? ""}`
    ]);
    if (!rollback.onRollback.ok && rollback.onRollback.outputTail)
      rows.push(["hook output", indent(rollback.onRollback.outputTail)]);
  }
  if (rollback.validation) rows.push(["after rollback", `validation ${describeValidation(rollback.validation)}`]);
  return rows;
}
function indent(text) {
  return text.split("\n").map((line, i) => i === 0 ? `| ${line}` : `${" ".repeat(18)}| ${line}`).join("\n");
}
function formatRows(title, rows) {
  return [title, ...rows.map(([label, value]) => `  ${label.padEnd(16)}${value}`)].join("\n");
}

// src/cli/commands/deploy.ts
var deployCommand = {
  name: "deploy",
  summary: "Snapshot, run a deploy, validate it, and roll back by itself when it fails.",
  usage: "ripcord deploy [options] -- <deploy command...>",
  description: [
    "1. takes a pre-deploy snapshot of --paths (and of --capture state); a path that does not",
    "   exist yet is recorded as absent, and a rollback removes it;",
    "   with --level auto (the default) it is an incremental on the newest snapshot of the same",
    "   paths, which reads and stores only what changed since (a full one every 7 days);",
    "2. runs the deploy command, streaming its output;",
    "3. validates: every --validate command must exit 0 and every --health-url must answer;",
    "4. if the deploy or the validation fails: restores the pre-deploy snapshot over the paths",
    "   (files the deploy added are removed; the broken state is kept as a pre-restore snapshot),",
    "   feeds captured state to --restore-capture, runs --on-rollback, and validates again.",
    "",
    "Exit codes: 0 deployed and valid; 10 the deploy failed and the rollback succeeded;",
    "20 the rollback itself or its validation failed: a human must act now;",
    "1 the deploy failed and --no-rollback left it as it is. A report goes to stderr (--json: stdout)."
  ].join("\n"),
  options: {
    paths: {
      ...PATHS_OPTION,
      description: "what the deploy changes (default: the working directory without .git and node_modules)"
    },
    directory: { ...FOLDER_OPTION, description: "run the deploy in DIR; paths are relative to it" },
    exclude: {
      type: "string",
      short: "e",
      value: "GLOB",
      multiple: true,
      description: "leave matching paths out of the snapshot"
    },
    tag: {
      ...TAG_OPTION,
      description: `label the pre-deploy snapshot: 1-${MAX_TAG_LENGTH} characters of ${TAG_CHARACTERS}`
    },
    capture: {
      type: "string",
      value: "NAME='CMD'",
      multiple: true,
      description: "capture state that is not a file (stdout of CMD) into the snapshot"
    },
    ...VALIDATION_OPTIONS,
    ...levelOptions("auto"),
    "no-rollback": { type: "boolean", description: "only report a failure, do not roll back" },
    "new-key": {
      type: "boolean",
      description: "take the pre-deploy snapshot with a passphrase or recipients other than the repository's (otherwise refused)"
    }
  },
  examples: [
    "ripcord deploy --paths config,releases --health-url http://127.0.0.1:8080/health --validate-retries 5 --on-rollback 'systemctl restart app' -- ./deploy.sh",
    "ripcord deploy --paths app.db --capture db='sqlite3 app.db .dump' --restore-capture db='rm -f app.db && sqlite3 app.db' -- ./migrate.sh"
  ],
  async run(context, values, positionals) {
    const validation = validationPlan(values);
    const { level, auto } = levelFrom(values, "auto");
    const keys = await context.encryptionKeys();
    const decryptionKeys = flag(values, "no-rollback") ? void 0 : await context.decryptionKeys();
    const store = await context.openRepository();
    const report = await runGuardedDeploy({
      store,
      keys,
      decryptionKeys,
      ...await guardSurroundings(context, values),
      ...deployRequestFrom({
        paths: listOption(values, "paths"),
        exclude: listOption(values, "exclude"),
        tags: listOption(values, "tag"),
        captures: captureOptions(values, "capture"),
        restoreCaptures: captureOptions(values, "restore-capture"),
        command: positionals,
        validation,
        onRollback: stringOption(values, "on-rollback"),
        noRollback: flag(values, "no-rollback"),
        newKey: flag(values, "new-key"),
        level,
        auto
      })
    });
    context.record({
      snapshots: [
        report.preDeploySnapshot,
        ...report.rollback?.brokenStateSnapshot ? [report.rollback.brokenStateSnapshot] : []
      ],
      rolledBack: report.result === "rolled-back",
      timings: { ...report.timings },
      details: {
        result: report.result,
        ...report.failure ? { failure: report.failure.detail } : {},
        ...report.action ? { action: report.action } : {}
      }
    });
    context.reporter.finish();
    if (context.json) context.printJson(report);
    context.stderr.write(`${escapeControlsKeepingLines(formatDeployReport(report))}
`);
    return report.exitCode;
  }
};
var HEADLINE = {
  deployed: "DEPLOYED",
  "rolled-back": "ROLLED BACK",
  "rollback-failed": "ROLLBACK FAILED: a human must act now",
  failed: "FAILED (not rolled back)"
};
function formatDeployReport(report) {
  const parent = report.preDeployParent;
  const rows = [
    ["pre-deploy", `${report.preDeploySnapshot}${parent ? ` (${parent.level} on ${parent.parent})` : ""}`]
  ];
  if (report.absent)
    rows.push([
      "absent before",
      `${report.absent.map((name) => JSON.stringify(name)).join(", ")} (a rollback removes ${report.absent.length === 1 ? "it" : "them"})`
    ]);
  if (report.validation?.ok) rows.push(["validation", describeValidation(report.validation)]);
  if (report.failure) {
    rows.push(["what failed", report.failure.detail]);
    if (report.failure.outputTail) rows.push(["output tail", indent(report.failure.outputTail)]);
  }
  if (report.rollback) rows.push(...rollbackLines(report.rollback));
  if (report.action) rows.push(["ACTION", report.action]);
  const t = report.timings;
  rows.push([
    "timings",
    [
      `snapshot ${formatDuration(t.snapshotMs)}`,
      `deploy ${formatDuration(t.deployMs)}`,
      `validation ${formatDuration(t.validationMs)}`,
      ...t.rollbackMs !== void 0 ? [`rollback ${formatDuration(t.rollbackMs)}`] : [],
      `total ${formatDuration(t.totalMs)}`
    ].join(", ")
  ]);
  return formatRows(`ripcord deploy: ${HEADLINE[report.result]} (exit ${report.exitCode})`, rows);
}

// src/cli/commands/diff.ts
import { statSync } from "node:fs";
import * as path4 from "node:path";
var MARK = { added: "+", removed: "-", changed: "~" };
var diffCommand = {
  name: "diff",
  summary: "Show added, removed and changed files between two snapshots, or a snapshot and a folder.",
  usage: "ripcord diff [options] <id> [<id2> | --target DIR]",
  description: [
    "Two snapshots are compared from their manifests alone (only manifests are decrypted).",
    'With one snapshot, it is compared with --target (default: the working directory): "+" is',
    'in the folder but not in the snapshot, "-" in the snapshot but not in the folder. A second',
    "argument that names a folder (ripcord diff latest .) is that folder. Like backup, the",
    "comparison leaves .git and node_modules out."
  ].join("\n"),
  options: {
    target: { ...FOLDER_OPTION, description: "folder to compare with", default: "the working directory" }
  },
  examples: ["ripcord diff latest", "ripcord diff 20261121T020000.000Z-aaaa latest --json"],
  async run(context, values, positionals) {
    const [from, second] = positionals;
    if (!from) throw new UsageError("diff needs a snapshot: ripcord diff <id> [<id2> | --target DIR]");
    const folderArgument = second !== void 0 && namesFolder(path4.resolve(context.cwd, second), second) ? second : void 0;
    const to = folderArgument === void 0 ? second : void 0;
    const targetOption = stringOption(values, "target") ?? folderArgument;
    if (to && targetOption) throw new UsageError("give either a second snapshot or --target, not both");
    const store = await context.openRepository();
    const keys = await context.decryptionKeys();
    const result = to ? await diffSnapshots(store, from, to, keys) : await diffWithFolder(
      store,
      from,
      path4.resolve(context.cwd, targetOption ?? "."),
      keys,
      repositorySkip(context.repository, context.cwd)
    );
    if (context.json) {
      context.printJson(result);
      return 0;
    }
    for (const line of result.lines)
      context.print(
        `${MARK[line.change]} ${terminalText(line.path)}${line.what ? `  (${terminalText(line.what)})` : ""}`
      );
    context.print(
      `${result.counts.added} added, ${result.counts.removed} removed, ${result.counts.changed} changed (${result.from} -> ${result.to})`
    );
    return 0;
  }
};
function namesFolder(resolved, argument) {
  if (argument === "." || argument === ".." || argument.includes("/")) return true;
  if (argument === "latest" || /^\d{8}T/.test(argument)) return false;
  return statSync(resolved, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

// src/cli/commands/dump.ts
var dumpCommand = {
  name: "dump",
  summary: "Write one file's content from a snapshot to stdout, touching nothing else.",
  usage: "ripcord dump [options] <id|latest> <path>",
  description: [
    "The path is as stored (see ripcord ls). Only the part of the archive that holds the file",
    "is read (a byte range, on S3 too), by the index in the authenticated manifest; nothing is",
    "written to stdout before the file's size and SHA-256 are the manifest's, so a damaged or",
    "tampered file prints nothing. Snapshots made before archives had an index are read whole,",
    "and the file is printed once the whole archive has authenticated."
  ].join("\n"),
  options: {},
  examples: [
    "ripcord dump latest config/app.yaml > app.yaml",
    "ripcord dump latest config/app.yaml | diff - config/app.yaml"
  ],
  async run(context, _values, positionals) {
    const [reference, file] = positionals;
    if (!reference || !file)
      throw new UsageError("dump needs a snapshot and a path: ripcord dump latest config/app.yaml");
    const store = await context.openRepository();
    try {
      await dumpFile({ store, reference, file, keys: await context.decryptionKeys(), output: context.stdout });
    } catch (error) {
      if (error.code !== "EPIPE") throw error;
    }
    return 0;
  }
};

// src/ops/merge.ts
import * as path5 from "node:path";
async function mergeSnapshot(request) {
  const reporter = request.reporter ?? silentReporter;
  const from = await resolveSnapshot(request.store, request.reference);
  if (!from.level) throw new UsageError(`snapshot ${from.id} is a full snapshot already: there is no chain to merge`);
  const { roots, entries } = await readManifest(request.store, from, request.keys);
  const scratch = await makeScratchFolder("merge");
  try {
    const tree = path5.join(scratch.dir, "tree");
    const spool = path5.join(scratch.dir, "captured");
    const captured = entries.filter((e) => e.type === "file" && e.path.startsWith(`${CAPTURED_DIR}/`)).map((e) => e.path.slice(CAPTURED_DIR.length + 1));
    const spoolOf = (name) => shellQuote(path5.join(spool, name));
    const restoreCaptures = captured.map((name) => ({
      name,
      command: `mkdir -p ${shellQuote(spool)} && cat > ${spoolOf(name)}`
    }));
    reporter.emit({ type: "phase", phase: "stage", message: `restoring ${from.id} into a private scratch folder` });
    const plan = await planRestore({
      store: request.store,
      reference: from.id,
      target: tree,
      keys: request.keys,
      allowOutsideSymlinks: true,
      // restored into scratch and never followed: the merge keeps them as they are
      restoreCaptures
    });
    await applyRestore(plan, { store: request.store, keys: request.keys, origin: request.origin, noPreRestore: true });
    reporter.emit({ type: "phase", phase: "pack", message: `writing a full snapshot of ${from.id}'s state` });
    const stats = /* @__PURE__ */ new Map();
    for (const e of entries)
      if (e.type === "file" && !isChainRecordOf(from, e.path))
        stats.set(e.path, { ino: e.ino, ctimeMs: e.ctimeMs, mtimeMs: e.mtimeMs });
    const { snapshot } = await createBackup({
      store: request.store,
      paths: roots.filter((r) => r !== CAPTURED_DIR),
      cwd: tree,
      allowMissing: true,
      // a root the link recorded as absent stays absent
      kind: from.kind,
      tags: from.tags,
      keys: request.encryptionKeys,
      origin: request.origin,
      captures: captured.map((name) => ({ name, command: `cat ${spoolOf(name)}` })),
      at: new Date(Date.parse(from.created) + 1),
      mergedFrom: from.id,
      keepStats: stats,
      reporter: {
        emit: (event) => event.type === "progress" || event.type === "warning" ? reporter.emit(event) : void 0
      }
    });
    if (snapshot.files !== from.files || snapshot.inputBytes !== from.inputBytes) {
      throw new IntegrityError(
        `merging ${from.id} made ${snapshot.id} with ${snapshot.files} files and ${snapshot.inputBytes} bytes, not ${from.files} and ${from.inputBytes}: remove ${snapshot.id} and report this`
      );
    }
    return { from, snapshot };
  } finally {
    await scratch.remove();
  }
}

// src/cli/commands/merge.ts
var mergeCommand = {
  name: "merge",
  summary: "Write a full snapshot equal to an incremental or differential one, from the repository alone.",
  usage: "ripcord merge [options] <id|latest>",
  description: [
    "The snapshot's chain is restored into a private scratch folder under $TMPDIR (it needs room for the",
    "tree), captured state included, and written back as a full snapshot of the same paths, kind and tags,",
    "dated 1 ms after the snapshot it holds the state of. Nothing outside the repository is read. Once",
    "merged, the old links can go: prune keeps them only while a kept snapshot still needs them.",
    "Needs the key that decrypts the repository and the one that encrypts it (the same passphrase, or",
    "RIPCORD_IDENTITY and RIPCORD_RECIPIENTS). Prints the new snapshot id (only the id with --quiet)."
  ].join("\n"),
  options: {},
  examples: ["ripcord merge latest", "ripcord merge 20261122T143022.123Z-7f3a && ripcord prune --keep-last 1"],
  async run(context, _values, positionals) {
    const [reference, extra] = positionals;
    if (!reference) throw new UsageError("merge needs a snapshot: ripcord merge latest (see ripcord list)");
    if (extra !== void 0) throw new UsageError(`merge takes one snapshot, not also ${extra}`);
    const keys = await context.decryptionKeys();
    const encryptionKeys = await context.encryptionKeys();
    const store = await context.openRepository();
    const { from, snapshot } = await mergeSnapshot({
      store,
      reference,
      keys,
      encryptionKeys,
      origin: await describeOrigin(context.cwd, context.env),
      reporter: context.reporter
    });
    context.record({ snapshots: [snapshot.id], snapshot: summarizeSnapshot(snapshot) });
    context.reporter.finish();
    if (context.json) context.printJson({ mergedFrom: from.id, snapshot });
    else if (context.quiet) context.print(snapshot.id);
    else {
      context.print(`snapshot ${snapshot.id} saved: a full snapshot of the state of ${from.level} ${from.id}`);
      const stored = store.properties.listable ? await readStoredBytes(store, snapshot) : storedBytes(snapshot);
      context.print(
        `  ${formatCount(snapshot.files)} ${snapshot.files === 1 ? "file" : "files"}, ${formatBytes(snapshot.inputBytes)}, ${formatBytes(stored)} stored`
      );
      context.print(
        `  ${from.id} and the links before it are needed by nothing new: prune removes what its rules do not keep`
      );
    }
    return 0;
  }
};

// src/cli/commands/list.ts
import { existsSync } from "node:fs";
import * as path6 from "node:path";
var listCommand = {
  name: "list",
  summary: "List snapshots, newest first.",
  usage: "ripcord list [options]",
  description: [
    "LEVEL is full, incremental or differential (see backup --level); an incremental or differential",
    "snapshot needs the earlier snapshots of its chain, which show names.",
    "SIZE is the file content backed up (for an incremental or differential, the whole tree it restores);",
    "STORED is what the snapshot takes up in the repository (every object in its folder): the figure",
    "backup and show print, and what prune frees when it removes it.",
    "Unfinished snapshots (interrupted backups, no snapshot.json) are never listed; a count of them is printed.",
    "Values read from the repository (tags above all) are untrusted text: control characters in them are shown escaped (\\n, \\x1b, \\u{202e}), so each value stays on its line."
  ].join("\n"),
  options: {
    kind: { type: "string", value: "KIND", description: "only snapshots of this kind" },
    tag: { ...TAG_OPTION, description: "only snapshots carrying every one of these tags" },
    set: { ...SET_OPTION, description: `${SET_OPTION.description}: lists only the set's snapshots (tag set:NAME)` }
  },
  examples: ["ripcord list", "ripcord list --kind pre-deploy --json"],
  async run(context, values) {
    const store = await context.openRepository();
    const listing = await listSnapshots(store);
    const snapshots = listing.snapshots.filter(
      (s) => matchesFilter(s, { kind: stringOption(values, "kind"), tags: listOption(values, "tag") })
    );
    for (const bad of listing.damaged)
      context.stderr.write(
        `warning: snapshot ${bad.id} is not listed: ${terminalText(bad.problem)} (run ripcord verify ${bad.id})
`
      );
    if (listing.unfinished.length > 0) {
      context.stderr.write(
        `note: ${countOf(listing.unfinished.length, "unfinished snapshot folder")} (interrupted backups) ${listing.unfinished.length === 1 ? "is" : "are"} not listed; ripcord prune removes ${listing.unfinished.length === 1 ? "it" : "them"} once ${listing.unfinished.length === 1 ? "it is" : "they are"} an hour old
`
      );
    }
    if (context.json) {
      context.printJson(snapshots);
    } else if (snapshots.length === 0) {
      const local = !/^[a-z][a-z0-9+.-]*:\/\//i.test(context.repository) ? path6.resolve(context.cwd, context.repository) : void 0;
      if (local !== void 0 && !existsSync(local)) {
        throw new NotFoundError(
          `${terminalText(local)}: no repository there (no such folder): check --repo or RIPCORD_REPO; the first backup creates it`
        );
      }
      context.print(`no snapshots in ${store.properties.location}`);
    } else {
      context.print(
        formatTable(
          ["ID", "CREATED (UTC)", "KIND", "LEVEL", "FILES", "SIZE", "STORED", "TAGS"],
          snapshots.map((s) => [
            s.id,
            formatTime(s.created),
            s.kind,
            s.level ?? "full",
            formatCount(s.files),
            formatBytes(s.inputBytes),
            formatBytes(storedBytes(s, listing.folders.get(s.id))),
            s.tags.join(",")
          ]),
          [4, 5, 6]
        )
      );
    }
    return 0;
  }
};

// src/cli/commands/ls.ts
var lsCommand = {
  name: "ls",
  summary: "List the files in a snapshot (decrypts only the manifest).",
  usage: "ripcord ls [options] <id|latest>",
  description: "Needs RIPCORD_PASSPHRASE or RIPCORD_IDENTITY. The manifest is authenticated before anything is printed.",
  options: {},
  examples: ["ripcord ls latest", "ripcord ls latest --json | jq -r .path"],
  async run(context, _values, positionals) {
    const store = await context.openRepository();
    const snapshot = await resolveSnapshot(store, positionals[0] ?? "latest");
    const keys = await context.decryptionKeys();
    await withManifest(store, snapshot, keys, async (manifest) => {
      for await (const entry of manifest.entries) {
        if (isChainRecordOf(snapshot, entry.path)) continue;
        if (context.json) {
          context.stdout.write(`${jsonText(entry)}
`);
        } else {
          const size = entry.type === "file" ? formatBytes(entry.size ?? 0) : "";
          const name = entry.type === "directory" ? `${entry.path}/` : entry.type === "symlink" ? `${entry.path} -> ${entry.target}` : entry.path;
          context.print(
            `${terminalText(String(entry.mode))}  ${new Date(entry.mtime * 1e3).toISOString().slice(0, 19).replace("T", " ")}  ${size.padStart(9)}  ${terminalText(name)}`
          );
        }
      }
    });
    return 0;
  }
};

// src/cli/commands/prune.ts
var COUNT_FLAGS = [
  ["keep-last", "last"],
  ["keep-hourly", "hourly"],
  ["keep-daily", "daily"],
  ["keep-weekly", "weekly"],
  ["keep-monthly", "monthly"],
  ["keep-yearly", "yearly"]
];
var pruneCommand = {
  name: "prune",
  summary: "Remove old snapshots by keep rules, and folders of interrupted backups.",
  usage: "ripcord prune --keep-... [options]",
  description: [
    "Snapshots are grouped by kind + tags (never by host); the keep rules apply to each group on",
    'its own, and a snapshot is kept when any rule keeps it. N is a whole number or "unlimited".',
    "At least one keep rule is required. Never removed: the newest snapshot of each group,",
    "snapshots outside --kind/--tag, and damaged snapshots (a warning names them). Unfinished",
    "folders (interrupted backups, no snapshot.json) are removed once their start and every",
    "object are more than an hour old, whatever the scope.",
    "",
    "Rules, groups, time zones and a worked example: docs/retention.md"
  ].join("\n"),
  options: {
    "keep-last": { type: "string", value: "N", description: "keep the N newest snapshots of each group" },
    "keep-hourly": {
      type: "string",
      value: "N",
      description: "keep the newest snapshot of each of the N most recent hours (UTC) that have one"
    },
    "keep-daily": {
      type: "string",
      value: "N",
      description: "keep the newest snapshot of each of the N most recent days (UTC) that have one"
    },
    "keep-weekly": {
      type: "string",
      value: "N",
      description: "keep the newest snapshot of each of the N most recent ISO weeks (UTC) that have one"
    },
    "keep-monthly": {
      type: "string",
      value: "N",
      description: "keep the newest snapshot of each of the N most recent months (UTC) that have one"
    },
    "keep-yearly": {
      type: "string",
      value: "N",
      description: "keep the newest snapshot of each of the N most recent years (UTC) that have one"
    },
    "keep-within": {
      type: "string",
      value: "DURATION",
      description: "keep every snapshot taken less than DURATION (30d, 12h, 1d12h; m = minutes) before the newest of its group"
    },
    "keep-tag": {
      type: "string",
      value: "TAG",
      multiple: true,
      description: "keep every snapshot carrying TAG; with several, a snapshot carrying any of them is kept"
    },
    kind: {
      type: "string",
      value: "KIND",
      description: `prune only snapshots of this kind (${SNAPSHOT_KINDS.join(" | ")}); others are untouched`
    },
    tag: {
      ...TAG_OPTION,
      description: "prune only snapshots carrying every one of these tags (comma-separated or repeated); others are untouched"
    },
    "dry-run": { type: "boolean", short: "n", description: "print what would be removed and delete nothing" },
    wait: {
      type: "string",
      value: "DURATION",
      description: "when another prune holds the repository lock, wait up to DURATION for it (default: fail at once, naming the holder)"
    },
    set: {
      ...SET_OPTION,
      description: `${SET_OPTION.description}: prunes only the set's snapshots (tag set:NAME) by the set's retention`
    }
  },
  examples: [
    "ripcord prune --keep-last 5 --keep-daily 7 --keep-weekly 8 --dry-run",
    "ripcord prune --kind pre-deploy --keep-last 10 --keep-within 30d",
    "ripcord prune --keep-monthly unlimited --keep-tag release --json"
  ],
  async run(context, values, positionals) {
    if (positionals.length > 0)
      throw new UsageError(`prune takes no arguments (got ${positionals[0]}): see ripcord prune --help`);
    const policy = policyFrom(values);
    const kind = stringOption(values, "kind");
    if (kind !== void 0 && !SNAPSHOT_KINDS.includes(kind)) {
      throw new UsageError(`--kind ${kind} is not one of ${SNAPSHOT_KINDS.join(", ")}`);
    }
    const dryRun = flag(values, "dry-run");
    const store = await context.openRepository();
    const waitText = stringOption(values, "wait");
    const waitMs = waitText === void 0 ? 0 : parseDuration(waitText);
    const prune = async () => {
      const plan2 = await planPrune(store, {
        policy,
        scope: { kind, tags: listOption(values, "tag") },
        now: context.now()
      });
      for (const bad of plan2.damaged) {
        context.stderr.write(
          `warning: snapshot ${bad.id} is damaged and was left in place: ${terminalText(bad.problem)} (run ripcord verify ${bad.id})
`
        );
      }
      if (!context.json && !context.quiet) printPlan(context, plan2, dryRun);
      return { plan: plan2, result: dryRun ? void 0 : await applyPrune(store, plan2, context.reporter) };
    };
    const owner = lockOwner("prune", await describeOrigin(context.cwd, context.env));
    const { plan, result } = dryRun ? await prune() : await withLock(store, "prune", owner, { waitMs }, prune);
    context.record({
      dryRun,
      snapshots: result?.removedSnapshots ?? [],
      details: {
        kept: plan.snapshots.length - (result?.removedSnapshots.length ?? 0),
        removed: result?.removedSnapshots.length ?? 0,
        bytesFreed: result?.bytesFreed ?? 0
      }
    });
    context.reporter.finish();
    if (context.json) context.printJson(jsonReport(plan, result, dryRun));
    else context.print(summary(plan, result));
    return 0;
  }
};
function policyFrom(values) {
  const policy = {};
  for (const [name, rule] of COUNT_FLAGS) {
    const text = stringOption(values, name);
    if (text !== void 0) policy[rule] = parseKeepCount(text, `--${name}`);
  }
  const within = stringOption(values, "keep-within");
  if (within !== void 0) {
    try {
      policy.within = parseDuration(within);
    } catch (error) {
      throw new UsageError(`--keep-within: ${error.message}`);
    }
  }
  const keepTags = values["keep-tag"];
  if (keepTags !== void 0) {
    const tags = (Array.isArray(keepTags) ? keepTags : [keepTags]).map((tag) => String(tag).trim());
    const listed = tags.find((tag) => tag.includes(","));
    if (listed !== void 0) {
      throw new UsageError(
        `--keep-tag ${listed}: give one tag per flag (--keep-tag a --keep-tag b keeps snapshots with a or b)`
      );
    }
    policy.tags = tags;
  }
  return policy;
}
function printPlan(context, plan, dryRun) {
  const scope = [
    plan.scope.kind && `kind ${plan.scope.kind}`,
    plan.scope.tags.length > 0 && `tags ${terminalText(plan.scope.tags.join(" and "))}`
  ].filter(Boolean).join(", ");
  context.print(`policy: ${describePolicy(plan.policy)} (applied to each group of kind + tags)`);
  if (scope) context.print(`scope: ${scope} (${plural(plan.outOfScope, "snapshot")} outside it left untouched)`);
  context.print();
  if (plan.snapshots.length === 0) {
    context.print(plan.outOfScope > 0 ? "no snapshot matches the scope" : `no snapshots in ${plan.location}`);
  } else {
    context.print(
      formatTable(
        ["ID", "CREATED (UTC)", "KIND", "TAGS", "ACTION", "REASONS"],
        plan.snapshots.map((d) => [
          d.snapshot.id,
          formatTime(d.snapshot.created),
          d.snapshot.kind,
          d.snapshot.tags.join(","),
          d.action === "keep" ? "keep" : dryRun ? "would remove" : "remove",
          d.neededBy ? `kept because ${d.neededBy} depends on it` : d.reasons.join(", ")
        ])
      )
    );
  }
  if (plan.unfinished.length > 0) {
    context.print();
    context.print("Unfinished folders (interrupted backups, no snapshot.json):");
    context.print(
      formatTable(
        ["ID", "ACTION", "WHY"],
        plan.unfinished.map((u) => [u.id, u.action === "keep" ? "keep" : dryRun ? "would remove" : "remove", u.reason])
      )
    );
  }
  context.print();
}
function summary(plan, result) {
  const kept = plan.snapshots.filter((d) => d.action === "keep").length;
  if (result === void 0) {
    const removed = plan.snapshots.filter((d) => d.action === "remove");
    const unfinished = plan.unfinished.filter((u) => u.action === "remove");
    const bytes = removed.reduce((sum, d) => sum + d.bytes, 0);
    return `dry run, nothing deleted: would keep ${kept}, would remove ${plural(removed.length, "snapshot")} (${formatBytes(bytes)} would be freed), would remove ${plural(unfinished.length, "unfinished folder")}`;
  }
  const snapshotBytes = plan.snapshots.filter((d) => result.removedSnapshots.includes(d.snapshot.id)).reduce((sum, d) => sum + d.bytes, 0);
  const unfinishedBytes = result.bytesFreed - snapshotBytes;
  const skipped = result.skippedUnfinished.length > 0 ? `; left ${plural(result.skippedUnfinished.length, "unfinished folder")} that changed since planning` : "";
  return `kept ${kept}, removed ${plural(result.removedSnapshots.length, "snapshot")} (${formatBytes(snapshotBytes)} freed), removed ${plural(result.removedUnfinished.length, "unfinished folder")}${unfinishedBytes > 0 ? ` (${formatBytes(unfinishedBytes)} freed)` : ""}${skipped}`;
}
function jsonReport(plan, result, dryRun) {
  const removed = plan.snapshots.filter((d) => d.action === "remove");
  const unfinished = plan.unfinished.filter((u) => u.action === "remove");
  return {
    repository: plan.location,
    dryRun,
    now: plan.now.toISOString(),
    policy: { ...plan.policy, description: describePolicy(plan.policy) },
    scope: plan.scope,
    snapshots: plan.snapshots.map((d) => ({
      id: d.snapshot.id,
      created: d.snapshot.created,
      kind: d.snapshot.kind,
      tags: d.snapshot.tags,
      host: d.snapshot.host,
      group: JSON.parse(d.group),
      action: d.action,
      reasons: d.reasons,
      ...d.neededBy ? { neededBy: d.neededBy } : {},
      bytes: d.bytes
    })),
    unfinished: plan.unfinished.map((u) => ({
      id: u.id,
      action: u.action,
      reason: u.reason,
      objects: u.objects.length,
      bytes: u.bytes,
      lastModified: u.lastModified.toISOString()
    })),
    damaged: plan.damaged,
    outOfScope: plan.outOfScope,
    summary: result ? {
      kept: plan.snapshots.length - result.removedSnapshots.length,
      removed: result.removedSnapshots.length,
      removedUnfinished: result.removedUnfinished.length,
      skippedUnfinished: result.skippedUnfinished,
      bytesFreed: result.bytesFreed
    } : {
      kept: plan.snapshots.length - removed.length,
      removed: removed.length,
      removedUnfinished: unfinished.length,
      skippedUnfinished: [],
      bytesFreed: removed.reduce((sum, d) => sum + d.bytes, 0) + unfinished.reduce((sum, u) => sum + u.bytes, 0)
    }
  };
}
function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

// src/cli/commands/restore.ts
import * as path7 from "node:path";
var MARK2 = { add: "+", change: "~", remove: "-", unchanged: " " };
var SHOWN = 50;
var restoreCommand = {
  name: "restore",
  summary: "Restore a snapshot into a folder, safely (pre-restore snapshot first).",
  usage: "ripcord restore [options] <id|latest> [--target DIR]",
  description: [
    "Shows what will change, asks (or needs --yes without a terminal), then:",
    "  1. extracts the snapshot into a staging folder inside the target and checks every file",
    "     against the manifest; nothing in the target changes if that fails;",
    "  2. takes a pre-restore snapshot of exactly what the restore changes, adds or removes",
    "     (its id is printed with the command that undoes the restore exactly); a target that",
    "     does not exist needs none: the restore creates it, and removing it undoes the restore;",
    "  3. moves files into place by rename, never writing through a symlink.",
    "Refuses the whole snapshot when an entry lies outside the snapshot's roots, would replace",
    'or enter the local repository, has an absolute path or "..", is a device or FIFO, holds',
    "more bytes than its manifest lists, or is a link that leads outside the target (judged",
    "by where it resolves, through the snapshot's links and the target's own). setuid/setgid",
    "bits are dropped. Restoring a pre-restore snapshot implies --delete."
  ].join("\n"),
  options: {
    target: { ...FOLDER_OPTION, description: "folder to restore into", default: "the working directory" },
    include: {
      type: "string",
      short: "i",
      value: "GLOB",
      multiple: true,
      description: "restore only matching paths (and what is below them)"
    },
    exclude: { type: "string", short: "e", value: "GLOB", multiple: true, description: "leave matching paths alone" },
    delete: { type: "boolean", description: "remove files under the snapshot roots that the snapshot does not have" },
    "dry-run": { type: "boolean", short: "n", description: "show what would change and change nothing" },
    checksum: {
      type: "boolean",
      description: "compare every file in the target by content (otherwise a file whose size, mode, times and inode are what the snapshot read is left as it is, unread)"
    },
    yes: { type: "boolean", short: "y", description: "apply without asking" },
    "no-pre-restore": {
      type: "boolean",
      description: "do not take the pre-restore snapshot (the restore cannot be undone)"
    },
    "restore-capture": {
      type: "string",
      value: "NAME='CMD'",
      multiple: true,
      description: "feed captured state NAME to CMD (sh -c) on stdin after the files are in place"
    },
    capture: {
      type: "string",
      value: "NAME='CMD'",
      multiple: true,
      description: "capture the current state NAME into the pre-restore snapshot too"
    },
    "allow-outside-symlinks": {
      type: "boolean",
      description: "restore symlinks that lead outside the target, by their text or through other links (never followed)"
    }
  },
  examples: [
    "ripcord restore latest --target ./config --dry-run",
    "ripcord restore 20261122T143022.123Z-7f3a --yes --delete",
    'ripcord restore latest --include "config/*.yaml" --yes'
  ],
  async run(context, values, positionals) {
    const reference = positionals[0];
    if (!reference) throw new UsageError("which snapshot? give an id or latest (see ripcord list)");
    const target = path7.resolve(context.cwd, stringOption(values, "target") ?? ".");
    const store = await context.openRepository();
    const keys = await context.decryptionKeys();
    const noPreRestore = flag(values, "no-pre-restore");
    const encryptionKeys = noPreRestore ? void 0 : await context.preRestoreKeys();
    const plan = await planRestore({
      store,
      reference,
      target,
      include: listOption(values, "include"),
      exclude: listOption(values, "exclude"),
      delete: flag(values, "delete"),
      keys,
      allowOutsideSymlinks: flag(values, "allow-outside-symlinks"),
      protect: repositorySkip(context.repository, context.cwd),
      restoreCaptures: specs2(values["restore-capture"]).map((spec) => parseCaptureSpec(spec, "--restore-capture")),
      checksum: flag(values, "checksum")
    });
    context.record({
      snapshots: [plan.snapshot.id],
      dryRun: flag(values, "dry-run"),
      details: { target, ...plan.counts }
    });
    const pending = plan.counts.add + plan.counts.change + plan.counts.remove + plan.captures.length;
    if (!context.json && !(context.quiet && flag(values, "yes") && !flag(values, "dry-run")))
      printPlan2(context, plan, noPreRestore);
    if (pending === 0 && !flag(values, "dry-run"))
      await removeStaleStaging(target, await describeOrigin(target, context.env));
    if (flag(values, "dry-run") || pending === 0) {
      if (context.json) context.printJson({ dryRun: flag(values, "dry-run"), ...describePlan(plan) });
      else
        context.print(
          pending === 0 ? "nothing to do: the target already matches the snapshot" : "dry run: nothing was changed"
        );
      return 0;
    }
    if (!flag(values, "yes")) {
      if (!context.stdin.isTTY || context.env.CI === "true") {
        throw new UsageError(
          `restore would change ${countOf(pending, "entry", "entries")} in ${target}: add --yes to apply (or --dry-run to only see the plan)`
        );
      }
      const { createInterface } = await import("node:readline/promises");
      const prompt = createInterface({ input: context.stdin, output: context.stderr });
      const answer = await prompt.question(
        `Apply ${pending === 1 ? "this change" : `these ${pending} changes`} to ${target}? [y/N] `
      );
      prompt.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        context.print("nothing was changed");
        return 0;
      }
    }
    const result = await applyRestore(plan, {
      store,
      keys,
      ...encryptionKeys ? { encryptionKeys } : {},
      origin: await describeOrigin(target, context.env),
      noPreRestore,
      preRestoreCaptures: specs2(values.capture).map((spec) => parseCaptureSpec(spec, "--capture")),
      env: context.env,
      reporter: context.reporter
    });
    context.record({
      snapshots: result.preRestoreSnapshot ? [result.preRestoreSnapshot.id] : [],
      timings: { restore: result.durationMs }
    });
    context.reporter.finish();
    if (context.json) {
      context.printJson({
        ...describePlan(plan),
        preRestoreSnapshot: result.preRestoreSnapshot?.id ?? null,
        createdTarget: result.createdTarget,
        durationMs: result.durationMs
      });
      return 0;
    }
    context.print(`restored snapshot ${plan.snapshot.id} into ${target} in ${formatDuration(result.durationMs)}`);
    if (result.preRestoreSnapshot) {
      context.print(
        `pre-restore snapshot ${result.preRestoreSnapshot.id}; to undo: ${undoCommand(plan, result.preRestoreSnapshot)} --yes`
      );
    } else if (result.createdTarget) {
      context.print(
        `${terminalText(target)} did not exist before, so no pre-restore snapshot was needed; to undo: rm -r ${terminalText(shellQuote(target))}`
      );
    }
    return 0;
  }
};
function describePlan(plan) {
  return {
    snapshot: plan.snapshot.id,
    target: plan.target,
    counts: plan.counts,
    scope: plan.scope,
    changes: plan.changes.filter((c) => c.action !== "unchanged")
  };
}
function printPlan2(context, plan, noPreRestore) {
  const { snapshot, counts } = plan;
  context.print(
    `restore snapshot ${snapshot.id} (${snapshot.kind}, ${formatTime(snapshot.created)}) into ${plan.target}`
  );
  context.print(
    `  ${counts.add} to add, ${counts.change} to change, ${counts.remove} to remove, ${counts.unchanged} unchanged`
  );
  const changes = plan.changes.filter((c) => c.action !== "unchanged");
  for (const change of changes.slice(0, SHOWN)) {
    context.print(
      `  ${MARK2[change.action]} ${terminalText(change.path)}${change.type === "directory" ? "/" : ""}${change.what ? `  (${terminalText(change.what)})` : ""}`
    );
  }
  if (changes.length > SHOWN) context.print(`  ... and ${changes.length - SHOWN} more (--json lists all)`);
  for (const { capture } of plan.captures) context.print(`  captured ${capture.name} is fed to: ${capture.command}`);
  if (plan.unrestoredCaptures.length) {
    context.print(`  captured state not restored (no --restore-capture): ${plan.unrestoredCaptures.join(", ")}`);
  }
  context.print(
    plan.newTarget ? "  the target does not exist: the restore creates it, and with nothing there to lose no pre-restore snapshot is taken (to undo, remove the folder)" : noPreRestore ? "  no pre-restore snapshot (--no-pre-restore): this restore cannot be undone" : `  a pre-restore snapshot of what changes (${describeScope(plan.scope)}) is taken first`
  );
}
function describeScope(scope) {
  if (scope.length === 0) return "no files";
  const shown = scope.slice(0, 5).map((name) => terminalText(name)).join(", ");
  return scope.length > 5 ? `${scope.length} paths: ${shown}, ...` : shown;
}
function specs2(value) {
  return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
}

// src/cli/commands/rollback.ts
var rollbackCommand = {
  name: "rollback",
  summary: "Restore the newest pre-deploy snapshot (or the one named), run the rollback hook, validate.",
  usage: "ripcord rollback [options] [<id>]",
  description: [
    "For a separate rollback job. Restores with --delete semantics over the snapshot paths (the",
    "current state is kept as a pre-restore snapshot), feeds --restore-capture commands, runs",
    "--on-rollback and the validation checks. Needs no confirmation: running it is the decision.",
    "A snapshot with captured state (deploy --capture) is refused, before anything is touched,",
    "unless each captured NAME has a --restore-capture NAME=CMD, or --skip-captures is given.",
    "",
    "Exit codes: 0 rolled back and valid; 20 the rollback or its validation failed: a human must act now."
  ].join("\n"),
  options: {
    paths: { ...PATHS_OPTION, description: "restore only these paths of the snapshot (default: all of it)" },
    directory: { ...FOLDER_OPTION, description: "the folder the deploy ran in", default: "the working directory" },
    capture: {
      type: "string",
      value: "NAME='CMD'",
      multiple: true,
      description: "capture the current state NAME into the pre-restore snapshot"
    },
    "skip-captures": {
      type: "boolean",
      description: "restore the files even though captured state in the snapshot has no --restore-capture (it stays as it is now)"
    },
    ...VALIDATION_OPTIONS
  },
  examples: [
    "ripcord rollback --on-rollback 'systemctl restart app' --health-url http://127.0.0.1:8080/health --validate-retries 5",
    "ripcord rollback --restore-capture db='rm -f app.db && sqlite3 app.db'"
  ],
  async run(context, values, positionals) {
    const validation = validationPlan(values);
    const store = await context.openRepository();
    const report = await runRollback({
      store,
      reference: positionals[0],
      include: listOption(values, "paths"),
      keys: await context.preRestoreKeys(),
      decryptionKeys: await context.decryptionKeys(),
      ...await guardSurroundings(context, values),
      validation,
      onRollback: stringOption(values, "on-rollback"),
      captures: captureOptions(values, "capture"),
      restoreCaptures: captureOptions(values, "restore-capture"),
      skipCaptures: values["skip-captures"] === true
    });
    context.record({
      snapshots: [
        report.rollback.restoredSnapshot,
        ...report.rollback.brokenStateSnapshot ? [report.rollback.brokenStateSnapshot] : []
      ],
      rolledBack: report.result === "rolled-back",
      timings: { rollback: report.rollback.durationMs },
      details: { result: report.result, ...report.action ? { action: report.action } : {} }
    });
    context.reporter.finish();
    if (context.json) context.printJson(report);
    const rows = rollbackLines(report.rollback);
    if (report.action) rows.push(["ACTION", report.action]);
    context.stderr.write(
      `${escapeControlsKeepingLines(formatRows(`ripcord rollback: ${report.result === "rolled-back" ? "ROLLED BACK" : "ROLLBACK FAILED: a human must act now"} (exit ${report.exitCode})`, rows))}
`
    );
    return report.exitCode;
  }
};

// src/cli/commands/show.ts
var showCommand = {
  name: "show",
  summary: "Show a snapshot's metadata (no key needed).",
  usage: "ripcord show [options] <id|latest>",
  description: "Values read from the repository (tags, host, user, git and CI fields) are untrusted text: control characters in them are shown escaped (\\n, \\x1b, \\u{202e}), so each value stays on its line.",
  options: {},
  examples: ["ripcord show latest", "ripcord show 20261122T143022.123Z-7f3a --json"],
  async run(context, _values, positionals) {
    const store = await context.openRepository();
    const snapshot = await resolveSnapshot(store, positionals[0] ?? "latest");
    if (context.json) {
      context.printJson(snapshot);
      return 0;
    }
    const rows = [
      ["id", snapshot.id],
      ["created", formatTime(snapshot.created)],
      ["kind", snapshot.kind],
      ["tags", snapshot.tags.join(", ") || "-"],
      ["host", snapshot.host],
      ["user", snapshot.user],
      [
        "git",
        snapshot.git ? `${snapshot.git.commit}${snapshot.git.branch ? ` (${snapshot.git.branch})` : ""}${snapshot.git.remote ? ` ${snapshot.git.remote}` : ""}` : void 0
      ],
      ["ci run", snapshot.ci ? snapshot.ci.runUrl ?? snapshot.ci.runId ?? "github-actions" : void 0],
      ["restored from", snapshot.restoredFrom],
      ["level", snapshot.level ?? "full"],
      ["parent", snapshot.parent],
      ["chain base", snapshot.base],
      ["files", formatCount(snapshot.files)],
      ["input", formatBytes(snapshot.inputBytes)],
      [
        "stored",
        formatBytes(store.properties.listable ? await readStoredBytes(store, snapshot) : storedBytes(snapshot))
      ],
      ["duration", formatDuration(snapshot.durationMs)],
      [
        "encryption",
        `${snapshot.encryption.mode} (OpenPGP ${snapshot.encryption.profile})${snapshot.encryption.recipients.length ? `, recipients ${snapshot.encryption.recipients.join(", ")}` : ""}`
      ],
      ["archive sha256", snapshot.objects["archive.tar.gz.pgp"].sha256],
      ["manifest sha256", snapshot.objects["manifest.json.pgp"].sha256],
      ["ripcord", snapshot.tool.version]
    ];
    for (const [label, value] of rows)
      if (value !== void 0) context.print(`${`${label}:`.padEnd(17)}${terminalText(value)}`);
    return 0;
  }
};

// src/cli/commands/verify.ts
var verifyCommand = {
  name: "verify",
  summary: "Check that stored snapshots are intact.",
  usage: "ripcord verify [options] [<id|latest>...|--all]",
  description: [
    "Without a key: checks snapshot.json, SHA256SUMS and the SHA-256 of every stored byte.",
    "With --read-data (needs a key): also decrypts, authenticates and decompresses the archive",
    "and checks every file against the manifest.",
    "",
    "Prints one verdict per snapshot: ok, FAILED (damaged or altered), or cannot decrypt (intact, but the",
    "keys given do not open it). Every snapshot is checked; the exit status is 1 if any is not ok."
  ].join("\n"),
  options: {
    all: { type: "boolean", short: "a", description: "verify every snapshot in the repository" },
    "read-data": { type: "boolean", description: "decrypt and check every file against the manifest" }
  },
  examples: ["ripcord verify latest", "ripcord verify --all --read-data"],
  async run(context, values, positionals) {
    const readData = flag(values, "read-data");
    const store = await context.openRepository();
    const outcomes = await verifySnapshots({
      store,
      references: positionals,
      all: flag(values, "all"),
      readData,
      ...readData ? { keys: await context.decryptionKeys() } : {},
      reporter: context.reporter
    });
    context.reporter.finish();
    const failed = outcomes.filter((o) => !o.ok);
    context.record({
      snapshots: outcomes.map((o) => o.id),
      details: { verified: outcomes.length, failed: failed.length, readData }
    });
    if (context.json) {
      context.printJson(outcomes);
    } else {
      for (const outcome of outcomes) {
        if (outcome.ok) context.print(`ok      ${outcome.id}${outcome.readData ? " (data read and checked)" : ""}`);
        else if (outcome.verdict === "cannot-decrypt")
          context.print(`cannot decrypt  ${terminalText(outcome.problems[0] ?? "")}`);
        else for (const problem of outcome.problems) context.print(`FAILED  ${terminalText(problem)}`);
      }
    }
    const problems = failed.flatMap((o) => o.problems);
    if (problems.length === 1)
      throw failed[0].verdict === "cannot-decrypt" ? new KeyError(problems[0]) : new IntegrityError(problems[0]);
    if (problems.length > 1) {
      const undecryptable = failed.filter((o) => o.verdict === "cannot-decrypt").length;
      const counts = [
        failed.length - undecryptable && `${failed.length - undecryptable} failed`,
        undecryptable && `${undecryptable} cannot be decrypted with the keys given`
      ].filter(Boolean).join(", ");
      throw new IntegrityError(
        `${failed.length} of ${outcomes.length} snapshot(s) did not verify (${counts}): ${problems[0]} (and ${problems.length - 1} more problem(s) listed above)`
      );
    }
    return 0;
  }
};

// src/cli/observe.ts
import * as fs2 from "node:fs/promises";
import { hostname } from "node:os";
import * as path8 from "node:path";

// src/domain/metrics.ts
var RIPCORD_METRICS = {
  ripcord_last_success_timestamp_seconds: { type: "gauge", help: "Unix time at which the operation last succeeded." },
  ripcord_last_run_timestamp_seconds: {
    type: "gauge",
    help: "Unix time at which the operation last finished, successfully or not."
  },
  ripcord_last_run_success: {
    type: "gauge",
    help: "1 when the last run of the operation succeeded, 0 when it failed."
  },
  ripcord_runs_total: { type: "counter", help: "Runs of the operation, by result (success or failure)." },
  ripcord_duration_seconds: { type: "gauge", help: "Wall time of the last run of the operation." },
  ripcord_archive_bytes: {
    type: "gauge",
    help: "Stored (compressed, encrypted) size of the snapshot the last successful run made or checked."
  },
  ripcord_input_bytes: {
    type: "gauge",
    help: "Bytes of file content in the snapshot the last successful run made or checked."
  },
  ripcord_files: { type: "gauge", help: "Regular files in the snapshot the last successful run made or checked." },
  ripcord_snapshots: {
    type: "gauge",
    help: "Snapshots in the run's scope after the run: the backup's kind and tags, the --kind/--tag/--set of check and prune, else the set's (all without --set)."
  },
  ripcord_newest_snapshot_timestamp_seconds: {
    type: "gauge",
    help: "Creation time of the newest snapshot in the run's scope after the run (pre-restore snapshots excluded unless --kind asks for them)."
  }
};
var RESERVED_LABELS = ["operation", "set", "result", "job", "instance"];
function runLabels(run, extra = {}) {
  return { ...extra, operation: run.operation, set: run.set ?? "" };
}
function runSamples(run, previous, extra = {}) {
  const labels = runLabels(run, extra);
  const seconds = (date) => new Date(date).getTime() / 1e3;
  const mine = (sample) => Object.entries(labels).every(([name, value]) => (sample.labels[name] ?? "") === value);
  const count = (result) => previous.find((s) => s.name === "ripcord_runs_total" && mine(s) && s.labels.result === result)?.value ?? 0;
  const samples = [];
  const add = (name, value, extra2 = {}) => samples.push({ name, labels: { ...labels, ...extra2 }, value });
  add("ripcord_last_run_timestamp_seconds", seconds(run.finishedAt));
  add("ripcord_last_run_success", run.result === "success" ? 1 : 0);
  for (const result of ["success", "failure"])
    add("ripcord_runs_total", count(result) + (run.result === result ? 1 : 0), { result });
  add("ripcord_duration_seconds", durationMs(run) / 1e3);
  if (run.result === "success") {
    add("ripcord_last_success_timestamp_seconds", seconds(run.finishedAt));
    if (run.snapshot) {
      add("ripcord_archive_bytes", run.snapshot.archiveBytes);
      add("ripcord_input_bytes", run.snapshot.inputBytes);
      add("ripcord_files", run.snapshot.files);
    }
  }
  if (run.repositoryState) {
    add("ripcord_snapshots", run.repositoryState.snapshots);
    if (run.repositoryState.newestCreated)
      add("ripcord_newest_snapshot_timestamp_seconds", seconds(run.repositoryState.newestCreated));
  }
  return samples;
}
function mergeSamples(previous, next) {
  const key = (s) => `${s.name}${formatLabels(s.labels)}`;
  const replaced = new Set(next.map(key));
  return [...previous.filter((s) => !replaced.has(key(s))), ...next];
}
function formatExposition(samples, known = /* @__PURE__ */ new Map()) {
  const names = [...new Set(samples.map((s) => s.name))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const lines = [];
  for (const name of names) {
    const info = RIPCORD_METRICS[name] ?? known.get(name) ?? { help: name, type: "untyped" };
    lines.push(
      `# HELP ${name} ${info.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`,
      `# TYPE ${name} ${info.type}`
    );
    const series = samples.filter((s) => s.name === name).map((s) => `${name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
    lines.push(...series.sort());
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}
`;
}
function parseExposition(text) {
  const samples = [];
  const info = /* @__PURE__ */ new Map();
  const problems = [];
  const lines = text.split("\n");
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    const comment = /^#\s*(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)\s?(.*)$/.exec(line);
    if (comment) {
      const [, what, name, rest] = comment;
      const current = info.get(name) ?? { help: name, type: "untyped" };
      if (what === "HELP") current.help = rest.replace(/\\n/g, "\n").replace(/\\\\/g, "\\");
      else current.type = ["counter", "gauge"].includes(rest.trim()) ? rest.trim() : "untyped";
      info.set(name, current);
      return;
    }
    if (line.startsWith("#")) return;
    const sample = parseSampleLine(line);
    if (sample) samples.push(sample);
    else problems.push(`line ${index + 1}: cannot read ${JSON.stringify(line.slice(0, 80))}`);
  });
  return { samples, info, problems };
}
function parseSampleLine(line) {
  const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!head) return void 0;
  const name = head[1];
  let at = name.length;
  const labels = {};
  if (line[at] === "{") {
    at += 1;
    const label = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,?)/y;
    for (; ; ) {
      if (line[at] === "}") break;
      label.lastIndex = at;
      const m = label.exec(line);
      if (!m) return void 0;
      labels[m[1]] = m[2].replace(/\\(.)/g, (_, c) => c === "n" ? "\n" : c);
      at = label.lastIndex;
      if (m[3] !== "," && line[at] !== "}") return void 0;
    }
    at += 1;
  }
  const rest = line.slice(at).trim().split(/\s+/);
  if (rest.length < 1 || rest.length > 2 || rest[0] === "") return void 0;
  const value = parseValue(rest[0]);
  if (value === void 0) return void 0;
  return { name, labels, value };
}
function parseValue(text) {
  if (text === "NaN") return NaN;
  if (text === "+Inf" || text === "Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return void 0;
  return Number(text);
}
function formatLabels(labels) {
  const entries = Object.entries(labels).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`).join(",")}}`;
}
function formatValue(value) {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
function rank(name) {
  const index = Object.keys(RIPCORD_METRICS).indexOf(name);
  return index < 0 ? Number.MAX_SAFE_INTEGER : index;
}

// src/cli/observe.ts
var OBSERVED_COMMANDS = [
  "backup",
  "restore",
  "prune",
  "copy",
  "deploy",
  "rollback",
  "check",
  "verify"
];
var MONITORING_OPTIONS = {
  report: {
    type: "string",
    value: "FILE",
    group: "Monitoring",
    description: "write a JSON report of this run (result, snapshot ids, timings, sizes, throughput, warnings) to FILE"
  },
  "metrics-file": {
    type: "string",
    value: "FILE",
    group: "Monitoring",
    description: "update this run's Prometheus metrics in FILE (node_exporter textfile format, replaced atomically)"
  },
  pushgateway: {
    type: "string",
    value: "URL",
    group: "Monitoring",
    description: `push this run's Prometheus metrics to a Pushgateway (group job="ripcord", operation, set)`
  },
  "metrics-label": {
    type: "string",
    value: "NAME=VALUE",
    multiple: true,
    group: "Monitoring",
    description: "add this label to every metric (and to the Pushgateway group), e.g. repository=acme/app"
  },
  "notify-webhook": {
    type: "string",
    value: "URL",
    group: "Monitoring",
    description: "post a Slack-compatible message when the run fails or rolls back (default: $RIPCORD_NOTIFY_WEBHOOK)"
  },
  "notify-on": {
    type: "string",
    value: "success",
    group: "Monitoring",
    description: "post on success too (failures and rollbacks always post)"
  }
};
function withMonitoring(command) {
  return OBSERVED_COMMANDS.includes(command.name) ? { ...command, options: { ...command.options, ...MONITORING_OPTIONS } } : command;
}
var NOTIFY_EVENTS = ["failure", "rollback", "success"];
var NETWORK_TIMEOUT_MS = 1e4;
var METRICS_LOCK = { waitMs: 15e3, pollMs: 50, sameMachine: true };
function checkMonitoringOptions(command, values, env) {
  if (!OBSERVED_COMMANDS.includes(command.name)) return;
  for (const name of ["pushgateway", "notify-webhook"]) {
    const url = stringOption(values, name);
    if (url !== void 0 && !/^https?:\/\/\S+$/.test(url))
      throw new UsageError(`--${name} ${redactUrl(url)}: give an http:// or https:// URL`);
  }
  if (env.RIPCORD_NOTIFY_WEBHOOK && !/^https?:\/\/\S+$/.test(env.RIPCORD_NOTIFY_WEBHOOK))
    throw new UsageError("RIPCORD_NOTIFY_WEBHOOK is not an http:// or https:// URL");
  metricLabels(values);
  for (const event of listOption(values, "notify-on")) {
    if (!NOTIFY_EVENTS.includes(event))
      throw new UsageError(`--notify-on ${event}: give success (failures and rollbacks always post)`);
  }
}
function metricLabels(values) {
  const labels = {};
  const given = values["metrics-label"];
  for (const spec of Array.isArray(given) ? given.map(String) : typeof given === "string" ? [given] : []) {
    const eq = spec.indexOf("=");
    const name = spec.slice(0, Math.max(0, eq));
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) || name.startsWith("__"))
      throw new UsageError(
        `--metrics-label ${spec}: write NAME=VALUE with a Prometheus label name (letters, digits, _)`
      );
    if (RESERVED_LABELS.includes(name))
      throw new UsageError(`--metrics-label ${spec}: ripcord sets the label ${name} itself`);
    labels[name] = spec.slice(eq + 1);
  }
  return labels;
}
async function observeRun(context, command, values, end) {
  const warn = (what, error) => {
    context.stderr.write(
      `warning: ${terminalText(what)}: ${terminalText(error instanceof Error ? error.message : String(error))} (the ${command.name} result and exit code are unchanged)
`
    );
  };
  try {
    const run = assembleRun(context, command, values, end);
    const metricsFile = stringOption(values, "metrics-file");
    const pushgateway = stringOption(values, "pushgateway");
    const webhook = stringOption(values, "notify-webhook") ?? (context.env.RIPCORD_NOTIFY_WEBHOOK || void 0);
    const report = stringOption(values, "report");
    const audited = AUDITED_OPERATIONS.includes(run.operation) && !run.dryRun && isAuditable(end.error) && (run.result === "success" || context.run.repository !== void 0);
    if (!audited && !metricsFile && !pushgateway && !webhook && !report) return;
    let store;
    const repository = async () => store ??= await context.openRepository();
    if (audited) {
      await repository().then((store2) => writeAudit(run, store2)).catch((error) => warn("the audit record was not written", error));
    }
    if ((metricsFile || pushgateway) && !(end.error instanceof StorageError)) {
      run.repositoryState = await repository().then((store2) => repositoryState(store2, runScope(run, values))).catch((error) => {
        warn("cannot count the snapshots for ripcord_snapshots", error);
        return void 0;
      });
    }
    if (report)
      await writeReport(path8.resolve(context.cwd, report), run).catch(
        (error) => warn(`the report ${report} was not written`, error)
      );
    const labels = metricLabels(values);
    if (metricsFile)
      await updateMetricsFile(path8.resolve(context.cwd, metricsFile), run, labels).catch(
        (error) => warn(`the metrics file ${metricsFile} was not updated`, error)
      );
    if (pushgateway)
      await pushMetrics(pushgateway, run, labels).catch(
        (error) => warn(`the metrics were not pushed to ${redactUrl(pushgateway)}`, error)
      );
    if (webhook) {
      const events = /* @__PURE__ */ new Set(["failure", "rollback", ...listOption(values, "notify-on")]);
      if (events.has(notificationEvent(run)))
        await postWebhook(webhook, run).catch(
          (error) => warn(`the notification to ${redactUrl(webhook)} was not sent`, error)
        );
    }
  } catch (error) {
    warn("reporting on this run failed", error);
  }
}
function assembleRun(context, command, values, end) {
  const { notes } = context.run;
  const set = stringOption(values, "set");
  const error = end.error === void 0 ? void 0 : isRipcordError(end.error) ? end.error.message : `internal error: ${end.error instanceof Error ? end.error.message : String(end.error)}`;
  return {
    operation: command.name,
    ...set !== void 0 ? { set } : {},
    ...context.run.repository !== void 0 ? { repository: context.run.repository } : {},
    result: end.exitCode === 0 && end.error === void 0 ? "success" : "failure",
    exitCode: end.exitCode,
    ...error !== void 0 ? { error } : {},
    startedAt: end.startedAt,
    finishedAt: /* @__PURE__ */ new Date(),
    snapshots: notes.snapshots ?? [],
    ...notes.snapshot ? { snapshot: notes.snapshot } : {},
    ...notes.bytesProcessed !== void 0 ? { bytesProcessed: notes.bytesProcessed } : {},
    dryRun: notes.dryRun ?? false,
    rolledBack: notes.rolledBack ?? false,
    timings: notes.timings ?? {},
    details: notes.details ?? {},
    warnings: notes.warnings ?? [],
    origin: describeActor(context.env),
    tool: `ripcord ${VERSION}`
  };
}
async function writeAudit(run, store) {
  await appendRunAudit(store, {
    time: run.finishedAt.toISOString(),
    operation: run.operation,
    result: run.result,
    snapshots: run.snapshots,
    ...run.set !== void 0 ? { set: run.set } : {},
    actor: run.origin.actor,
    host: run.origin.host,
    ...run.origin.ciRunUrl ? { ciRunUrl: run.origin.ciRunUrl } : {},
    exitCode: run.exitCode,
    ...run.error !== void 0 ? { error: run.error } : {},
    ...run.rolledBack ? { rolledBack: true } : {},
    durationMs: durationMs(run),
    tool: run.tool
  });
}
function runScope(run, values) {
  if (run.operation === "backup" && run.snapshot) return { kind: run.snapshot.kind, tags: run.snapshot.tags };
  if (run.operation === "check" || run.operation === "prune")
    return { kind: stringOption(values, "kind"), tags: listOption(values, "tag") };
  return { tags: run.set !== void 0 ? [setTag(run.set)] : [] };
}
async function repositoryState(store, scope) {
  const { snapshots } = await listSnapshots(store);
  const inScope = snapshots.filter((s) => matchesFilter(s, scope));
  const newest = scope.kind ? inScope[0] : inScope.find((s) => s.kind !== "pre-restore");
  return { snapshots: inScope.length, ...newest ? { newestCreated: newest.created } : {} };
}
async function writeReport(file, run) {
  await writeFileAtomically(file, `${JSON.stringify(runReport(run), null, 2)}
`, 420);
}
async function updateMetricsFile(file, run, labels) {
  const folder = path8.dirname(file);
  if (!await fs2.stat(folder).then(
    (s) => s.isDirectory(),
    () => false
  ))
    throw new Error(`the folder ${folder} does not exist: create it (node_exporter's --collector.textfile.directory)`);
  const folderStore = new LocalStore(folder);
  const owner = lockOwner("metrics-file", { host: hostname() });
  await withLock(folderStore, path8.basename(file), owner, METRICS_LOCK, async () => {
    const old = await fs2.readFile(file, "utf8").catch((error) => {
      if (error.code === "ENOENT") return "";
      throw error;
    });
    const previous = parseExposition(old);
    const samples = mergeSamples(previous.samples, runSamples(run, previous.samples, labels));
    await writeFileAtomically(file, formatExposition(samples, previous.info), 420);
  });
}
async function pushMetrics(gateway, run, labels) {
  const { url: base, headers } = splitCredentials(gateway.replace(/\/+$/, ""));
  const page = await fetch(`${base}/metrics`, { headers, signal: AbortSignal.timeout(NETWORK_TIMEOUT_MS) });
  if (!page.ok) throw new Error(`GET /metrics answered ${page.status} ${page.statusText}`);
  const previous = parseExposition(await page.text()).samples.filter((s) => s.labels.job === "ripcord");
  const grouping = runLabels(run, labels);
  const samples = runSamples(run, previous, labels).map((sample) => ({
    ...sample,
    labels: Object.fromEntries(Object.entries(sample.labels).filter(([name]) => !(name in grouping)))
  }));
  const group = `${base}/metrics/job/ripcord${Object.entries(grouping).map(([name, value]) => `/${name}@base64/${value === "" ? "=" : base64url(value)}`).join("")}`;
  const response = await fetch(group, {
    method: "POST",
    headers: { ...headers, "content-type": "text/plain; version=0.0.4; charset=utf-8" },
    body: formatExposition(samples),
    signal: AbortSignal.timeout(NETWORK_TIMEOUT_MS)
  });
  if (!response.ok)
    throw new Error(
      `the Pushgateway answered ${response.status} ${response.statusText}: ${(await response.text()).trim().slice(0, 300)}`
    );
}
async function postWebhook(webhook, run) {
  const { url, headers } = splitCredentials(webhook);
  const response = await fetch(url, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify(slackMessage(run)),
    signal: AbortSignal.timeout(NETWORK_TIMEOUT_MS)
  });
  if (!response.ok) throw new Error(`the webhook answered ${response.status} ${response.statusText}`);
}
function splitCredentials(text) {
  const url = new URL(text);
  if (!url.username && !url.password) return { url: text, headers: {} };
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = "";
  url.password = "";
  return {
    url: url.toString().replace(/\/$/, text.endsWith("/") ? "/" : ""),
    headers: { authorization: `Basic ${Buffer.from(credentials).toString("base64")}` }
  };
}
function redactUrl(text) {
  try {
    const url = new URL(text);
    return `${url.protocol}//${url.host}${url.pathname !== "/" ? "/\u2026" : ""}`;
  } catch {
    return "(an invalid URL)";
  }
}
function base64url(text) {
  return Buffer.from(text).toString("base64url");
}

// src/cli/main.ts
var COMMANDS = [
  backupCommand,
  listCommand,
  showCommand,
  lsCommand,
  verifyCommand,
  restoreCommand,
  diffCommand,
  dumpCommand,
  pruneCommand,
  mergeCommand,
  deployCommand,
  rollbackCommand,
  copyCommand,
  checkCommand,
  auditCommand
].map(withMonitoring);
function mainHelp() {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "ripcord: snapshot before you deploy, roll back when it fails.",
    "",
    "Usage: ripcord <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Environment:",
    "  RIPCORD_REPO                  repository (default ./.ripcord)",
    "  RIPCORD_PASSPHRASE            passphrase for passphrase-mode snapshots",
    "  RIPCORD_RECIPIENTS            armored public keys (inline or file paths) for public-key mode",
    "  RIPCORD_IDENTITY              armored private key (inline or a file path) to read public-key snapshots",
    "  RIPCORD_IDENTITY_PASSPHRASE   passphrase of that private key",
    "  RIPCORD_NOTIFY_WEBHOOK        Slack-compatible webhook for failures and rollbacks (--notify-webhook)",
    "",
    "Configuration: ./ripcord.config.json (or --config FILE): backup sets (--set NAME), monitoring.",
    "",
    'Run "ripcord <command> --help" for the options of a command.',
    "Emergency restore without ripcord: gpg -d archive.tar.gz.pgp | tar -xz",
    ""
  ].join("\n");
}
async function main(argv, io) {
  const debug = argv.includes("--debug");
  const [name, ...rest] = argv;
  if (name === void 0 || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? COMMANDS.find((c) => c.name === rest[0]) : void 0;
    io.stdout.write(topic ? formatHelp(topic) : mainHelp());
    return 0;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    io.stdout.write(`${VERSION}
`);
    return 0;
  }
  let context;
  let observed;
  const startedAt = /* @__PURE__ */ new Date();
  let exitCode = 1;
  let failure;
  try {
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) {
      throw new UsageError(
        name.startsWith("-") ? `${name} must come after a command (see ripcord --help)` : unknownCommand(name)
      );
    }
    const parsed = parseCommandLine(command, rest);
    if (flag(parsed.values, "help")) {
      io.stdout.write(formatHelp(command));
      return 0;
    }
    const { values, positionals } = applyConfig(
      command,
      parsed.values,
      parsed.positionals,
      await loadConfig(io.cwd, stringOption(parsed.values, "config"))
    );
    checkMonitoringOptions(command, values, io.env);
    context = createContext(io, values);
    observed = { command, values };
    return exitCode = await command.run(context, values, positionals);
  } catch (error) {
    failure = error;
    context?.reporter.finish();
    if (isRipcordError(error)) {
      io.stderr.write(`ripcord: ${escapeControls(error.message)}
`);
      if (debug && error.stack)
        io.stderr.write(`${error.stack}
${error.cause instanceof Error ? `caused by: ${error.cause.stack}
` : ""}`);
      return exitCode = error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(
      `ripcord: internal error: ${escapeControls(message)}${debug ? "" : " (run again with --debug for details, and please report it)"}
`
    );
    if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}
`);
    return exitCode = 1;
  } finally {
    if (context && observed)
      await observeRun(context, observed.command, observed.values, { startedAt, exitCode, error: failure }).catch(
        () => {
        }
      );
    await context?.close().catch(() => {
    });
  }
}
function unknownCommand(name) {
  const close = closeMatches(
    name,
    COMMANDS.map((c) => c.name)
  );
  return `unknown command ${name}: ${close.length > 0 ? `did you mean ${close.join(" or ")}? ` : ""}see ripcord --help`;
}
export {
  COMMANDS,
  GLOBAL_OPTIONS,
  main
};
