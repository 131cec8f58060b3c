/** Python for tests that build or read archives with its tarfile module. */
import { execFileSync } from 'node:child_process';

let python: string | undefined;

/**
 * The Python interpreter that `python3` on the PATH runs, found once: `python3` may be a
 * version manager's shim (pyenv's is a shell script costing about 0.3 s of CPU per start).
 */
export function pythonExecutable(): string {
  python ??= execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  return python || 'python3';
}
