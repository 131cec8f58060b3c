/** A full garbage collection, or nothing where the runtime does not allow it. */
export declare function collectGarbage(): void;
/** Counts bytes and collects garbage each time another `everyBytes` have gone by. */
export declare function collectGarbageEvery(everyBytes: number): (bytes: number) => void;
/**
 * Collects garbage whenever the memory held by buffers (V8's external memory: cheap to read)
 * has grown by `slackBytes` since the last collection. Unlike a fixed interval of data, this
 * follows how much garbage the data actually makes: a MiB of random data leaves two MiB of
 * dead buffers behind on its way to disk, a MiB of text a third of that.
 *
 * The last collection is the process's, whoever made it: schedules that watch the same data
 * (a pipeline's and its sink's) share one floor. Each with a floor of its own collected twice
 * for the same growth: a 1 %-changed incremental of the benchmark that read a parent's large
 * file back paid 20 full collections of 12 ms where 10 do the same.
 */
export declare function collectGarbageOverSlack(slackBytes: number): () => void;
/**
 * Keep V8's young generation at its starting size for the life of the process. V8 doubles
 * it, up to 32 MiB, whenever many objects survive, which reading a manifest of tens of
 * thousands of entries does, and never gives that memory back. Measured on the benchmark:
 * a restore of 20,000 files peaked at 143 MiB with it grown and at 114 MiB without, in the
 * same time; a backup went from about 120 to 114 MiB. For programs (the CLI, the Action),
 * not for a library's host process, whose memory is its own business.
 */
export declare function keepYoungGenerationSmall(): void;
/**
 * Apply keepYoungGenerationSmall again, if it was applied. A worker thread's start-up sets
 * V8's flags back to their defaults for the whole process (measured: the main thread's
 * young generation then grew to 16 MiB during a 2 GB backup), so whoever starts a worker
 * calls this once the worker runs.
 */
export declare function reassertHeapSettings(): void;
/**
 * Free a buffer's memory now instead of at the next garbage collection, when the buffer is
 * the whole of its memory (a view of a larger one, or of a shared pool, is left alone).
 * Whatever still holds a view of it sees it empty from then on: only for buffers that
 * nothing reads again (see readTar's `release`).
 *
 * A restore of the benchmark's dataset passes 500 MB of tar through 256 KiB buffers that
 * gunzip allocates and the tar reader is done with a moment later. Left to the collector,
 * they took 32 of the 75 full collections (13 ms each with a manifest of 20,000 entries
 * alive) that hold the restore's memory flat; freed here, they take none.
 *
 * `ArrayBuffer.prototype.transfer(0)` detaches the buffer and drops its memory at once. Node
 * 22 and 24 have it; Node 20's V8 has it behind a flag, which is set for as long as it takes
 * to get the function from a new context (as collectGarbage gets `gc`), and the collector
 * does the work where neither is there.
 */
export declare function releaseBuffer(chunk: Uint8Array): void;
/**
 * Mark the bytes of `views` as the part of their memory still to be written: once `written`
 * has been told of every one of them, that memory is freed at once (as releaseBuffer frees a
 * whole buffer), rather than at the next garbage collection. For memory nothing else refers
 * to, whose views go to a writer in pieces: the gzip members of a backup come back from the
 * encryption worker as such views, slices of zlib's output buffers, and a backup of the
 * benchmark's dataset left about 400 MB of them behind, its 50-odd forced collections.
 *
 * All views of a buffer must be marked before the first of them can be reported written,
 * or its memory goes while a view of it still waits: mark them together, in one turn of the
 * event loop (a write is reported in a later one).
 */
export declare function freeOnceWritten(views: readonly Uint8Array[]): void;
/** A writer has written this chunk: its memory is freed if it was the last unwritten part of a buffer marked by freeOnceWritten. */
export declare function written(chunk: Uint8Array): void;
