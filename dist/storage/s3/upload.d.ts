/**
 * Writing one object: one PutObject for a body that fits in a part, else a multipart upload
 * whose parts are filled into a fixed pool of `queueSize + 1` buffers, reused as uploads
 * finish: memory stays at the pool's size however large the object, with no per-part
 * garbage. A failed write aborts the upload, so nothing appears under the key.
 */
import { Readable } from 'node:stream';
import type { S3Place } from './errors.ts';
import type { S3Requests } from './requests.ts';
export interface UploadTarget {
    /** the repository's key, for messages */
    key: string;
    /** the key in the bucket */
    objectKey: string;
    partSize: number;
    queueSize: number;
}
export declare function uploadObject(requests: S3Requests, place: S3Place, target: UploadTarget, body: Readable | Uint8Array): Promise<void>;
