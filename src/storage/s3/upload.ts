/**
 * Writing one object: one PutObject for a body that fits in a part, else a multipart upload
 * whose parts are filled into a fixed pool of `queueSize + 1` buffers, reused as uploads
 * finish: memory stays at the pool's size however large the object, with no per-part
 * garbage. A failed write aborts the upload, so nothing appears under the key.
 */
import { Readable } from 'node:stream';
import { RipcordError, StorageError } from '../../domain/errors.ts';
import type { S3Place } from './errors.ts';
import { classifyS3Error, httpStatus, messageOf, oneLine } from './errors.ts';
import type { S3Requests } from './requests.ts';

export interface UploadTarget {
  /** the repository's key, for messages */
  key: string;
  /** the key in the bucket */
  objectKey: string;
  partSize: number;
  queueSize: number;
}

export async function uploadObject(
  requests: S3Requests,
  place: S3Place,
  target: UploadTarget,
  body: Readable | Uint8Array,
): Promise<void> {
  const upload: { id?: string } = {};
  let bodyFailed = false;
  try {
    await uploadParts(requests, target, body, upload, () => (bodyFailed = true));
  } catch (error) {
    if (body instanceof Readable) body.destroy();
    const abortNote = upload.id === undefined ? '' : await abort(requests, target.objectKey, upload.id);
    if (bodyFailed) {
      if (error instanceof RipcordError) throw error;
      throw new StorageError(
        oneLine(
          `${place.location}: cannot write ${target.key}: reading the data to upload failed: ${messageOf(error)}`,
        ),
        { cause: error },
      );
    }
    const classified = classifyS3Error(error, `write ${target.key}`, place);
    if (abortNote !== '' && classified instanceof StorageError) {
      throw new StorageError(classified.message + abortNote, { transient: classified.transient, cause: error });
    }
    throw classified;
  }
}

/** What the message adds when the upload could not be aborted ('' when it was, or is gone). */
async function abort(requests: S3Requests, objectKey: string, uploadId: string): Promise<string> {
  try {
    await requests.abortUpload(objectKey, uploadId);
  } catch (abortError) {
    const status = httpStatus(abortError);
    // 404 NoSuchUpload: already gone. 405/501: the server has no AbortMultipartUpload
    // (s3rver); its parts are never visible as objects.
    if (status !== 404 && status !== 405 && status !== 501) {
      return `; the incomplete multipart upload ${uploadId} could not be aborted (a lifecycle rule "AbortIncompleteMultipartUpload" removes such parts)`;
    }
  }
  return '';
}

async function uploadParts(
  requests: S3Requests,
  { objectKey, partSize, queueSize }: UploadTarget,
  body: Readable | Uint8Array,
  upload: { id?: string },
  onBodyError: () => void,
): Promise<void> {
  if (body instanceof Uint8Array && body.length <= partSize) {
    await requests.putObject(objectKey, body); // small objects: no copy
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
      const id = await requests.createUpload(objectKey);
      if (!id) throw new Error('the server returned no UploadId');
      upload.id = id;
    }
    const number = ++partNumber;
    const done = requests
      .uploadPart(objectKey, upload.id, number, buffer.subarray(0, length))
      .then((etag) => {
        if (!etag) throw new Error(`the server returned no ETag for part ${number}`);
        etags.push({ PartNumber: number, ETag: etag });
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

  const chunks: AsyncIterator<Uint8Array> =
    body instanceof Uint8Array
      ? ([body][Symbol.iterator]() as unknown as AsyncIterator<Uint8Array>)
      : body[Symbol.asyncIterator]();
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
    await requests.putObject(objectKey, (current ?? Buffer.alloc(0)).subarray(0, filled));
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
  await requests.completeUpload(objectKey, upload.id, etags);
}
