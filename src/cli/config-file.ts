/**
 * The configuration file as defaults for the command line. main.ts loads it (--config
 * FILE, else ./ripcord.config.json when there is one) and, before a command runs, fills
 * in every option the command line left out: the top-level repository and monitoring
 * settings for every command, and with --set NAME the set's paths, excludes, captures,
 * directory, repository, copy-to, tags, kind, max-age and retention. A flag given on the
 * command line always wins; keep-* flags replace a set's whole retention policy.
 *
 * Relative paths in the file (local repositories, directory, metrics file) are relative
 * to the file's folder, so the same file works from cron, CI and a shell anywhere.
 * Repository precedence: --repo, the set's, the file's, $RIPCORD_REPO, ./.ripcord.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CONFIG_FILE_NAME, DEFAULT_SET_KIND, KEEP_COUNT_KEYS, parseConfig, setTag } from '../domain/config.ts';
import type { RipcordConfig } from '../domain/config.ts';
import { UsageError } from '../domain/errors.ts';
import type { Command, OptionSpec, OptionValues } from './command.ts';
import { GLOBAL_OPTIONS, listOption, stringOption } from './command.ts';

export interface LoadedConfig {
  config: RipcordConfig;
  /** absolute path of the file */
  file: string;
  /** how messages name it: as given to --config, or ripcord.config.json */
  display: string;
}

const KEEP_FLAGS = [...KEEP_COUNT_KEYS, 'keep-within', 'keep-tag'] as const;

/** The configuration file in effect, or undefined when there is none. */
export async function loadConfig(cwd: string, explicit: string | undefined): Promise<LoadedConfig | undefined> {
  const display = explicit ?? CONFIG_FILE_NAME;
  const file = path.resolve(cwd, display);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (explicit === undefined && code === 'ENOENT') return undefined;
    throw new UsageError(
      `--config ${display}: cannot read it (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : ((error as Error).message ?? code)})`,
    );
  }
  return { config: parseConfig(text, display), file, display };
}

/** The option values and positionals a command runs with: the command line over the file. */
export function applyConfig(
  command: Command,
  values: OptionValues,
  positionals: string[],
  loaded: LoadedConfig | undefined,
): { values: OptionValues; positionals: string[] } {
  const out: OptionValues = { ...values };
  const given = (name: string) => values[name] !== undefined;
  const accepts = (name: string) => name in command.options || name in GLOBAL_OPTIONS;
  const fill = (name: string, value: OptionValues[string]) => {
    if (value !== undefined && accepts(name) && !given(name)) out[name] = value;
  };
  const setName = stringOption(values, 'set');
  if (!loaded) {
    if (setName !== undefined) {
      throw new UsageError(
        `--set ${setName} needs a configuration file: ${CONFIG_FILE_NAME} in the working directory, or --config FILE`,
      );
    }
    return { values: out, positionals };
  }
  const { config } = loaded;
  const base = path.dirname(loaded.file);
  const local = (p: string) => path.resolve(base, p);
  const repository = (url: string) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : local(url));

  fill('repo', config.repository === undefined ? undefined : repository(config.repository));
  fill('signing-key', config['signing-key'] === undefined ? undefined : local(config['signing-key']));
  fill(
    'trusted-signer',
    config['trusted-signers']?.map((signer) => (/^(0x)?[0-9a-f\s]+$/i.test(signer) ? signer : local(signer))),
  );
  fill('metrics-file', config.metrics?.file === undefined ? undefined : local(config.metrics.file));
  fill('pushgateway', config.metrics?.pushgateway);
  fill(
    'metrics-label',
    config.metrics?.labels && Object.entries(config.metrics.labels).map(([name, value]) => `${name}=${value}`),
  );
  fill('notify-webhook', config.notify?.webhook);
  fill('notify-on', config.notify?.on);
  if (setName === undefined) return { values: out, positionals };

  const set = config.sets?.[setName];
  if (!set) {
    const names = Object.keys(config.sets ?? {});
    throw new UsageError(
      `there is no set ${JSON.stringify(setName)} in ${loaded.display} (${names.length ? `its sets: ${names.join(', ')}` : 'it defines no sets'})`,
    );
  }
  if (set.repository !== undefined && !given('repo')) out.repo = repository(set.repository);
  const scope = [...listOption(values, 'tag'), setTag(setName)];
  switch (command.name) {
    case 'backup':
      if (positionals.length === 0) positionals = [...set.paths];
      fill('directory', local(set.directory ?? '.'));
      fill('exclude', set.excludes);
      fill('capture', set.captures && Object.entries(set.captures).map(([name, cmd]) => `${name}=${cmd}`));
      fill('kind', set.kind ?? DEFAULT_SET_KIND);
      fill('level', set.level);
      fill('full-every', set['full-every']);
      fill('max-chain', set['max-chain'] === undefined ? undefined : String(set['max-chain']));
      fill('copy-to', set['copy-to'] === undefined ? undefined : repository(set['copy-to']));
      out.tag = [...(given('tag') ? listOption(values, 'tag') : (set.tags ?? [])), setTag(setName)];
      break;
    case 'prune':
      if (!KEEP_FLAGS.some(given)) {
        if (!set.retention) {
          throw new UsageError(
            `set ${setName} in ${loaded.display} has no "retention": add one, or give --keep-* flags`,
          );
        }
        for (const [key, value] of Object.entries(set.retention))
          out[key] = Array.isArray(value) ? value.map(String) : String(value);
      }
      out.tag = scope;
      break;
    case 'check':
      fill('max-age', set['max-age']);
      out.tag = scope;
      break;
    default:
      out.tag = scope;
  }
  return { values: out, positionals };
}

/** The --set option, for commands that take one. */
export const SET_OPTION: OptionSpec = {
  type: 'string',
  value: 'NAME',
  description: `use the backup set NAME of the configuration file (--config, default ./${CONFIG_FILE_NAME}); flags override it`,
};
