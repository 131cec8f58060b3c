/** Replaced at bundle time; read from package.json when running from source. */
import { readFileSync } from 'node:fs';

declare const __RIPCORD_VERSION__: string | undefined;

export const VERSION: string = typeof __RIPCORD_VERSION__ === 'string' ? __RIPCORD_VERSION__ : sourceVersion();

/** The version in package.json beside src/ (only from source: the bundle has it built in). */
function sourceVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
