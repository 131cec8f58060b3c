import * as path from 'node:path';
import { DEFAULT_COMPRESSION_LEVEL } from '../../archive/pack.ts';
import { createBackup, DEFAULT_EXCLUDES, repositorySkip } from '../../ops/backup.ts';
import { backupRequestFrom } from '../../ops/backup-request.ts';
import { describeOrigin } from '../../ops/origin.ts';
import { readStoredBytes, storedBytes } from '../../ops/repository.ts';
import { parseCaptureSpec } from '../../ops/captures.ts';
import { MAX_TAG_LENGTH, SNAPSHOT_KINDS, TAG_CHARACTERS } from '../../domain/snapshot.ts';
import { levelFrom, levelOptions } from './level-options.ts';
import { IntegrityError, UsageError } from '../../domain/errors.ts';
import { summarizeSnapshot } from '../../domain/run-record.ts';
import { applyCopy, planCopy } from '../../ops/copy.ts';
import type { Command } from '../command.ts';
import { FOLDER_OPTION, flag, listOption, stringOption, TAG_OPTION } from '../command.ts';
import { SET_OPTION } from '../config-file.ts';
import { createContext } from '../context.ts';
import { whileInterruptible } from '../interrupt.ts';
import { formatBytes, formatCount, formatDuration } from '../format.ts';

