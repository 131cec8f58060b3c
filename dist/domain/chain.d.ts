/**
 * Chains of snapshots: a full snapshot holds a whole tree; an incremental or differential one
 * holds what changed since its parent and names that parent, and through it the full one the
 * chain starts from (its base). Restoring any link needs every link from the base to it, so
 * a chain is only as good as its weakest link: these functions find the links, tell what is
 * wrong with a chain, and keep retention from removing a link that a kept snapshot needs.
 *
 * Each link binds its parent by the SHA-256 of the parent's stored manifest (which in turn
 * binds the parent's archive and metadata), so a parent swapped for another snapshot, even
 * one made with the same key, does not pass for the link it replaces.
 *
 * Pure functions over the links' metadata: reading snapshot.json files is the caller's.
 */
export declare const LEVELS: readonly ['full', 'incremental', 'differential'];
export type Level = (typeof LEVELS)[number];
/** What a backup may be asked for: a level, or `auto` (ops/incremental.ts's AutoPolicy picks one). */
export declare const BACKUP_LEVELS: readonly ["full", "incremental", "differential", "auto"];
export type BackupLevel = (typeof BACKUP_LEVELS)[number];
export declare function isBackupLevel(value: string): value is BackupLevel;
/** What the chain functions need of a snapshot's metadata. */
export interface ChainLink {
    id: string;
    /** absent: full (every snapshot older than chains is one) */
    level?: Level;
    /** the snapshot this one holds the changes since (incremental, differential) */
    parent?: string;
    /** SHA-256 of the parent's stored manifest object, as this link recorded it */
    parentManifestSha256?: string;
    /** the full snapshot the chain starts from */
    base?: string;
    /** SHA-256 of this snapshot's own stored manifest object */
    manifestSha256: string;
}
/** What is wrong with a chain, naming the link at fault. */
export type ChainProblem = {
    kind: 'missing';
    id: string;
    neededBy: string;
} | {
    kind: 'foreign';
    id: string;
    neededBy: string;
} | {
    kind: 'malformed';
    id: string;
    reason: string;
};
export type ChainResult = {
    links: ChainLink[];
} | {
    problem: ChainProblem;
};
/** At most this many links: a longer chain (or a loop) is refused before anything is read. */
export declare const MAX_CHAIN = 1000;
/** The folder a chain link's own records are stored under in its archive (docs/format.md, "Chains"). */
export declare const CHAIN_DIR = ".ripcord-chain";
export declare function levelOf(link: ChainLink): Level;
/**
 * The links needed to restore `id`, base first and `id` last; or the first problem found,
 * walking from `id` towards its base.
 */
export declare function chainOf(id: string, byId: ReadonlyMap<string, ChainLink>): ChainResult;
/**
 * Retention that never breaks a chain: `keep` grown by every link a kept snapshot needs,
 * with, for each one added, the kept snapshot that needs it (for "kept because <id> depends
 * on it"). A kept snapshot whose chain is already broken keeps what is left of it.
 */
export declare function keepChains(keep: ReadonlySet<string>, byId: ReadonlyMap<string, ChainLink>): Map<string, string>;
/** The snapshots whose chains pass through `id`: what removing or losing it makes unrestorable. */
export declare function dependentsOf(id: string, byId: ReadonlyMap<string, ChainLink>): string[];
