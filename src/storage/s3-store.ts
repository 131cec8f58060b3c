/**
 * A repository in an S3 bucket (AWS or any S3-compatible server): "s3://bucket/optional/prefix".
 * The only module that imports @aws-sdk/*; open-store.ts loads it on demand.
 *
 * Configuration comes from the standard AWS chain (AWS_REGION / AWS_DEFAULT_REGION,
 * AWS_PROFILE, AWS_ACCESS_KEY_ID..., AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL); the options
 * override it. Writes are multipart uploads with bounded memory; a failed write aborts the
 * upload so nothing appears under the key. Errors become one-line StorageErrors that name
 * the bucket or endpoint and what to check; `transient` marks those worth retrying later.
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
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
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
  type PutObjectCommandInput,
  type S3ClientConfig,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { NotFoundError, RipcordError, StorageError, UsageError } from '../domain/errors.ts';
import { assertValidKey } from './keys.ts';
import type { PutOptions, Store, StoredObject, StoreProperties } from './store.ts';

export interface S3StoreOptions {
  /** S3-compatible endpoint, e.g. "http://127.0.0.1:9000"; default from AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, else AWS */
  endpoint?: string;
  /** path-style addressing (http://host/bucket/key); default true when an endpoint is set */
  forcePathStyle?: boolean;
  /** default from AWS_REGION / AWS_DEFAULT_REGION / the profile, else 'us-east-1' */
  region?: string;
  /** server-side encryption for every object */
  sse?: 'AES256' | 'aws:kms';
  /** KMS key for sse 'aws:kms' (default: the AWS-managed key) */
  kmsKeyId?: string;
  /** e.g. 'STANDARD_IA', 'GLACIER_IR' (archive classes make restores need a thaw first) */
  storageClass?: string;
  /** Object Lock retention, in days from the upload, for every object */
  objectLockDays?: number;
  /** default 'GOVERNANCE' */
  objectLockMode?: 'GOVERNANCE' | 'COMPLIANCE';
  /** multipart part size in bytes, default 5 MiB (the S3 minimum; grows with a known size to stay within 10,000 parts) */
  partSize?: number;
  /** parts uploaded in parallel, default 2 (keeps a backup under its memory budget); memory per put is about partSize * (queueSize + 1) */
  queueSize?: number;
  /** list page size, default 1000 (the S3 maximum) */
  maxKeys?: number;
  /** attempts per request (SDK standard retry mode), default 5 */
  maxAttempts?: number;
}

const MiB = 1024 * 1024;
const MIN_PART_SIZE = 5 * MiB;
const MAX_PART_SIZE = 5 * 1024 * MiB;
const MAX_PARTS = 10_000;
const DELETE_BATCH = 1000;

interface Settings {
  bucket: string;
  prefix: string;
  location: string;
  /** endpoint for messages, credentials stripped */
  endpointLabel: string;
  partSize: number;
  queueSize: number;
  maxKeys: number;
  /** attempts per request, and per resumed download */
  maxAttempts: number;
  sse: S3StoreOptions['sse'];
  kmsKeyId: string | undefined;
  storageClass: string | undefined;
  objectLockDays: number | undefined;
  objectLockMode: 'GOVERNANCE' | 'COMPLIANCE';
}

export async function createS3Store(url: string, options: S3StoreOptions = {}): Promise<Store> {
  const { bucket, prefix } = parseS3Url(url);
  const opts = validateOptions(options);
  const env = process.env;
  // The SDK warns on every start under Node < 22; ripcord supports Node 20, so the warning is
  // noise on every backup's stderr. Respect an explicit setting.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  const configuredEndpoint =
    opts.endpoint ??
    (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true'
      ? undefined
      : nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL));
  let endpointUrl: URL | undefined;
  if (configuredEndpoint !== undefined) {
    try {
      endpointUrl = new URL(configuredEndpoint);
    } catch {
      throw new UsageError(`invalid S3 endpoint ${JSON.stringify(configuredEndpoint)}: expected a URL such as http://127.0.0.1:9000`);
    }
  }
  const explicitRegion = opts.region ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);

  const makeClient = (region: string | undefined) =>
    new S3Client({
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

  const location = prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix}`;
  return new S3Store(client, {
    bucket,
    prefix,
    location,
    endpointLabel: endpointUrl ? displayUrl(endpointUrl) : `https://s3.${region}.amazonaws.com`,
    partSize: opts.partSize ?? MIN_PART_SIZE,
    queueSize: opts.queueSize ?? 2,
    maxKeys: opts.maxKeys ?? 1000,
    maxAttempts: opts.maxAttempts ?? 5,
    sse: opts.sse,
    kmsKeyId: opts.kmsKeyId,
    storageClass: opts.storageClass,
    objectLockDays: opts.objectLockDays,
    objectLockMode: opts.objectLockMode ?? 'GOVERNANCE',
  });
}