export const backupCommand: Command = {
  name: 'backup',
  summary: 'Take an encrypted, checksummed snapshot of files and folders.',
  usage: 'ripcord backup [options] [paths...]',
  description: [
    'Paths are stored as GNU tar stores them: relative to the working directory (-C DIR changes it),',
    'absolute paths without their leading "/". With no paths, the working directory is backed up',
    `without ${DEFAULT_EXCLUDES.join(' and ')}. The repository itself is never backed up.`,
    '',
    'Encryption: RIPCORD_PASSPHRASE (or --passphrase-file), or RIPCORD_RECIPIENTS (armored public keys,',
    'inline or as file paths) so that the machine taking backups holds no key that can read them.',
    'Without a key ripcord refuses: it never writes an unencrypted backup. A key other than the one',
    "the repository's newest snapshot was made with (a mistyped passphrase, other recipients) is refused",
    'too, unless --new-key says to start using it.',
    '',
    'Prints the snapshot id on stdout (only the id with --quiet). Progress shows percentages after a',
    'first pass that counts the files; with --quiet, a backup to a local or actions-cache repository',
    'skips that pass (S3 keeps it: it sizes the upload parts).',
    '',
    'An incremental or differential stores only what changed since its parent, and of a changed file',
    'of 8 MiB or more (a database, a growing log) only the blocks that changed (docs/format.md, "Block',
    'deltas"). A file with its size, mode and time but a new inode (a tree restored, unpacked or',
    'copied with cp -a) is hashed and stored only if its content changed; --force-read hashes every',
    'file instead of trusting size, times and inode.',
    '',
    'Ctrl-C (or SIGTERM) stops a backup: what it wrote is removed, it says so in one line, the audit log',
    'records the interrupted run, and it exits 130 (143 for SIGTERM). A second Ctrl-C ends it at once.',
  ].join('\n'),
  options: {
    directory: { ...FOLDER_OPTION, description: 'resolve paths from DIR instead of the working directory' },
    exclude: {
      type: 'string',
      short: 'e',
      value: 'GLOB',
      multiple: true,
      description: 'skip matching paths; a pattern without "/" matches a name at any depth (e.g. "*.log")',
    },
    tag: {
      ...TAG_OPTION,
      description: `label the snapshot (comma-separated or repeated): 1-${MAX_TAG_LENGTH} characters of ${TAG_CHARACTERS}`,
    },
    kind: { type: 'string', value: 'KIND', description: `${SNAPSHOT_KINDS.join(' | ')}`, default: 'manual' },
    capture: {
      type: 'string',
      value: "NAME='CMD'",
      multiple: true,
      description: 'store the stdout of CMD (run with sh -c) as .ripcord-captured/NAME',
    },
    ...levelOptions('full'),
    'force-read': {
      type: 'boolean',
      description: 'incremental and differential: read and hash every file instead of trusting size, times and inode',
    },
    'compression-level': {
      type: 'string',
      value: 'N',
      description: 'gzip level 1-9 for compressible data (9 is smallest; random and compressed data is stored as is)',
      default: String(DEFAULT_COMPRESSION_LEVEL),
    },
    'copy-to': {
      type: 'string',
      value: 'REPO',
      description: 'then copy the new snapshot to REPO too, checksums verified on arrival (as ripcord copy)',
    },
    'new-key': {
      type: 'boolean',
      description:
        "start using a passphrase or recipients other than the repository's newest snapshot's (otherwise refused)",
    },
    set: SET_OPTION,
  },
  examples: [
    'RIPCORD_PASSPHRASE=... ripcord backup config scripts',
    'ripcord backup --tag nightly --exclude "*.log" -C /srv/app config state',
    'ripcord backup --repo s3://my-bucket/backups /etc/nginx',
    "ripcord backup config --capture db='sqlite3 app.db .dump' --capture crontab='crontab -l'",
  ],
  async run(context, values, positionals) {
    const selection = backupRequestFrom(
      {
        paths: positionals,
        exclude: listOption(values, 'exclude'),
        kind: stringOption(values, 'kind'),
        tags: listOption(values, 'tag'),
      },
      'manual',
      (field, value, problem) => new UsageError(`--${field} ${value} ${problem}`),
    );
    const levelText = stringOption(values, 'compression-level') ?? String(DEFAULT_COMPRESSION_LEVEL);
    const level = Number(levelText);
    if (!Number.isInteger(level) || level < 1 || level > 9)
      throw new UsageError(`--compression-level ${levelText}: give a whole number from 1 to 9`);
    const { level: backupLevel, auto } = levelFrom(values, 'full');
    const cwd = path.resolve(context.cwd, stringOption(values, 'directory') ?? '.');
    // git runs in child processes while the keys load, the repository opens and the backup
    // works; the backup awaits it only to write the snapshot's record.
    const origin = describeOrigin(cwd, context.env);
    origin.catch(() => {}); // awaited by the backup; a key or repository error may come first
    const keys = await context.encryptionKeys();
    const store = await context.openRepository();
    const { snapshot, warnings, fullBecause } = await whileInterruptible(
      'backup interrupted; nothing was saved',
      async (signal) =>
        createBackup({
          ...selection,
          signal,
          store,
          cwd,
          skip: repositorySkip(context.repository, context.cwd),
          keys,
          origin,
          compressionLevel: level,
          level: backupLevel,
          auto,
          forceRead: flag(values, 'force-read'),
          parentKeys: () => context.decryptionKeys(),
          newKey: flag(values, 'new-key'),
          captures: (Array.isArray(values.capture) ? (values.capture as string[]) : []).map((spec) =>
            parseCaptureSpec(spec, '--capture'),
          ),
          env: context.env,
          reporter: context.reporter,
        }),
    );
    context.record({
      snapshots: [snapshot.id],
      snapshot: summarizeSnapshot(snapshot),
      bytesProcessed: snapshot.inputBytes,
      timings: { backup: snapshot.durationMs },
    });
    const copyTo = stringOption(values, 'copy-to');
    let copied: { to: string; bytes: number } | undefined;
    if (copyTo) {
      // A second repository for the 3-2-1 rule: a backup that did not reach it has failed.
      const destinationContext = createContext(context, { ...values, repo: copyTo });
      try {
        const result = await destinationContext
          .openRepository()
          .then(async (destination) =>
            applyCopy(await planCopy({ source: store, destination, references: [snapshot.id] }), {
              reporter: context.reporter,
            }),
          )
          .catch((error: unknown) => ({ error }));
        const problem =
          'error' in result ? (result.error as Error).message : result.snapshots.find((s) => s.problem)?.problem;
        if (problem !== undefined || 'error' in result) {
          throw new IntegrityError(
            `snapshot ${snapshot.id} was saved to ${store.properties.location} but not copied to ${destinationContext.repository}: ${problem}`,
          );
        }
        copied = { to: destinationContext.run.repository ?? destinationContext.repository, bytes: result.bytes };
        context.record({ details: { copiedTo: copied.to, copiedBytes: copied.bytes } });
      } finally {
        await destinationContext.close();
      }
    }
    context.reporter.finish();
    if (context.json) {
      context.printJson({
        snapshot,
        warnings,
        ...(fullBecause ? { fullBecause } : {}),
        ...(copied ? { copiedTo: copied.to } : {}),
      });
    } else if (context.quiet) {
      context.print(snapshot.id);
    } else {
      const stored = store.properties.listable ? await readStoredBytes(store, snapshot) : storedBytes(snapshot);
      const ratio = snapshot.inputBytes > 0 ? ` (${Math.round((stored / snapshot.inputBytes) * 100)}%)` : '';
      context.print(
        `${snapshot.level ? `${snapshot.level} ` : ''}snapshot ${snapshot.id} saved to ${store.properties.location}`,
      );
      if (snapshot.level) context.print(`  parent ${snapshot.parent}, chain base ${snapshot.base}`);
      if (fullBecause)
        context.print(
          backupLevel === 'auto'
            ? `  a full snapshot: ${fullBecause}`
            : `  a full snapshot, not ${backupLevel}: ${fullBecause}`,
        );
      context.print(
        `  ${formatCount(snapshot.files)} ${snapshot.files === 1 ? 'file' : 'files'}, ${formatBytes(snapshot.inputBytes)} in, ${formatBytes(stored)} stored${ratio}, ${formatDuration(snapshot.durationMs)}`,
      );
      context.print(`  archive sha256 ${snapshot.objects['archive.tar.gz.pgp'].sha256}`);
      context.print(
        `  encrypted with ${snapshot.encryption.mode === 'passphrase' ? 'a passphrase' : `public keys ${snapshot.encryption.recipients.join(', ')}`}`,
      );
      if (copied) context.print(`  copied to ${copied.to}, checksums verified on arrival`);
      if (warnings.length) context.print(`  ${warnings.length} warning${warnings.length === 1 ? '' : 's'} (see above)`);
    }
    return 0;
  },
};
