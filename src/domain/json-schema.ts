/**
 * A validator for the subset of JSON Schema (2020-12) that ripcord's own schemas use,
 * written out so that the schema file editors read is also the one ripcord enforces,
 * without a validator dependency. A keyword outside the subset is a programming error
 * (the schema was extended without the validator), never silently ignored.
 *
 * Problems carry the JSON path they concern; the caller turns paths into file lines.
 */
import type { JsonPath } from './json-source.ts';
import { closeMatches } from './suggest.ts';

export type JsonSchema = { [keyword: string]: unknown };

export interface SchemaProblem {
  /** where the problem is: the member itself, or for a missing key the object that lacks it */
  path: JsonPath;
  message: string;
}

/** Keywords that only annotate (for editors and people); they never fail a value. */
const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  '$comment',
  '$defs',
  'title',
  'description',
  'markdownDescription',
  'default',
  'examples',
  'deprecated',
]);
const ASSERTIONS = new Set([
  '$ref',
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'minProperties',
  'items',
  'minItems',
  'uniqueItems',
  'pattern',
  'minLength',
  'minimum',
  'maximum',
  'anyOf',
]);

export class UnsupportedSchemaError extends Error {}

export function validateAgainstSchema(value: unknown, schema: JsonSchema, root: JsonSchema = schema): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  check(value, schema, root, [], problems);
  return problems;
}

function check(value: unknown, schema: JsonSchema, root: JsonSchema, path: JsonPath, problems: SchemaProblem[]): void {
  for (const keyword of Object.keys(schema)) {
    if (!ANNOTATIONS.has(keyword) && !ASSERTIONS.has(keyword))
      throw new UnsupportedSchemaError(`JSON Schema keyword ${keyword} is not supported by ripcord's validator`);
  }
  if (typeof schema.$ref === 'string') {
    check(value, resolveRef(schema.$ref, root), root, path, problems);
  }
  const found = jsonType(value);
  if (schema.type !== undefined) {
    const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as string[];
    if (!types.some((type) => type === found || (type === 'number' && found === 'integer'))) {
      problems.push({
        path,
        message: `must be ${types.map(article).join(' or ')}, not ${article(found)}${preview(value)}`,
      });
      return; // nothing else can be said about a value of the wrong type
    }
  }
  if (schema.const !== undefined && !sameJson(value, schema.const)) {
    problems.push({ path, message: `must be ${JSON.stringify(schema.const)}, not ${JSON.stringify(value)}` });
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => sameJson(value, option))) {
    problems.push({
      path,
      message: `must be one of ${schema.enum.map((o) => JSON.stringify(o)).join(', ')}, not ${JSON.stringify(value)}`,
    });
  }
  if (Array.isArray(schema.anyOf)) {
    const branches = schema.anyOf as JsonSchema[];
    if (!branches.some((branch) => validateAgainstSchema(value, branch, root).length === 0)) {
      problems.push({
        path,
        message: `must be ${branches.map((b) => describe(b, root)).join(' or ')}, not ${JSON.stringify(value)}`,
      });
    }
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) {
      problems.push({
        path,
        message: schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters long`,
      });
    }
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
      problems.push({
        path,
        message: `${JSON.stringify(value)} is not ${typeof schema.title === 'string' ? schema.title : `a string matching ${schema.pattern}`}`,
      });
    }
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum)
      problems.push({ path, message: `must be at least ${schema.minimum}, not ${value}` });
    if (typeof schema.maximum === 'number' && value > schema.maximum)
      problems.push({ path, message: `must be at most ${schema.maximum}, not ${value}` });
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      problems.push({
        path,
        message: schema.minItems === 1 ? 'must list at least one item' : `must list at least ${schema.minItems} items`,
      });
    }
    if (schema.uniqueItems === true) {
      const seen: unknown[] = [];
      value.forEach((item, index) => {
        if (seen.some((s) => sameJson(s, item)))
          problems.push({ path: [...path, index], message: `${JSON.stringify(item)} is listed twice` });
        seen.push(item);
      });
    }
    if (isSchema(schema.items)) {
      for (const [index, item] of value.entries())
        check(item, schema.items as JsonSchema, root, [...path, index], problems);
    }
  }
  if (found === 'object') checkObject(value as Record<string, unknown>, schema, root, path, problems);
}

function checkObject(
  object: Record<string, unknown>,
  schema: JsonSchema,
  root: JsonSchema,
  path: JsonPath,
  problems: SchemaProblem[],
): void {
  const properties = (isSchema(schema.properties) ? schema.properties : {}) as Record<string, JsonSchema>;
  const keys = Object.keys(object);
  if (typeof schema.minProperties === 'number' && keys.length < schema.minProperties) {
    problems.push({
      path,
      message: schema.minProperties === 1 ? 'must not be empty' : `must have at least ${schema.minProperties} keys`,
    });
  }
  for (const key of keys) {
    const member = [...path, key];
    if (isSchema(schema.propertyNames)) {
      for (const problem of validateAgainstSchema(key, schema.propertyNames as JsonSchema, root))
        problems.push({ path: member, message: `the name ${problem.message.replace(/^"[^"]*" /, '')}` });
    }
    if (Object.hasOwn(properties, key)) {
      check(object[key], properties[key]!, root, member, problems);
    } else if (schema.additionalProperties === false) {
      problems.push({ path: member, message: unknownKey(key, Object.keys(properties)) });
    } else if (isSchema(schema.additionalProperties)) {
      check(object[key], schema.additionalProperties as JsonSchema, root, member, problems);
    }
  }
  // After the unknown keys: "pahts: unknown key (did you mean paths?)" says more than "paths is missing".
  for (const key of (Array.isArray(schema.required) ? schema.required : []) as string[]) {
    if (!Object.hasOwn(object, key)) problems.push({ path, message: `missing required key ${JSON.stringify(key)}` });
  }
}

function unknownKey(key: string, allowed: string[]): string {
  const close = closeMatches(key, allowed);
  const hint =
    close.length > 0
      ? `did you mean ${close.map((c) => JSON.stringify(c)).join(' or ')}?`
      : `expected one of: ${allowed.join(', ')}`;
  return `unknown key (${hint})`;
}

function resolveRef(ref: string, root: JsonSchema): JsonSchema {
  const match = /^#\/\$defs\/([^/]+)$/.exec(ref);
  const target = match ? (root.$defs as Record<string, JsonSchema> | undefined)?.[match[1]!] : undefined;
  if (!target) throw new UnsupportedSchemaError(`cannot resolve $ref ${ref} (only "#/$defs/NAME" is supported)`);
  return target;
}

/** A short phrase for what a schema accepts, for anyOf messages: "a whole number of at least 0". */
function describe(schema: JsonSchema, root: JsonSchema): string {
  if (typeof schema.$ref === 'string') return describe(resolveRef(schema.$ref, root), root);
  if (typeof schema.title === 'string') return schema.title;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((o) => JSON.stringify(o)).join(', ')}`;
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : String(schema.type ?? 'a value');
  if (type === 'integer')
    return `a whole number${typeof schema.minimum === 'number' ? ` of at least ${schema.minimum}` : ''}`;
  return article(type);
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function article(type: string): string {
  switch (type) {
    case 'null':
      return 'null';
    case 'integer':
      return 'a whole number';
    case 'array':
    case 'object':
      return `an ${type}`;
    default:
      return `a ${type}`;
  }
}

function preview(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return ` (${JSON.stringify(value)})`;
  return '';
}

function isSchema(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
