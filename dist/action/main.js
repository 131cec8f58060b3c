import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  runMain
} from "../chunks/chunk-P6D2BXRA.js";
import "../chunks/chunk-YAVA3F6C.js";
import "../chunks/chunk-VOGWJLQ2.js";
import {
  keepYoungGenerationSmall
} from "../chunks/chunk-6AVPQGRR.js";
import "../chunks/chunk-LY7566XR.js";
import "../chunks/chunk-4WIRB7QS.js";
import "../chunks/chunk-374JASB6.js";

// src/action/main.ts
keepYoungGenerationSmall();
await runMain({ env: process.env });
