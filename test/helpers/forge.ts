/**
 * Forgeries by someone who can write into a repository but holds no key: snapshot.json
 * rewritten and re-sealed with its unkeyed checksum exactly as docs/format.md describes
 * it (not with ripcord's own code), and lock records written as plain files.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** Every character a terminal, the runner or a log viewer acts on, to plant in a value. */
export const RAW_CONTROL =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Change snapshot.json of `id` in a local repository and seal it again: the SHA-256 of the
 * JSON of every other field in file order, without whitespace; the file is that JSON with
 * two-space indentation and a newline (docs/format.md, snapshot.json).
 */
export async function forgeSnapshotJson(
  repo: string,
  id: string,
  change: (fields: Record<string, unknown>) => void,
): Promise<void> {
  const file = path.join(repo, id, 'snapshot.json');
  const fields = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
  delete fields.metadataSha256;
  change(fields);
  const ordered: Record<string, unknown> = {};
  for (const name of FIELD_ORDER) if (fields[name] !== undefined) ordered[name] = fields[name];
  const unknown = Object.keys(fields).filter((name) => !FIELD_ORDER.includes(name));
  if (unknown.length > 0) throw new Error(`forgeSnapshotJson: ${unknown.join(', ')} not in docs/format.md's table`);
  const metadataSha256 = createHash('sha256').update(JSON.stringify(ordered)).digest('hex');
  await fs.writeFile(file, `${JSON.stringify({ ...ordered, metadataSha256 }, null, 2)}\n`);
}

/** The fields of snapshot.json in the order of the table in docs/format.md. */
const FIELD_ORDER = [
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
];

/** A live lock record of `name` (locks/NAME/KEY.json), held by whoever the fields say. */
export async function forgeLockRecord(repo: string, name: string, holder: Record<string, unknown>): Promise<void> {
  const folder = path.join(repo, 'locks', name);
  await fs.mkdir(folder, { recursive: true });
  const now = Date.now();
  const record = {
    acquired: new Date(now).toISOString(),
    expires: new Date(now + 3_600_000).toISOString(),
    pid: 1,
    ...holder,
  };
  await fs.writeFile(path.join(folder, '20260101T000000.000Z-0001.json'), JSON.stringify(record));
}

/** Lines of `text` that the GitHub runner would process as a workflow command. */
export function workflowCommandLines(text: string): string[] {
  return text.split(/\r?\n|\r/).filter((line) => /^\s*::/.test(line) || line.includes('##['));
}
