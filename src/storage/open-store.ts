/**
 * The registry: a repository URL names its backend. A new backend is one file in
 * storage/ and one line here. Remote backends load lazily so that `ripcord --help`
 * never pays for an SDK it does not use.
 */
import * as path from 'node:path';
import { UsageError } from '../domain/errors.ts';
import { LocalStore } from './local-store.ts';
import type { RetryPolicy } from './retry-store.ts';
import { DEFAULT_RETRY_POLICY, withRetries } from './retry-store.ts';
import type { Store } from './store.ts';

export interface StoreOptions {
  /** options for s3:// repositories; ignored by the others */
  s3?: Record<string, unknown>;
  /** where s3:// repositories read the AWS variables (default: this process's environment) */
  env?: Readonly<Record<string, string | undefined>>;
  /** how failed calls are retried (retry-store.ts) */
  retry?: RetryPolicy;
}

/** The repository's store, wrapped in the retries every store gets. */
export async function openStore(repository: string, options: StoreOptions = {}): Promise<Store> {
  const policy = options.retry ?? retryPolicyFor(options);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(repository)?.[1]?.toLowerCase();
  switch (scheme) {
    case undefined:
      return withRetries(new LocalStore(repository), policy);
    case 'file':
      return withRetries(new LocalStore(new URL(repository).pathname), policy);
    case 's3': {
      const { createS3Store } = await import('./s3-store.ts');
      return withRetries(await createS3Store(repository, options.s3 ?? {}, options.env), policy, {
        retriesRequests: true,
        resumableReads: true,
      });
    }
    case 'actions-cache': {
      const { createActionsCacheStore } = await import('./actions-cache-store.ts');
      return withRetries(await createActionsCacheStore(repository), policy, { retriesRequests: true });
    }
    default:
      throw new UsageError(
        `unknown repository scheme "${scheme}://" in ${repository}: use a local path, s3://bucket/prefix or actions-cache://name`,
      );
  }
}

/** S3's attempts per request (the maxAttempts option) are also its attempts per read. */
function retryPolicyFor(options: StoreOptions): RetryPolicy {
  const attempts = options.s3?.maxAttempts;
  return typeof attempts === 'number' ? { ...DEFAULT_RETRY_POLICY, attempts } : DEFAULT_RETRY_POLICY;
}

/** A repository URL for messages: local paths made absolute, nothing else touched. */
export function describeRepository(repository: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repository) ? repository : path.resolve(repository);
}
