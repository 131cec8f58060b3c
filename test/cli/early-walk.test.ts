import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { likelyChainLink } from '../../src/cli/early-walk.ts';

test('a chain link is likely for an incremental, differential or auto backup, a set, and a deploy unless it asks for a full one', () => {
  const likely = [
    ['backup', '--level', 'incremental', 'app'],
    ['backup', 'app', '--level=differential'],
    ['backup', '--level', 'auto'],
    ['backup', '--set', 'nightly'],
    ['backup', '--set=nightly'],
    ['deploy', '--paths', 'state', '--', 'sh', '-c', 'x'],
    ['deploy', '--level', 'incremental', '--', 'make', '--level', 'full'],
  ];
  const unlikely = [
    ['backup', 'app'],
    ['backup', '--level', 'full', '--set', 'nightly'],
    ['backup', '--level', 'incremental', '--help'],
    ['deploy', '-h'],
    ['deploy', '--level', 'full', '--', 'make', '--level', 'incremental'],
    ['restore', 'latest'],
    ['list', '--level', 'incremental'],
    [],
  ];
  for (const args of likely) assert.ok(likelyChainLink(args), args.join(' '));
  for (const args of unlikely) assert.not.ok(likelyChainLink(args), args.join(' '));
});

test.run();
