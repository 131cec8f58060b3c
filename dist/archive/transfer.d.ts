export interface Transfer {
    /** the views to post, in order: the same ones, or copies where their memory cannot move */
    views: Uint8Array[];
    /** the memory behind them, each once: the message's transfer list */
    transferList: ArrayBuffer[];
}
/** How to post these views, which the caller gives away. */
export declare function transferOf(views: readonly Uint8Array[]): Transfer;
