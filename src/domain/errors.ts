/**
 * Every failure a user can cause or meet is one of these named errors. Each carries
 * the one line printed on stderr (which snapshot, which file, what to do) and the
 * process exit code. Anything else reaching an adapter is a bug and prints as such.
 */

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** deploy or validation failed and the rollback succeeded */
  rolledBack: 10,
  /** the rollback itself failed, or post-rollback validation failed: a human must act */
  rollbackFailed: 20,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class RipcordError extends Error {
  readonly exitCode: number;
  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? ExitCode.failure;
  }
}

/** The command line or an input is wrong: unknown flag, missing argument, bad value. */
export class UsageError extends RipcordError {
  constructor(message: string) {
    super(message, { exitCode: ExitCode.usage });
  }
}

/** No key, a wrong key, a key that cannot decrypt this snapshot. */
export class KeyError extends RipcordError {}

/** A snapshot without a trusted signature where one is required (docs/security.md). */
export class SignatureError extends KeyError {}

/** A path the user named is missing or unreadable. */
export class SourceError extends RipcordError {}

/** The repository is missing, empty, or the named snapshot does not exist. */
export class NotFoundError extends RipcordError {}

/** A stored object does not match its checksum, or an archive fails to authenticate. */
export class IntegrityError extends RipcordError {}

/** An archive entry that must never be written: escapes the target, device node, ... */
export class UnsafeEntryError extends RipcordError {}

/** The storage backend failed (network, permissions, full disk). */
export class StorageError extends RipcordError {
  /** true when retrying later may succeed (5xx, throttling, connection reset) */
  readonly transient: boolean;
  constructor(message: string, options: { transient?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.transient = options.transient ?? false;
  }
}

/** The user stopped the run (Ctrl-C, SIGTERM); exits as a shell reports a signal, 128 + its number. */
export class InterruptedError extends RipcordError {
  constructor(message: string, signal: 'SIGINT' | 'SIGTERM') {
    super(message, { exitCode: signal === 'SIGINT' ? 130 : 143 });
  }
}

/** Another process holds a lock this operation needs. */
export class LockedError extends RipcordError {}

export function isRipcordError(error: unknown): error is RipcordError {
  return error instanceof RipcordError;
}
