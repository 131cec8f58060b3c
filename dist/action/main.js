import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  runMain
} from "../chunks/chunk-NOQYIU3L.js";
import "../chunks/chunk-YAVA3F6C.js";
import "../chunks/chunk-JXLDFCPQ.js";
import "../chunks/chunk-7WK4OFCO.js";
import "../chunks/chunk-NQZQVKVQ.js";
import "../chunks/chunk-4WIRB7QS.js";
import "../chunks/chunk-374JASB6.js";

// src/action/main.ts
await runMain({ env: process.env });
