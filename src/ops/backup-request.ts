/**
 * What a user asks a backup or a deploy for, as the CLI's flags or the Action's inputs give
 * it, turned into the operation's request: the defaults (the working directory without .git
 * and node_modules) and the checks live here once. A refused value is reported through the
 * adapter's `refuse`, so that the message names its flag or its input.
 */
import type { SnapshotKind } from '../domain/snapshot.ts';
import { SNAPSHOT_KINDS } from '../domain/snapshot.ts';
import type { BackupRequest } from './backup.ts';
import { DEFAULT_EXCLUDES } from './backup.ts';
import type { DeployRequest, GuardContext } from './deploy.ts';

/** The adapter's error for a refused value, e.g. `--kind x is not ...` or `input kind: "x" is not ...`. */
export type RefuseInput = (field: 'kind', value: string, problem: string) => Error;

export interface PathInputs {
  /** as given; none means the working directory */
  paths: readonly string[];
  exclude: readonly string[];
}

/** The paths given, or the working directory without DEFAULT_EXCLUDES. */
export function pathsToBackUp({ paths, exclude }: PathInputs): { paths: string[]; exclude: string[] } {
  return paths.length > 0
    ? { paths: [...paths], exclude: [...exclude] }
    : { paths: ['.'], exclude: [...exclude, ...DEFAULT_EXCLUDES] };
}

export interface BackupInputs extends PathInputs {
  /** as given; undefined takes the adapter's default */
  kind: string | undefined;
  tags: readonly string[];
}

export type BackupSelection = Required<Pick<BackupRequest, 'paths' | 'exclude' | 'kind' | 'tags'>>;

export function backupRequestFrom(
  inputs: BackupInputs,
  defaultKind: SnapshotKind,
  refuse: RefuseInput,
): BackupSelection {
  const kind = inputs.kind ?? defaultKind;
  if (!(SNAPSHOT_KINDS as readonly string[]).includes(kind))
    throw refuse('kind', kind, `is not one of ${SNAPSHOT_KINDS.join(', ')}`);
  return { ...pathsToBackUp(inputs), kind: kind as SnapshotKind, tags: [...inputs.tags] };
}

/** A deploy's request but where it runs, with which keys and store: the paths take the same defaults as a backup's. */
export type DeployInputs = PathInputs & Omit<DeployRequest, keyof PathInputs | keyof GuardContext>;

export type DeploySelection = Omit<DeployRequest, keyof GuardContext>;

export function deployRequestFrom(inputs: DeployInputs): DeploySelection {
  return { ...inputs, ...pathsToBackUp(inputs) };
}
