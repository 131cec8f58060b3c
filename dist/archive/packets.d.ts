/**
 * OpenPGP packet framing (RFC 4880 4.2): the tags ripcord meets, body lengths written and
 * read, and a streaming parser that splits bytes into packets. Shared by encryption
 * (./seipd-encrypt.ts), decryption (./seipd-decrypt.ts) and the session-key packets
 * (./skesk.ts), so that headers are parsed in one place.
 */
export declare const TAG: {
    readonly pkesk: 1;
    readonly signature: 2;
    readonly skesk: 3;
    readonly onePassSignature: 4;
    readonly secretKey: 5;
    readonly publicKey: 6;
    readonly secretSubkey: 7;
    readonly compressed: 8;
    readonly sed: 9;
    readonly marker: 10;
    readonly literal: 11;
    readonly trust: 12;
    readonly userId: 13;
    readonly publicSubkey: 14;
    readonly seipd: 18;
    readonly mdc: 19;
    readonly aead: 20;
    readonly padding: 21;
};
/** SEIPD v1 (RFC 4880 5.13): the cipher block, the random prefix (a block and its last two octets again), the MDC packet */
export declare const BLOCK = 16;
export declare const PREFIX: number;
export declare const MDC_LENGTH = 22;
/** log2 of the partial body part size ripcord writes (literal data and SEIPD): 1 MiB */
export declare const PART_LOG2 = 20;
/** every SEIPD body part but the last that ripcord writes holds this many bytes */
export declare const PART: number;
/** the Literal Data packet body header ripcord writes: binary ('b'), no filename, date 0 */
export declare const LITERAL_HEADER: Buffer<ArrayBuffer>;
/** AES-256's algorithm id (RFC 4880 9.2): what ripcord encrypts with. */
export declare const AES256 = 9;
/** The AES algorithms (RFC 4880 9.2) ripcord reads, by id: their key sizes in bytes. */
export declare const AES_KEY_BYTES: Readonly<Record<number, number>>;
/** The node:crypto name of AES algorithm `id` in `mode`, or undefined when `id` is not AES. */
export declare function aesCipherName(id: number, mode: 'cfb' | 'ecb'): string | undefined;
/** A new-format body length (RFC 4880 4.2.2). */
export declare function encodeLength(n: number): Buffer;
export interface BodyLength {
    kind: 'fixed' | 'partial' | 'indeterminate';
    /** bytes in this (first) part; 0 for indeterminate */
    length: number;
}
export interface PacketEvents {
    start(tag: number, length: BodyLength): void;
    body(chunk: Buffer): void;
    end(): void;
}
/**
 * Splits a byte stream into OpenPGP packets (old and new format headers, partial and
 * indeterminate lengths) and hands each packet's body on as it arrives.
 */
export declare class PacketParser {
    #private;
    constructor(events: PacketEvents, fail: (message: string) => Error);
    /** true between packets (nothing of a next packet read yet) */
    get atBoundary(): boolean;
    write(data: Buffer): void;
    /** The input ended: the last packet must be complete (or of indeterminate length). */
    finish(): void;
}
