import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { ObjectChecksum } from '../domain/snapshot.ts';

/** A pass-through that hashes and counts what flows through it. */
export class ChecksumStream extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private digest: ObjectChecksum | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.push(chunk);
    callback();
  }

  override _flush(callback: () => void): void {
    this.digest = { sha256: this.hash.digest('hex'), bytes: this.bytes };
    callback();
  }

  /** Available once the stream has finished. */
  result(): ObjectChecksum {
    if (!this.digest) throw new Error('checksum read before the stream finished');
    return this.digest;
  }
}
