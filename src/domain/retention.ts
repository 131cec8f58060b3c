/**
 * Snapshot retention ("which snapshots does `prune` keep?") as a pure function.
 *
 * Modelled on restic's `forget` policy: snapshots are split into groups, and in each
 * group every rule is evaluated on its own, walking from the newest snapshot to the
 * oldest. A snapshot is kept when at least one rule keeps it; its decision lists every
 * rule that did. Differences from restic, on purpose:
 *  - groups are kind + tags, never host (CI runners get a new host name every run);
 *  - buckets (hour, day, ISO week, month, year) are always UTC, never local time;
 *  - the newest snapshot of a group is always kept, and so is a pinned snapshot;
 *  - `--keep-tag a --keep-tag b` keeps snapshots carrying a OR b (single tags, no lists);
 *  - durations are fixed lengths in ms (see duration.ts), not calendar months/years;
 *  - restic also keeps the OLDEST snapshot of a group while a bucket rule still has
 *    unused slots; ripcord does not: `daily: n` keeps exactly the newest snapshot of
 *    each of the n most recent days that have one.
 *
 * No I/O and no clock: the only notion of "now" is the optional `options.now`, used
 * solely to stop a snapshot dated in the future from anchoring `within` (as restic does).
 */
import { formatDuration } from './duration.ts';
import { UsageError } from './errors.ts';

/** A count of -1 means "unlimited": keep one snapshot in every bucket (restic's -1). */
export const UNLIMITED = -1;

export interface RetentionPolicy {
  /** keep the n newest snapshots */
  last?: number;
  /** keep the newest snapshot of each of the n most recent UTC hours that have one */
  hourly?: number;
  /** ... of each of the n most recent UTC days */
  daily?: number;
  /** ... of each of the n most recent ISO weeks (Monday to Sunday, UTC) */
  weekly?: number;
  /** ... of each of the n most recent UTC calendar months */
  monthly?: number;
  /** ... of each of the n most recent UTC calendar years */
  yearly?: number;
  /** keep every snapshot created within this many ms before the NEWEST snapshot of its group (restic semantics) */
  within?: number;
  /** keep every snapshot carrying any of these tags */
  tags?: string[];
}

export interface RetentionCandidate {
  /** sorts chronologically (a UTC timestamp prefix), unique */
  id: string;
  created: Date;
  /** manual | pre-deploy | pre-restore | scheduled | ... */
  kind: string;
  tags: string[];
  /** e.g. a pre-deploy snapshot whose deploy has no recorded outcome: never removed */
  pinned?: boolean;
}

export type KeepReason =
  | 'last'
  | 'hourly'
  | 'daily'
  | 'weekly'
  | 'monthly'
  | 'yearly'
  | 'within'
  | 'tag'
  | 'newest'
  | 'pinned';

/** The order in which reasons are listed in a decision. */
export const KEEP_REASONS: readonly KeepReason[] = [
  'last',
  'hourly',
  'daily',
  'weekly',
  'monthly',
  'yearly',
  'within',
  'tag',
  'newest',
  'pinned',
];

export interface RetentionDecision<T extends RetentionCandidate = RetentionCandidate> {
  snapshot: T;
  keep: boolean;
  /** every rule that keeps the snapshot, in KEEP_REASONS order; empty when removed */
  reasons: KeepReason[];
  /** groupKey(snapshot) */
  group: string;
}

export interface RetentionOptions {
  /**
   * When given, `within` is measured from the newest snapshot of the group that is not
   * after `now` (a snapshot from a runner with a clock in the future must not shrink the
   * window for everything else); when every snapshot is after `now`, from `now`.
   * Without it, `within` is measured from the newest snapshot, whatever its date.
   */
  now?: Date;
}

/** The retention policy is unusable: no keep rule, a bad count, a bad duration. Exit code: usage (2). */
export class RetentionPolicyError extends UsageError {}

const COUNT_RULES = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
type CountRule = (typeof COUNT_RULES)[number];

const FLAGS: Record<keyof RetentionPolicy, string> = {
  last: '--keep-last',
  hourly: '--keep-hourly',
  daily: '--keep-daily',
  weekly: '--keep-weekly',
  monthly: '--keep-monthly',
  yearly: '--keep-yearly',
  within: '--keep-within',
  tags: '--keep-tag',
};

const ALL_FLAGS = Object.values(FLAGS).join(', ');

/** True when at least one rule can keep a snapshot (a count other than 0, a positive `within`, a tag). */
export function hasKeepRule(policy: RetentionPolicy): boolean {
  return (
    COUNT_RULES.some((rule) => (policy[rule] ?? 0) !== 0) || (policy.within ?? 0) > 0 || (policy.tags?.length ?? 0) > 0
  );
}

/**
 * Throws a RetentionPolicyError when the policy has no keep rule at all (pruning with it
 * would remove everything but the newest snapshot of each group), when a count is not a
 * whole number >= 0 or -1 (UNLIMITED), when `within` is not a finite number of ms >= 0,
 * or when a tag is not a non-empty string. A count of 0 and `within: 0` mean "rule not set".
 */
