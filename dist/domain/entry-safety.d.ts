/** Why this stored name must not be restored, or undefined when it is safe. */
export declare function unsafePathReason(name: string): string | undefined;
/** True when a symlink stored at `name` with this target points outside `root` (lexically). */
export declare function symlinkEscapes(name: string, linkTarget: string, root: string): boolean;
/** Every proper ancestor of a stored name: "a/b/c" -> ["a", "a/b"]. */
export declare function ancestorsOf(name: string): string[];
/** setuid and setgid never come back from an archive. */
export declare function safeMode(mode: number): number;
/** What a name inside the restore target will be: a symlink (with its target), something else, or nothing. */
export type TargetNode = {
    type: 'symlink';
    target: string;
} | {
    type: 'other';
} | undefined;
/** Linux gives up after 40 links in one path (ELOOP); so does the check. */
export declare const MAX_LINK_HOPS = 40;
/**
 * Does a symlink stored at `name` lead out of the target once every link on its way is
 * followed, as the kernel would follow them? Names are resolved one component at a time
 * through `lookup`, which knows the tree as it will be after the restore (the snapshot's
 * entries over what the target already holds); a ".." climbs from where the links led,
 * not from the text. `targetPaths` are the target's absolute spellings (as given, and
 * its real path), against which an absolute link is taken. Returns why it leaves, or
 * undefined when every step stays inside.
 */
export declare function symlinkResolvesOutside(name: string, linkTarget: string, targetPaths: readonly string[], lookup: (name: string) => TargetNode): string | undefined;
