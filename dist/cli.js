import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  keepYoungGenerationSmall
} from "./chunks/chunk-SXD3OMJ4.js";
import "./chunks/chunk-374JASB6.js";

// src/cli/run.ts
keepYoungGenerationSmall();
var { main } = await import("./chunks/main-GXNUJIIH.js");
process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr
});
