/**
 * The workflows users copy (workflows/) and ripcord's own CI (.github/workflows/) are
 * workflows GitHub accepts, and they use only inputs and outputs that action.yml has;
 * docs/action.md documents exactly action.yml's inputs and outputs; and its
 * @github/local-action recipe really runs.
 *
 * @actions/workflow-parser is ESM that imports its JSON schemas without an import
 * attribute, which plain Node refuses. tsx, which runs these tests, loads such JSON
 * imports itself, so the package is imported directly here: no bundling step needed.
 * Its converted workflow model drops steps' `with:`, so those are read with `yaml`, the
 * YAML parser the workflow parser itself depends on.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { convertActionTemplate, parseAction } from '@actions/workflow-parser/actions/index';
import type { ActionTemplate } from '@actions/workflow-parser/actions/index';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml, parseDocument } from 'yaml';
import { COMMANDS, Inputs, Outputs } from '../../src/action/names.ts';
import { cleanEnv, PROJECT_ROOT } from '../helpers/cli.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const EXPECTED_WORKFLOWS = [
  '.github/workflows/ci.yml',
  'workflows/pre-deploy.yml',
  'workflows/rollback.yml',
  'workflows/scheduled-backup.yml',
];

async function workflowFiles(): Promise<string[]> {
  const files: string[] = [];
  for (const dir of ['workflows', '.github/workflows']) {
    for (const name of await fs.readdir(path.join(PROJECT_ROOT, dir)).catch(() => [] as string[])) {
      if (/\.ya?ml$/.test(name)) files.push(`${dir}/${name}`);
    }
  }
  return files.sort();
}

/** Every error GitHub's parser reports: schema, expressions, then the conversion to a workflow model. */
async function workflowErrors(name: string, content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length === 0 && parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    errors.push(...(template.errors ?? []).map((e) => e.Message));
  }
  return errors;
}

