/**
 * Every reliability trial, in one place: the CI-sized tests (test/reliability/*.test.ts)
 * run a few of each with a fixed seed and assert on their outcomes; the stress run
 * (test/stress/run.ts) runs many and writes docs/reliability.md from the same outcomes.
 *
 * Each trial returns a TrialOutcome (harness.ts): faults injected, faults detected,
 * invariant violations (named, one line each), data lost, and counters for the report.
 */
export * from './harness.ts';
export * from './crash-trials.ts';
export * from './tamper-trials.ts';
export * from './hostile-trials.ts';
export * from './storage-trials.ts';
export * from './disk-full-trials.ts';
export * from './concurrency-trials.ts';
export * from './secrets-trials.ts';
