/** What the encryptor (./cfb-encryptor.ts) and its worker (./cfb-worker.ts) say to each other. */
/** bytes per cipher call: 64 KiB stays in cache, measurably faster than 1 MiB calls */
export declare const CFB_SLICE: number;
export declare const CFB_BLOCK = 16;
export type ToWorker = {
    views: Uint8Array[];
} | {
    finish: true;
};
export type FromWorker = {
    ciphertext: Uint8Array[];
    done?: true;
};