async function loadAction(): Promise<{ action: ActionTemplate; errors: string[] }> {
  const content = await fs.readFile(path.join(PROJECT_ROOT, 'action.yml'), 'utf8');
  const parsed = parseAction({ name: 'action.yml', content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  assert.ok(parsed.value, `action.yml did not parse: ${errors.join('; ')}`);
  return { action: convertActionTemplate(parsed.context, parsed.value), errors };
}

interface WorkflowStep {
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
}

/** Steps that run this Action: `uses: ./` in ripcord's CI, `uses: owner/ripcord@ref` in the examples. */
function ripcordSteps(workflow: { jobs?: Record<string, { steps?: WorkflowStep[] }> }): WorkflowStep[] {
  return Object.values(workflow.jobs ?? {})
    .flatMap((job) => job.steps ?? [])
    .filter((step) => step.uses === './' || /^[\w.-]+\/ripcord@/.test(step.uses ?? ''));
}

test('the three example workflows and the project CI are there', async () => {
  const files = await workflowFiles();
  for (const expected of EXPECTED_WORKFLOWS)
    assert.ok(files.includes(expected), `${expected} is missing (found ${files.join(', ')})`);
});

test("every workflow in workflows/ and .github/workflows/ passes GitHub's workflow parser without an error", async () => {
  const files = await workflowFiles();
  assert.ok(files.length >= EXPECTED_WORKFLOWS.length);
  for (const file of files) {
    const errors = await workflowErrors(file, await fs.readFile(path.join(PROJECT_ROOT, file), 'utf8'));
    assert.equal(errors, [], `${file}: ${errors.join('\n')}`);
  }
});

test('a broken copy of each workflow is rejected: unknown top-level key, job without runs-on, unknown event, unclosed expression', async () => {
  const breakages: {
    what: string;
    expected: RegExp;
    apply: (doc: ReturnType<typeof parseDocument>, firstJob: string) => void;
  }[] = [
    {
      what: 'unknown top-level key',
      expected: /Unexpected value 'frobnicate'/,
      apply: (doc) => doc.set('frobnicate', true),
    },
    {
      what: 'job without runs-on',
      expected: /Required property is missing: runs-on/,
      apply: (doc, job) => doc.deleteIn(['jobs', job, 'runs-on']),
    },
    {
      what: 'unknown event',
      expected: /Unexpected value 'deploy_finished'/,
      apply: (doc) => doc.set('on', 'deploy_finished'),
    },
    {
      what: 'unclosed expression',
      expected: /expression is not closed/,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression, deliberately left unclosed
      apply: (doc) => doc.setIn(['env', 'BROKEN'], '${{ github.sha }'),
    },
  ];
  for (const file of await workflowFiles()) {
    const content = await fs.readFile(path.join(PROJECT_ROOT, file), 'utf8');
    for (const breakage of breakages) {
      const doc = parseDocument(content);
      const firstJob = Object.keys((doc.toJS() as { jobs: Record<string, unknown> }).jobs)[0]!;
      breakage.apply(doc, firstJob);
      const broken = doc.toString();
      assert.is.not(broken, content);
      const errors = await workflowErrors(file, broken);
      assert.ok(
        errors.some((e) => breakage.expected.test(e)),
        `${file} with ${breakage.what} was not rejected as expected: ${JSON.stringify(errors)}`,
      );
    }
  }
});

test('action.yml is a valid action: node24, main and post bundles from dist/, post only when the job failed or was cancelled', async () => {
  const { action, errors } = await loadAction();
  assert.equal(errors, []);
  assert.equal(action.runs, {
    using: 'node24',
    main: 'dist/action/main.js',
    pre: undefined,
    preIf: undefined,
    post: 'dist/action/post.js',
    postIf: 'failure() || cancelled()',
  });
});

test('src/action/names.ts names exactly the inputs and outputs of action.yml', async () => {
  const { action } = await loadAction();
  assert.equal(Object.values(Inputs).sort(), (action.inputs ?? []).map((i) => i.id).sort());
  assert.equal(Object.values(Outputs).sort(), (action.outputs ?? []).map((o) => o.id).sort());
});

test('every with: key of a ripcord step is an input of action.yml, its command is a command, and every output read from it is an output', async () => {
  const { action } = await loadAction();
  const inputs = new Set((action.inputs ?? []).map((i) => i.id));
  const outputs = new Set((action.outputs ?? []).map((o) => o.id));
  for (const file of await workflowFiles()) {
    const content = await fs.readFile(path.join(PROJECT_ROOT, file), 'utf8');
    const steps = ripcordSteps(parseYaml(content));
    if (EXPECTED_WORKFLOWS.includes(file)) assert.ok(steps.length > 0, `${file} has no ripcord step`);
    for (const step of steps) {
      const keys = Object.keys(step.with ?? {});
      assert.equal(
        keys.filter((k) => !inputs.has(k)),
        [],
        `${file}: step ${step.id ?? step.uses} uses inputs action.yml does not have`,
      );
      const command = String(step.with?.command ?? 'backup');
      assert.ok((COMMANDS as readonly string[]).includes(command), `${file}: unknown command ${command}`);
    }
    const ripcordIds = new Set(steps.map((s) => s.id).filter(Boolean));
    for (const [, id, output] of content.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      if (ripcordIds.has(id!))
        assert.ok(outputs.has(output!), `${file}: steps.${id}.outputs.${output} is not an output of action.yml`);
    }
  }
});

/** Files that tell users when the post step runs: they must all tell the same thing. */
async function filesAboutThePostStep(): Promise<string[]> {
  const files = ['README.md', 'action.yml', ...(await workflowFiles())];
  for (const dir of ['docs', 'src/action']) {
    for (const name of await fs.readdir(path.join(PROJECT_ROOT, dir)))
      if (/\.(md|ts)$/.test(name)) files.push(`${dir}/${name}`);
  }
  return files;
}

test("every post-if quoted in the docs, the workflows and the Action's source is action.yml's, and none says a cancelled job is not rolled back", async () => {
  const { action } = await loadAction();
  const declared = (action.runs as { postIf?: string }).postIf ?? '';
  assert.is(declared, 'failure() || cancelled()');
  const quoted: string[] = [];
  for (const file of await filesAboutThePostStep()) {
    // one line per sentence: comment markers and line breaks out of the way
    const text = (await fs.readFile(path.join(PROJECT_ROOT, file), 'utf8')).replace(/\n[\s#*/]*/g, ' ');
    const condition =
      /\b(?:failure|cancelled|always|success)\(\)(?:\s*(?:\|\||&&)\s*(?:failure|cancelled|always|success)\(\))*/.source;
    for (const [, expression] of text.matchAll(new RegExp(`post-if:\\s*['"\`]?(${condition})`, 'g'))) {
      quoted.push(file);
      assert.is(expression!.replace(/\s+/g, ' '), declared, `${file} quotes post-if: ${expression}`);
    }
    if (declared.includes('cancelled()')) {
      assert.not.match(
        text,
        /not rolled back[^.]{0,40}cancel|cancel[^.]{0,60}(?:is|are) not rolled back/i,
        `${file} says cancelled jobs are not rolled back`,
      );
    }
  }
  for (const file of ['docs/action.md', 'workflows/pre-deploy.yml', 'src/action/run-post.ts'])
    assert.ok(quoted.includes(file), `${file} no longer says when the post step runs`);
});

test('the example workflows run no npm package but ripcord-backup, installed at exactly the version of package.json, and never through npx', async () => {
  const { version } = JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  let installs = 0;
  for (const file of (await workflowFiles()).filter((f) => f.startsWith('workflows/'))) {
    const workflow = parseYaml(await fs.readFile(path.join(PROJECT_ROOT, file), 'utf8')) as {
      jobs: Record<string, { steps?: { run?: string }[] }>;
    };
    for (const step of Object.values(workflow.jobs).flatMap((job) => job.steps ?? [])) {
      for (const line of (step.run ?? '').split('\n')) {
        assert.not.match(
          line,
          /(^|[\s;&|(])(npx|npm\s+(exec|x))\s/,
          `${file}: ${line.trim()}: npx runs whatever the registry holds under a name`,
        );
        const install = /(?:^|[\s;&|(])npm\s+(?:install|i|add)\s+(.*)/.exec(line);
        if (!install) continue;
        const packages = install[1]!.split(/\s+/).filter((word) => word && !word.startsWith('-'));
        assert.equal(packages, [`ripcord-backup@${version}`], `${file}: ${line.trim()}`);
        installs += 1;
      }
    }
  }
  assert.ok(installs > 0, 'scheduled-backup.yml installs the CLI for its metrics step');
});

/** `| \`name\` | cell | ...` rows of the tables in one `## ` section of a markdown file. */
function tableRows(markdown: string, heading: string): Map<string, string> {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `no "## ${heading}" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  const rows = new Map<string, string>();
  for (const [, name, cell] of section.matchAll(/^\|\s*`([^`]+)`\s*\|\s*([^|]*?)\s*\|/gm)) rows.set(name!, cell!);
  return rows;
}

test('docs/action.md has a table row for every input (with its default) and every output of action.yml, and none for anything else', async () => {
  const { action } = await loadAction();
  const docs = await fs.readFile(path.join(PROJECT_ROOT, 'docs/action.md'), 'utf8');
  const inputRows = tableRows(docs, 'Inputs');
  const documentedDefault = (cell: string) => (cell === '—' ? '' : cell.replace(/^`(.*)`$/, '$1'));
  const actionInputs = action.inputs ?? [];
  assert.equal([...inputRows.keys()].sort(), actionInputs.map((i) => i.id).sort());
  for (const input of actionInputs) {
    assert.is(
      documentedDefault(inputRows.get(input.id)!),
      input.default?.toString() ?? '',
      `the documented default of ${input.id}`,
    );
  }
  assert.equal([...tableRows(docs, 'Outputs').keys()].sort(), (action.outputs ?? []).map((o) => o.id).sort());
});

/** Run a shell script with a time limit; on timeout its whole process group is killed. */
function runScript(
  script: string,
  options: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-s'], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), options.timeoutMs);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.end(script);
  });
}

test('the documented @github/local-action command runs the main entry point: a backup in a temp workspace makes a snapshot', async () => {
  const docs = await fs.readFile(path.join(PROJECT_ROOT, 'docs/action.md'), 'utf8');
  const block = /<!-- local-action-example -->\n```sh\n([\s\S]*?)\n```/.exec(docs);
  assert.ok(block, 'docs/action.md has no local-action example block');
  assert.match(block[1]!, /^npx local-action run \. "\$dir\/main\.ts" "\$dir\/\.env"$/m);
  const tmp = await tempDir('ripcord-local-action-');
  try {
    // the block makes its folder with mktemp -d: under TMPDIR, so under tmp
    const run = await runScript(block[1]!, { cwd: PROJECT_ROOT, env: cleanEnv({ TMPDIR: tmp }), timeoutMs: 120_000 });
    assert.is(run.code, 0, run.stdout + run.stderr);
    const log = run.stdout.replace(/\x1b\[[0-9;]*m/g, ''); // local-action colours its log
    assert.not.match(log, /::error::/);
    const id = /::set-output name=snapshot-id::(\S+)/.exec(log)?.[1];
    assert.ok(id, `no snapshot-id output in:\n${log}`);
    const dirs = (await fs.readdir(tmp)).filter((name) => name.startsWith('tmp.'));
    assert.is(dirs.length, 1, `mktemp folders: ${dirs.join(', ')}`);
    const metadata = JSON.parse(
      await fs.readFile(path.join(tmp, dirs[0]!, 'workspace/.ripcord', id, 'snapshot.json'), 'utf8'),
    );
    assert.is(metadata.id, id);
    assert.is(metadata.kind, 'manual');
    assert.is(metadata.files, 1);
  } finally {
    await removeDir(tmp);
  }
});

test.run();
