import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  runMain
} from "../chunks/chunk-LWMEKYVY.js";
import {
  setFailed
} from "../chunks/chunk-ZIWZJDNO.js";
import "../chunks/chunk-B7JJDSVS.js";
import {
  abandonedMessage,
  guardAgainstAbandon
} from "../chunks/chunk-LFUOFQC4.js";
import "../chunks/chunk-TLUEPFVL.js";
import "../chunks/chunk-RVGFNPSL.js";
import {
  keepYoungGenerationSmall
} from "../chunks/chunk-SXD3OMJ4.js";
import "../chunks/chunk-4WIRB7QS.js";
import "../chunks/chunk-374JASB6.js";

// src/action/main.ts
keepYoungGenerationSmall();
await guardAgainstAbandon(runMain({ env: process.env }), () => {
  setFailed(abandonedMessage("the step"));
});
