import type { DecryptionKeys } from '../domain/keys.ts';
import type { Store } from '../storage/store.ts';
export interface DiffLine {
    path: string;
    change: 'added' | 'removed' | 'changed';
    /** for changed: type, content, mode, link target */
    what?: string;
}
export interface DiffResult {
    from: string;
    to: string;
    lines: DiffLine[];
    counts: {
        added: number;
        removed: number;
        changed: number;
    };
}
export declare function diffSnapshots(store: Store, fromRef: string, toRef: string, keys: DecryptionKeys): Promise<DiffResult>;
/** Compare a snapshot with a folder: what restoring it with --delete would undo. */
export declare function diffWithFolder(store: Store, reference: string, folder: string, keys: DecryptionKeys, protect?: string[]): Promise<DiffResult>;
