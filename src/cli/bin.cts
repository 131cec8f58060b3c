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
  const cli = './cli.js'; // the bundle next to this file (there is no such file in src/)
  import(cli).catch((error: unknown) => {
    process.stderr.write(`ripcord: cannot load ${__dirname}/cli.js (${String(error)}); reinstall ripcord\n`);
    process.exitCode = 1;
  });
}
