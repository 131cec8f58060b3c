import type { DecryptionKeys } from '../domain/keys.ts';
import type { Reporter } from '../domain/events.ts';
import type { Store } from '../storage/store.ts';
export interface VerifyRequest {
    store: Store;
    /** snapshot ids or "latest"; empty with all=true */
    references: readonly string[];
    all?: boolean;
    readData?: boolean;
    keys?: DecryptionKeys;
    reporter?: Reporter;
}
export interface VerifyOutcome {
    id: string;
    ok: boolean;
    /** ok; failed (damaged, or differs from its manifest); cannot-decrypt (intact, but the keys given do not open it) */
    verdict: 'ok' | 'failed' | 'cannot-decrypt';
    /** one line each, naming the object */
    problems: string[];
    readData: boolean;
}
export declare function verifySnapshots(request: VerifyRequest): Promise<VerifyOutcome[]>;
