import { Readable } from 'node:stream';
import type { GetOptions } from '../store.ts';
import type { S3Place } from './errors.ts';
import type { S3Requests } from './requests.ts';
export declare function readObject(requests: S3Requests, place: S3Place, key: string, objectKey: string, options?: GetOptions): Promise<Readable>;
