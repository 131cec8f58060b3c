import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../src/domain/errors.ts';
import { checkS3Options, credentialsOf, endpointOf, regionOf } from '../../src/storage/s3/options.ts';

const refusal = (options: Record<string, unknown>): string => {
  try {
    checkS3Options(options);
  } catch (error) {
    assert.instance(error, UsageError);
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(options)} was accepted`);
};

test('S3 options are checked against one schema, and a refusal names the option and the value', () => {
  assert.match(refusal({ sse: 'DES' }), /^S3 option sse must be one of "AES256", "aws:kms", not "DES"$/);
  assert.match(refusal({ partSize: 1024 }), /^S3 option partSize must be at least 5242880, not 1024$/);
  assert.match(refusal({ queueSize: 1.5 }), /^S3 option queueSize must be a whole number/);
  assert.match(refusal({ endpoint: '' }), /^S3 option endpoint must not be empty$/);
  assert.match(refusal({ forcePathStyle: 'yes' }), /^S3 option forcePathStyle must be a boolean/);
  assert.match(refusal({ deleteBatch: 1001 }), /^S3 option deleteBatch must be at most 1000, not 1001$/);
});

test('S3 options that need another one are refused without it; options left undefined are left out', () => {
  assert.is(refusal({ kmsKeyId: 'alias/backups', sse: 'AES256' }), "S3 option kmsKeyId needs sse 'aws:kms'");
  assert.is(refusal({ objectLockMode: 'COMPLIANCE' }), 'S3 option objectLockMode needs objectLockDays');
  assert.equal(checkS3Options({ region: undefined, objectLockDays: 30, objectLockMode: 'COMPLIANCE' }), {
    objectLockDays: 30,
    objectLockMode: 'COMPLIANCE',
  });
});

test('the endpoint option wins over AWS_ENDPOINT_URL_S3, which wins over AWS_ENDPOINT_URL, unless configured endpoints are ignored', () => {
  const env = { AWS_ENDPOINT_URL_S3: 'http://s3.example:9000', AWS_ENDPOINT_URL: 'http://any.example:9000' };
  assert.is(endpointOf({ endpoint: 'http://127.0.0.1:9000' }, env)?.href, 'http://127.0.0.1:9000/');
  assert.is(endpointOf({}, env)?.href, 'http://s3.example:9000/');
  assert.is(endpointOf({}, { AWS_ENDPOINT_URL: 'http://any.example:9000' })?.href, 'http://any.example:9000/');
  assert.is(endpointOf({}, { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }), undefined);
  assert.throws(() => endpointOf({ endpoint: 'not a url' }, {}), /invalid S3 endpoint "not a url"/);
});

test('the region option wins over AWS_REGION, then AWS_DEFAULT_REGION; empty values count as unset', () => {
  assert.is(regionOf({ region: 'eu-west-1' }, { AWS_REGION: 'us-east-2' }), 'eu-west-1');
  assert.is(regionOf({}, { AWS_REGION: '', AWS_DEFAULT_REGION: 'ap-south-1' }), 'ap-south-1');
  assert.is(regionOf({}, {}), undefined);
});

test('credentials come from the environment given, not only this process: keys (with a session token) before a profile', () => {
  const keys = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' };
  assert.equal(credentialsOf(keys), { credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
  assert.equal(credentialsOf({ ...keys, AWS_SESSION_TOKEN: 'token', AWS_PROFILE: 'ops' }), {
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' },
  });
  assert.equal(credentialsOf({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_PROFILE: 'ops' }), { profile: 'ops' });
  assert.equal(credentialsOf({ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' }), {});
});

test.run();
