import type { Reporter } from '../domain/events.ts';
import type { RunNotes } from '../domain/run-record.ts';
import { mergeNotes } from '../domain/run-record.ts';
import { decryptionKeysFrom, encryptionKeysFrom, preRestoreKeysFrom } from '../ops/keys.ts';
import type { KeyInputs } from '../ops/keys.ts';
import { openStore } from '../storage/open-store.ts';
import type { Store } from '../storage/store.ts';
import type { CliContext, OptionValues } from './command.ts';
import { flag, listOption, stringOption } from './command.ts';
import { createProgressReporter } from './progress.ts';
import { UsageError } from '../domain/errors.ts';
import { escapeControlsKeepingLines, escapeJsonControls } from '../domain/untrusted-text.ts';

// where the commands found it before it moved beside Command
export type { CliContext } from './command.ts';

export interface ProcessIo {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** where a question to the user is answered (only when it is a terminal) */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** the clock (default: the system's); a test runs the CLI hours ahead with one of its own */
  now?: () => Date;
}

export function createContext(io: ProcessIo, values: OptionValues): CliContext {
  const json = flag(values, 'json');
  const quiet = flag(values, 'quiet');
  const repository = stringOption(values, 'repo') ?? (io.env.RIPCORD_REPO || '.ripcord');
  const keyInputs: KeyInputs = {
    passphrase: io.env.RIPCORD_PASSPHRASE,
    passphraseFile: stringOption(values, 'passphrase-file'),
    recipients: io.env.RIPCORD_RECIPIENTS,
    identity: io.env.RIPCORD_IDENTITY,
    identityPassphrase: io.env.RIPCORD_IDENTITY_PASSPHRASE,
    signingKey: stringOption(values, 'signing-key') ?? io.env.RIPCORD_SIGNING_KEY,
    signingKeyPassphrase: io.env.RIPCORD_SIGNING_KEY_PASSPHRASE,
    trustedSigners:
      values['trusted-signer'] === undefined
        ? io.env.RIPCORD_TRUSTED_SIGNERS
        : listOption(values, 'trusted-signer').join('\n'),
    allowUnsigned: flag(values, 'allow-unsigned'),
    warn: (message) => reporter.emit({ type: 'warning', message }),
  };
  const stores: Store[] = [];
  const run: { notes: RunNotes; repository?: string } = { notes: {} };
  const progress = createProgressReporter({
    stream: io.stderr,
    quiet: quiet || json,
    interactive: Boolean(io.stderr.isTTY) && io.env.CI !== 'true',
  });
  const reporter: Reporter & { finish(): void } = {
    ...(progress.wantsTotals ? { wantsTotals: true } : {}),
    emit(event) {
      if (event.type === 'warning') run.notes = mergeNotes(run.notes, { warnings: [event.message] });
      progress.emit(event);
    },
    finish: () => progress.finish(),
  };
  return {
    ...io,
    now: io.now ?? (() => new Date()),
    json,
    quiet,
    repository,
    async openRepository() {
      const store = await openStore(
        repository.startsWith('/') || /^[a-z][a-z0-9+.-]*:\/\//i.test(repository)
          ? repository
          : `${io.cwd}/${repository}`,
        {
          s3: s3Options(values),
          env: io.env,
        },
      );
      stores.push(store);
      run.repository ??= store.properties.location;
      return store;
    },
    encryptionKeys: () => encryptionKeysFrom(keyInputs),
    decryptionKeys: () => decryptionKeysFrom(keyInputs),
    preRestoreKeys: () => preRestoreKeysFrom(keyInputs),
    reporter,
    record(notes) {
      run.notes = mergeNotes(run.notes, notes);
    },
    run,
    // Values from the repository are escaped where they are formatted (terminalText); these
    // are the last guard, so that no control character a command forgot reaches the terminal.
    print(line = '') {
      io.stdout.write(`${escapeControlsKeepingLines(line)}\n`);
    },
    printJson(value) {
      io.stdout.write(`${jsonText(value, 2)}\n`);
    },
    async close() {
      await Promise.all(stores.splice(0).map((store) => store.close()));
    },
  };
}

/** JSON with every control character escaped (JSON.stringify leaves DEL, C1 and bidi marks raw). */
export function jsonText(value: unknown, indent?: number): string {
  return escapeJsonControls(JSON.stringify(value, null, indent));
}

/** --s3-* flags as S3 store options; the store validates values and names the flag at fault. */
function s3Options(values: OptionValues): Record<string, unknown> {
  const days = stringOption(values, 's3-object-lock-days');
  if (days !== undefined && !/^[1-9]\d*$/.test(days))
    throw new UsageError(`--s3-object-lock-days ${days}: give a whole number of days`);
  const options: Record<string, unknown> = {
    endpoint: stringOption(values, 's3-endpoint'),
    region: stringOption(values, 's3-region'),
    sse: stringOption(values, 's3-sse'),
    kmsKeyId: stringOption(values, 's3-kms-key-id'),
    storageClass: stringOption(values, 's3-storage-class'),
    objectLockDays: days === undefined ? undefined : Number(days),
    objectLockMode: stringOption(values, 's3-object-lock-mode'),
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
