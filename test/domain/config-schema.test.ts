/**
 * The configuration's TypeScript types (src/domain/config.ts) are written by hand beside the
 * JSON Schema that checks the file (schema/ripcord.config.schema.json). This test keeps the
 * two the same: it writes the type the schema describes, and has the TypeScript compiler
 * check that it is exactly RipcordConfig: the same keys, the same optional ones, the same
 * value types, all the way down.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CONFIG_SCHEMA } from '../../src/domain/config.ts';
import type { JsonSchema } from '../../src/domain/json-schema.ts';
import { PROJECT_ROOT } from '../helpers/cli.ts';
import { removeDir, tempDir } from '../helpers/tree.ts';

const exec = promisify(execFile);

/** The TypeScript type of the values a schema accepts, for the subset of JSON Schema the configuration uses. */
function typeOf(schema: JsonSchema, root: JsonSchema): string {
  if (typeof schema.$ref === 'string') {
    const name = /^#\/\$defs\/(.+)$/.exec(schema.$ref)?.[1];
    const target = name === undefined ? undefined : (root.$defs as Record<string, JsonSchema> | undefined)?.[name];
    if (!target) throw new Error(`cannot follow ${schema.$ref}`);
    return typeOf(target, root);
  }
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as JsonSchema[]).map((s) => `(${typeOf(s, root)})`).join(' | ');
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return `(${typeOf(schema.items as JsonSchema, root)})[]`;
    case 'object': {
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const members = Object.entries((schema.properties as Record<string, JsonSchema> | undefined) ?? {}).map(
        ([key, property]) => `${JSON.stringify(key)}${required.has(key) ? '' : '?'}: ${typeOf(property, root)};`,
      );
      const rest = schema.additionalProperties;
      if (rest !== undefined && rest !== false)
        members.push(`[name: string]: ${rest === true ? 'unknown' : typeOf(rest as JsonSchema, root)};`);
      return `{ ${members.join(' ')} }`;
    }
    default:
      throw new Error(`typeOf does not know ${JSON.stringify(schema)}: teach it, or keep the schema to what it knows`);
  }
}

/** The check the compiler runs: both types flattened (intersections merged), then compared for identity. */
function checkProgram(fromSchema: string): string {
  return `import type { RipcordConfig } from ${JSON.stringify(path.join(PROJECT_ROOT, 'src/domain/config.ts'))};

type Flat<T> = T extends readonly (infer Item)[] ? Flat<Item>[] : T extends object ? { [K in keyof T]: Flat<T[K]> } : T;
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export type FromSchema = ${fromSchema};
export type FromTypes = Flat<RipcordConfig>;

// each way, for a message that names the key that differs
export const typesFitSchema: Flat<FromSchema> = {} as FromTypes;
export const schemaFitsTypes: FromTypes = {} as Flat<FromSchema>;
// and exactly: an optional key on one side only fits both ways above, but not here
export const same: Same<FromTypes, Flat<FromSchema>> = true;
`;
}

async function typeCheck(program: string): Promise<{ ok: boolean; output: string }> {
  const dir = await tempDir('ripcord-config-types-');
  try {
    await fs.writeFile(path.join(dir, 'check.mts'), program);
    const tsconfig = {
      extends: path.join(PROJECT_ROOT, 'tsconfig.json'),
      compilerOptions: { typeRoots: [path.join(PROJECT_ROOT, 'node_modules/@types')] },
      include: [],
      files: ['check.mts'],
    };
    await fs.writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = path.join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc');
    const run = await exec(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { cwd: dir }).then(
      ({ stdout, stderr }) => ({ ok: true, output: stdout + stderr }),
      (error: { stdout?: string; stderr?: string }) => ({
        ok: false,
        output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
      }),
    );
    return run;
  } finally {
    await removeDir(dir);
  }
}

test('RipcordConfig is exactly the type the JSON Schema describes', async () => {
  const fromSchema = typeOf(CONFIG_SCHEMA, CONFIG_SCHEMA);
  const { ok, output } = await typeCheck(checkProgram(fromSchema));
  assert.ok(ok, `the hand-written types and the schema differ:\n${output}\nthe schema says: ${fromSchema}`);
});

test('the check fails when the schema has an optional key the types lack, or makes optional a key the types require', async () => {
  const extraKey = structuredClone(CONFIG_SCHEMA);
  (extraKey.properties as Record<string, JsonSchema>).umask = { type: 'string' };
  const missed = await typeCheck(checkProgram(typeOf(extraKey, extraKey)));
  assert.not.ok(missed.ok, 'an optional key on the schema side only');
  assert.match(missed.output, /check\.mts\(13,14\): error TS2322/, missed.output);

  const optionalPaths = structuredClone(CONFIG_SCHEMA);
  (optionalPaths.$defs as Record<string, JsonSchema>).set!.required = [];
  const loose = await typeCheck(checkProgram(typeOf(optionalPaths, optionalPaths)));
  assert.not.ok(loose.ok, 'paths optional in the schema, required in the types');
  assert.match(loose.output, /'paths'/, loose.output);
});

test.run();
