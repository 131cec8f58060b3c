/**
 * The ripcord command line: find the command, parse its options, run it, and turn any
 * failure into one line on stderr and an exit code.
 */
import { isRipcordError, UsageError } from '../domain/errors.ts';
import { escapeControls } from '../domain/untrusted-text.ts';
import { VERSION } from '../ops/version.ts';
import type { Command, OptionValues } from './command.ts';
import { flag, formatHelp, GLOBAL_OPTIONS, parseCommandLine, stringOption } from './command.ts';
import { applyConfig, loadConfig } from './config-file.ts';
import { auditCommand } from './commands/audit.ts';
import { backupCommand } from './commands/backup.ts';
import { checkCommand } from './commands/check.ts';
import { copyCommand } from './commands/copy.ts';
import { deployCommand } from './commands/deploy.ts';
import { diffCommand } from './commands/diff.ts';
import { dumpCommand } from './commands/dump.ts';
import { mergeCommand } from './commands/merge.ts';
import { listCommand } from './commands/list.ts';
import { lsCommand } from './commands/ls.ts';
import { pruneCommand } from './commands/prune.ts';
import { restoreCommand } from './commands/restore.ts';
import { rollbackCommand } from './commands/rollback.ts';
import { showCommand } from './commands/show.ts';
import { verifyCommand } from './commands/verify.ts';
import type { CliContext, ProcessIo } from './context.ts';
import { createContext } from './context.ts';
import { checkMonitoringOptions, observeRun, withMonitoring } from './observe.ts';
import { closeMatches } from '../domain/suggest.ts';

export const COMMANDS: Command[] = [
  backupCommand,
  listCommand,
  showCommand,
  lsCommand,
  verifyCommand,
  restoreCommand,
  diffCommand,
  dumpCommand,
  pruneCommand,
  mergeCommand,
  deployCommand,
  rollbackCommand,
  copyCommand,
  checkCommand,
  auditCommand,
].map(withMonitoring);

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'ripcord: snapshot before you deploy, roll back when it fails.',
    '',
    'Usage: ripcord <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Environment:',
    '  RIPCORD_REPO                  repository (default ./.ripcord)',
    '  RIPCORD_PASSPHRASE            passphrase for passphrase-mode snapshots',
    '  RIPCORD_RECIPIENTS            armored public keys (inline or file paths) for public-key mode',
    '  RIPCORD_IDENTITY              armored private key (inline or a file path) to read public-key snapshots',
    '  RIPCORD_IDENTITY_PASSPHRASE   passphrase of that private key',
    '  RIPCORD_NOTIFY_WEBHOOK        Slack-compatible webhook for failures and rollbacks (--notify-webhook)',
    '',
    'Configuration: ./ripcord.config.json (or --config FILE): backup sets (--set NAME), monitoring.',
    '',
    'Run "ripcord <command> --help" for the options of a command.',
    'Emergency restore without ripcord: gpg -d archive.tar.gz.pgp | tar -xz',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: ProcessIo): Promise<number> {
  const debug = argv.includes('--debug');
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.stdout.write(topic ? formatHelp(topic) : mainHelp());
    return 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  let context: CliContext | undefined;
  // observation (observe.ts) happens once the command has finished or failed
  let observed: { command: Command; values: OptionValues } | undefined;
  const startedAt = new Date();
  let exitCode = 1;
  let failure: unknown;
  try {
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) {
      throw new UsageError(
        name.startsWith('-') ? `${name} must come after a command (see ripcord --help)` : unknownCommand(name),
      );
    }
    const parsed = parseCommandLine(command, rest);
    if (flag(parsed.values, 'help')) {
      io.stdout.write(formatHelp(command));
      return 0;
    }
    const { values, positionals } = applyConfig(
      command,
      parsed.values,
      parsed.positionals,
      await loadConfig(io.cwd, stringOption(parsed.values, 'config')),
    );
    checkMonitoringOptions(command, values, io.env);
    context = createContext(io, values);
    observed = { command, values };
    return (exitCode = await command.run(context, values, positionals));
  } catch (error) {
    failure = error;
    context?.reporter.finish();
    if (isRipcordError(error)) {
      // a message may quote the repository (a tag, a lock holder, a path): one line, shown literally
      io.stderr.write(`ripcord: ${escapeControls(error.message)}\n`);
      if (debug && error.stack)
        io.stderr.write(`${error.stack}\n${error.cause instanceof Error ? `caused by: ${error.cause.stack}\n` : ''}`);
      return (exitCode = error.exitCode);
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(
      `ripcord: internal error: ${escapeControls(message)}${debug ? '' : ' (run again with --debug for details, and please report it)'}\n`,
    );
    if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return (exitCode = 1);
  } finally {
    if (context && observed)
      await observeRun(context, observed.command, observed.values, { startedAt, exitCode, error: failure }).catch(
        () => {},
      );
    await context?.close().catch(() => {});
  }
}

export { GLOBAL_OPTIONS };

function unknownCommand(name: string): string {
  const close = closeMatches(
    name,
    COMMANDS.map((c) => c.name),
  );
  return `unknown command ${name}: ${close.length > 0 ? `did you mean ${close.join(' or ')}? ` : ''}see ripcord --help`;
}
