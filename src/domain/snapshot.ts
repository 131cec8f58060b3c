/**
 * snapshot.json: the plaintext record that commits a snapshot. It names no file and
 * holds no secret. It is written in one canonical form (2-space JSON, keys in a fixed
 * order, trailing newline) and carries a SHA-256 of its own content, so that `verify`
 * catches an accidental change in it without a key (anyone can recompute it on purpose);
 * a copy of the same fields sits inside the encrypted manifest, so `verify --read-data`
 * also authenticates it, and a signature (ops/snapshot-signature.ts) says who wrote it.
 */
import { createHash } from 'node:crypto';
import { UsageError } from './errors.ts';
import { isSnapshotId } from './snapshot-id.ts';

export const SNAPSHOT_FORMAT = 'ripcord-snapshot/1';
export const ARCHIVE_OBJECT = 'archive.tar.gz.pgp';
export const MANIFEST_OBJECT = 'manifest.json.pgp';
export const CHECKSUMS_OBJECT = 'SHA256SUMS';
export const SNAPSHOT_OBJECT = 'snapshot.json';

export const SNAPSHOT_KINDS = ['manual', 'pre-deploy', 'pre-restore', 'scheduled'] as const;
export type SnapshotKind = (typeof SNAPSHOT_KINDS)[number];

export function isSnapshotKind(value: unknown): value is SnapshotKind {
  return (SNAPSHOT_KINDS as readonly unknown[]).includes(value);
}

/**
 * A tag is 1 to 128 of these characters: enough for set:NAME, release/v1.2.3,
 * env=prod or owner@team, and nothing a terminal, a log or a page could take for markup.
 */
export const TAG_CHARACTERS = 'A-Z a-z 0-9 . _ : / = @ + -';
export const MAX_TAG_LENGTH = 128;
const TAG = /^[A-Za-z0-9._:/=@+-]+$/;

/** What is wrong with a tag, in words that name it; undefined for a good one. */
export function tagProblem(tag: string): string | undefined {
  if (tag.length === 0) return 'a tag cannot be empty';
  if (tag.length > MAX_TAG_LENGTH)
    return `tag ${JSON.stringify(`${tag.slice(0, 32)}...`)} is longer than ${MAX_TAG_LENGTH} characters`;
  if (!TAG.test(tag)) return `tag ${JSON.stringify(tag)} has a character outside ${TAG_CHARACTERS}`;
  return undefined;
}

/** Refuse a kind or tag that may not be written into a snapshot (a usage error naming it). */
export function checkLabels(kind: string, tags: readonly string[]): void {
  if (!isSnapshotKind(kind))
    throw new UsageError(`kind ${JSON.stringify(kind)} is not one of ${SNAPSHOT_KINDS.join(', ')}`);
  for (const tag of tags) {
    const problem = tagProblem(tag);
    if (problem) throw new UsageError(problem);
  }
}

export interface ObjectChecksum {
  sha256: string;
  bytes: number;
}

/**
 * A passphrase's key check value (docs/format.md): HMAC-SHA-256, under the label
 * "ripcord key check", of the OpenPGP iterated and salted S2K (SHA-256) of the passphrase
 * with a salt of its own. Not an encryption key; see archive/skesk.ts.
 */
export interface PassphraseCheck {
  s2k: 'iterated-sha256';
  /** 8 bytes, hex */
  salt: string;
  /** the coded S2K count octet (RFC 4880 3.7.1.3) */
  count: number;
  /** hex */
  hmac: string;
}

export function isPassphraseCheck(value: unknown): value is PassphraseCheck {
  const check = value as Partial<PassphraseCheck> | null;
  return (
    typeof check === 'object' &&
    check !== null &&
    check.s2k === 'iterated-sha256' &&
    typeof check.salt === 'string' &&
    /^[0-9a-f]{16}$/.test(check.salt) &&
    Number.isInteger(check.count) &&
    (check.count as number) >= 0 &&
    (check.count as number) <= 255 &&
    typeof check.hmac === 'string' &&
    /^[0-9a-f]{64}$/.test(check.hmac)
  );
}

