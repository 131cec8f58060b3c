/** A Clock that stands still until a test moves it, running the timers that fall due in order. */
import type { Clock } from '../../src/domain/clock.ts';

interface Timer {
  at: number;
  every: number;
  run: () => unknown;
}

export class ManualClock implements Clock {
  private time: number;
  private timers: Timer[] = [];

  constructor(start: number | Date = Date.parse('2026-11-22T10:00:00Z')) {
    this.time = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.time);
  }

  /** Nothing else moves this clock, so whoever sleeps moves it: by `ms`, running what falls due. */
  sleep(ms: number): Promise<void> {
    return this.advance(ms);
  }

  every(ms: number, tick: () => unknown): () => void {
    const timer: Timer = { at: this.time + ms, every: ms, run: tick };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** How many timers are waiting (a renewal that was stopped is not). */
  get pending(): number {
    return this.timers.length;
  }

  /** Move time forward by `ms`, running each timer as it falls due and waiting for what it returns. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = due.at;
      due.at += due.every;
      await due.run();
    }
    this.time = end;
  }
}
