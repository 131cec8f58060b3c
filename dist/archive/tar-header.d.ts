/**
 * Tar header blocks as the reader meets them: the fields of a ustar / GNU / v7 header,
 * numbers in octal or GNU base-256, the checksum (unsigned or historic signed), and the
 * entry a header describes once its pax attributes and GNU long names are applied.
 */
export type TarEntryKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'fifo' | 'char-device' | 'block-device' | 'other';
export interface TarEntry {
    /** the name exactly as stored (pax 'path', GNU 'L', or ustar prefix + name); only ONE trailing '/' of a directory is removed */
    path: string;
    kind: TarEntryKind;
    /** raw typeflag character */
    typeflag: string;
    /** permission bits (& 0o7777) */
    mode: number;
    uid: number;
    gid: number;
    /** content bytes the body yields: 0 for everything but files */
    size: number;
    /** seconds since epoch (a pax mtime may be fractional: the fraction is kept) */
    mtime: number;
    /** symlink or hardlink target (pax 'linkpath' / GNU 'K' / ustar linkname) */
    linkTarget?: string;
    uname?: string;
    gname?: string;
}
export declare class TarFormatError extends Error {
    constructor(message: string);
}
/** Values from pax extended headers (tar-pax.ts reads them), which override the header's. */
export interface PaxAttributes {
    path?: string;
    linkpath?: string;
    size?: number;
    mtime?: number;
    uid?: number;
    gid?: number;
    uname?: string;
    gname?: string;
    /** a GNU sparse entry: its data is not the file content */
    sparse?: boolean;
}
export declare const BLOCK = 512;
export declare const SIZE = 124;
export declare const TYPEFLAG = 156;
export declare function padding(size: number): number;
/** false for an all-zero block; throws unless the header checksum is right. */
export declare function verifyBlock(b: Buffer, at: number): boolean;
/** A numeric field: octal digits (space/NUL terminated), or GNU base-256 when the high bit is set. */
export declare function readNumber(b: Buffer, off: number, len: number, what: string, at: number): number;
/** A NUL-terminated (or field-filling) string, decoded as UTF-8. */
export declare function cString(b: Buffer, off: number, len: number): string;
export declare function buildEntry(h: Buffer, pax: PaxAttributes | null, global: PaxAttributes, longName: string | undefined, longLink: string | undefined, at: number): {
    entry: TarEntry;
    dataSize: number;
};
