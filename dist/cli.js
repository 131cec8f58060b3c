import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  abandonedMessage,
  guardAgainstAbandon
} from "./chunks/chunk-LFUOFQC4.js";
import {
  keepYoungGenerationSmall,
  prestartWalkThread
} from "./chunks/chunk-LMOK4EBW.js";
import "./chunks/chunk-374JASB6.js";

// src/cli/early-walk.ts
var CHAINING = /* @__PURE__ */ new Set(["incremental", "differential", "auto"]);
function likelyChainLink(args2) {
  const [command, ...rest] = args2;
  if (command !== "backup" && command !== "deploy") return false;
  const end = rest.indexOf("--");
  const own = end === -1 ? rest : rest.slice(0, end);
  if (own.some((word) => word === "--help" || word === "-h")) return false;
  let level;
  let set = false;
  own.forEach((word, at) => {
    if (word === "--level") level = own[at + 1];
    else if (word.startsWith("--level=")) level = word.slice("--level=".length);
    else if (word === "--set" || word.startsWith("--set=")) set = true;
  });
  if (level !== void 0) return CHAINING.has(level);
  return command === "deploy" || set;
}

// src/cli/run.ts
keepYoungGenerationSmall();
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
  });
}
var args = process.argv.slice(2);
if (likelyChainLink(args)) prestartWalkThread();
var { main } = await import("./chunks/main-KHZKOMCJ.js");
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
