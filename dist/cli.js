#!/usr/bin/env node
import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  VERSION,
  keepYoungGenerationSmall
} from "./chunks/chunk-RFNJ5PSN.js";
import "./chunks/chunk-374JASB6.js";

// src/cli/bin.ts
var argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V" || argv[0] === "version")) {
  process.stdout.write(`${VERSION}
`);
} else {
  keepYoungGenerationSmall();
  const { main } = await import("./chunks/main-VK2FMVBV.js");
  process.exitCode = await main(argv, {
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr
  });
}