export function validatePolicy(policy: RetentionPolicy): void {
  if (policy === null || typeof policy !== 'object') {
    throw new RetentionPolicyError('the retention policy is missing');
  }
  for (const rule of COUNT_RULES) {
    const value: unknown = policy[rule];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < UNLIMITED) {
      throw new RetentionPolicyError(
        `${FLAGS[rule]} must be a whole number of 0 or more, or "unlimited" (-1); got ${describeValue(value)}`,
      );
    }
  }
  const within: unknown = policy.within;
  if (within !== undefined && (typeof within !== 'number' || !Number.isFinite(within) || within < 0)) {
    throw new RetentionPolicyError(
      `${FLAGS.within} must be a duration of 0 or more, such as "30d" or "1d12h"; got ${describeValue(within)} ms`,
    );
  }
  const tags: unknown = policy.tags;
  if (tags !== undefined) {
    if (!Array.isArray(tags)) {
      throw new RetentionPolicyError(`${FLAGS.tags} must be a list of tags; got ${describeValue(tags)}`);
    }
    for (const tag of tags) {
      if (typeof tag !== 'string' || tag === '') {
        throw new RetentionPolicyError(`${FLAGS.tags} needs a non-empty tag; got ${describeValue(tag)}`);
      }
    }
  }
  if (!hasKeepRule(policy)) {
    throw new RetentionPolicyError(
      `refusing to prune without a keep rule: give at least one of ${ALL_FLAGS} ` +
        '(without one, every snapshot except the newest of each group would be removed)',
    );
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  return String(value);
}

/**
 * Parse the argument of a `--keep-last`/`--keep-daily`/... flag: a whole number >= 0,
 * or "unlimited" (returns UNLIMITED, -1). `flag` only names the flag in the error.
 */
export function parseKeepCount(text: string, flag = '--keep-*'): number {
  const trimmed = text.trim();
  if (trimmed === 'unlimited') return UNLIMITED;
  if (/^\d+$/.test(trimmed)) {
    const n = Number(trimmed);
    if (Number.isSafeInteger(n)) return n;
  }
  const hint = /^-\d+$/.test(trimmed) ? ' (negative counts are not allowed; to keep all, write "unlimited")' : '';
  throw new RetentionPolicyError(
    `${flag} takes a whole number of 0 or more, or "unlimited"; got ${JSON.stringify(text)}${hint}`,
  );
}

/** One line for humans, e.g. "keep the last 3, 7 daily, all weekly snapshots, all snapshots within 30d of the newest of their group, all snapshots tagged release". */
export function describePolicy(policy: RetentionPolicy): string {
  const counts: string[] = [];
  for (const rule of COUNT_RULES) {
    const n = policy[rule] ?? 0;
    if (n === 0) continue;
    const amount = n === UNLIMITED ? 'all' : String(n);
    counts.push(rule === 'last' ? (n === UNLIMITED ? 'all' : `the last ${n}`) : `${amount} ${rule}`);
  }
  const parts: string[] = [];
  if (counts.length > 0) parts.push(`${counts.join(', ')} snapshots`);
  if ((policy.within ?? 0) > 0) {
    parts.push(`all snapshots within ${formatDuration(policy.within ?? 0)} of the newest of their group`);
  }
  if ((policy.tags?.length ?? 0) > 0) {
    parts.push(`all snapshots tagged ${(policy.tags ?? []).join(' or ')}`);
  }
  return parts.length === 0 ? 'keep nothing (no keep rule)' : `keep ${parts.join(', ')}`;
}

/**
 * Group key: kind + the set of tags (sorted, duplicates dropped), as JSON, e.g.
 * {"kind":"pre-deploy","tags":["env:prod"]}. NEVER the host: CI runners get a new
 * host name every run, so grouping by host would make every snapshot the newest of
 * its own group and nothing would ever be pruned.
 */
export function groupKey(candidate: RetentionCandidate): string {
  const tags = [...new Set(candidate.tags)].sort();
  return JSON.stringify({ kind: candidate.kind, tags });
}

/** ISO-8601 week of a date, in UTC: weeks start on Monday; week 1 holds the year's first Thursday. */
export function isoWeek(date: Date): { year: number; week: number } {
  const day = (date.getUTCDay() + 6) % 7; // Monday = 0 ... Sunday = 6
  const thursday = new Date(date.getTime());
  thursday.setUTCHours(0, 0, 0, 0);
  thursday.setUTCDate(thursday.getUTCDate() - day + 3);
  const year = thursday.getUTCFullYear();
  const janFirst = new Date(thursday.getTime());
  janFirst.setUTCMonth(0, 1);
  const week = 1 + Math.floor((thursday.getTime() - janFirst.getTime()) / (7 * 24 * 60 * 60 * 1000));
  return { year, week };
}

