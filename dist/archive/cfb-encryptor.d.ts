export interface CfbEncryptorEvents {
    /**
     * ciphertext, in order; the receiver owns it. From the worker it is the plaintext's own
     * memory, marked to be freed once written (reclaim.ts freeOnceWritten): whoever writes it
     * may say so with `written`, and nothing may read it after that.
     */
    onCiphertext(ciphertext: Buffer): void;
    /** a write() is done with; `bytes` is the count it was given */
    onConsumed(bytes: number): void;
    /** the encryptor failed (the worker died); nothing more will be delivered */
    onError(error: Error): void;
}
export interface CfbEncryptor {
    /**
     * Hash and encrypt these plaintext views, in order. The encryptor owns them, and the whole
     * memory behind each, from here on: nothing else may use it. `bytes` is echoed by onConsumed.
     */
    write(views: Buffer[], bytes: number): void;
    /** Encrypt the MDC packet (0xD3 0x14 and the SHA-1 of everything before it) and finish; resolves after the last ciphertext. */
    finish(): Promise<void>;
    /** Stop at once (the stream failed); nothing more is delivered. */
    destroy(): void;
}
/**
 * A new CFB encryptor with this session key (which may be zeroed once this returns).
 * `parallel` asks for a worker thread, used where there is a second core to run it.
 */
export declare function createCfbEncryptor(sessionKey: Buffer, events: CfbEncryptorEvents, options: {
    parallel: boolean;
}): CfbEncryptor;
