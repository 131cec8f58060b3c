/**
 * A repository in an S3 bucket (AWS or any S3-compatible server): "s3://bucket/optional/prefix".
 * The only module that imports @aws-sdk/*: it sets the client up and makes the requests of
 * s3/requests.ts with it; open-store.ts loads it on demand. The store itself is in s3/:
 * options, multipart upload, resumable download, error classification.
 *
 * Configuration comes from the standard AWS chain (AWS_REGION / AWS_DEFAULT_REGION,
 * AWS_PROFILE, AWS_ACCESS_KEY_ID..., AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL), read from the
 * environment the caller passes; the options override it.
 *
 * Compatibility choices (each one deliberate):
 * - requestChecksumCalculation / responseChecksumValidation are 'WHEN_REQUIRED'. With the
 *   SDK's default ('WHEN_SUPPORTED', since ~3.729) a streamed body is sent aws-chunked with a
 *   trailing checksum, and servers that do not understand it (s3rver, older MinIO/Ceph, ...)
 *   answer 200 and store the chunk framing inside the object.
 * - Every PutObject / UploadPart carries Content-MD5 instead (bodies are always in-memory
 *   parts here). AWS verifies it (BadDigest on corruption), every S3-compatible server
 *   understands it, and it satisfies S3 Object Lock, which rejects uploads to a locked
 *   object or a bucket with default retention unless Content-MD5 or an x-amz-checksum-*
 *   header is present. DeleteObjects also gets Content-MD5 (some servers require it; the
 *   SDK only sends a CRC32).
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type S3ClientConfig,
  type StorageClass,
} from '@aws-sdk/client-s3';
import type { AwsEnvironment, S3StoreOptions } from './s3/options.ts';
import {
  checkS3Options,
  credentialsOf,
  displayUrl,
  endpointOf,
  MIN_PART_SIZE,
  parseS3Url,
  regionOf,
} from './s3/options.ts';
import type { S3Requests, WriteParameters } from './s3/requests.ts';
import { S3Store } from './s3/store.ts';
import type { Store } from './store.ts';

export type { S3StoreOptions } from './s3/options.ts';

/** `env`: where the AWS variables are read, credentials included (default: this process's). */
export async function createS3Store(
  url: string,
  options: S3StoreOptions = {},
  env: AwsEnvironment = process.env,
): Promise<Store> {
  const { bucket, prefix } = parseS3Url(url);
  const opts = checkS3Options(options);
  const endpointUrl = endpointOf(opts, env);
  const explicitRegion = regionOf(opts, env);

  const makeClient = (region: string | undefined) =>
    new S3Client({
      ...credentialsOf(env),
      ...(region === undefined ? {} : { region }),
      ...(endpointUrl === undefined ? {} : { endpoint: endpointUrl.href }),
      forcePathStyle: opts.forcePathStyle ?? endpointUrl !== undefined,
      followRegionRedirects: true,
      maxAttempts: opts.maxAttempts ?? 5,
      retryMode: 'standard',
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: 10_000, socketTimeout: 120_000 },
    } satisfies S3ClientConfig);

  let client = makeClient(explicitRegion);
  let region = explicitRegion;
  if (region === undefined) {
    // Nothing in the environment; the SDK may still find one in the profile.
    try {
      region = await client.config.region();
    } catch {
      client.destroy();
      region = 'us-east-1';
      client = makeClient(region);
    }
  }
  addContentMd5(client);

  const write: WriteParameters = {
    sse: opts.sse,
    kmsKeyId: opts.kmsKeyId,
    storageClass: opts.storageClass,
    objectLockDays: opts.objectLockDays,
    objectLockMode: opts.objectLockMode ?? 'GOVERNANCE',
  };
  return new S3Store(sdkRequests(client, bucket, write), {
    bucket,
    prefix,
    location: prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix}`,
    endpointLabel: endpointUrl ? displayUrl(endpointUrl) : `https://s3.${region}.amazonaws.com`,
    storageClass: opts.storageClass,
    partSize: opts.partSize ?? MIN_PART_SIZE,
    queueSize: opts.queueSize ?? 2,
    maxKeys: opts.maxKeys ?? 1000,
    deleteBatch: opts.deleteBatch ?? 1000,
  });
}

