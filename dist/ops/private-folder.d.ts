import { Readable, Writable } from 'node:stream';
/** This user's private folder under $TMPDIR (made on first use, owner and mode checked). */
export declare function privateFolder(): Promise<string>;
/** A process of this user is alive (one that cannot be signalled belongs to someone else, and is alive). */
export declare function processAlive(pid: number): boolean;
/** A file with no name: written anew from its start, read back from its start as often as needed. */
export interface ScratchFile {
    write(): Writable;
    /** the whole file, or `length` bytes of it from `from` on */
    read(from?: number, length?: number): Readable;
    /** close the file (after any read or write still under way), which frees it */
    close(): Promise<void>;
}
/** A private file for decrypted content, unlinked at once so that nothing outlives the process. */
export declare function openScratchFile(purpose: string): Promise<ScratchFile>;
/** A private folder for files that must be read back by name; removed by `remove`, or by the next command if this process is killed. */
export declare function makeScratchFolder(purpose: string): Promise<{
    dir: string;
    remove(): Promise<void>;
}>;
