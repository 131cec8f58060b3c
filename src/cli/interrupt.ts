/**
 * Ctrl-C (SIGINT) and SIGTERM during a long operation: the first one asks the operation to
 * stop (it removes what it wrote and rejects with an InterruptedError, which main prints as
 * one line, records and turns into exit 130 or 143); a second one ends the process at once,
 * as the signal would have without ripcord.
 */
import { InterruptedError } from '../domain/errors.ts';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export async function whileInterruptible<T>(message: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const handlers = SIGNALS.map((name) => {
    const handler = () => {
      if (controller.signal.aborted) {
        removeAll();
        process.kill(process.pid, name);
        return;
      }
      controller.abort(new InterruptedError(`${message} (${name})`, name));
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  const removeAll = () => {
    for (const [name, handler] of handlers) process.removeListener(name, handler);
  };
  try {
    return await run(controller.signal);
  } finally {
    removeAll();
  }
}
