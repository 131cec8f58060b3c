import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);

// src/domain/errors.ts
var ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** deploy or validation failed and the rollback succeeded */
  rolledBack: 10,
  /** the rollback itself failed, or post-rollback validation failed: a human must act */
  rollbackFailed: 20
};
var RipcordError = class extends Error {
  exitCode;
  constructor(message, options = {}) {
    super(message, options.cause === void 0 ? void 0 : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? ExitCode.failure;
  }
};
var UsageError = class extends RipcordError {
  constructor(message) {
    super(message, { exitCode: ExitCode.usage });
  }
};
var KeyError = class extends RipcordError {
};
var SignatureError = class extends KeyError {
};
var SourceError = class extends RipcordError {
};
var NotFoundError = class extends RipcordError {
};
var IntegrityError = class extends RipcordError {
};
var UnsafeEntryError = class extends RipcordError {
};
var StorageError = class extends RipcordError {
  /** true when retrying later may succeed (5xx, throttling, connection reset) */
  transient;
  constructor(message, options = {}) {
    super(message, { cause: options.cause });
    this.transient = options.transient ?? false;
  }
};
var InterruptedError = class extends RipcordError {
  constructor(message, signal) {
    super(message, { exitCode: signal === "SIGINT" ? 130 : 143 });
  }
};
var LockedError = class extends RipcordError {
};
function isRipcordError(error) {
  return error instanceof RipcordError;
}

// src/storage/keys.ts
function assertValidKey(key) {
  if (key === "" || key.startsWith("/") || key.includes("\\") || key.includes("\0") || key.split("/").some((part) => part === "" || part === "." || part === "..")) {
    throw new Error(`invalid repository key: ${JSON.stringify(key)}`);
  }
}

export {
  ExitCode,
  RipcordError,
  UsageError,
  KeyError,
  SignatureError,
  SourceError,
  NotFoundError,
  IntegrityError,
  UnsafeEntryError,
  StorageError,
  InterruptedError,
  LockedError,
  isRipcordError,
  assertValidKey
};
