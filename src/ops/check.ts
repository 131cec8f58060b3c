/**
 * check: for cron monitors and scheduled workflows. Passes when the newest snapshot (of a
 * kind / with tags) is younger than the limit and its stored objects verify.
 */
import { NotFoundError, RipcordError } from '../domain/errors.ts';
import type { SnapshotMetadata } from '../domain/snapshot.ts';
import type { Store } from '../storage/store.ts';
import { listSnapshots, matchesFilter } from './repository.ts';
import type { SnapshotFilter } from './repository.ts';
import { verifySnapshots } from './verify.ts';
import { formatAge } from '../domain/wording.ts';

export interface CheckRequest {
  store: Store;
  maxAgeMs: number;
  filter?: SnapshotFilter;
  now?: Date;
}

export interface CheckResult {
  snapshot: SnapshotMetadata;
  ageMs: number;
}

export class StaleSnapshotError extends RipcordError {}

export async function checkFreshness(request: CheckRequest): Promise<CheckResult> {
  const now = request.now ?? new Date();
  const { snapshots } = await listSnapshots(request.store);
  const filter = request.filter ?? {};
  const newest = snapshots.find((s) => (filter.kind ? true : s.kind !== 'pre-restore') && matchesFilter(s, filter));
  const scope = [filter.kind && `kind ${filter.kind}`, filter.tags?.length && `tags ${filter.tags.join(',')}`]
    .filter(Boolean)
    .join(', ');
  if (!newest)
    throw new NotFoundError(
      `no snapshot${scope ? ` with ${scope}` : ''} in ${request.store.properties.location}: the backups are not running`,
    );
  const ageMs = now.getTime() - Date.parse(newest.created);
  if (ageMs > request.maxAgeMs) {
    throw new StaleSnapshotError(
      `the newest snapshot${scope ? ` with ${scope}` : ''} in ${request.store.properties.location} is ${newest.id}, ${formatAge(ageMs)} old (limit ${formatAge(request.maxAgeMs)}): the backups have stopped`,
    );
  }
  const [outcome] = await verifySnapshots({ store: request.store, references: [newest.id] });
  if (!outcome?.ok)
    throw new StaleSnapshotError(
      `the newest snapshot ${newest.id} does not verify: ${outcome?.problems[0] ?? 'unknown problem'}`,
    );
  return { snapshot: newest, ageMs };
}
