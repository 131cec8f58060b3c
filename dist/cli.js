import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  abandonedMessage,
  guardAgainstAbandon
} from "./chunks/chunk-LFUOFQC4.js";
import {
  keepYoungGenerationSmall
} from "./chunks/chunk-TAUJ4OBV.js";
import "./chunks/chunk-374JASB6.js";

// src/cli/run.ts
keepYoungGenerationSmall();
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
  });
}
var { main } = await import("./chunks/main-DBTHCFAX.js");
var args = process.argv.slice(2);
process.exitCode = await guardAgainstAbandon(
  main(args, {
    env: process.env,
    cwd: process.cwd(),
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr
  }),
  () => {
    process.stderr.write(`ripcord: ${abandonedMessage(args[0] ?? "the command")}
`);
  }
);
