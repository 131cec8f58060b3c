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
  imports: string[]; // local modules (relative to src) and bare package names, type-only imports included
}

/**
 * What a module's text imports: `import`, `import type`, `export … from`, side-effect
 * imports, `import('…')` and `typeof import('…')`. Type-only imports count: a cycle of types
 * is still two modules that cannot be read, moved or tested one without the other.
 */
function importSpecifiers(text: string, { typesToo = true } = {}): string[] {
  const statements =
    /(?:^|\n)\s*(?:import|export)\s[^'";]*?\bfrom\s+'([^']+)'|(?:^|\n)\s*import\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g;
  return [...text.matchAll(statements)]
    .filter((m) => typesToo || !/^\s*(?:import|export)\s+type\s/.test(m[0]))
    .map((m) => (m[1] ?? m[2] ?? m[3])!);
}

async function loadModules(): Promise<Module[]> {
  const modules: Module[] = [];
  async function visit(dir: string): Promise<void> {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await visit(full);
      else if (/\.c?ts$/.test(entry.name)) {
        const text = await fs.readFile(full, 'utf8');
        const imports = importSpecifiers(text).map((spec) =>
          spec.startsWith('.') ? path.relative(SRC, path.resolve(path.dirname(full), spec)) : spec,
        );
        modules.push({ file: path.relative(SRC, full), text, imports });
      }
    }
  }
  await visit(SRC);
  return modules;
}

/** Every import cycle in a graph of module -> the modules it imports, each once, as a path that returns to its start. */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const trail: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push([...trail.slice(trail.indexOf(file)), file]);
      return;
    }
    state.set(file, 'visiting');
    trail.push(file);
    for (const next of graph.get(file) ?? []) visit(next);
    trail.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) visit(file);
  return cycles;
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

test('the import reader sees every form of import, type-only ones included', () => {
  const text = [
    "import * as fs from 'node:fs';",
    "import type { A } from './a.ts';",
    "import { type B, c } from './b.ts';",
    'import {',
    '  d,',
    '  type E,',
    "} from './d.ts';",
    "export type { F } from './f.ts';",
    "export * from './g.ts';",
    "import './h.ts';",
    "const i = await import('./i.ts');",
    "type J = typeof import('j');",
    " * import { k } from './k.ts'; is in a comment and does not count",
    "const text = 'import x from y';",
  ].join('\n');
  assert.equal(importSpecifiers(text), [
    'node:fs',
    './a.ts',
    './b.ts',
    './d.ts',
    './f.ts',
    './g.ts',
    './h.ts',
    './i.ts',
    'j',
  ]);
});

test('the cycle walk finds a cycle of two, a longer one, and none in a tree', () => {
  const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));
  assert.equal(findCycles(graph({ 'a.ts': ['b.ts'], 'b.ts': ['a.ts'] })), [['a.ts', 'b.ts', 'a.ts']]);
  assert.equal(findCycles(graph({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': ['d.ts', 'a.ts'], 'd.ts': [] })), [
    ['a.ts', 'b.ts', 'c.ts', 'a.ts'],
  ]);
  assert.equal(findCycles(graph({ 'a.ts': ['b.ts', 'c.ts'], 'b.ts': ['c.ts'], 'c.ts': [] })), []);
});

test('there are no import cycles in src/, type-only imports included', async () => {
  const modules = await loadModules();
  const graph = new Map(modules.map((m) => [m.file, m.imports.filter((i) => /\.c?ts$/.test(i))]));
  assert.equal(
    findCycles(graph).map((cycle) => cycle.join(' -> ')),
    [],
  );
});

test('each heavy dependency is loaded by exactly one module (type-only imports load nothing)', async () => {
  const modules = await loadModules();
  const owners = (pkg: RegExp) =>
    modules.filter((m) => importSpecifiers(m.text, { typesToo: false }).some((i) => pkg.test(i))).map((m) => m.file);
  assert.equal(owners(/^openpgp$/), ['archive/openpgp-library.ts']);
  assert.equal(owners(/^@aws-sdk\//), ['storage/s3-store.ts']);
  assert.equal(owners(/^@actions\/cache$/), ['storage/actions-cache-store.ts']);
  assert.ok(
    owners(/^@actions\/core$/).every((f) => f.startsWith('action/')),
    'only action/ imports @actions/core',
  );
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

test('every module in src/ is under 500 lines, a size one reads whole', async () => {
  const modules = await loadModules();
  const long = modules
    .map((m) => ({ file: m.file, lines: m.text.split('\n').length }))
    .filter((m) => m.lines >= 500)
    .map((m) => `${m.file}: ${m.lines} lines`);
  assert.equal(long, [], 'split a module along its seams (as ops/restore.ts, restore-plan.ts, restore-target.ts)');
});

test.run();
