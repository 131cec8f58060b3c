import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  runMain
} from "../chunks/chunk-ZJBOK3EM.js";
import "../chunks/chunk-YAVA3F6C.js";
import "../chunks/chunk-HH5CGDTE.js";
import "../chunks/chunk-W63VPYJD.js";
import "../chunks/chunk-RVGFNPSL.js";
import {
  keepYoungGenerationSmall
} from "../chunks/chunk-RKCPNE6O.js";
import "../chunks/chunk-4WIRB7QS.js";
import "../chunks/chunk-374JASB6.js";

// src/action/main.ts
keepYoungGenerationSmall();
await runMain({ env: process.env });