class S3Store implements Store {
  readonly properties: StoreProperties;
  private readonly client: S3Client;
  private readonly settings: Settings;
  /** HeadBucket succeeded once: a 404 from HeadObject then means "no such key" */
  private bucketConfirmed = false;

  constructor(client: S3Client, settings: Settings) {
    this.client = client;
    this.settings = settings;
    this.properties = { location: settings.location, listable: true, deletable: true, durable: true, usesSizeHint: true };
  }

  private objectKey(key: string): string {
    assertValidKey(key);
    return this.settings.prefix === '' ? key : `${this.settings.prefix}/${key}`;
  }

  async put(key: string, body: Readable | Uint8Array, options: PutOptions = {}): Promise<void> {
    const Key = this.objectKey(key);
    const { bucket, sse, kmsKeyId, storageClass, objectLockDays, objectLockMode, queueSize } = this.settings;
    // Keep within S3's 10,000 parts when the size is known; unknown sizes get the configured
    // part size (5 MiB allows objects up to ~48 GiB; callers pass an estimate for more).
    const partSize =
      options.size !== undefined && options.size > this.settings.partSize * MAX_PARTS
        ? Math.min(MAX_PART_SIZE, Math.ceil(options.size / MAX_PARTS))
        : this.settings.partSize;
    const params: PutObjectCommandInput = {
      Bucket: bucket,
      Key,
      Body: body,
      ...(sse === undefined ? {} : { ServerSideEncryption: sse }),
      ...(kmsKeyId === undefined ? {} : { SSEKMSKeyId: kmsKeyId }),
      ...(storageClass === undefined ? {} : { StorageClass: storageClass as StorageClass }),
      ...(objectLockDays === undefined
        ? {}
        : {
            ObjectLockMode: objectLockMode,
            ObjectLockRetainUntilDate: new Date(Date.now() + objectLockDays * 86_400_000),
          }),
    };
    const upload: { id?: string } = {};
    let bodyFailed = false;
    try {
      await this.uploadParts(params, body, partSize, queueSize, upload, () => (bodyFailed = true));
    } catch (error) {
      if (body instanceof Readable) body.destroy();
      let abortNote = '';
      if (upload.id !== undefined) {
        try {
          await this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId: upload.id }));
        } catch (abortError) {
          const status = (abortError as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
          // 404 NoSuchUpload: already gone. 405/501: the server has no AbortMultipartUpload
          // (s3rver); its parts are never visible as objects.
          if (status !== 404 && status !== 405 && status !== 501) {
            abortNote =
              `; the incomplete multipart upload ${upload.id} could not be aborted ` +
              `(a lifecycle rule "AbortIncompleteMultipartUpload" removes such parts)`;
          }
        }
      }
      if (bodyFailed) {
        if (error instanceof RipcordError) throw error;
        throw new StorageError(
          oneLine(`${this.settings.location}: cannot write ${key}: reading the data to upload failed: ${messageOf(error)}`),
          { cause: error },
        );
      }
      const classified = this.classify(error, `write ${key}`);
      if (abortNote !== '' && classified instanceof StorageError) {
        throw new StorageError(classified.message + abortNote, { transient: classified.transient, cause: error });
      }
      throw classified;
    }
  }

  /**
   * One PutObject for a body that fits in a part, else a multipart upload whose parts are
   * filled into a fixed pool of `queueSize + 1` buffers, reused as uploads finish: memory
   * stays at the pool's size however large the object, with no per-part garbage.
   */
  private async uploadParts(
    params: PutObjectCommandInput,
    body: Readable | Uint8Array,
    partSize: number,
    queueSize: number,
    upload: { id?: string },
    onBodyError: () => void,
  ): Promise<void> {
    const { Body: _body, ...target } = params;
    if (body instanceof Uint8Array && body.length <= partSize) {
      await this.client.send(new PutObjectCommand({ ...target, Body: body })); // small objects: no copy
      return;
    }
    const free: Buffer[] = [];
    const take = () => free.pop() ?? Buffer.allocUnsafe(partSize);
    const inFlight = new Map<number, Promise<void>>();
    const etags: { PartNumber: number; ETag: string }[] = [];
    let current: Buffer | undefined; // taken when the first bytes arrive
    let filled = 0;
    let partNumber = 0;

    let failed: { error: unknown } | undefined; // the first part that failed: the upload can never complete
    const send = async (buffer: Buffer, length: number): Promise<void> => {
      if (failed) throw failed.error;
      if (upload.id === undefined) {
        const created = await this.client.send(new CreateMultipartUploadCommand(target));
        if (!created.UploadId) throw new Error('the server returned no UploadId');
        upload.id = created.UploadId;
      }
      const number = ++partNumber;
      const done = this.client
        .send(new UploadPartCommand({ Bucket: target.Bucket, Key: target.Key, UploadId: upload.id, PartNumber: number, Body: buffer.subarray(0, length) }))
        .then((result) => {
          if (!result.ETag) throw new Error(`the server returned no ETag for part ${number}`);
          etags.push({ PartNumber: number, ETag: result.ETag });
          free.push(buffer);
        })
        .catch((error: unknown) => {
          failed ??= { error };
        })
        .finally(() => inFlight.delete(number));
      inFlight.set(number, done);
      while (inFlight.size >= queueSize) await Promise.race(inFlight.values());
      const failure = failed as { error: unknown } | undefined; // set by the parts' callbacks
      if (failure) throw failure.error;
    };

    const chunks: AsyncIterator<Uint8Array> = body instanceof Uint8Array ? [body][Symbol.iterator]() as unknown as AsyncIterator<Uint8Array> : body[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await chunks.next();
      } catch (error) {
        onBodyError(); // the data to upload failed, not the store
        throw error;
      }
      if (next.done) break;
      const chunk = next.value;
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(chunk.length - offset, partSize - filled);
        current ??= take();
        current.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === partSize) {
          await send(current, filled);
          current = undefined;
          filled = 0;
        }
      }
    }
    if (upload.id === undefined) {
      // it all fit in one part: a plain PutObject
      await this.client.send(new PutObjectCommand({ ...target, Body: (current ?? Buffer.alloc(0)).subarray(0, filled) }));
      return;
    }
    if (current && filled > 0) await send(current, filled);
    await Promise.all(inFlight.values());
    const failure = failed as { error: unknown } | undefined; // set by the parts' callbacks
    if (failure) throw failure.error;
    etags.sort((a, b) => a.PartNumber - b.PartNumber);
    // Never complete an upload with a part missing: S3 would assemble the rest without it.
    if (etags.length !== partNumber || etags.some((part, i) => part.PartNumber !== i + 1)) {
      throw new Error(`only ${etags.length} of ${partNumber} parts were stored`);
    }
    await this.client.send(
      new CompleteMultipartUploadCommand({ Bucket: target.Bucket, Key: target.Key, UploadId: upload.id, MultipartUpload: { Parts: etags } }),
    );
  }

  async get(key: string): Promise<Readable> {
    const Key = this.objectKey(key);
    const Bucket = this.settings.bucket;
    let first: { body: Readable; etag: string | undefined; length: number | undefined };
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket, Key }));
      if (!(response.Body instanceof Readable)) {
        throw new StorageError(`${this.settings.location}: cannot read ${key}: the S3 response has no readable body`);
      }
      first = { body: response.Body, etag: response.ETag, length: response.ContentLength };
    } catch (error) {
      throw error instanceof StorageError ? error : this.classify(error, `read ${key}`);
    }
    // The stream handed out survives a connection dropped mid-body: the rest is fetched
    // again with a Range request (pinned to the same ETag), a few times with backoff, like
    // any other transient fault. It errors (never ends early) when that does not work.
    const out = new PassThrough({ highWaterMark: MiB });
    const maxAttempts = this.settings.maxAttempts;
    const pump = async () => {
      let body = first.body;
      let received = 0;
      for (let attempt = 1; ; attempt++) {
        let failure: unknown;
        try {
          for await (const chunk of body) {
            received += (chunk as Buffer).length;
            if (!out.write(chunk)) await once(out, 'drain');
            if (out.destroyed) return;
          }
          if (first.length === undefined || received >= first.length) {
            out.end();
            return;
          }
          failure = new StorageError(`${this.settings.location}: cannot read ${key}: the connection to ${this.settings.endpointLabel} closed early`, { transient: true });
        } catch (error) {
          if (out.destroyed) return;
          failure = error;
        }
        const classified = failure instanceof StorageError ? failure : this.classify(failure, `read ${key}`);
        if (!(classified instanceof StorageError) || !classified.transient || attempt >= maxAttempts) {
          out.destroy(classified);
          return;
        }
        await sleep(Math.min(8000, 200 * 2 ** attempt));
        try {
          const again = await this.client.send(
            new GetObjectCommand({ Bucket, Key, Range: `bytes=${received}-`, ...(first.etag ? { IfMatch: first.etag } : {}) }),
          );
          if (!(again.Body instanceof Readable)) throw new StorageError(`${this.settings.location}: cannot read ${key}: the S3 response has no readable body`);
          body = again.Body;
        } catch (error) {
          // a changed object (412) or a permanent fault ends it; a transient one loops again
          const retry = error instanceof StorageError ? error : this.classify(error, `read ${key}`);
          if (!(retry instanceof StorageError) || !retry.transient || attempt + 1 >= maxAttempts) {
            out.destroy(retry);
            return;
          }
          body = Readable.from([]);
        }
      }
    };
    out.once('close', () => {
      if (!first.body.destroyed) first.body.destroy();
    });
    void pump();
    return out;
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    const Key = this.objectKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key }));
      return { key, size: head.ContentLength ?? 0, modified: head.LastModified ?? new Date(0) };
    } catch (error) {
      if (!isNotFound(error)) throw this.classify(error, `stat ${key}`);
    }
    // A HEAD 404 carries no error code: "no such key" and "no such bucket" look alike.
    // Tell them apart once, so a mistyped bucket never reads as an empty repository.
    await this.confirmBucket(`stat ${key}`);
    return undefined;
  }

  private async confirmBucket(action: string): Promise<void> {
    if (this.bucketConfirmed) return;
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.settings.bucket }));
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (isNotFound(error)) {
        throw new StorageError(
          `${this.settings.location}: cannot ${action}: bucket ${this.settings.bucket} does not exist ` +
            `(endpoint ${this.settings.endpointLabel}): create it or fix the repository URL`,
          { cause: error },
        );
      }
      // 403: allowed to read objects but not to HEAD the bucket; the key is simply missing.
      if (status !== 403) throw this.classify(error, action);
    }
    this.bucketConfirmed = true;
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    const root = this.settings.prefix === '' ? '' : `${this.settings.prefix}/`;
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.settings.bucket,
            Prefix: root + prefix,
            MaxKeys: this.settings.maxKeys,
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        );
      } catch (error) {
        throw this.classify(error, `list ${prefix === '' ? '/' : prefix}`);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined || !object.Key.startsWith(root)) continue;
        const key = object.Key.slice(root.length);
        // Skip names no repository key can have, such as the "folder/" placeholders the
        // AWS console creates: handing them out would only make get() throw.
        if (!isValidKey(key)) continue;
        yield { key, size: object.Size ?? 0, modified: object.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (page.IsTruncated && token === undefined) {
        throw new StorageError(
          `${this.settings.location}: cannot list ${prefix || '/'}: ${this.settings.endpointLabel} returned a truncated listing without a continuation token`,
        );
      }
    } while (token !== undefined);
  }

  async delete(keys: readonly string[]): Promise<void> {
    const objectKeys = keys.map((key) => this.objectKey(key));
    const root = this.settings.prefix === '' ? '' : `${this.settings.prefix}/`;
    const failures: string[] = [];
    for (let start = 0; start < objectKeys.length; start += DELETE_BATCH) {
      const batch = objectKeys.slice(start, start + DELETE_BATCH);
      let result;
      try {
        result = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.settings.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
      } catch (error) {
        throw this.classify(error, `delete ${batch.length} object${batch.length === 1 ? '' : 's'}`);
      }
      for (const failure of result.Errors ?? []) {
        // Missing keys are not errors for S3; anything reported here is real.
        if (failure.Code === 'NoSuchKey') continue;
        const key = failure.Key?.startsWith(root) ? failure.Key.slice(root.length) : failure.Key;
        failures.push(`${key} (${failure.Code ?? 'error'}${failure.Message ? `: ${failure.Message}` : ''})`);
      }
    }
    if (failures.length > 0) {
      const shown = failures.slice(0, 5).join(', ');
      const more = failures.length > 5 ? ` and ${failures.length - 5} more` : '';
      throw new StorageError(
        oneLine(`${this.settings.location}: cannot delete ${failures.length} object${failures.length === 1 ? '' : 's'}: ${shown}${more}`),
      );
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  /** One line naming the bucket or endpoint and what to check. */
  private classify(error: unknown, action: string): Error {
    if (error instanceof RipcordError) return error;
    const { bucket, location, endpointLabel } = this.settings;
    const name = errorName(error);
    const code = networkCode(error);
    const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
    const detail = messageOf(error);
    const fail = (hint: string, transient = false) =>
      new StorageError(oneLine(`${location}: cannot ${action}: ${hint}`), { transient, cause: error });

    if (name === 'NoSuchKey' || (name === 'NotFound' && status === 404)) {
      return new NotFoundError(`${location}: cannot ${action}: no such object`, { cause: error });
    }
    if (name === 'NoSuchBucket') {
      return fail(`bucket ${bucket} does not exist (endpoint ${endpointLabel}): create it or fix the repository URL`);
    }
    if (
      [
        'AccessDenied',
        'InvalidAccessKeyId',
        'SignatureDoesNotMatch',
        'InvalidToken',
        'ExpiredToken',
        'TokenRefreshRequired',
        'AllAccessDisabled',
        'AccountProblem',
        'Forbidden',
      ].includes(name) ||
      status === 403
    ) {
      return fail(
        `access denied to ${location}: check AWS credentials (AWS_PROFILE / AWS_ACCESS_KEY_ID) and the bucket policy (${name || `HTTP ${status}`}: ${detail})`,
      );
    }
    if (name === 'CredentialsProviderError' || /could not load credentials/i.test(detail)) {
      return fail(
        `no AWS credentials found for ${location}: set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or give the runner a role)`,
      );
    }
    if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || name === 'IllegalLocationConstraintException') {
      return fail(`bucket ${bucket} is in another region than the one configured: set AWS_REGION (${name}: ${detail})`);
    }
    if (name === 'InvalidObjectState') {
      return fail(`the object is archived (storage class ${this.settings.storageClass ?? 'GLACIER/DEEP_ARCHIVE'}): restore it in S3 first (${detail})`);
    }
    if (name === 'NoSuchUpload') {
      return fail(`the multipart upload disappeared on ${endpointLabel} (aborted by a lifecycle rule or another client?)`, true);
    }
    if (code !== undefined || name === 'TimeoutError' || name === 'RequestTimeout') {
      const fatal = code === 'ENOTFOUND' || code?.startsWith('ERR_TLS') || code?.includes('CERT');
      const what = code ?? name;
      const reason = `${what}${detail && detail !== what ? ` (${detail})` : ''}`;
      const lost = code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED';
      return fail(
        lost
          ? `lost the connection to the S3 endpoint ${endpointLabel}: ${reason}`
          : `cannot reach the S3 endpoint ${endpointLabel}: ${reason}${fatal ? '; check the endpoint and its certificate' : ''}`,
        !fatal,
      );
    }
    const throttled = ['SlowDown', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException', 'RequestThrottled'].includes(name);
    if (throttled || (status !== undefined && status >= 500)) {
      return fail(`${endpointLabel} answered ${name || 'an error'}${status ? ` (HTTP ${status})` : ''}: ${detail}; try again later`, true);
    }
    if (name === 'BadDigest' || name === 'InvalidDigest' || name === 'XAmzContentSHA256Mismatch') {
      return fail(`the data was corrupted on the way to ${endpointLabel} (${name}); try again`, true);
    }
    return fail(`${name ? `${name}: ` : ''}${detail}${status ? ` (HTTP ${status}, endpoint ${endpointLabel})` : ` (endpoint ${endpointLabel})`}`);
  }
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

function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(url);
  const authority = match?.[1] ?? '';
  if (!match || authority === '') {
    throw new UsageError(`invalid S3 repository ${JSON.stringify(url)}: expected s3://bucket or s3://bucket/prefix`);
  }
  if (authority.includes('@') || authority.includes(':')) {
    throw new UsageError(
      `invalid S3 repository URL: credentials and ports do not belong in it; use AWS_PROFILE / AWS_ACCESS_KEY_ID and the endpoint option`,
    );
  }
  // S3's rules are stricter (3-63 lowercase characters) but legacy buckets and S3-compatible
  // servers allow more; only reject what can never be a bucket name.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/.test(authority)) {
    throw new UsageError(`invalid S3 bucket name ${JSON.stringify(authority)} in ${url}: letters, digits, dots, hyphens and underscores`);
  }
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix !== '' && !isValidKey(prefix)) {
    throw new UsageError(`invalid S3 prefix ${JSON.stringify(prefix)} in ${url}: no empty, "." or ".." path segments`);
  }
  return { bucket: authority, prefix };
}

