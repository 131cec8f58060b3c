import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  runMain
} from "../chunks/chunk-I2RH3BD7.js";
import "../chunks/chunk-YAVA3F6C.js";
import "../chunks/chunk-OIMKEUZO.js";
import "../chunks/chunk-2WDR4RKI.js";
import "../chunks/chunk-LY7566XR.js";
import "../chunks/chunk-4WIRB7QS.js";
import "../chunks/chunk-374JASB6.js";

// src/action/main.ts
await runMain({ env: process.env });
