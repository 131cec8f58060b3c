import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  DEFAULT_EXCLUDES
} from "./chunk-IKWDMS5Z.js";
import {
  SNAPSHOT_KINDS
} from "./chunk-4ZCQRPLC.js";

// src/ops/backup-request.ts
function pathsToBackUp({ paths, exclude }) {
  return paths.length > 0 ? { paths: [...paths], exclude: [...exclude] } : { paths: ["."], exclude: [...exclude, ...DEFAULT_EXCLUDES] };
}
function backupRequestFrom(inputs, defaultKind, refuse) {
  const kind = inputs.kind ?? defaultKind;
  if (!SNAPSHOT_KINDS.includes(kind))
    throw refuse("kind", kind, `is not one of ${SNAPSHOT_KINDS.join(", ")}`);
  return { ...pathsToBackUp(inputs), kind, tags: [...inputs.tags] };
}
function deployRequestFrom(inputs) {
  return { ...inputs, ...pathsToBackUp(inputs) };
}

export {
  backupRequestFrom,
  deployRequestFrom
};
