/**
 * Where a restore stages each entry: below a private staging folder in the target, either at
 * its own path (a tree, moved into place whole) or under its manifest index.
 */
import { mkdirSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { RestorePlan } from './restore-plan.ts';

/**
 * Where each staged entry goes. Into a target that holds nothing yet, the selected entries are
 * staged at their own paths below `tree`, and each top-level entry then moves into place with
 * one rename: restoring the benchmark's 20,000 files into an empty folder spent 0.6-0.8 s
 * checking and renaming them one by one. Anywhere else an entry may replace something, so
 * each is staged under its index and moved by itself. Captured state is always staged under
 * its index: it goes to its restore command, not into the target.
 */
export interface StagingLayout {
  staging: string;
  /** the folder that mirrors the target, when entries are staged at their own paths */
  tree: string | undefined;
  pathOf(index: number): string;
  /** a selected directory of a tree, made when the first entry goes into it (makeParents) or at the end (makeFolders) */
  addFolder(index: number): void;
  /** make the folders added and not made yet that `file` goes into, outermost first */
  makeParents(file: string): void;
  /** make every folder added and not made yet */
  makeFolders(): void;
}

export async function stagingLayout(plan: RestorePlan, staging: string): Promise<StagingLayout> {
  const byIndex = (index: number) => path.join(staging, String(index));
  if (!(await stagesAsTree(plan, staging)))
    return { staging, tree: undefined, pathOf: byIndex, addFolder: noFolders, makeParents() {}, makeFolders() {} };
  const tree = path.join(staging, 'tree');
  await fs.mkdir(tree, { mode: 0o700 });
  const pathOf = (index: number) =>
    plan.selected.has(index) ? path.join(tree, plan.entries[index]!.path) : byIndex(index);
  // A chain link's archive holds every folder of the tree and few files, and it is read
  // first. Made as they come, all the folders came before any file, and the file system
  // placed them (and so their files) otherwise than in a full snapshot's order, folder then
  // its files: ext4 then spent up to twice the kernel time making the files (restore of the
  // benchmark's 5th incremental 1.20-1.35 x the full one's; made as files arrive, 0.94-1.08).
  const folders = new Set<string>();
  return {
    staging,
    tree,
    pathOf,
    addFolder: (index) => folders.add(pathOf(index)),
    makeParents(file) {
      if (folders.size === 0) return;
      const missing: string[] = [];
      for (let folder = path.dirname(file); folders.has(folder); folder = path.dirname(folder)) missing.push(folder);
      for (const folder of missing.reverse()) {
        mkdirSync(folder, { mode: 0o700 });
        folders.delete(folder);
      }
    },
    makeFolders() {
      // in the order added: an archive holds a folder before what is in it
      for (const folder of folders) mkdirSync(folder, { mode: 0o700 });
      folders.clear();
    },
  };
}

function noFolders(): never {
  throw new Error('only a tree layout makes folders');
}

/**
 * A tree fits when the target holds nothing but this restore's staging folder (it was just
 * looked at under the target's lock) and every selected entry's folder is a selected
 * directory that comes before it: then every entry is created inside a directory this restore
 * made, and nothing in the tree can be a link to pass through.
 */
async function stagesAsTree(plan: RestorePlan, staging: string): Promise<boolean> {
  if (plan.removals.length > 0) return false;
  if ((await fs.readdir(plan.target)).some((name) => name !== path.basename(staging))) return false;
  const directories = new Set<string>();
  for (const index of [...plan.selected].sort((a, b) => a - b)) {
    const entry = plan.entries[index]!;
    const parent = path.posix.dirname(entry.path);
    if (parent !== '.' && !directories.has(parent)) return false;
    if (entry.type === 'directory') directories.add(entry.path);
  }
  return true;
}
