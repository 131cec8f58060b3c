// @ts-check
// Bundles the CLI and the Action entry points into dist/ (committed; CI checks it is fresh),
// and writes the library's type declarations (dist/index.d.ts and the modules it names).
// Usage: node build.mjs [outdir]
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const outdir = process.argv[2] ?? 'dist';
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
rmSync(outdir, { recursive: true, force: true });

const bundles = await esbuild.build({
  entryPoints: {
    cli: 'src/cli/run.ts',
    index: 'src/index.ts',
    'action/main': 'src/action/main.ts',
    'action/post': 'src/action/post.ts',
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.js' },
  chunkNames: 'chunks/[name]-[hash]',
  define: { __RIPCORD_VERSION__: JSON.stringify(pkg.version) },
  // Some dependencies (the AWS SDK, @actions/*) still call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);",
  },
  legalComments: 'linked',
  logLevel: 'warning',
  metafile: true,
});

// The worker threads: each a bundle of its own (a worker thread loads it by path), which the
// module starting it finds at ../<name>.js from the chunk it is bundled into
// (src/archive/worker-program.ts).
const workers = {
  'cfb-worker': 'src/archive/cfb-encryptor.ts',
  'stage-worker': 'src/ops/stage-writer.ts',
  'walk-worker': 'src/archive/walk-prestart.ts',
};
await esbuild.build({
  entryPoints: Object.fromEntries(
    Object.entries(workers).map(([name, starter]) => [name, path.join(path.dirname(starter), `${name}.ts`)]),
  ),
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
const chunks = path.resolve(outdir, 'chunks');
for (const [name, starter] of Object.entries(workers)) {
  const outputs = Object.entries(bundles.metafile.outputs)
    .filter(([, output]) => Object.keys(output.inputs).includes(starter))
    .map(([file]) => file);
  if (outputs.length === 0 || outputs.some((file) => path.dirname(path.resolve(file)) !== chunks)) {
    throw new Error(
      `build: ${starter} must be bundled into ${outdir}/chunks/ to find ../${name}.js; it is in ${outputs.join(', ')}`,
    );
  }
}

// The installed command: a CommonJS launcher (see its header) next to the ES module CLI it loads.
await esbuild.build({
  entryPoints: { cli: 'src/cli/bin.cts' },
  outdir,
  // no format: the types are stripped and nothing else changes (a CommonJS format adds interop helpers)
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.cjs' },
  define: { __RIPCORD_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});

// The declarations of src/index.ts's exports, one .d.ts per module it reaches (tsconfig.types.json).
const tsc = fileURLToPath(new URL('./node_modules/typescript/bin/tsc', import.meta.url));
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.types.json', '--outDir', outdir], {
  cwd: path.dirname(fileURLToPath(import.meta.url)),
  stdio: 'inherit',
});
