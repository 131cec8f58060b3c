import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);

// src/storage/store.ts
var VERSION = /* @__PURE__ */ Symbol("ripcord.objectVersion");
function objectVersion(stream) {
  return stream[VERSION];
}
function withObjectVersion(stream, version) {
  if (version !== void 0) stream[VERSION] = version;
  return stream;
}

export {
  objectVersion,
  withObjectVersion
};
