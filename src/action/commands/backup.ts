import { createBackup, repositorySkip } from '../../ops/backup.ts';
import { backupRequestFrom } from '../../ops/backup-request.ts';
import { decryptionKeysFrom, encryptionKeysFrom } from '../../ops/keys.ts';
import { describeOrigin } from '../../ops/origin.ts';
import { checkRollbackPossible } from '../../ops/snapshot-signature.ts';
import { formatRate } from '../../domain/wording.ts';
import { BACKUP_LEVELS, isBackupLevel } from '../../domain/chain.ts';
import type { ActionContext } from '../context.ts';
import { actionReporter, outputSnapshot, summarize } from '../context.ts';
import { InputError } from '../inputs.ts';
import { Inputs, State } from '../names.ts';
import { summaryTable } from '../summary.ts';
import { capturesFromInput, validationFromInputs } from './guard.ts';

/** A snapshot; with rollback-on-failure, armed for the post step to restore. */
export async function runBackup({ io, inputs, log, env, cwd, store, url, note }: ActionContext): Promise<void> {
  const guard = inputs.bool(Inputs.rollbackOnFailure);
  const selection = backupRequestFrom(
    {
      paths: inputs.list(Inputs.paths),
      exclude: inputs.list(Inputs.exclude),
      kind: inputs.text(Inputs.kind) || undefined,
      tags: inputs.list(Inputs.tags),
    },
    guard ? 'pre-deploy' : 'manual',
    (field, value, problem) => new InputError(Inputs[field], `${JSON.stringify(value)} ${problem}`),
  );
  const level = inputs.text(Inputs.level) || 'full';
  if (!isBackupLevel(level))
    throw new InputError(Inputs.level, `${JSON.stringify(level)} is not one of ${BACKUP_LEVELS.join(', ')}`);
  const keys = await encryptionKeysFrom(inputs.keys());
  if (guard) {
    // Fail now, not in the post step when it is too late: what the rollback will need must be usable.
    checkRollbackPossible(keys, await decryptionKeysFrom(inputs.keys()));
    validationFromInputs(inputs);
    capturesFromInput(inputs, Inputs.restoreCapture);
  }
  const started = Date.now();
  // git runs in child processes while the backup works: awaited for the snapshot's record
  const origin = describeOrigin(cwd, env);
  origin.catch(() => {});
  const { snapshot, fullBecause } = await io.group('Backup', () =>
    createBackup({
      ...selection,
      store,
      cwd,
      // a path the guarded job will create is recorded as absent; the post-step rollback removes it
      ...(guard ? { allowMissing: true } : {}),
      skip: repositorySkip(url, cwd),
      keys,
      newKey: inputs.bool(Inputs.newKey),
      level,
      parentKeys: () => decryptionKeysFrom(inputs.keys()),
      captures: capturesFromInput(inputs, Inputs.capture),
      env,
      origin,
      reporter: actionReporter(log),
    }),
  );
  outputSnapshot(io, snapshot);
  if (fullBecause) log.info(`a full snapshot, not ${level}: ${fullBecause}`);
  note?.([snapshot.id]);
  if (guard) {
    io.saveState(State.guardSnapshot, snapshot.id);
    io.saveState(State.guardRepository, url);
    log.info(`if a later step of this job fails, the post step restores ${snapshot.id}`);
  }
  const seconds = Math.max(0.001, (Date.now() - started) / 1000);
  await summarize(
    { io, env },
    `ripcord backup: snapshot ${snapshot.id}`,
    summaryTable([
      ['snapshot', snapshot.id],
      ['kind', snapshot.kind],
      ['level', snapshot.level ? `${snapshot.level} on ${snapshot.parent} (chain base ${snapshot.base})` : 'full'],
      ['repository', store.properties.location],
      ['files', String(snapshot.files)],
      ['input', `${snapshot.inputBytes} bytes`],
      ['stored', `${snapshot.archiveBytes} bytes`],
      ['archive sha256', snapshot.objects['archive.tar.gz.pgp'].sha256],
      [
        'encryption',
        snapshot.encryption.mode === 'passphrase'
          ? 'passphrase (OpenPGP, AES-256)'
          : `public keys ${snapshot.encryption.recipients.join(', ')}`,
      ],
      ['duration', `${seconds.toFixed(1)} s`],
      ['throughput', formatRate(snapshot.inputBytes / seconds)],
      ['automatic rollback', guard ? 'armed: a failed job restores this snapshot' : 'off'],
    ]),
  );
}
