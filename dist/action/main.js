import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  runMain
} from "../chunks/chunk-NBER5UPP.js";
import "../chunks/chunk-YAVA3F6C.js";
import "../chunks/chunk-EB55NEXW.js";
import "../chunks/chunk-6API6D7G.js";
import "../chunks/chunk-YX7K4QR3.js";
import "../chunks/chunk-4WIRB7QS.js";
import "../chunks/chunk-374JASB6.js";

// src/action/main.ts
await runMain({ env: process.env });
