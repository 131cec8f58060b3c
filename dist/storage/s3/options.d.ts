import type { JsonSchema } from '../../domain/json-schema.ts';
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
    /** keys removed per DeleteObjects request, default 1000 (the S3 maximum; some S3-compatible servers take fewer) */
    deleteBatch?: number;
    /** attempts per request (SDK standard retry mode), default 5 */
    maxAttempts?: number;
}
export declare const MiB: number;
export declare const MIN_PART_SIZE: number;
export declare const MAX_PART_SIZE: number;
export declare const MAX_PARTS = 10000;
/** The options S3StoreOptions describes, as the schema validator checks them. */
export declare const S3_OPTIONS_SCHEMA: JsonSchema;
/** The options as given (undefined ones left out), or a UsageError naming the first bad one. */
export declare function checkS3Options(options: S3StoreOptions): S3StoreOptions;
export declare function parseS3Url(url: string): {
    bucket: string;
    prefix: string;
};
/**
 * The standard AWS variables ripcord reads from the environment it is given (the CLI's, or
 * a library caller's), so that the store follows that environment and not only this
 * process's: the endpoint, the region, and the credentials and profile, which the SDK would
 * otherwise read from the process environment on its own. What they leave out (instance roles, SSO, web
 * identity) the SDK's own chain still finds.
 */
export interface AwsEnvironment {
    AWS_ACCESS_KEY_ID?: string | undefined;
    AWS_SECRET_ACCESS_KEY?: string | undefined;
    AWS_SESSION_TOKEN?: string | undefined;
    AWS_PROFILE?: string | undefined;
    AWS_ENDPOINT_URL_S3?: string | undefined;
    AWS_ENDPOINT_URL?: string | undefined;
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?: string | undefined;
    AWS_REGION?: string | undefined;
    AWS_DEFAULT_REGION?: string | undefined;
}
/**
 * Client settings for the credentials the environment names, as the SDK's chain would take
 * them (keys before a profile); nothing when it names none.
 */
export declare function credentialsOf(env: AwsEnvironment): {
    credentials?: {
        accessKeyId: string;
        secretAccessKey: string;
        sessionToken?: string;
    };
    profile?: string;
};
/** The endpoint option, else the one the environment configures; undefined means AWS. */
export declare function endpointOf(options: S3StoreOptions, env: AwsEnvironment): URL | undefined;
/** The region option or variable; undefined leaves it to the profile. */
export declare function regionOf(options: S3StoreOptions, env: AwsEnvironment): string | undefined;
export declare function isValidKey(key: string): boolean;
export declare function displayUrl(url: URL): string;
