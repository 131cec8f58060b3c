/** Counting what a store serves, and a tree where one small file sits among large ones: for ranged reads. */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type { GetOptions } from '../../src/storage/store.ts';
import { PassThroughStore } from './pass-through-store.ts';

/** A store that counts the bytes its reads of each key served. */
export class CountingStore extends PassThroughStore {
  readonly served = new Map<string, number>();
  override async get(key: string, options?: GetOptions): Promise<Readable> {
    const body = await this.inner.get(key, options);
    const counted = new PassThrough();
    body.on('data', (chunk: Buffer) => this.served.set(key, (this.served.get(key) ?? 0) + chunk.length));
    body.on('error', (error) => counted.destroy(error));
    counted.on('close', () => body.destroy());
    return body.pipe(counted);
  }
  archiveBytes(): number {
    return [...this.served].filter(([key]) => key.endsWith('/archive.tar.gz.pgp')).reduce((n, [, v]) => n + v, 0);
  }
}

/** 16 MiB of random blobs around one small config file. */
export async function largeTreeWithSmallFile(dir: string): Promise<Buffer> {
  const data = path.join(dir, 'data');
  await fs.mkdir(data, { recursive: true });
  const small = Buffer.from('listen: 0.0.0.0:8080\n'.repeat(500)); // 10.5 KB
  for (let i = 0; i < 16; i++)
    await fs.writeFile(path.join(data, `blob${String(i).padStart(2, '0')}`), randomBytes(1 << 20));
  await fs.writeFile(path.join(data, 'blob07-app.yaml'), small);
  return small;
}
