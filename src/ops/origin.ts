/** Where a snapshot comes from: host, user, git state, CI run. Never a secret. */
import { hostname, userInfo } from 'node:os';
import { promisify } from 'node:util';
import type { SnapshotMetadata } from '../domain/snapshot.ts';

export type Origin = Pick<SnapshotMetadata, 'host' | 'user' | 'git' | 'ci'>;

export async function describeOrigin(cwd: string, env: NodeJS.ProcessEnv): Promise<Origin> {
  const origin: Origin = { host: hostname(), user: currentUser(env) };
  const git = await describeGit(cwd);
  if (git) origin.git = git;
  if (env.GITHUB_ACTIONS === 'true') {
    const runUrl =
      env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
        ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
        : undefined;
    origin.ci = {
      provider: 'github-actions',
      ...(env.GITHUB_RUN_ID ? { runId: env.GITHUB_RUN_ID } : {}),
      ...(runUrl ? { runUrl } : {}),
      ...(env.GITHUB_ACTOR ? { actor: env.GITHUB_ACTOR } : {}),
      ...(env.GITHUB_WORKFLOW ? { workflow: env.GITHUB_WORKFLOW } : {}),
      ...(env.GITHUB_REF ? { ref: env.GITHUB_REF } : {}),
    };
  }
  return origin;
}

/** Who ran an operation and where, for audit records and reports: $GITHUB_ACTOR when set, else the OS user. */
export function describeActor(env: NodeJS.ProcessEnv): { host: string; actor: string; ciRunUrl?: string } {
  const ciRunUrl =
    env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  return { host: hostname(), actor: env.GITHUB_ACTOR || currentUser(env), ...(ciRunUrl ? { ciRunUrl } : {}) };
}

function currentUser(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? env.USERNAME ?? 'unknown';
  }
}

async function describeGit(cwd: string): Promise<Origin['git']> {
  // node:child_process is loaded here, not with the module: it costs every command about 6 ms
  // of start-up, and only the commands that record an origin need it
  const { execFile } = await import('node:child_process');
  const run = promisify(execFile);
  const git = async (...args: string[]) => (await run('git', args, { cwd, timeout: 5000 })).stdout.trim();
  try {
    // Two processes, at once: each is a process start on a deploy's critical path. The first
    // prints the commit, then the branch (HEAD when detached), then the `--` that makes HEAD a
    // revision even beside a file of that name; it fails when there is no commit yet.
    const [revisions, remote] = await Promise.all([
      git('rev-parse', 'HEAD', '--abbrev-ref', 'HEAD', '--'),
      git('config', '--get', 'remote.origin.url').catch(() => ''),
    ]);
    const [commit = '', branch = ''] = revisions.split('\n');
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) return undefined;
    return {
      commit,
      ...(branch && branch !== 'HEAD' ? { branch } : {}),
      ...(remote ? { remote: withoutCredentials(remote) } : {}),
    };
  } catch {
    return undefined; // not a git work tree, no commit yet, or no git
  }
}

/** https://token@github.com/o/r -> https://github.com/o/r: a remote URL may carry a token. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
}
