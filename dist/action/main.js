import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  runMain
} from "../chunks/chunk-MN7AFP6O.js";
import "../chunks/chunk-YAVA3F6C.js";
import "../chunks/chunk-XFCIMF2S.js";
import "../chunks/chunk-IMMPTQSE.js";
import "../chunks/chunk-LAA3723A.js";
import {
  keepYoungGenerationSmall
} from "../chunks/chunk-RFNJ5PSN.js";
import "../chunks/chunk-4WIRB7QS.js";
import "../chunks/chunk-374JASB6.js";

// src/action/main.ts
keepYoungGenerationSmall();
await runMain({ env: process.env });
