/**
 * The environment for commands ripcord runs on a user's behalf: deploy commands,
 * validation checks, the rollback hook and state captures. ripcord's own keys are left
 * out: such commands print their environment more often than one would think (a debug
 * `env`, a crash dump, `set -x` in a script), and none of them needs the repository's keys.
 * A command that does must be given them on its own terms. So are the Actions runner's
 * own tokens, which the Action's process holds and a `run:` step never does.
 */
/** ripcord's secrets, as variables and as the Action's inputs (INPUT_<name>). */
export declare const SECRET_VARIABLES: readonly string[];
/**
 * What the GitHub runner gives an Action's own process (and never a `run:` step): the
 * tokens and service URLs of the job's cache, artifacts and OIDC. With them a command
 * could write the very cache entries that ripcord reads back as a repository, or mint
 * the job's identity token.
 */
export declare const ACTIONS_RUNTIME_VARIABLES: readonly string[];
/** `env` without ripcord's secrets and the runner's tokens; undefined (inherit the caller's) stays undefined. */
export declare function commandEnvironment(env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv | undefined;
