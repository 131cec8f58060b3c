import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  runMain
} from "../chunks/chunk-7OH3SEWE.js";
import "../chunks/chunk-YAVA3F6C.js";
import "../chunks/chunk-VMN35ONM.js";
import "../chunks/chunk-F6UQLJWE.js";
import "../chunks/chunk-NQZQVKVQ.js";
import "../chunks/chunk-4WIRB7QS.js";
import "../chunks/chunk-374JASB6.js";

// src/action/main.ts
await runMain({ env: process.env });
