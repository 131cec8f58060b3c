import { createHash } from 'node:crypto';
import { PassThrough, pipeline, Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import type { ObjectChecksum } from '../domain/snapshot.ts';
import { collectGarbageOverSlack } from './reclaim.ts';

/** The SHA-256 and length of bytes seen in order. */
export class RunningChecksum {
  readonly #hash = createHash('sha256');
  #bytes = 0;
  #digest: ObjectChecksum | undefined;

  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
    this.#bytes += chunk.length;
  }

  /** the checksum of everything seen: no update after this */
  end(): ObjectChecksum {
    this.#digest ??= { sha256: this.#hash.digest('hex'), bytes: this.#bytes };
    return this.#digest;
  }

  /** Available once end() was called. */
  result(): ObjectChecksum {
    if (!this.#digest) throw new Error('checksum read before the stream finished');
    return this.#digest;
  }
}

/** A pass-through that hashes and counts what flows through it. */
export class ChecksumStream extends Transform {
  private readonly checksum = new RunningChecksum();

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.checksum.update(chunk);
    this.push(chunk);
    callback();
  }

  override _flush(callback: () => void): void {
    this.checksum.end();
    callback();
  }

  /** Available once the stream has finished. */
  result(): ObjectChecksum {
    return this.checksum.result();
  }
}

/**
 * The checksum of everything a stream holds, reading ahead of the hash: the next read is
 * under way while a chunk is being hashed, instead of one after the other (measured on a
 * 290 MB archive from the local store: about 0.2 s of waiting for reads saved).
 */
export async function checksumOf(stream: Readable): Promise<ObjectChecksum> {
  const hash = createHash('sha256');
  let bytes = 0;
  const ahead = new PassThrough({ highWaterMark: 4 << 20 });
  pipeline(stream, ahead, () => {}); // a failure or an early close of `stream` fails `ahead`
  // the read buffers die at once; Node 24 returns them late (verify peaked at 127 MiB there)
  const collect = collectGarbageOverSlack(16 << 20);
  try {
    for await (const chunk of ahead) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
      collect();
    }
  } finally {
    stream.destroy();
  }
  return { sha256: hash.digest('hex'), bytes };
}
