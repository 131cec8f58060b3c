import type { SourceEntry } from '../archive/walk-sources.ts';
import type { Block, ManifestEntry } from '../domain/manifest.ts';
/** The two records that stand for a file stored as a delta, by its stored path. */
export declare function deltaRecords(file: string): {
    plan: string;
    data: string;
};
/** Is this stored path one of a block delta's records? */
export declare function isDeltaRecord(name: string): boolean;
/** A record one set has and the other lacks (the records a manifest's deltas need, those it holds). */
export declare function unmatchedRecord(wanted: ReadonlySet<string>, held: ReadonlySet<string>): string | undefined;
export interface Segment {
    from: 'old' | 'new';
    offset: number;
    length: number;
}
export interface PlannedDelta {
    /** the file's manifest entry: `delta`, its blocks, size and SHA-256 */
    entry: ManifestEntry;
    /** the records to archive in its place, plan first */
    records: [SourceEntry, SourceEntry];
}
/**
 * The segments that build a file of `blocks` from a version of `before` blocks: a block the
 * parent has is taken from it, any other from the data record, in order; neighbours merge.
 */
export declare function segmentsFor(blocks: readonly Block[], before: readonly Block[]): Segment[];
/**
 * Plan `source` (a changed file of at least BLOCKED_FILE_MIN bytes) as a delta against the
 * parent's version of it (`before`, its blocks), writing the records into `dir` as files
 * `name`.plan and `name`.data. Undefined when a delta would not pay (DELTA_SHARE) or the file
 * changed while it was read: it is then stored whole, as any changed file.
 */
export declare function planDelta(source: SourceEntry, before: readonly Block[], dir: string, name: string): PlannedDelta | undefined;
