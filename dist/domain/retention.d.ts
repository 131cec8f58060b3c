import { UsageError } from './errors.ts';
/** A count of -1 means "unlimited": keep one snapshot in every bucket (restic's -1). */
export declare const UNLIMITED = -1;
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
export type KeepReason = 'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly' | 'within' | 'tag' | 'newest' | 'pinned';
/** The order in which reasons are listed in a decision. */
export declare const KEEP_REASONS: readonly KeepReason[];
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
export declare class RetentionPolicyError extends UsageError {
}
/** True when at least one rule can keep a snapshot (a count other than 0, a positive `within`, a tag). */
export declare function hasKeepRule(policy: RetentionPolicy): boolean;
/**
 * Throws a RetentionPolicyError when the policy has no keep rule at all (pruning with it
 * would remove everything but the newest snapshot of each group), when a count is not a
 * whole number >= 0 or -1 (UNLIMITED), when `within` is not a finite number of ms >= 0,
 * or when a tag is not a non-empty string. A count of 0 and `within: 0` mean "rule not set".
 */
export declare function validatePolicy(policy: RetentionPolicy): void;
/**
 * Parse the argument of a `--keep-last`/`--keep-daily`/... flag: a whole number >= 0,
 * or "unlimited" (returns UNLIMITED, -1). `flag` only names the flag in the error.
 */
export declare function parseKeepCount(text: string, flag?: string): number;
/** One line for humans, e.g. "keep the last 3, 7 daily, all weekly snapshots, all snapshots within 30d of the newest of their group, all snapshots tagged release". */
export declare function describePolicy(policy: RetentionPolicy): string;
/**
 * Group key: kind + the set of tags (sorted, duplicates dropped), as JSON, e.g.
 * {"kind":"pre-deploy","tags":["env:prod"]}. NEVER the host: CI runners get a new
 * host name every run, so grouping by host would make every snapshot the newest of
 * its own group and nothing would ever be pruned.
 */
export declare function groupKey(candidate: RetentionCandidate): string;
/** ISO-8601 week of a date, in UTC: weeks start on Monday; week 1 holds the year's first Thursday. */
export declare function isoWeek(date: Date): {
    year: number;
    week: number;
};
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
export declare function applyRetention<T extends RetentionCandidate>(snapshots: readonly T[], policy: RetentionPolicy, options?: RetentionOptions): RetentionDecision<T>[];
