import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  runMain
} from "../chunks/chunk-DEXGTASR.js";
import {
  setFailed
} from "../chunks/chunk-EJQ6XPML.js";
import "../chunks/chunk-BIGIYYLN.js";
import {
  abandonedMessage,
  guardAgainstAbandon
} from "../chunks/chunk-LFUOFQC4.js";
import "../chunks/chunk-OBHWEMUU.js";
import "../chunks/chunk-PP5LREDU.js";
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
