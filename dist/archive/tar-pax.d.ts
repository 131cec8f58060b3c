/** POSIX pax extended headers ('x' for the next entry, 'g' for all that follow): their records and what ripcord takes from them. */
import type { PaxAttributes } from './tar-header.ts';
/**
 * Parse pax records "<len> <key>=<value>\n" into `into`. An empty value removes the
 * key. For a global header only path-independent keys are kept.
 */
export declare function parsePax(data: Buffer, into: PaxAttributes, global: boolean, at: number): void;
