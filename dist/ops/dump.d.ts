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
