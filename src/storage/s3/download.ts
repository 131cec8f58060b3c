/**
 * Reading one object: the body as the server sends it, checked. A connection dropped
 * mid-body, or a body that ends before its Content-Length, errors the stream with a
 * transient StorageError (never ends it early), and the stream carries the object's ETag,
 * so that the retry wrapper can resume the read from where it stopped, pinned to the same
 * object (If-Match: a changed object fails with 412, which is not retried).
 */
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { StorageError } from '../../domain/errors.ts';
import type { GetOptions } from '../store.ts';
import { withObjectVersion } from '../store.ts';
import type { S3Place } from './errors.ts';
import { classifyS3Error } from './errors.ts';
import { MiB } from './options.ts';
import type { S3Requests } from './requests.ts';

export async function readObject(
  requests: S3Requests,
  place: S3Place,
  key: string,
  objectKey: string,
  options: GetOptions = {},
): Promise<Readable> {
  const action = `read ${key}`;
  let first;
  try {
    first = await requests.getObject(
      objectKey,
      options.offset || options.length !== undefined
        ? { offset: options.offset ?? 0, length: options.length, ifMatch: options.version }
        : undefined,
    );
    if (!(first.body instanceof Readable))
      throw new StorageError(`${place.location}: cannot read ${key}: the S3 response has no readable body`);
  } catch (error) {
    throw classifyS3Error(error, action, place);
  }
  const { body, length } = first;
  const out = new PassThrough({ highWaterMark: MiB });
  const pump = async () => {
    let received = 0;
    try {
      for await (const chunk of body) {
        received += (chunk as Buffer).length;
        if (!out.write(chunk)) await once(out, 'drain');
        if (out.destroyed) return;
      }
    } catch (error) {
      if (!out.destroyed) out.destroy(classifyS3Error(error, action, place));
      return;
    }
    if (length === undefined || received >= length) out.end();
    else
      out.destroy(
        new StorageError(
          `${place.location}: cannot read ${key}: the connection to ${place.endpointLabel} closed early`,
          { transient: true },
        ),
      );
  };
  out.once('close', () => {
    if (!body.destroyed) body.destroy();
  });
  void pump();
  return withObjectVersion(out, first.etag);
}
