import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);

// src/domain/suggest.ts
function closeMatches(word, known) {
  return known.filter((k) => editDistance(k.toLowerCase(), word.toLowerCase()) <= (k.length >= 5 ? 2 : 1));
}
function editDistance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

// src/domain/json-schema.ts
var ANNOTATIONS = /* @__PURE__ */ new Set([
  "$schema",
  "$id",
  "$comment",
  "$defs",
  "title",
  "description",
  "markdownDescription",
  "default",
  "examples",
  "deprecated"
]);
var ASSERTIONS = /* @__PURE__ */ new Set([
  "$ref",
  "type",
  "enum",
  "const",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "minProperties",
  "items",
  "minItems",
  "uniqueItems",
  "pattern",
  "minLength",
  "minimum",
  "maximum",
  "anyOf"
]);
var UnsupportedSchemaError = class extends Error {
};
function validateAgainstSchema(value, schema, root = schema) {
  const problems = [];
  check(value, schema, root, [], problems);
  return problems;
}
function check(value, schema, root, path, problems) {
  for (const keyword of Object.keys(schema)) {
    if (!ANNOTATIONS.has(keyword) && !ASSERTIONS.has(keyword))
      throw new UnsupportedSchemaError(`JSON Schema keyword ${keyword} is not supported by ripcord's validator`);
  }
  if (typeof schema.$ref === "string") {
    check(value, resolveRef(schema.$ref, root), root, path, problems);
  }
  const found = jsonType(value);
  if (schema.type !== void 0) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((type) => type === found || type === "number" && found === "integer")) {
      problems.push({
        path,
        message: `must be ${types.map(article).join(" or ")}, not ${article(found)}${preview(value)}`
      });
      return;
    }
  }
  if (schema.const !== void 0 && !sameJson(value, schema.const)) {
    problems.push({ path, message: `must be ${JSON.stringify(schema.const)}, not ${JSON.stringify(value)}` });
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => sameJson(value, option))) {
    problems.push({
      path,
      message: `must be one of ${schema.enum.map((o) => JSON.stringify(o)).join(", ")}, not ${JSON.stringify(value)}`
    });
  }
  if (Array.isArray(schema.anyOf)) {
    const branches = schema.anyOf;
    if (!branches.some((branch) => validateAgainstSchema(value, branch, root).length === 0)) {
      problems.push({
        path,
        message: `must be ${branches.map((b) => describe(b, root)).join(" or ")}, not ${JSON.stringify(value)}`
      });
    }
  }
  if (typeof value === "string") {
    if (typeof schema.minLength === "number" && value.length < schema.minLength) {
      problems.push({
        path,
        message: schema.minLength === 1 ? "must not be empty" : `must be at least ${schema.minLength} characters long`
      });
    }
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) {
      problems.push({
        path,
        message: `${JSON.stringify(value)} is not ${typeof schema.title === "string" ? schema.title : `a string matching ${schema.pattern}`}`
      });
    }
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum)
      problems.push({ path, message: `must be at least ${schema.minimum}, not ${value}` });
    if (typeof schema.maximum === "number" && value > schema.maximum)
      problems.push({ path, message: `must be at most ${schema.maximum}, not ${value}` });
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems) {
      problems.push({
        path,
        message: schema.minItems === 1 ? "must list at least one item" : `must list at least ${schema.minItems} items`
      });
    }
    if (schema.uniqueItems === true) {
      const seen = [];
      value.forEach((item, index) => {
        if (seen.some((s) => sameJson(s, item)))
          problems.push({ path: [...path, index], message: `${JSON.stringify(item)} is listed twice` });
        seen.push(item);
      });
    }
    if (isSchema(schema.items)) {
      for (const [index, item] of value.entries())
        check(item, schema.items, root, [...path, index], problems);
    }
  }
  if (found === "object") checkObject(value, schema, root, path, problems);
}
function checkObject(object, schema, root, path, problems) {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const keys = Object.keys(object);
  if (typeof schema.minProperties === "number" && keys.length < schema.minProperties) {
    problems.push({
      path,
      message: schema.minProperties === 1 ? "must not be empty" : `must have at least ${schema.minProperties} keys`
    });
  }
  for (const key of keys) {
    const member = [...path, key];
    if (isSchema(schema.propertyNames)) {
      for (const problem of validateAgainstSchema(key, schema.propertyNames, root))
        problems.push({ path: member, message: `the name ${problem.message.replace(/^"[^"]*" /, "")}` });
    }
    if (Object.hasOwn(properties, key)) {
      check(object[key], properties[key], root, member, problems);
    } else if (schema.additionalProperties === false) {
      problems.push({ path: member, message: unknownKey(key, Object.keys(properties)) });
    } else if (isSchema(schema.additionalProperties)) {
      check(object[key], schema.additionalProperties, root, member, problems);
    }
  }
  for (const key of Array.isArray(schema.required) ? schema.required : []) {
    if (!Object.hasOwn(object, key)) problems.push({ path, message: `missing required key ${JSON.stringify(key)}` });
  }
}
function unknownKey(key, allowed) {
  const close = closeMatches(key, allowed);
  const hint = close.length > 0 ? `did you mean ${close.map((c) => JSON.stringify(c)).join(" or ")}?` : `expected one of: ${allowed.join(", ")}`;
  return `unknown key (${hint})`;
}
function resolveRef(ref, root) {
  const match = /^#\/\$defs\/([^/]+)$/.exec(ref);
  const target = match ? root.$defs?.[match[1]] : void 0;
  if (!target) throw new UnsupportedSchemaError(`cannot resolve $ref ${ref} (only "#/$defs/NAME" is supported)`);
  return target;
}
function describe(schema, root) {
  if (typeof schema.$ref === "string") return describe(resolveRef(schema.$ref, root), root);
  if (typeof schema.title === "string") return schema.title;
  if (schema.const !== void 0) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((o) => JSON.stringify(o)).join(", ")}`;
  const type = Array.isArray(schema.type) ? schema.type.join(" or ") : String(schema.type ?? "a value");
  if (type === "integer")
    return `a whole number${typeof schema.minimum === "number" ? ` of at least ${schema.minimum}` : ""}`;
  return article(type);
}
function jsonType(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}
function article(type) {
  switch (type) {
    case "null":
      return "null";
    case "integer":
      return "a whole number";
    case "array":
    case "object":
      return `an ${type}`;
    default:
      return `a ${type}`;
  }
}
function preview(value) {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return ` (${JSON.stringify(value)})`;
  return "";
}
function isSchema(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function sameJson(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

export {
  closeMatches,
  validateAgainstSchema
};
