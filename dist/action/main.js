import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  runMain
} from "../chunks/chunk-CLCJK2EQ.js";
import {
  setFailed
} from "../chunks/chunk-EJQ6XPML.js";
import "../chunks/chunk-PHDKFJO3.js";
import {
  guardAgainstAbandon
} from "../chunks/chunk-ZZRWWKWF.js";
import "../chunks/chunk-KRFJ6NIL.js";
import "../chunks/chunk-RVGFNPSL.js";
import {
  keepYoungGenerationSmall
} from "../chunks/chunk-SXD3OMJ4.js";
import "../chunks/chunk-4WIRB7QS.js";
import "../chunks/chunk-374JASB6.js";

// src/action/main.ts
keepYoungGenerationSmall();
await guardAgainstAbandon(runMain({ env: process.env }), () => {
  setFailed("internal error: the step stopped before it finished (it waited for work that can never complete): treat it as failed, and please report it");
});
