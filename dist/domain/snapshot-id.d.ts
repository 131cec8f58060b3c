export declare function createSnapshotId(at?: Date, random?: string): string;
export declare function isSnapshotId(value: string): boolean;
/** The creation time encoded in an id. */
export declare function snapshotIdTime(id: string): Date;
/** Ids sort chronologically as plain strings; newest first is the reverse. */
export declare function compareNewestFirst(a: string, b: string): number;
