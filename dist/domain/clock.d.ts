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
export declare const systemClock: Clock;
