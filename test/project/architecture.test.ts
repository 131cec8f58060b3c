/**
 * The layering of ../shared/STYLE.md, checked on the import graph of src/:
 * adapters -> ops -> archive, storage -> domain; no cycles; heavy dependencies imported
 * by exactly one module each; nothing below the adapters reads process.env or prints.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROJECT_ROOT } from '../helpers/cli.ts';

const SRC = path.join(PROJECT_ROOT, 'src');

interface Module {
  file: string; // relative to src, e.g. "ops/backup.ts"
  text: string;
  imports: string[]; // local modules (relative to src) and bare package names
}

async function loadModules(): Promise<Module[]> {
  const modules: Module[] = [];
  async function visit(dir: string): Promise<void> {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await visit(full);
      else if (entry.name.endsWith('.ts')) {
        const text = await fs.readFile(full, 'utf8');
        const imports: string[] = [];
        for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
          const spec = (m[1] ?? m[2])!;
          if (m[0].trimStart().startsWith('import type') || m[0].trimStart().startsWith('export type')) continue;
          imports.push(spec.startsWith('.') ? path.relative(SRC, path.resolve(path.dirname(full), spec)) : spec);
        }
        modules.push({ file: path.relative(SRC, full), text, imports });
      }
    }
  }
  await visit(SRC);
  return modules;
}

const LAYER: Record<string, number> = { domain: 0, archive: 1, storage: 1, ops: 2, cli: 3, action: 3 };
const layerOf = (file: string) => LAYER[file.split('/')[0]!];

test('dependencies point one way: adapters -> ops -> archive, storage -> domain', async () => {
  const problems: string[] = [];
  for (const m of await loadModules()) {
    for (const target of m.imports.filter((i) => i.endsWith('.ts'))) {
      const from = layerOf(m.file);
      const to = layerOf(target);
      if (from === undefined || to === undefined) continue;
      const sameFolder = m.file.split('/')[0] === target.split('/')[0];
      if (!sameFolder && to >= from) problems.push(`${m.file} imports ${target}`);
    }
  }
  assert.equal(problems, []);
});

test('there are no import cycles in src/', async () => {
  const modules = await loadModules();
  const graph = new Map(modules.map((m) => [m.file, m.imports.filter((i) => i.endsWith('.ts'))]));
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, trail: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push([...trail.slice(trail.indexOf(file)), file].join(' -> '));
      return;
    }
    state.set(file, 'visiting');
    for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  assert.equal(cycles, []);
});

test('each heavy dependency is imported by exactly one module', async () => {
  const modules = await loadModules();
  const owners = (pkg: RegExp) => modules.filter((m) => m.imports.some((i) => pkg.test(i))).map((m) => m.file);
  assert.equal(owners(/^openpgp$/), ['archive/openpgp-keys.ts']);
  assert.equal(owners(/^@aws-sdk\//), ['storage/s3-store.ts']);
  assert.equal(owners(/^@actions\/cache$/), ['storage/actions-cache-store.ts']);
  assert.ok(owners(/^@actions\/core$/).every((f) => f.startsWith('action/')), 'only action/ imports @actions/core');
});

test('nothing below the adapters reads process.env for inputs or writes to the console', async () => {
  const offenders = (await loadModules())
    .filter((m) => ['domain', 'archive', 'storage', 'ops'].includes(m.file.split('/')[0]!))
    // The S3 store reads the standard AWS variables, as the AWS SDK it wraps does; the
    // Actions-cache store reads the runner's cache variables, as @actions/cache does.
    .filter(
      (m) =>
        /console\.(log|error|warn|info)|process\.(stdout|stderr)\.write/.test(m.text) ||
        (/process\.env/.test(m.text) && !['storage/s3-store.ts', 'storage/actions-cache-store.ts'].includes(m.file)),
    )
    .map((m) => m.file);
  assert.equal(offenders, []);
});

test.run();