function sdkRequests(client: S3Client, Bucket: string, write: WriteParameters): S3Requests {
  const { sse, kmsKeyId, storageClass, objectLockDays, objectLockMode } = write;
  const target = (Key: string) => ({
    Bucket,
    Key,
    ...(sse === undefined ? {} : { ServerSideEncryption: sse }),
    ...(kmsKeyId === undefined ? {} : { SSEKMSKeyId: kmsKeyId }),
    ...(storageClass === undefined ? {} : { StorageClass: storageClass as StorageClass }),
    ...(objectLockDays === undefined
      ? {}
      : {
          ObjectLockMode: objectLockMode,
          ObjectLockRetainUntilDate: new Date(Date.now() + objectLockDays * 86_400_000),
        }),
  });
  return {
    async putObject(Key, Body) {
      await client.send(new PutObjectCommand({ ...target(Key), Body }));
    },
    async createUpload(Key) {
      return (await client.send(new CreateMultipartUploadCommand(target(Key)))).UploadId;
    },
    async uploadPart(Key, UploadId, PartNumber, Body) {
      return (await client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body }))).ETag;
    },
    async completeUpload(Key, UploadId, Parts) {
      await client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }));
    },
    async abortUpload(Key, UploadId) {
      await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    },
    async getObject(Key, range) {
      const response = await client.send(
        new GetObjectCommand({
          Bucket,
          Key,
          ...(range
            ? {
                Range: `bytes=${range.offset}-${range.length === undefined ? '' : range.offset + range.length - 1}`,
                ...(range.ifMatch ? { IfMatch: range.ifMatch } : {}),
              }
            : {}),
        }),
      );
      return { body: response.Body as Readable, etag: response.ETag, length: response.ContentLength };
    },
    async headObject(Key) {
      const head = await client.send(new HeadObjectCommand({ Bucket, Key }));
      return { size: head.ContentLength, modified: head.LastModified };
    },
    async headBucket() {
      await client.send(new HeadBucketCommand({ Bucket }));
    },
    async listPage(Prefix, MaxKeys, token) {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket,
          Prefix,
          MaxKeys,
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      );
      return {
        objects: (page.Contents ?? []).map((object) => ({
          key: object.Key,
          size: object.Size,
          modified: object.LastModified,
        })),
        truncated: page.IsTruncated === true,
        nextToken: page.NextContinuationToken,
      };
    },
    async deleteObjects(keys) {
      const result = await client.send(
        new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
      );
      return (result.Errors ?? []).map((failure) => ({
        key: failure.Key,
        code: failure.Code,
        message: failure.Message,
      }));
    },
    close() {
      client.destroy();
    },
  };
}

/** Content-MD5 on uploads and multi-object deletes; see the module comment. */
function addContentMd5(client: S3Client): void {
  const commands = new Set(['PutObjectCommand', 'UploadPartCommand', 'DeleteObjectsCommand']);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown } | undefined;
      if (request?.headers && context.commandName !== undefined && commands.has(context.commandName)) {
        const hasMd5 = Object.keys(request.headers).some((header) => header.toLowerCase() === 'content-md5');
        const body = request.body ?? new Uint8Array(0);
        if (!hasMd5 && (body instanceof Uint8Array || typeof body === 'string')) {
          const md5 = contentMd5(body);
          if (md5 !== undefined) request.headers['content-md5'] = md5;
        }
      }
      return next(args);
    },
    { step: 'build', name: 'ripcordContentMd5', tags: ['CONTENT_MD5'] },
  );
}

/** undefined where MD5 is unavailable (OpenSSL in FIPS mode): the upload then goes without */
function contentMd5(body: Uint8Array | string): string | undefined {
  try {
    return createHash('md5').update(body).digest('base64');
  } catch {
    return undefined;
  }
}
