// @ts-check
// What the recipes share on their command line: their flags read from zx's argv, the key
// variables read as the CLI reads them, and the one line and exit code they stop with. The
// recipes import it by the package's name, as they import the library, so that a copy of a
// recipe in a project that depends on ripcord-backup finds it too.
import * as path from 'node:path';
import { ExitCode, RipcordError } from 'ripcord-backup';

/**
 * The command line of the recipe `script` (its name in its error line), as zx's `argv` holds it.
 * @param {string} script @param {typeof import('zx').argv} argv
 */
export function commandLine(script, argv) {
  /** Print `usageText` and exit 0 when --help (or -h) is given. @param {string} usageText */
  function answerHelp(usageText) {
    if (argv.help || argv.h) {
      process.stdout.write(usageText);
      process.exit(0);
    }
  }
  /** @param {string} name @param {string} [fallback] @returns {string | undefined} */
  function text(name, fallback) {
    const value = argv[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' && typeof value !== 'number') throw usage(`--${name} needs one value`);
    return String(value);
  }
  /** A repeatable flag's values, as given. @param {string} name @returns {string[]} */
  function list(name) {
    const values = [argv[name] ?? []].flat();
    if (values.some((v) => typeof v === 'boolean')) throw usage(`--${name} needs a value`);
    return values.map(String);
  }
  /** A repeatable flag's values, each also split at its commas; blank ones dropped. @param {string} name */
  function commaList(name) {
    return list(name)
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);
  }
  /** @param {string} name */
  function flag(name) {
    if (typeof argv[name] === 'string') throw usage(`--${name} takes no value (got ${argv[name]})`);
    return Boolean(argv[name]);
  }
  /** Where the recipe works: --directory (-C), else the working directory. */
  function directory() {
    return path.resolve(text('directory') ?? text('C') ?? '.');
  }
  /** The repository as the CLI takes it: --repo, else $RIPCORD_REPO, else ./.ripcord. @param {NodeJS.ProcessEnv} env */
  function repository(env) {
    return text('repo') ?? (env.RIPCORD_REPO || '.ripcord');
  }
  /**
   * The keys' settings as the CLI reads them: the RIPCORD_* variables and --passphrase-file.
   * @param {NodeJS.ProcessEnv} env @returns {import('ripcord-backup').KeyInputs}
   */
  function keyInputsFrom(env) {
    return {
      passphrase: env.RIPCORD_PASSPHRASE,
      passphraseFile: text('passphrase-file'),
      recipients: env.RIPCORD_RECIPIENTS,
      identity: env.RIPCORD_IDENTITY,
      identityPassphrase: env.RIPCORD_IDENTITY_PASSPHRASE,
      signingKey: env.RIPCORD_SIGNING_KEY,
      signingKeyPassphrase: env.RIPCORD_SIGNING_KEY_PASSPHRASE,
      trustedSigners: env.RIPCORD_TRUSTED_SIGNERS,
      warn: (message) => console.error(`warning: ${message}`),
    };
  }
  /** @param {any} error anything thrown @returns {never} */
  function exitWith(error) {
    const known = error instanceof RipcordError; // one line, with the library's exit code; anything else is a bug
    console.error(
      `${script}: ${known ? error.message : `internal error: ${error?.message ?? error} (--debug shows the stack)`}`,
    );
    if (argv.debug) console.error(error?.stack);
    process.exit(known ? error.exitCode : 1);
  }
  return { answerHelp, text, list, commaList, flag, directory, repository, keyInputsFrom, exitWith };
}

/** A wrong or missing flag: exit code 2. @param {string} message */
export function usage(message) {
  return new RipcordError(message, { exitCode: ExitCode.usage });
}
