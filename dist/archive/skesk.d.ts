import { type PassphraseCheck } from '../domain/snapshot.ts';
/** The S2K of RFC 4880 3.7.1 (computeKey), each iterated key remembered (remembering). */
export declare const deriveKey: typeof computeKey;
/** What a thread needs to derive the keys of passphrase packets: salts drawn for them (reserveSalts). */
export interface S2kJob {
    passphrase: string;
    salts: Buffer[];
}
/** Draw `count` salts for this passphrase's next packets; derive their keys with deriveReserved. */
export declare function reserveSalts(passphrase: string, count: number): S2kJob;
/** The keys of a job's salts, in order (on any thread): what packets with those salts need. */
export declare function deriveReserved(job: S2kJob): Buffer[];
/** Keep the keys another thread derived for a job's salts, for the packets that take them. */
export declare function rememberReserved(job: S2kJob, keys: readonly Uint8Array[]): void;
/** The S2K of RFC 4880 3.7.1: as many hash contexts as the key needs, each preloaded with i zero octets. */
declare function computeKey(passphrase: Buffer, hashId: number, type: number, salt: Buffer, coded: number, keyBytes: number): Buffer;
/** One SKESK v4 packet (new-format header) carrying `sessionKey` for AES-256. */
export declare function createPassphrasePacket(sessionKey: Uint8Array, passphrase: string): Uint8Array;
export declare function createPassphraseCheck(passphrase: string): PassphraseCheck;
/**
 * Whether a check costs a guess what one createPassphraseCheck makes does (its S2K count at
 * least as high): a new snapshot may then carry a check its passphrase matched again, where a
 * check of its own costs another S2K (about 13 ms of every backup here). Both say only what
 * the repository already tells: that its snapshots share a passphrase.
 */
export declare function isFullStrengthCheck(check: PassphraseCheck): boolean;
/** Whether `passphrase` is the one `check` was made from. A malformed check matches nothing. */
export declare function matchesPassphraseCheck(passphrase: string, check: PassphraseCheck): boolean;
export interface PacketSlice {
    tag: number;
    body: Buffer;
}
/** Split session-key packets (fixed lengths only; these are never partial). Undefined when it cannot. */
export declare function splitPackets(data: Uint8Array): PacketSlice[] | undefined;
/**
 * Try the passphrase on every SKESK v4 this module understands. Returns the session key of
 * the first that opens to a plausible AES key, or undefined (wrong passphrase, or a packet
 * for openpgp.js to try).
 */
export declare function openPassphrasePackets(packets: PacketSlice[], passphrase: string): {
    algorithm: number;
    key: Uint8Array;
} | 'unsupported' | undefined;
export {};
