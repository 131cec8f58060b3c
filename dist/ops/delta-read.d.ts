import type { DecryptionKeys } from '../domain/keys.ts';
import type { ManifestEntry } from '../domain/manifest.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
import type { ScratchFile } from './private-folder.ts';
export interface DeltaSource {
    store: Store;
    keys: DecryptionKeys;
    /** the chain of the snapshot being read, base first */
    chain: readonly SnapshotMetadata[];
}
/**
 * The content of `file` as link `holder` stored it (its manifest entry `entry` has `delta`),
 * in a scratch file the caller closes.
 */
export declare function buildFromDelta(source: DeltaSource, holder: SnapshotMetadata, file: string): Promise<{
    content: ScratchFile;
    entry: ManifestEntry;
}>;
/** The segments of a plan (ops/block-delta.ts), each within the version it copies from; anything else is damage. */
export declare function parsePlan(text: string, oldSize: number, dataSize: number, where: string): {
    from: 'old' | 'new';
    offset: number;
    length: number;
}[];
