/**
 * A minimal POSIX pax (ustar + 'x' extended header) tar encoder.
 *
 * The caller streams `encodeTarHeader(h)`, then `h.size` content bytes, then
 * `tarPadding(h.size)`, for every entry, and finally `TAR_END`.
 *
 * Every field that fits the ustar header exactly is written there; anything that does
 * not (long or non-ASCII names, big sizes, ids or times) is carried in a pax extended
 * header placed just before the entry, so GNU tar, bsdtar and Python's tarfile restore
 * the exact values. Hot path: one Buffer.alloc per call and no regular expressions.
 */
export type TarEntryType = 'file' | 'directory' | 'symlink';
export interface TarHeader {
    /** relative, '/'-separated, no leading '/', no trailing '/' (the writer appends '/' for directories) */
    path: string;
    type: TarEntryType;
    /** permission bits incl. setuid etc; masked with 0o7777 (so a raw `stat.mode` is accepted) */
    mode: number;
    /** bytes of content; 0 for directory/symlink. May exceed 8 GiB. */
    size: number;
    /** seconds since epoch, integer (may be negative or huge: carried in pax) */
    mtime: number;
    uid: number;
    gid: number;
    uname?: string;
    gname?: string;
    /** symlink target, any length, any UTF-8 (ignored for other types) */
    linkTarget?: string;
}
/**
 * The end-of-archive marker: two zero blocks. Shared; do not modify.
 */
export declare const TAR_END: Buffer;
/**
 * Zero bytes that pad a content of `size` bytes to the next 512-byte boundary
 * (length 0..511). The result is a view of a shared zero buffer: do not modify it.
 */
export declare function tarPadding(size: number): Buffer;
/**
 * The header block(s) for one entry: a pax 'x' extended header first when any field
 * does not fit ustar exactly, then the ustar header. Result length is a multiple of 512.
 *
 * Throws TypeError/RangeError for a header that cannot be encoded (empty path, NUL in
 * a string, absolute path or trailing '/', negative or non-integer numbers, content
 * size on a directory or symlink).
 */
export declare function encodeTarHeader(header: TarHeader): Buffer;
