/** Repository keys are "/"-separated relative names; anything else is a programming error. */
export declare function assertValidKey(key: string): void;
