import { IntegrityError } from '../domain/errors.ts';
import { type PacketEvents } from './packets.ts';
export interface OutputContext {
    push(data: Buffer): void;
    literals: number;
    corrupt(message: string): IntegrityError;
}
/**
 * Reads the packets inside the SEIPD (or inside a Compressed Data packet): Literal Data
 * goes to the output, Compressed Data is unpacked, signatures and markers are skipped.
 */
export declare class PlaintextReader implements PacketEvents {
    #private;
    constructor(ctx: OutputContext, depth: number);
    write(data: Buffer): void;
    /** the buffer last written went (in part) to compressed data, which keeps it until it is inflated */
    get keepsInput(): boolean;
    start(tag: number): void;
    body(chunk: Buffer): void;
    end(): void;
    /** Asynchronous decompression of what was written so far is done. */
    settle(): Promise<void>;
    /** The input ended: finish the packets, wait for decompression to end. */
    finish(): Promise<void>;
    destroy(): void;
}
