/**
 * dump: one file's content, released only once it is known to be the snapshot's.
 *
 * With an index in the manifest (docs/format.md, "Index"), only the gzip members that hold
 * the file are read, decrypted and inflated, and the file is released once its size and
 * SHA-256 are what the authenticated manifest lists. Without one (older snapshots), the
 * whole archive is read and the file released only after the archive has authenticated.
 * Either way it is staged in a private scratch file with no name first, so that not even
 * SIGKILL leaves its content on disk.
 */
import type { Writable } from 'node:stream';
import type { DecryptionKeys } from '../domain/keys.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
export interface DumpRequest {
    store: Store;
    reference: string;
    /** the path as stored (as `ripcord ls` shows it) */
    file: string;
    keys: DecryptionKeys;
    output: Writable;
}
export declare function dumpFile(request: DumpRequest): Promise<{
    snapshot: SnapshotMetadata;
    bytes: number;
    sha256: string;
}>;
