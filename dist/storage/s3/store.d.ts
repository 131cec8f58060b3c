/** The Store over S3 requests: keys under the repository's prefix, and what each call means in S3. */
import type { Readable } from 'node:stream';
import type { GetOptions, PutOptions, Store, StoredObject, StoreProperties } from '../store.ts';
import type { S3Place } from './errors.ts';
import type { S3Requests } from './requests.ts';
export interface S3Settings extends S3Place {
    prefix: string;
    partSize: number;
    queueSize: number;
    maxKeys: number;
    /** keys per DeleteObjects request */
    deleteBatch: number;
}
export declare class S3Store implements Store {
    readonly properties: StoreProperties;
    private readonly requests;
    private readonly settings;
    /** HeadBucket succeeded once: a 404 from HeadObject then means "no such key" */
    private bucketConfirmed;
    constructor(requests: S3Requests, settings: S3Settings);
    private objectKey;
    put(key: string, body: Readable | Uint8Array, options?: PutOptions): Promise<void>;
    get(key: string, options?: GetOptions): Promise<Readable>;
    stat(key: string): Promise<StoredObject | undefined>;
    private confirmBucket;
    /** One flat listing (a page per thousand keys): ListOptions.within is not used, the caller filters. */
    list(prefix: string): AsyncIterable<StoredObject>;
    delete(keys: readonly string[]): Promise<void>;
    close(): Promise<void>;
}
