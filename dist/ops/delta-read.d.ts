import type { DecryptionKeys } from '../domain/keys.ts';
import type { Block, ManifestEntry } from '../domain/manifest.ts';
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
 * The content of `file` as link `holder` lists it (stored there whole or as a block delta, or
 * named in an earlier link), in a scratch file the caller closes, with `holder`'s entry.
 */
export declare function fileAsOf(source: DeltaSource, holder: SnapshotMetadata, file: string): Promise<{
    content: ScratchFile;
    entry: ManifestEntry;
}>;
/** The blocks of `file` as link `holder` lists it, from its content: for a parent whose manifest lists none. */
export declare function blocksAsOf(source: DeltaSource, holder: SnapshotMetadata, file: string): Promise<Block[]>;
/** The segments of a plan (ops/block-delta.ts), each within the version it copies from; anything else is damage. */
export declare function parsePlan(text: string, oldSize: number, dataSize: number, where: string): {
    from: 'old' | 'new';
    offset: number;
    length: number;
}[];
