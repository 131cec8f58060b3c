/** What a partial file's name has after the target's name: "<target>.partial-<random>". */
export declare const PARTIAL_MARKER = ".partial-";
/**
 * Fill a partial file beside `target` with `write` (which must flush it to disk), then put
 * it in the target's place. The partial file is removed when anything fails.
 */
export declare function replaceFile(target: string, write: (partial: string) => Promise<void>): Promise<void>;
/** Replace `target` with `content`, the new file created with `mode` (less the umask). */
export declare function writeFileAtomically(target: string, content: string | Uint8Array, mode: number): Promise<void>;
