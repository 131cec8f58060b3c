/**
 * The S3 requests the store makes, one function each, with object keys as S3 sees them
 * (the repository prefix included). s3-store.ts implements them with the AWS SDK; the store,
 * the multipart upload and the resumable download only see this.
 */
import type { Readable } from 'node:stream';

/** What every object written gets: encryption, storage class, Object Lock. */
export interface WriteParameters {
  sse: 'AES256' | 'aws:kms' | undefined;
  kmsKeyId: string | undefined;
  storageClass: string | undefined;
  objectLockDays: number | undefined;
  objectLockMode: 'GOVERNANCE' | 'COMPLIANCE';
}

export interface ObjectBody {
  body: Readable;
  etag: string | undefined;
  /** the length of this body (what is left after a range), when the server says */
  length: number | undefined;
}

export interface ListPage {
  objects: { key: string | undefined; size: number | undefined; modified: Date | undefined }[];
  truncated: boolean;
  nextToken: string | undefined;
}

export interface S3Requests {
  putObject(key: string, body: Uint8Array): Promise<void>;
  /** the new upload's id, if the server returned one */
  createUpload(key: string): Promise<string | undefined>;
  /** the part's ETag, if the server returned one */
  uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<string | undefined>;
  completeUpload(key: string, uploadId: string, parts: { PartNumber: number; ETag: string }[]): Promise<void>;
  abortUpload(key: string, uploadId: string): Promise<void>;
  /** from byte `offset` on, only while the object's ETag is still `ifMatch` */
  getObject(
    key: string,
    range?: { offset: number; length?: number | undefined; ifMatch: string | undefined },
  ): Promise<ObjectBody>;
  headObject(key: string): Promise<{ size: number | undefined; modified: Date | undefined }>;
  headBucket(): Promise<void>;
  listPage(prefix: string, maxKeys: number, token: string | undefined): Promise<ListPage>;
  /** the keys S3 could not delete, with its reasons */
  deleteObjects(
    keys: string[],
  ): Promise<{ key: string | undefined; code: string | undefined; message: string | undefined }[]>;
  close(): void;
}
