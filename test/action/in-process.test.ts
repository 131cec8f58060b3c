/**
 * The Action's main step run in this process, through an in-memory ActionIo in place of the
 * runner's (inputs given, outputs, state, log lines and the summary kept): the seam that lets
 * most Action tests run without spawning the bundle. The real repository, keys and files are used.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ActionIo } from '../../src/action/action-io.ts';
import { runMain } from '../../src/action/run-main.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const PASSPHRASE = 'In-Process-Action-Passphrase-5d1e';

function memoryIo(inputs: Record<string, string>) {
  const step = {
    outputs: {} as Record<string, string>,
    state: {} as Record<string, string>,
    log: [] as string[],
    failed: [] as string[],
    summaries: [] as string[],
  };
  const io: ActionIo = {
    getInput: (name) => inputs[name] ?? '',
    setOutput: (name, value) => void (step.outputs[name] = value),
    saveState: (name, value) => void (step.state[name] = value),
    getState: (name) => step.state[name] ?? '',
    setSecret: () => {},
    group: (_name, body) => body(),
    info: (line) => void step.log.push(line),
    warning: (line) => void step.log.push(`warning: ${line}`),
    notice: (line) => void step.log.push(`notice: ${line}`),
    debug: () => {},
    setFailed: (line) => void step.failed.push(line),
    writeSummary: async (heading, rows) =>
      void step.summaries.push([heading, ...rows.map(([k, v]) => `${k}: ${v}`)].join('\n')),
  };
  return { io, step };
}

async function workspace() {
  const dir = await tempDir();
  await fs.mkdir(path.join(dir, 'config'), { recursive: true });
  await fs.writeFile(path.join(dir, 'config/app.yaml'), 'replicas: 2\n');
  return { dir, env: { GITHUB_WORKSPACE: dir, GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md') } };
}

test('in process, through an in-memory ActionIo: a backup step sets its outputs and summary, and a list step then finds the snapshot', async () => {
  const { dir, env } = await workspace();
  try {
    const backup = memoryIo({ command: 'backup', paths: 'config', passphrase: PASSPHRASE });
    await runMain({ env, io: backup.io });
    assert.equal(backup.step.failed, []);
    assert.match(backup.step.outputs['snapshot-id']!, /^\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{4}$/);
    assert.is(backup.step.outputs['file-count'], '1');
    assert.match(
      backup.step.summaries[0]!,
      new RegExp(`^ripcord backup: snapshot ${backup.step.outputs['snapshot-id']!.replace('.', '\\.')}\n`),
    );
    const list = memoryIo({ command: 'list' });
    await runMain({ env, io: list.io });
    assert.equal(list.step.failed, []);
    assert.is(list.step.outputs['snapshot-id'], backup.step.outputs['snapshot-id']);
  } finally {
    await removeDir(dir);
  }
});

test('in process: level incremental takes a link on the previous snapshot and names it in the summary; an unknown level fails the step naming the input', async () => {
  const { dir, env } = await workspace();
  try {
    const first = memoryIo({ command: 'backup', paths: 'config', passphrase: PASSPHRASE, level: 'incremental' });
    await runMain({ env, io: first.io });
    assert.equal(first.step.failed, []);
    assert.ok(
      first.step.log.some((line) => line.includes('a full snapshot, not incremental: no earlier snapshot')),
      first.step.log.join('\n'),
    );
    await fs.writeFile(path.join(dir, 'config/app.yaml'), 'replicas: 3\n');
    const second = memoryIo({ command: 'backup', paths: 'config', passphrase: PASSPHRASE, level: 'incremental' });
    await runMain({ env, io: second.io });
    assert.equal(second.step.failed, []);
    const base = first.step.outputs['snapshot-id']!;
    assert.match(second.step.summaries[0]!, `level: incremental on ${base} (chain base ${base})`);
    const bad = memoryIo({ command: 'backup', paths: 'config', passphrase: PASSPHRASE, level: 'hourly' });
    await runMain({ env, io: bad.io });
    assert.equal(bad.step.failed.length, 1);
    assert.match(bad.step.failed[0]!, /level/);
    assert.match(bad.step.failed[0]!, 'is not one of full, incremental, differential, auto');
  } finally {
    await removeDir(dir);
  }
});

test('in process, through an in-memory ActionIo: an unknown kind fails the step with one line naming the input, before any snapshot is taken', async () => {
  const { dir, env } = await workspace();
  try {
    const { io, step } = memoryIo({ command: 'backup', paths: 'config', passphrase: PASSPHRASE, kind: 'weekly' });
    await runMain({ env, io });
    assert.is(step.failed.length, 1);
    assert.match(step.failed[0]!, /^input kind: "weekly" is not one of manual, /);
    assert.equal(step.outputs, {});
    assert.is(
      await fs.stat(path.join(dir, '.ripcord')).then(
        () => 'exists',
        () => 'absent',
      ),
      'absent',
    );
  } finally {
    await removeDir(dir);
  }
});

test.run();
