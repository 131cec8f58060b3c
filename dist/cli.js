import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  guardAgainstAbandon
} from "./chunks/chunk-ZZRWWKWF.js";
import {
  keepYoungGenerationSmall
} from "./chunks/chunk-SXD3OMJ4.js";
import "./chunks/chunk-374JASB6.js";

// src/cli/run.ts
keepYoungGenerationSmall();
var { main } = await import("./chunks/main-R22R67M4.js");
var args = process.argv.slice(2);
process.exitCode = await guardAgainstAbandon(main(args, { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr }), () => {
  process.stderr.write(`ripcord: internal error: ${args[0] ?? "the command"} stopped before it finished (it waited for work that can never complete): treat it as failed, and please report it
`);
});
