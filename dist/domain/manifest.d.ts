/**
 * The manifest (manifest.json.pgp once encrypted) lists every archive entry in archive
 * order. It is one JSON document laid out one entry per line, so that `jq` reads it
 * whole and ripcord reads it as a stream:
 *
 *   {"format":"ripcord-manifest/1","roots":["config"],"entries":[
 *   {"path":"config","type":"directory","mode":"0755","mtime":1704067200}
 *   ,{"path":"config/app.yaml","type":"file","mode":"0644","mtime":1704067200,"size":12,"sha256":"..."}
 *   ],"archive":{"sha256":"...","bytes":1234},"snapshot":{...}}
 *
 * The trailer binds the manifest to its archive (checksum) and to snapshot.json (a copy
 * of its fields), so a key holder can authenticate both.
 */
import type { ObjectChecksum, SnapshotMetadata } from './snapshot.ts';
export declare const MANIFEST_FORMAT = "ripcord-manifest/1";
export type EntryType = 'file' | 'directory' | 'symlink';
/** One content-defined block of a large file: its size and SHA-256 (hex). */
export type Block = [size: number, sha256: string];
export interface ManifestEntry {
    /** as stored in the archive: relative, "/"-separated */
    path: string;
    type: EntryType;
    /** permission bits as 4 octal digits, e.g. "0644" */
    mode: string;
    /** seconds since the epoch */
    mtime: number;
    size?: number;
    sha256?: string;
    /** symlink target */
    target?: string;
    /**
     * A file of an incremental or differential snapshot that did not change since an earlier
     * link: the id of the link whose archive holds its content. Absent: this snapshot's archive.
     */
    in?: string;
    /**
     * An entry of this snapshot's own archive: the tar offset where its first header (a pax
     * header where it has one) starts, for reading it alone (see ArchiveIndex)
     */
    at?: number;
    /**
     * A file of at least BLOCKED_FILE_MIN bytes: its content-defined blocks, each [size, sha256]
     * (archive/chunker.ts), what a later incremental compares to store only the changed ones
     */
    blocks?: Block[];
    /**
     * A file of a chain link stored as a block delta against its parent's version: the archive
     * holds the records `.ripcord-chain/delta/PATH` (how to build it) and `.ripcord-chain/data/PATH`
     * (its new blocks), not the file (docs/format.md, "Block deltas")
     */
    delta?: true;
    /** change detection (files): inode, and ctime and mtime in ms with their fraction, as lstat gave them */
    ino?: number;
    ctimeMs?: number;
    mtimeMs?: number;
}
/** snapshot.json fields the manifest vouches for: all but its own checksum and the checksums of itself. */
export type ManifestBinding = Omit<SnapshotMetadata, 'objects' | 'metadataSha256'>;
/**
 * Where the archive's pieces lie, to read one entry without the rest (docs/format.md,
 * "Index"). The tar stream is cut into gzip members of `batch` bytes of tar each (the last
 * one less); the gzip stream is the body of the Literal Data packet after its 6-byte header.
 */
export interface ArchiveIndex {
    /** bytes of tar in each gzip member but the last */
    batch: number;
    /** the compressed length of each gzip member, in order */
    members: number[];
    /**
     * Places to start decrypting: [literal, plaintext], where a partial body length header of
     * the Literal Data packet starts at `plaintext` bytes into the SEIPD plaintext (its 18-byte
     * prefix first) and the literal body bytes after it start `literal` bytes into that body
     */
    parts: [number, number][];
    /** bytes of session-key packets before the SEIPD packet */
    head: number;
}
export interface ManifestTrailer {
    archive: ObjectChecksum;
    /** the archive's session key (docs/format.md, "Archive key"); absent in snapshots written before it */
    archiveKey?: ArchiveKey;
    /** absent in snapshots written before it (and where it would not fit one line) */
    index?: ArchiveIndex;
    snapshot: ManifestBinding;
}
/** An archive's session key, as `gpg --override-session-key ALGORITHM:KEY` takes it. */
export interface ArchiveKey {
    /** OpenPGP symmetric algorithm id: 9, AES-256 */
    algorithm: number;
    /** hex */
    key: string;
}
export declare function manifestHeader(roots: readonly string[]): string;
/** `text`: the entry as JSON, when the caller has it already (a chain link's carried file) */
export declare function manifestEntryLine(entry: ManifestEntry, first: boolean, text?: string): string;
export declare function manifestTrailer(trailer: ManifestTrailer): string;
export declare function bindingOf(metadata: SnapshotMetadata): ManifestBinding;
export declare function formatMode(mode: number): string;
export declare function parseMode(mode: string): number;
export type ManifestLine = {
    kind: 'header';
    roots: string[];
} | {
    kind: 'entry';
    entry: ManifestEntry;
} | {
    kind: 'trailer';
    trailer: ManifestTrailer;
};
/** Parse one line of a manifest; throws with a short reason when it is malformed. */
export declare function parseManifestLine(line: string, index: number): ManifestLine;
