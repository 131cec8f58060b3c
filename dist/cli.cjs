#!/usr/bin/env node
"use strict";
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V" || args[0] === "version")) {
  process.stdout.write(`${"0.1.0"}
`);
} else {
  compileCache();
  const cli = "./cli.js";
  import(cli).catch((error) => {
    process.stderr.write(`ripcord: cannot load ${__dirname}/cli.js (${String(error)}); reinstall ripcord
`);
    process.exitCode = 1;
  });
}
function compileCache() {
  const { enableCompileCache } = require("node:module");
  const home = process.env.XDG_CACHE_HOME || (process.env.HOME ? `${process.env.HOME}/.cache` : "");
  if (!enableCompileCache || !home.startsWith("/")) return;
  try {
    enableCompileCache(`${home}/ripcord/compile-cache`);
  } catch {
  }
}
