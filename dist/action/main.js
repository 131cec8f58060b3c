import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  runMain
} from "../chunks/chunk-64YKTDPM.js";
import "../chunks/chunk-YAVA3F6C.js";
import "../chunks/chunk-FB24NOMK.js";
import "../chunks/chunk-NEY6BRIO.js";
import "../chunks/chunk-RVGFNPSL.js";
import {
  keepYoungGenerationSmall
} from "../chunks/chunk-SXD3OMJ4.js";
import "../chunks/chunk-4WIRB7QS.js";
import "../chunks/chunk-374JASB6.js";

// src/action/main.ts
keepYoungGenerationSmall();
await runMain({ env: process.env });
