/**
 * Time as code that waits, polls or renews sees it: the system's, or in a test one that moves
 * only when told (test/helpers/manual-clock.ts), so that a lease or a renewal is tested
 * without sleeping through it.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface Clock {
  now(): Date;
  /** resolves once `ms` have passed */
  sleep(ms: number): Promise<void>;
  /**
   * Call `tick` every `ms` until the returned function is called. The system clock's timer
   * never keeps the process alive; a manual clock waits for a promise that `tick` returns.
   */
  every(ms: number, tick: () => unknown): () => void;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => sleep(ms),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};
