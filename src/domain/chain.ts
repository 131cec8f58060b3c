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

export const LEVELS = ['full', 'incremental', 'differential'] as const;
export type Level = (typeof LEVELS)[number];

/** What a backup may be asked for: a level, or `auto` (ops/incremental.ts's AutoPolicy picks one). */
export const BACKUP_LEVELS = [...LEVELS, 'auto'] as const;
export type BackupLevel = (typeof BACKUP_LEVELS)[number];

export function isBackupLevel(value: string): value is BackupLevel {
  return (BACKUP_LEVELS as readonly string[]).includes(value);
}

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
export type ChainProblem =
  | { kind: 'missing'; id: string; neededBy: string }
  | { kind: 'foreign'; id: string; neededBy: string }
  | { kind: 'malformed'; id: string; reason: string };

export type ChainResult = { links: ChainLink[] } | { problem: ChainProblem };

/** At most this many links: a longer chain (or a loop) is refused before anything is read. */
export const MAX_CHAIN = 1000;

/** The folder a chain link's own records are stored under in its archive (docs/format.md, "Chains"). */
export const CHAIN_DIR = '.ripcord-chain';

export function levelOf(link: ChainLink): Level {
  return link.level ?? 'full';
}

/**
 * The links needed to restore `id`, base first and `id` last; or the first problem found,
 * walking from `id` towards its base.
 */
export function chainOf(id: string, byId: ReadonlyMap<string, ChainLink>): ChainResult {
  const links: ChainLink[] = [];
  const seen = new Set<string>();
  let current = byId.get(id);
  if (!current) return { problem: { kind: 'missing', id, neededBy: id } };
  for (;;) {
    const malformed = shapeProblem(current);
    if (malformed) return { problem: { kind: 'malformed', id: current.id, reason: malformed } };
    if (seen.has(current.id) || links.length === MAX_CHAIN)
      return { problem: { kind: 'malformed', id, reason: `its chain loops or is longer than ${MAX_CHAIN} links` } };
    seen.add(current.id);
    links.push(current);
    if (levelOf(current) === 'full') break;
    const child: ChainLink = current;
    const parent = byId.get(child.parent as string);
    if (!parent) return { problem: { kind: 'missing', id: child.parent as string, neededBy: child.id } };
    if (parent.manifestSha256 !== child.parentManifestSha256 || !sameBase(parent, child))
      return { problem: { kind: 'foreign', id: parent.id, neededBy: child.id } };
    current = parent;
  }
  return { links: links.reverse() };
}

/** Why a link's own fields cannot be part of a chain, or undefined. */
function shapeProblem(link: ChainLink): string | undefined {
  const level = levelOf(link);
  if (!(LEVELS as readonly string[]).includes(level))
    return `level ${JSON.stringify(level)} is not one of ${LEVELS.join(', ')}`;
  if (level === 'full')
    return link.parent !== undefined || link.base !== undefined ? 'a full snapshot names a parent' : undefined;
  if (!link.parent || !link.base || !link.parentManifestSha256)
    return `an ${level} snapshot must name its parent and base`;
  if (link.parent === link.id) return 'it names itself as its parent';
  if (level === 'differential' && link.parent !== link.base) return 'a differential snapshot builds on its base alone';
  return undefined;
}

/** A parent belongs to the child's chain: it is the base, or it names the same base. */
function sameBase(parent: ChainLink, child: ChainLink): boolean {
  return levelOf(parent) === 'full' ? parent.id === child.base : parent.base === child.base;
}

/**
 * Retention that never breaks a chain: `keep` grown by every link a kept snapshot needs,
 * with, for each one added, the kept snapshot that needs it (for "kept because <id> depends
 * on it"). A kept snapshot whose chain is already broken keeps what is left of it.
 */
export function keepChains(keep: ReadonlySet<string>, byId: ReadonlyMap<string, ChainLink>): Map<string, string> {
  const neededBy = new Map<string, string>();
  for (const id of keep) {
    let link = byId.get(id);
    for (let depth = 0; link && levelOf(link) !== 'full' && link.parent && depth < MAX_CHAIN; depth++) {
      const parent = link.parent;
      if (keep.has(parent) || neededBy.has(parent)) break;
      neededBy.set(parent, id);
      link = byId.get(parent);
    }
  }
  return neededBy;
}

/** The snapshots whose chains pass through `id`: what removing or losing it makes unrestorable. */
export function dependentsOf(id: string, byId: ReadonlyMap<string, ChainLink>): string[] {
  const dependents: string[] = [];
  for (const link of byId.values()) {
    if (link.id === id) continue;
    const chain = chainOf(link.id, byId);
    const ids = 'links' in chain ? chain.links.map((l) => l.id) : ancestorIds(link, byId);
    if (ids.includes(id)) dependents.push(link.id);
  }
  return dependents.sort();
}

/** The parent ids a link names, as far as they can be followed. */
function ancestorIds(link: ChainLink, byId: ReadonlyMap<string, ChainLink>): string[] {
  const ids: string[] = [];
  let current: ChainLink | undefined = link;
  while (current?.parent && ids.length < MAX_CHAIN && !ids.includes(current.parent)) {
    ids.push(current.parent);
    current = byId.get(current.parent);
  }
  return ids;
}
