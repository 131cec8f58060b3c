/**
 * What went wrong with an S3 request, in one line that names the bucket or endpoint and what
 * to check; `transient` marks the faults worth retrying (a lost connection, 5xx, throttling).
 */
import { NotFoundError, RipcordError, StorageError } from '../../domain/errors.ts';

/** Where the requests went, for messages. */
export interface S3Place {
  bucket: string;
  location: string;
  /** endpoint for messages, credentials stripped */
  endpointLabel: string;
  storageClass: string | undefined;
}

const ACCESS_DENIED = [
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'AllAccessDisabled',
  'AccountProblem',
  'Forbidden',
];
const THROTTLED = [
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
];

/** One line naming the bucket or endpoint and what to check. */
export function classifyS3Error(
  error: unknown,
  action: string,
  { bucket, location, endpointLabel, storageClass }: S3Place,
): Error {
  if (error instanceof RipcordError) return error;
  const name = errorName(error);
  const code = networkCode(error);
  const status = httpStatus(error);
  const detail = messageOf(error);
  const fail = (hint: string, transient = false) =>
    new StorageError(oneLine(`${location}: cannot ${action}: ${hint}`), { transient, cause: error });

  if (name === 'NoSuchKey' || (name === 'NotFound' && status === 404)) {
    return new NotFoundError(`${location}: cannot ${action}: no such object`, { cause: error });
  }
  if (name === 'NoSuchBucket') {
    return fail(`bucket ${bucket} does not exist (endpoint ${endpointLabel}): create it or fix the repository URL`);
  }
  if (ACCESS_DENIED.includes(name) || status === 403) {
    return fail(
      `access denied to ${location}: check AWS credentials (AWS_PROFILE / AWS_ACCESS_KEY_ID) and the bucket policy (${name || `HTTP ${status}`}: ${detail})`,
    );
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(detail)) {
    return fail(
      `no AWS credentials found for ${location}: set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or give the runner a role)`,
    );
  }
  if (
    name === 'PermanentRedirect' ||
    name === 'AuthorizationHeaderMalformed' ||
    name === 'IllegalLocationConstraintException'
  ) {
    return fail(`bucket ${bucket} is in another region than the one configured: set AWS_REGION (${name}: ${detail})`);
  }
  if (name === 'InvalidObjectState') {
    return fail(
      `the object is archived (storage class ${storageClass ?? 'GLACIER/DEEP_ARCHIVE'}): restore it in S3 first (${detail})`,
    );
  }
  if (name === 'NoSuchUpload') {
    return fail(
      `the multipart upload disappeared on ${endpointLabel} (aborted by a lifecycle rule or another client?)`,
      true,
    );
  }
  if (code !== undefined || name === 'TimeoutError' || name === 'RequestTimeout') {
    const fatal = code === 'ENOTFOUND' || code?.startsWith('ERR_TLS') || code?.includes('CERT');
    const what = code ?? name;
    const reason = `${what}${detail && detail !== what ? ` (${detail})` : ''}`;
    const lost = code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED';
    return fail(
      lost
        ? `lost the connection to the S3 endpoint ${endpointLabel}: ${reason}`
        : `cannot reach the S3 endpoint ${endpointLabel}: ${reason}${fatal ? '; check the endpoint and its certificate' : ''}`,
      !fatal,
    );
  }
  if (THROTTLED.includes(name) || (status !== undefined && status >= 500)) {
    return fail(
      `${endpointLabel} answered ${name || 'an error'}${status ? ` (HTTP ${status})` : ''}: ${detail}; try again later`,
      true,
    );
  }
  if (name === 'BadDigest' || name === 'InvalidDigest' || name === 'XAmzContentSHA256Mismatch') {
    return fail(`the data was corrupted on the way to ${endpointLabel} (${name}); try again`, true);
  }
  return fail(
    `${name ? `${name}: ` : ''}${detail}${status ? ` (HTTP ${status}, endpoint ${endpointLabel})` : ` (endpoint ${endpointLabel})`}`,
  );
}

/** "No such key" (or a HEAD 404, which carries no code), but never "no such bucket". */
export function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  return name === 'NotFound' || name === 'NoSuchKey' || (httpStatus(error) === 404 && name !== 'NoSuchBucket');
}

export function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function errorName(error: unknown): string {
  const e = error as { name?: unknown; Code?: unknown } | undefined;
  const name = typeof e?.Code === 'string' ? e.Code : typeof e?.name === 'string' ? e.name : '';
  return name === 'Error' ? '' : name;
}

/** ECONNREFUSED and friends, also inside the AggregateError of a multi-address connect. */
function networkCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; errors?: unknown[]; cause?: unknown } | undefined;
  const codes = [
    e?.code,
    (e?.errors?.[0] as { code?: unknown } | undefined)?.code,
    (e?.cause as { code?: unknown } | undefined)?.code,
  ];
  return codes.find((code): code is string => typeof code === 'string' && /^E[A-Z]+$|^ERR_|CERT/.test(code));
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
