/**
 * An S3 repository's settings: the URL (s3://bucket/prefix), the options (checked against
 * one schema), and what the standard AWS variables add (endpoint, region), taken from the
 * environment the caller passes in.
 */
import { UsageError } from '../../domain/errors.ts';
import type { JsonSchema } from '../../domain/json-schema.ts';
import { validateAgainstSchema } from '../../domain/json-schema.ts';
import { assertValidKey } from '../keys.ts';

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

export const MiB = 1024 * 1024;
export const MIN_PART_SIZE = 5 * MiB;
export const MAX_PART_SIZE = 5 * 1024 * MiB;
export const MAX_PARTS = 10_000;

const text: JsonSchema = { type: 'string', minLength: 1 };
const whole = (minimum: number, maximum: number): JsonSchema => ({ type: 'integer', minimum, maximum });

/** The options S3StoreOptions describes, as the schema validator checks them. */
export const S3_OPTIONS_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    endpoint: text,
    forcePathStyle: { type: 'boolean' },
    region: text,
    sse: { enum: ['AES256', 'aws:kms'] },
    kmsKeyId: text,
    storageClass: text,
    objectLockDays: whole(1, 36_500),
    objectLockMode: { enum: ['GOVERNANCE', 'COMPLIANCE'] },
    partSize: whole(MIN_PART_SIZE, MAX_PART_SIZE),
    queueSize: whole(1, 64),
    maxKeys: whole(1, 1000),
    deleteBatch: whole(1, 1000),
    maxAttempts: whole(1, 20),
  },
};

/** The options as given (undefined ones left out), or a UsageError naming the first bad one. */
export function checkS3Options(options: S3StoreOptions): S3StoreOptions {
  const given = Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as S3StoreOptions;
  const [problem] = validateAgainstSchema(given, S3_OPTIONS_SCHEMA);
  if (problem) throw new UsageError(`S3 option ${problem.path.join('.')} ${problem.message}`);
  if (given.kmsKeyId !== undefined && given.sse !== 'aws:kms')
    throw new UsageError("S3 option kmsKeyId needs sse 'aws:kms'");
  if (given.objectLockMode !== undefined && given.objectLockDays === undefined)
    throw new UsageError('S3 option objectLockMode needs objectLockDays');
  return given;
}

export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(url);
  const authority = match?.[1] ?? '';
  if (!match || authority === '') {
    throw new UsageError(`invalid S3 repository ${JSON.stringify(url)}: expected s3://bucket or s3://bucket/prefix`);
  }
  if (authority.includes('@') || authority.includes(':')) {
    throw new UsageError(
      `invalid S3 repository URL: credentials and ports do not belong in it; use AWS_PROFILE / AWS_ACCESS_KEY_ID and the endpoint option`,
    );
  }
  // S3's rules are stricter (3-63 lowercase characters) but legacy buckets and S3-compatible
  // servers allow more; only reject what can never be a bucket name.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/.test(authority)) {
    throw new UsageError(
      `invalid S3 bucket name ${JSON.stringify(authority)} in ${url}: letters, digits, dots, hyphens and underscores`,
    );
  }
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix !== '' && !isValidKey(prefix)) {
    throw new UsageError(`invalid S3 prefix ${JSON.stringify(prefix)} in ${url}: no empty, "." or ".." path segments`);
  }
  return { bucket: authority, prefix };
}

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
export function credentialsOf(env: AwsEnvironment): {
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  profile?: string;
} {
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  if (accessKeyId && secretAccessKey) {
    const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
    return { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } };
  }
  const profile = nonEmpty(env.AWS_PROFILE);
  return profile ? { profile } : {};
}

/** The endpoint option, else the one the environment configures; undefined means AWS. */
export function endpointOf(options: S3StoreOptions, env: AwsEnvironment): URL | undefined {
  const configured =
    options.endpoint ??
    (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true'
      ? undefined
      : (nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL)));
  if (configured === undefined) return undefined;
  try {
    return new URL(configured);
  } catch {
    throw new UsageError(
      `invalid S3 endpoint ${JSON.stringify(configured)}: expected a URL such as http://127.0.0.1:9000`,
    );
  }
}

/** The region option or variable; undefined leaves it to the profile. */
export function regionOf(options: S3StoreOptions, env: AwsEnvironment): string | undefined {
  return options.region ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
}

export function isValidKey(key: string): boolean {
  try {
    assertValidKey(key);
    return true;
  } catch {
    return false;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

export function displayUrl(url: URL): string {
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}
