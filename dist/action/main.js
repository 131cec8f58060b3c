import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  runMain
} from "../chunks/chunk-4BIO7DU5.js";
import "../chunks/chunk-YAVA3F6C.js";
import "../chunks/chunk-RIHN6FTZ.js";
import "../chunks/chunk-WQYLBIND.js";
import "../chunks/chunk-YX7K4QR3.js";
import "../chunks/chunk-4WIRB7QS.js";
import "../chunks/chunk-374JASB6.js";

// src/action/main.ts
await runMain({ env: process.env });