export interface SnapshotMetadata {
  format: typeof SNAPSHOT_FORMAT;
  id: string;
  /** ISO 8601 UTC */
  created: string;
  kind: SnapshotKind;
  tags: string[];
  host: string;
  user: string;
  git?: { commit: string; branch?: string; remote?: string };
  ci?: { provider: 'github-actions'; runId?: string; runUrl?: string; actor?: string; workflow?: string; ref?: string };
  /** the snapshot a pre-restore snapshot was taken before restoring */
  restoredFrom?: string;
  /** a full snapshot made by `merge` from this chain link, holding its state */
  mergedFrom?: string;
  /** absent: a full snapshot. An incremental or differential one holds what changed since `parent` (domain/chain.ts) */
  level?: 'incremental' | 'differential';
  parent?: string;
  /** SHA-256 of the parent's stored manifest object: binds the parent, key holders included */
  parentManifestSha256?: string;
  /** the full snapshot the chain starts from */
  base?: string;
  files: number;
  inputBytes: number;
  archiveBytes: number;
  /** wall time of the backup, ms */
  durationMs: number;
  compression: 'gzip';
  encryption: {
    mode: 'passphrase' | 'public-key';
    profile: 'rfc4880';
    recipients: string[];
    /** passphrase mode: a verifier of the passphrase; absent in snapshots made before it was recorded */
    keyCheck?: PassphraseCheck;
  };
  objects: { [ARCHIVE_OBJECT]: ObjectChecksum; [MANIFEST_OBJECT]: ObjectChecksum };
  tool: { name: 'ripcord'; version: string };
  /** sha256 of the canonical JSON of every other field */
  metadataSha256: string;
}

export type UnsealedMetadata = Omit<SnapshotMetadata, 'metadataSha256'>;

const KEY_ORDER: (keyof SnapshotMetadata)[] = [
  'format',
  'id',
  'created',
  'kind',
  'tags',
  'host',
  'user',
  'git',
  'ci',
  'restoredFrom',
  'mergedFrom',
  'level',
  'parent',
  'parentManifestSha256',
  'base',
  'files',
  'inputBytes',
  'archiveBytes',
  'durationMs',
  'compression',
  'encryption',
  'objects',
  'tool',
  'metadataSha256',
];

function ordered(metadata: Partial<SnapshotMetadata>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of KEY_ORDER) if (metadata[key] !== undefined) out[key] = metadata[key];
  return out;
}

function digest(metadata: UnsealedMetadata): string {
  const { metadataSha256: _ignored, ...rest } = metadata as SnapshotMetadata;
  return createHash('sha256')
    .update(JSON.stringify(ordered(rest)))
    .digest('hex');
}

/** Add the self-checksum. */
export function sealMetadata(metadata: UnsealedMetadata): SnapshotMetadata {
  return { ...metadata, metadataSha256: digest(metadata) };
}

export function serializeMetadata(metadata: SnapshotMetadata): string {
  return `${JSON.stringify(ordered(metadata), null, 2)}\n`;
}

/**
 * Parse snapshot.json strictly. Returns a reason instead of throwing so callers can
 * name the snapshot in their own message.
 */
export function parseMetadata(text: string, expectedId: string): { metadata: SnapshotMetadata } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'snapshot.json is not valid JSON' };
  }
  const problem = checkShape(value);
  if (problem) return { problem: `snapshot.json ${problem}` };
  const metadata = value as SnapshotMetadata;
  if (metadata.id !== expectedId) return { problem: `snapshot.json names a different id (${String(metadata.id)})` };
  if (digest(metadata) !== metadata.metadataSha256)
    return { problem: 'snapshot.json does not match its own checksum (it was changed or damaged)' };
  if (serializeMetadata(metadata) !== text)
    return { problem: 'snapshot.json is not in canonical form (it was edited or damaged)' };
  return { metadata };
}

