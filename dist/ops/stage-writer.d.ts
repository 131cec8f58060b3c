/** from this much data on, a worker makes the calls (when there is a second core) */
export declare const PARALLEL_FROM: number;
export interface StagingWriter {
    /** create `file` (which must not exist) with `mode` */
    open(file: string, mode: number): void;
    /** the open file's next bytes (copied; the chunk stays the caller's); a promise when the caller must wait before writing more */
    write(chunk: Buffer): Promise<void> | undefined;
    /** set `chmod` again if given (bits the umask takes away), the time (seconds), close */
    close(chmod: number | undefined, mtime: number): void;
    /** every step is done; rejects with the first failure, a file system error as thrown */
    finish(): Promise<void>;
    /** after a failure elsewhere: close what is open and stop; nothing is written once this resolves */
    stop(): Promise<void>;
}
/** A writer for a restore of `bytes` bytes. */
export declare function createStagingWriter(bytes: number): StagingWriter;
/** The calls on this thread, as they come. */
export declare class InlineWriter implements StagingWriter {
    #private;
    open(file: string, mode: number): void;
    write(chunk: Buffer): undefined;
    close(chmod: number | undefined, mtime: number): void;
    finish(): Promise<void>;
    stop(): Promise<void>;
}
/** The calls on a worker thread, in batches. */
export declare class WorkerWriter implements StagingWriter {
    #private;
    constructor();
    open(file: string, mode: number): void;
    write(chunk: Buffer): Promise<void> | undefined;
    close(chmod: number | undefined, mtime: number): void;
    finish(): Promise<void>;
    stop(): Promise<void>;
}
