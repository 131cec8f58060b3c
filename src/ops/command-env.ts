/**
 * The environment for commands ripcord runs on a user's behalf: deploy commands,
 * validation checks, the rollback hook and state captures. ripcord's own keys are left
 * out: such commands print their environment more often than one would think (a debug
 * `env`, a crash dump, `set -x` in a script), and none of them needs the repository's keys.
 * A command that does must be given them on its own terms.
 */

/** ripcord's secrets, as variables and as the Action's inputs (INPUT_<name>). */
export const SECRET_VARIABLES: readonly string[] = [
  'RIPCORD_PASSPHRASE',
  'RIPCORD_IDENTITY',
  'RIPCORD_IDENTITY_PASSPHRASE',
  'RIPCORD_SIGNING_KEY',
  'RIPCORD_SIGNING_KEY_PASSPHRASE',
  'RIPCORD_NOTIFY_WEBHOOK',
  'INPUT_PASSPHRASE',
  'INPUT_IDENTITY',
  'INPUT_IDENTITY-PASSPHRASE',
  'INPUT_SIGNING-KEY',
  'INPUT_SIGNING-KEY-PASSPHRASE',
];

/** `env` without ripcord's secrets; undefined (inherit the caller's) stays undefined. */
export function commandEnvironment(env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv | undefined {
  if (env === undefined) return undefined;
  const clean = { ...env };
  for (const name of SECRET_VARIABLES) delete clean[name];
  return clean;
}