/** Bucket of a snapshot for a count rule; equal numbers = same bucket. All UTC. */
function bucketOf(rule: CountRule, date: Date, position: number): number {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + 1;
  const d = date.getUTCDate();
  switch (rule) {
    case 'last':
      return position; // every snapshot is its own bucket
    case 'hourly':
      return y * 1_000_000 + m * 10_000 + d * 100 + date.getUTCHours();
    case 'daily':
      return y * 10_000 + m * 100 + d;
    case 'weekly': {
      const w = isoWeek(date);
      return w.year * 100 + w.week;
    }
    case 'monthly':
      return y * 100 + m;
    case 'yearly':
      return y;
  }
}

interface Entry<T extends RetentionCandidate> {
  snapshot: T;
  time: number;
  group: string;
  reasons: Set<KeepReason>;
}

/** Newest first; equal times by id, descending (ids sort chronologically and are unique). */
function newestFirst(a: { time: number; snapshot: RetentionCandidate }, b: typeof a): number {
  if (a.time !== b.time) return b.time - a.time;
  const x = a.snapshot.id;
  const y = b.snapshot.id;
  return x < y ? 1 : x > y ? -1 : 0;
}

/**
 * Decide, per group, which snapshots to keep and why. Pure: the input is not modified
 * and the result depends only on the arguments (not on their order). Returns one
 * decision per input snapshot, newest first. Throws RetentionPolicyError for a policy
 * validatePolicy rejects (including a policy with no keep rule), RangeError for a
 * snapshot whose `created` is not a valid date.
 *
 * In each group (see groupKey), walking newest to oldest:
 *  - last n: the n newest snapshots;
 *  - hourly/daily/weekly/monthly/yearly n: a snapshot is kept when its UTC bucket
 *    differs from the bucket of the last snapshot this rule kept, until n buckets are
 *    used (n = -1: no limit). So: the newest snapshot of each of the n most recent
 *    buckets that have a snapshot;
 *  - within: snapshots created less than `within` ms before the group's newest one;
 *  - tag: snapshots carrying any of `policy.tags`;
 *  - pinned: pinned snapshots, always;
 *  - newest: the newest snapshot of the group, always (listed only when nothing else keeps it).
 */
export function applyRetention<T extends RetentionCandidate>(
  snapshots: readonly T[],
  policy: RetentionPolicy,
  options: RetentionOptions = {},
): RetentionDecision<T>[] {
  validatePolicy(policy);
  const now = options.now === undefined ? undefined : options.now.getTime();
  if (now !== undefined && Number.isNaN(now)) throw new RangeError('options.now is not a valid date');

  const entries: Entry<T>[] = snapshots.map((snapshot) => {
    const time = snapshot.created instanceof Date ? snapshot.created.getTime() : Number.NaN;
    if (Number.isNaN(time)) {
      throw new RangeError(`snapshot ${snapshot.id} has no valid creation time`);
    }
    return { snapshot, time, group: groupKey(snapshot), reasons: new Set<KeepReason>() };
  });
  entries.sort(newestFirst);

  const groups = new Map<string, Entry<T>[]>();
  for (const entry of entries) {
    const members = groups.get(entry.group);
    if (members === undefined) groups.set(entry.group, [entry]);
    else members.push(entry);
  }
  for (const members of groups.values()) decideGroup(members, policy, now);

  return entries.map((entry) => ({
    snapshot: entry.snapshot,
    keep: entry.reasons.size > 0,
    reasons: KEEP_REASONS.filter((reason) => entry.reasons.has(reason)),
    group: entry.group,
  }));
}

/** `members` is one group, newest first. */
function decideGroup<T extends RetentionCandidate>(
  members: Entry<T>[],
  policy: RetentionPolicy,
  now: number | undefined,
): void {
  const newest = members[0];
  if (newest === undefined) return;

  for (const rule of COUNT_RULES) {
    const count = policy[rule] ?? 0;
    if (count === 0) continue;
    let slots = count === UNLIMITED ? Infinity : count;
    let lastBucket: number | undefined;
    for (const [position, entry] of members.entries()) {
      if (slots <= 0) break;
      const bucket = bucketOf(rule, new Date(entry.time), position);
      if (bucket !== lastBucket) {
        entry.reasons.add(rule);
        lastBucket = bucket;
        slots -= 1;
      }
    }
  }

  const within = policy.within ?? 0;
  if (within > 0) {
    let anchor = newest.time;
    if (now !== undefined && anchor > now) {
      anchor = members.find((entry) => entry.time <= now)?.time ?? now;
    }
    const cutoff = anchor - within;
    for (const entry of members) {
      if (entry.time > cutoff) entry.reasons.add('within');
      else break; // members are newest first
    }
  }

  const keepTags = new Set(policy.tags ?? []);
  for (const entry of members) {
    if (keepTags.size > 0 && entry.snapshot.tags.some((tag) => keepTags.has(tag))) entry.reasons.add('tag');
    if (entry.snapshot.pinned === true) entry.reasons.add('pinned');
  }

  if (newest.reasons.size === 0) newest.reasons.add('newest');
}