function checkShape(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not an object';
  const m = value as Record<string, unknown>;
  if (m.format !== SNAPSHOT_FORMAT) return `has an unknown format ${JSON.stringify(m.format)}`;
  if (typeof m.id !== 'string' || !isSnapshotId(m.id)) return 'has no valid id';
  if (typeof m.created !== 'string' || Number.isNaN(Date.parse(m.created))) return 'has no valid created time';
  if (!isSnapshotKind(m.kind)) return `has an unknown kind (not one of ${SNAPSHOT_KINDS.join(', ')})`;
  // Tags written before tags were checked may hold any text: they are read, and shown escaped.
  if (!Array.isArray(m.tags) || !m.tags.every((t) => typeof t === 'string')) return 'has invalid tags';
  for (const field of ['files', 'inputBytes', 'archiveBytes', 'durationMs'] as const) {
    if (typeof m[field] !== 'number' || !Number.isSafeInteger(m[field]) || (m[field] as number) < 0)
      return `has an invalid ${field}`;
  }
  // Everything shown later must have the type it is shown as, so that reading never fails half-way.
  const strings = (value: unknown, fields: readonly string[], required: readonly string[] = []) =>
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    fields.every((f) =>
      (value as Record<string, unknown>)[f] === undefined
        ? !required.includes(f)
        : typeof (value as Record<string, unknown>)[f] === 'string',
    );
  if (typeof m.host !== 'string' || typeof m.user !== 'string') return 'has an invalid host or user';
  if (m.git !== undefined && !strings(m.git, ['commit', 'branch', 'remote'], ['commit']))
    return 'has an invalid git record';
  if (m.ci !== undefined && !strings(m.ci, ['provider', 'runId', 'runUrl', 'actor', 'workflow', 'ref']))
    return 'has an invalid ci record';
  if (m.restoredFrom !== undefined && (typeof m.restoredFrom !== 'string' || !isSnapshotId(m.restoredFrom)))
    return 'has an invalid restoredFrom';
  if (m.mergedFrom !== undefined && (typeof m.mergedFrom !== 'string' || !isSnapshotId(m.mergedFrom)))
    return 'has an invalid mergedFrom';
  const chainProblem = chainFieldsProblem(m);
  if (chainProblem) return chainProblem;
  const encryption = m.encryption as Record<string, unknown> | undefined;
  if (
    !strings(encryption, ['mode', 'profile'], ['mode', 'profile']) ||
    !Array.isArray(encryption!.recipients) ||
    !encryption!.recipients.every((r) => typeof r === 'string')
  ) {
    return 'has an invalid encryption record';
  }
  if (!strings(m.tool, ['name', 'version'], ['name', 'version'])) return 'has an invalid tool record';
  const objects = m.objects as Record<string, ObjectChecksum> | undefined;
  for (const name of [ARCHIVE_OBJECT, MANIFEST_OBJECT]) {
    const o = objects?.[name];
    if (!o || typeof o.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(o.sha256) || typeof o.bytes !== 'number') {
      return `has no valid checksum for ${name}`;
    }
  }
  if (encryption?.keyCheck !== undefined && !isPassphraseCheck(encryption.keyCheck))
    return 'has an invalid encryption.keyCheck';
  if (typeof m.metadataSha256 !== 'string') return 'has no metadataSha256';
  return undefined;
}

/** The fields that place a snapshot in a chain: all or none, and of the right shape (their consistency is domain/chain.ts's). */
function chainFieldsProblem(m: Record<string, unknown>): string | undefined {
  if (m.level === undefined) {
    return m.parent !== undefined || m.base !== undefined || m.parentManifestSha256 !== undefined
      ? 'names a parent but no level'
      : undefined;
  }
  if (m.level !== 'incremental' && m.level !== 'differential') return 'has an unknown level';
  for (const field of ['parent', 'base'] as const)
    if (typeof m[field] !== 'string' || !isSnapshotId(m[field])) return `has an invalid ${field}`;
  if (typeof m.parentManifestSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.parentManifestSha256))
    return 'has an invalid parentManifestSha256';
  return undefined;
}

/** SHA256SUMS in the exact format `sha256sum -c` reads. */
export function formatChecksums(objects: SnapshotMetadata['objects']): string {
  return `${objects[ARCHIVE_OBJECT].sha256}  ${ARCHIVE_OBJECT}\n${objects[MANIFEST_OBJECT].sha256}  ${MANIFEST_OBJECT}\n`;
}

export function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (m) sums.set(m[2]!, m[1]!);
  }
  return sums;
}