function validateOptions(options: S3StoreOptions): S3StoreOptions {
  const o = options as Record<string, unknown>;
  const str = (name: string) => {
    const value = o[name];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new UsageError(`S3 option ${name} must be a non-empty string`);
    }
    return value as string | undefined;
  };
  const int = (name: string, min: number, max: number) => {
    const value = o[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)) {
      throw new UsageError(`S3 option ${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
    return value as number | undefined;
  };
  const oneOf = <T extends string>(name: string, values: readonly T[]) => {
    const value = o[name];
    if (value !== undefined && !values.includes(value as T)) {
      throw new UsageError(`S3 option ${name} must be one of ${values.join(', ')}, got ${JSON.stringify(value)}`);
    }
    return value as T | undefined;
  };
  const forcePathStyle = o.forcePathStyle;
  if (forcePathStyle !== undefined && typeof forcePathStyle !== 'boolean') {
    throw new UsageError('S3 option forcePathStyle must be true or false');
  }
  const result: S3StoreOptions = {
    endpoint: str('endpoint'),
    forcePathStyle: forcePathStyle as boolean | undefined,
    region: str('region'),
    sse: oneOf('sse', ['AES256', 'aws:kms'] as const),
    kmsKeyId: str('kmsKeyId'),
    storageClass: str('storageClass'),
    objectLockDays: int('objectLockDays', 1, 36_500),
    objectLockMode: oneOf('objectLockMode', ['GOVERNANCE', 'COMPLIANCE'] as const),
    partSize: int('partSize', MIN_PART_SIZE, MAX_PART_SIZE),
    queueSize: int('queueSize', 1, 64),
    maxKeys: int('maxKeys', 1, 1000),
    maxAttempts: int('maxAttempts', 1, 20),
  };
  if (result.kmsKeyId !== undefined && result.sse !== 'aws:kms') {
    throw new UsageError("S3 option kmsKeyId needs sse 'aws:kms'");
  }
  if (result.objectLockMode !== undefined && result.objectLockDays === undefined) {
    throw new UsageError('S3 option objectLockMode needs objectLockDays');
  }
  return result;
}

function isValidKey(key: string): boolean {
  try {
    assertValidKey(key);
    return true;
  } catch {
    return false;
  }
}

function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return name === 'NotFound' || name === 'NoSuchKey' || (status === 404 && name !== 'NoSuchBucket');
}

function errorName(error: unknown): string {
  const e = error as { name?: unknown; Code?: unknown } | undefined;
  const name = typeof e?.Code === 'string' ? e.Code : typeof e?.name === 'string' ? e.name : '';
  return name === 'Error' ? '' : name;
}

/** ECONNREFUSED and friends, also inside the AggregateError of a multi-address connect. */
function networkCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; errors?: unknown[]; cause?: unknown } | undefined;
  const codes = [e?.code, (e?.errors?.[0] as { code?: unknown } | undefined)?.code, (e?.cause as { code?: unknown } | undefined)?.code];
  return codes.find((code): code is string => typeof code === 'string' && /^E[A-Z]+$|^ERR_|CERT/.test(code));
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function displayUrl(url: URL): string {
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}
