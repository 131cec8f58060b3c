/**
 * Every failure a user can cause or meet is one of these named errors. Each carries
 * the one line printed on stderr (which snapshot, which file, what to do) and the
 * process exit code. Anything else reaching an adapter is a bug and prints as such.
 */
export declare const ExitCode: {
    readonly ok: 0;
    readonly failure: 1;
    readonly usage: 2;
    /** deploy or validation failed and the rollback succeeded */
    readonly rolledBack: 10;
    /** the rollback itself failed, or post-rollback validation failed: a human must act */
    readonly rollbackFailed: 20;
};
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
export declare class RipcordError extends Error {
    readonly exitCode: number;
    constructor(message: string, options?: {
        exitCode?: number;
        cause?: unknown;
    });
}
/** The command line or an input is wrong: unknown flag, missing argument, bad value. */
export declare class UsageError extends RipcordError {
    constructor(message: string);
}
/** No key, a wrong key, a key that cannot decrypt this snapshot. */
export declare class KeyError extends RipcordError {
}
/** A snapshot without a trusted signature where one is required (docs/security.md). */
export declare class SignatureError extends KeyError {
}
/** A path the user named is missing or unreadable. */
export declare class SourceError extends RipcordError {
}
/** The repository is missing, empty, or the named snapshot does not exist. */
export declare class NotFoundError extends RipcordError {
}
/** A stored object does not match its checksum, or an archive fails to authenticate. */
export declare class IntegrityError extends RipcordError {
}
/** An archive entry that must never be written: escapes the target, device node, ... */
export declare class UnsafeEntryError extends RipcordError {
}
/** The storage backend failed (network, permissions, full disk). */
export declare class StorageError extends RipcordError {
    /** true when retrying later may succeed (5xx, throttling, connection reset) */
    readonly transient: boolean;
    constructor(message: string, options?: {
        transient?: boolean;
        cause?: unknown;
    });
}
/** The user stopped the run (Ctrl-C, SIGTERM); exits as a shell reports a signal, 128 + its number. */
export declare class InterruptedError extends RipcordError {
    constructor(message: string, signal: 'SIGINT' | 'SIGTERM');
}
/** Another process holds a lock this operation needs. */
export declare class LockedError extends RipcordError {
}
export declare function isRipcordError(error: unknown): error is RipcordError;
