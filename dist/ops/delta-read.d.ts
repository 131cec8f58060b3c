import type { DecryptionKeys } from '../domain/keys.ts';
import type { Block, ManifestEntry, ManifestTrailer } from '../domain/manifest.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
import type { ScratchFile } from './private-folder.ts';
export interface DeltaSource {
    store: Store;
    keys: DecryptionKeys;
    /** the chain of the snapshot being read, base first */
    chain: readonly SnapshotMetadata[];
    /**
     * More files whose lines each manifest read keeps, so that each link's manifest is read once
     * for all of them (a backup: the parent's large files), kept in `cache` by link id and file
     */
    also?: readonly string[];
    cache?: Map<string, Map<string, LinkLines>>;
}
/** What one link's manifest says of a file: its entry, its records, and where each of its own entries ends. */
interface LinkLines {
    link: SnapshotMetadata;
    entry?: ManifestEntry;
    plan?: ManifestEntry;
    data?: ManifestEntry;
    /** the tar offset of the archive entry after each of these (undefined: the archive's end) */
    next: Map<ManifestEntry, number | undefined>;
    trailer: ManifestTrailer;
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
export {};
