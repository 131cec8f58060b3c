import type { ChangeStats, SeenEntry, SourceEntry } from '../archive/walk-sources.ts';
import type { ChainLink, Level } from '../domain/chain.ts';
import { CHAIN_DIR } from '../domain/chain.ts';
import type { DecryptionKeys } from '../domain/keys.ts';
import type { Block, ManifestEntry } from '../domain/manifest.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
import { ParentTree } from './parent-tree.ts';
export { CHAIN_DIR };
export declare const REMOVED_RECORD = ".ripcord-chain/removed";
/** Is this stored path under the name chain records are kept under? */
export declare function isChainRecord(name: string): boolean;
/**
 * Is this entry of `snapshot` ripcord's own chain record rather than part of the tree? Only in
 * a chain link: a full snapshot's .ripcord-chain (a folder of that name at the top of what was
 * backed up) is the tree's own.
 */
export declare function isChainRecordOf(snapshot: Pick<SnapshotMetadata, 'level'>, name: string): boolean;
export declare function linkOf(snapshot: SnapshotMetadata): ChainLink;
/**
 * The snapshots needed to restore `snapshot`, base first and `snapshot` last, read from the
 * store link by link (or taken from `known`, snapshots the caller has read already). A
 * missing, damaged or foreign link is refused, naming it.
 */
export declare function chainOfSnapshot(store: Store, snapshot: SnapshotMetadata, known?: ReadonlyMap<string, SnapshotMetadata>): Promise<SnapshotMetadata[]>;
export declare function describeChainProblem(id: string, problem: {
    kind: 'missing' | 'foreign';
    id: string;
    neededBy: string;
} | {
    kind: 'malformed';
    id: string;
    reason: string;
}): string;
export interface Parent {
    snapshot: SnapshotMetadata;
    /** the full snapshot the new link's chain starts from */
    base: string;
    /** when that full snapshot was taken (ISO 8601) */
    baseCreated: string;
    /** links in the parent's chain after the base (0: the parent is the base) */
    depth: number;
    /** the parent's tree, chain records left out */
    tree: ParentTree;
    /** the parent's chain, base first and the parent last, and the keys that read it */
    chain: SnapshotMetadata[];
    keys: DecryptionKeys;
}
export interface ParentQuery {
    level: Exclude<Level, 'full'>;
    /** the new snapshot's set tags and manifest roots must be the parent's */
    tags: readonly string[];
    roots: readonly string[];
    mode: SnapshotMetadata['encryption']['mode'];
    keys: DecryptionKeys;
}
/** `--level auto`: an incremental until the chain's full snapshot is `fullEveryMs` old or has `maxChain` links after it. */
export interface AutoPolicy {
    fullEveryMs: number;
    maxChain: number;
}
export declare const DEFAULT_AUTO_POLICY: AutoPolicy;
/** Why `auto` takes a full snapshot rather than building on `parent`, or undefined. */
export declare function autoWantsFull(parent: Parent, policy: AutoPolicy, now: Date): string | undefined;
/**
 * The snapshot a new incremental (the newest of the same set and roots) or differential (the
 * newest full one of them) builds on; undefined when there is none, or when its chain is
 * broken or at its longest, so that the new snapshot must be a full one.
 */
export declare function findParent(store: Store, snapshots: readonly SnapshotMetadata[], query: ParentQuery): Promise<{
    parent: Parent;
} | {
    reason: string;
}>;
/** The change-detection fields of a file's manifest entry. */
export declare function statFields(stats: ChangeStats): Pick<ManifestEntry, 'ino' | 'ctimeMs' | 'mtimeMs'>;
/**
 * Is the file still what `before` recorded when a snapshot that started at `started` read it,
 * by its size, mode, times and inode alone? What change detection trusts, and what lets a
 * restore leave a file it would only write again.
 */
export declare function unchangedSince(before: ManifestEntry, stats: ChangeStats, started: number): boolean;
export interface AgainstParentOptions {
    /** read and hash every file; one whose content, mode and time are the parent's is still not stored */
    forceRead?: boolean;
    /** files of at least this many bytes are stored with their blocks, or as deltas (default BLOCKED_FILE_MIN) */
    blockedFileMin?: number;
    /**
     * A file that is not stored again, in walk order: its manifest entry, and its manifest
     * line when the parent's could be carried over (carriedLine), else undefined.
     */
    onCarried(entry: ManifestEntry, line: string | undefined): void;
    /** a file stored as a block delta (its manifest entry), before its records are yielded */
    onDelta?(entry: ManifestEntry): void;
    /** the blocks of the parent's version of a file whose entry lists none (read from the repository) */
    parentBlocks?(file: string): Promise<Block[]>;
    onWarning(message: string): void;
}
/**
 * The sources a link stores: the walk less the files unchanged since the parent (handed to
 * onCarried instead), then the removal record. The walk comes in batches, from this thread
 * (inBatches) or another (archive/walk-thread.ts); an entry another thread saw is looked at
 * again here before it is stored.
 */
export declare function againstParent(walk: AsyncIterable<readonly (SourceEntry | SeenEntry)[]>, parent: Parent, level: Exclude<Level, 'full'>, options: AgainstParentOptions): AsyncGenerator<SourceEntry>;
/** A walk of this thread in batches, for againstParent. */
export declare function inBatches<T>(walk: Iterable<T>, size?: number): AsyncGenerator<T[]>;
/** Check a link's entries against its chain: what `in` names must be an earlier link of it. */
export declare function checkCarried(snapshot: SnapshotMetadata, chain: readonly SnapshotMetadata[], entry: ManifestEntry): void;
