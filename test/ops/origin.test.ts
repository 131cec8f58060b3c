/**
 * Where a snapshot comes from (ops/origin.ts), read from a real git work tree: the commit,
 * the branch unless detached, the remote without credentials; nothing when there is no commit
 * or no repository.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeOrigin } from '../../src/ops/origin.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.test',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.test',
};
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();

test('a work tree on a branch: its commit, branch and remote (the token in the URL left out), also beside a file named HEAD', async () => {
  const dir = await tempDir();
  try {
    git(dir, 'init', '-q', '-b', 'release/2.0');
    await fs.writeFile(path.join(dir, 'HEAD'), 'a file, not a revision\n');
    git(dir, 'add', 'HEAD');
    git(dir, 'commit', '-q', '-m', 'first');
    git(dir, 'remote', 'add', 'origin', 'https://x-access-token:ghs_secret@github.com/acme/app.git');
    const origin = await describeOrigin(dir, {});
    assert.equal(origin.git, {
      commit: git(dir, 'rev-parse', '--verify', 'HEAD'),
      branch: 'release/2.0',
      remote: 'https://github.com/acme/app.git',
    });
  } finally {
    await removeDir(dir);
  }
});

test('a detached HEAD has a commit and no branch; a repository without a commit, or no repository, has no git at all', async () => {
  const dir = await tempDir();
  try {
    const repo = path.join(dir, 'repo');
    await fs.mkdir(repo);
    git(repo, 'init', '-q');
    assert.is((await describeOrigin(repo, {})).git, undefined, 'no commit yet');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'first');
    git(repo, 'checkout', '-q', '--detach');
    assert.equal((await describeOrigin(repo, {})).git, { commit: git(repo, 'rev-parse', '--verify', 'HEAD') });
    const plain = path.join(dir, 'plain');
    await fs.mkdir(plain);
    assert.is((await describeOrigin(plain, {})).git, undefined, 'not a repository (the temporary folder is in none)');
  } finally {
    await removeDir(dir);
  }
});

test.run();
