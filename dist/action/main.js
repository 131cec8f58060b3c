import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  runMain
} from "../chunks/chunk-ETH5PH6N.js";
import {
  setFailed
} from "../chunks/chunk-ZIWZJDNO.js";
import "../chunks/chunk-YZ52BYJ5.js";
import {
  abandonedMessage,
  guardAgainstAbandon
} from "../chunks/chunk-LFUOFQC4.js";
import "../chunks/chunk-4AL36M4C.js";
import "../chunks/chunk-LKFGVZBB.js";
import {
  keepYoungGenerationSmall
} from "../chunks/chunk-SXD3OMJ4.js";
import "../chunks/chunk-XDVWM3T4.js";
import "../chunks/chunk-374JASB6.js";

// src/action/main.ts
keepYoungGenerationSmall();
await guardAgainstAbandon(runMain({ env: process.env }), () => {
  setFailed(abandonedMessage("the step"));
});
