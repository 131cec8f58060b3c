import type { AwsEnvironment, S3StoreOptions } from './s3/options.ts';
import type { Store } from './store.ts';
export type { S3StoreOptions } from './s3/options.ts';
/** `env`: where the AWS variables are read, credentials included (default: this process's). */
export declare function createS3Store(url: string, options?: S3StoreOptions, env?: AwsEnvironment): Promise<Store>;
