/**
 * The registry: a repository URL names its backend. A new backend is one file in
 * storage/ and one line here. Remote backends load lazily so that `ripcord --help`
 * never pays for an SDK it does not use.
 */
import * as path from 'node:path';
import { UsageError } from '../domain/errors.ts';
import { LocalStore } from './local-store.ts';
import type { Store } from './store.ts';

export interface StoreOptions {
  /** options for s3:// repositories; ignored by the others */
  s3?: Record<string, unknown>;
}

export async function openStore(repository: string, options: StoreOptions = {}): Promise<Store> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(repository)?.[1]?.toLowerCase();
  switch (scheme) {
    case undefined:
      return new LocalStore(repository);
    case 'file':
      return new LocalStore(new URL(repository).pathname);
    case 's3': {
      const { createS3Store } = await import('./s3-store.ts');
      return createS3Store(repository, options.s3 ?? {});
    }
    case 'actions-cache': {
      const { createActionsCacheStore } = await import('./actions-cache-store.ts');
      return createActionsCacheStore(repository);
    }
    default:
      throw new UsageError(
        `unknown repository scheme "${scheme}://" in ${repository}: use a local path, s3://bucket/prefix or actions-cache://name`,
      );
  }
}

/** A repository URL for messages: local paths made absolute, nothing else touched. */
export function describeRepository(repository: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repository) ? repository : path.resolve(repository);
}
