/** The Store over S3 requests: keys under the repository's prefix, and what each call means in S3. */
import type { Readable } from 'node:stream';
import { StorageError } from '../../domain/errors.ts';
import { assertValidKey } from '../keys.ts';
import type { GetOptions, PutOptions, Store, StoredObject, StoreProperties } from '../store.ts';
import { readObject } from './download.ts';
import type { S3Place } from './errors.ts';
import { classifyS3Error, httpStatus, isNotFound, oneLine } from './errors.ts';
import { isValidKey, MAX_PART_SIZE, MAX_PARTS } from './options.ts';
import type { S3Requests } from './requests.ts';
import { uploadObject } from './upload.ts';

export interface S3Settings extends S3Place {
  prefix: string;
  partSize: number;
  queueSize: number;
  maxKeys: number;
  /** keys per DeleteObjects request */
  deleteBatch: number;
}

export class S3Store implements Store {
  readonly properties: StoreProperties;
  private readonly requests: S3Requests;
  private readonly settings: S3Settings;
  /** HeadBucket succeeded once: a 404 from HeadObject then means "no such key" */
  private bucketConfirmed = false;

  constructor(requests: S3Requests, settings: S3Settings) {
    this.requests = requests;
    this.settings = settings;
    this.properties = {
      location: settings.location,
      listable: true,
      deletable: true,
      durable: true,
      usesSizeHint: true,
    };
  }

  private objectKey(key: string): string {
    assertValidKey(key);
    return this.settings.prefix === '' ? key : `${this.settings.prefix}/${key}`;
  }

  async put(key: string, body: Readable | Uint8Array, options: PutOptions = {}): Promise<void> {
    const objectKey = this.objectKey(key);
    // Keep within S3's 10,000 parts when the size is known; unknown sizes get the configured
    // part size (5 MiB allows objects up to ~48 GiB; callers pass an estimate for more).
    const partSize =
      options.size !== undefined && options.size > this.settings.partSize * MAX_PARTS
        ? Math.min(MAX_PART_SIZE, Math.ceil(options.size / MAX_PARTS))
        : this.settings.partSize;
    await uploadObject(
      this.requests,
      this.settings,
      { key, objectKey, partSize, queueSize: this.settings.queueSize },
      body,
    );
  }

  async get(key: string, options?: GetOptions): Promise<Readable> {
    return readObject(this.requests, this.settings, key, this.objectKey(key), options);
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    const objectKey = this.objectKey(key);
    try {
      const head = await this.requests.headObject(objectKey);
      return { key, size: head.size ?? 0, modified: head.modified ?? new Date(0) };
    } catch (error) {
      if (!isNotFound(error)) throw classifyS3Error(error, `stat ${key}`, this.settings);
    }
    // A HEAD 404 carries no error code: "no such key" and "no such bucket" look alike.
    // Tell them apart once, so a mistyped bucket never reads as an empty repository.
    await this.confirmBucket(`stat ${key}`);
    return undefined;
  }

  private async confirmBucket(action: string): Promise<void> {
    if (this.bucketConfirmed) return;
    try {
      await this.requests.headBucket();
    } catch (error) {
      if (isNotFound(error)) {
        throw new StorageError(
          `${this.settings.location}: cannot ${action}: bucket ${this.settings.bucket} does not exist ` +
            `(endpoint ${this.settings.endpointLabel}): create it or fix the repository URL`,
          { cause: error },
        );
      }
      // 403: allowed to read objects but not to HEAD the bucket; the key is simply missing.
      if (httpStatus(error) !== 403) throw classifyS3Error(error, action, this.settings);
    }
    this.bucketConfirmed = true;
  }

  /** One flat listing (a page per thousand keys): ListOptions.within is not used, the caller filters. */
  async *list(prefix: string): AsyncIterable<StoredObject> {
    const root = this.settings.prefix === '' ? '' : `${this.settings.prefix}/`;
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.requests.listPage(root + prefix, this.settings.maxKeys, token);
      } catch (error) {
        throw classifyS3Error(error, `list ${prefix === '' ? '/' : prefix}`, this.settings);
      }
      for (const object of page.objects) {
        if (object.key === undefined || !object.key.startsWith(root)) continue;
        const key = object.key.slice(root.length);
        // Skip names no repository key can have, such as the "folder/" placeholders the
        // AWS console creates: handing them out would only make get() throw.
        if (!isValidKey(key)) continue;
        yield { key, size: object.size ?? 0, modified: object.modified ?? new Date(0) };
      }
      token = page.truncated ? page.nextToken : undefined;
      if (page.truncated && token === undefined) {
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
    const size = this.settings.deleteBatch;
    for (let start = 0; start < objectKeys.length; start += size) {
      const batch = objectKeys.slice(start, start + size);
      let errors;
      try {
        errors = await this.requests.deleteObjects(batch);
      } catch (error) {
        throw classifyS3Error(error, `delete ${batch.length} object${batch.length === 1 ? '' : 's'}`, this.settings);
      }
      for (const failure of errors) {
        // Missing keys are not errors for S3; anything reported here is real.
        if (failure.code === 'NoSuchKey') continue;
        const key = failure.key?.startsWith(root) ? failure.key.slice(root.length) : failure.key;
        failures.push(`${key} (${failure.code ?? 'error'}${failure.message ? `: ${failure.message}` : ''})`);
      }
    }
    if (failures.length > 0) {
      const shown = failures.slice(0, 5).join(', ');
      const more = failures.length > 5 ? ` and ${failures.length - 5} more` : '';
      throw new StorageError(
        oneLine(
          `${this.settings.location}: cannot delete ${failures.length} object${failures.length === 1 ? '' : 's'}: ${shown}${more}`,
        ),
      );
    }
  }

  async close(): Promise<void> {
    this.requests.close();
  }
}
