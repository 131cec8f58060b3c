/**
 * docs/cli.md is the help of every command, generated from the command table: this test
 * fails when they drift. Regenerate with `npm run docs`.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatHelp } from '../../src/cli/command.ts';
import { COMMANDS } from '../../src/cli/main.ts';
import { PROJECT_ROOT } from '../helpers/cli.ts';

function render(): string {
  const sections = COMMANDS.map((command) => `## ripcord ${command.name}\n\n${command.summary}\n\n\`\`\`text\n${formatHelp(command).trimEnd()}\n\`\`\`\n`);
  return [
    '# ripcord command reference',
    '',
    '<!-- generated from the command table by `npm run docs`; do not edit by hand -->',
    '',
    'Every command accepts `--help`, `--json`, `--repo URL`, `--quiet`, `--debug` and the S3 options.',
    'Exit codes: 0 success; 1 failure (one line on stderr); 2 a usage error; `deploy` adds 10 (rolled back)',
    'and 20 (the rollback failed: a human must act).',
    '',
    ...COMMANDS.map((c) => `- [${c.name}](#ripcord-${c.name}): ${c.summary}`),
    '',
    ...sections,
  ].join('\n');
}

test('docs/cli.md documents every command and option exactly as --help prints them (npm run docs regenerates it)', async () => {
  const file = path.join(PROJECT_ROOT, 'docs/cli.md');
  const expected = render();
  if (process.env.UPDATE_DOCS === '1') await fs.writeFile(file, expected);
  const actual = await fs.readFile(file, 'utf8').catch(() => '');
  assert.ok(actual === expected, 'docs/cli.md is out of date: run npm run docs');
});

test.run();
