/** What the staging writer (./stage-writer.ts) and its worker (./stage-worker.ts) say to each other. */
/** One step of writing files, in order: each file is opened, written, then closed. */
export type StageOp = 
/** create this file (it must not exist) with this mode */
{
    open: string;
    mode: number;
}
/** append the next `write` bytes of the batch's data to the open file */
 | {
    write: number;
}
/** set the mode again where the umask took bits away, set the time, close */
 | {
    close: true;
    chmod?: number;
    mtime: number;
};
/** A batch: steps and the bytes they write. The buffer goes there and back: it is reused. */
export interface ToStageWorker {
    ops: StageOp[];
    data: Uint8Array;
}
/** What a failed step threw, for the writer to throw again on its own thread. */
export interface StageFailure {
    message: string;
    code?: string;
    syscall?: string;
    path?: string;
}
/** A batch done with: its buffer back, and the first failure, if any (every later step is skipped). */
export interface FromStageWorker {
    data: Uint8Array;
    failure?: StageFailure;
}
/** Ask the worker to close what it has open and stop. */
export interface StopStageWorker {
    stop: true;
}
