#!/usr/bin/env node
// The installed `ripcord` command. CommonJS without imports, so that `ripcord --version`
// (which health checks call often) costs little more than Node's own start: an ES module entry
// costs about 5 ms more to load, and each module it imports more again. Anything else loads the
// CLI proper, dist/cli.js (run.ts), which answers --version the same way.
declare const __RIPCORD_VERSION__: string;

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V' || args[0] === 'version')) {
  process.stdout.write(`${__RIPCORD_VERSION__}\n`);
} else {
  compileCache();
  const cli = './cli.js'; // the bundle next to this file (there is no such file in src/)
  import(cli).catch((error: unknown) => {
    process.stderr.write(`ripcord: cannot load ${__dirname}/cli.js (${String(error)}); reinstall ripcord\n`);
    process.exitCode = 1;
  });
}

/**
 * V8's compile cache (Node 22.1 and later): the CLI is about 1 MB of JavaScript, which Node
 * otherwise compiles anew at every start (about 50 ms of a 0.3 s `ripcord dump`). It is kept
 * in the user's own cache folder ($XDG_CACHE_HOME or ~/.cache, then ripcord/compile-cache),
 * which nobody else can write: whoever can plant a cache entry there can edit the user's
 * shell start-up files as well. Never in a shared folder such as /tmp, where another user
 * could make the folder first. Node checks each entry against the source it was made from
 * and ignores a stale or damaged one; NODE_DISABLE_COMPILE_CACHE=1 turns it off. Without a
 * home folder, or on Node 20, nothing changes.
 */
function compileCache(): void {
  const { enableCompileCache } = require('node:module') as { enableCompileCache?: (dir: string) => unknown };
  const home = process.env.XDG_CACHE_HOME || (process.env.HOME ? `${process.env.HOME}/.cache` : '');
  if (!enableCompileCache || !home.startsWith('/')) return;
  try {
    enableCompileCache(`${home}/ripcord/compile-cache`);
  } catch {
    // a cache is an optimisation: a folder that cannot be made changes nothing else
  }
}
