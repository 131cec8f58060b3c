/**
 * Node ends a process once its event loop has nothing left to wait for, even while the
 * command's promise is still pending: a stream that neither ends nor errors would make a
 * command stop silently with exit code 0 (or 13 for a top-level await in the entry module),
 * which reads as success. `whenAbandoned` turns that into a failure the caller reports.
 */
/** The one line for it: `what` stopped before it finished. */
export function abandonedMessage(what: string): string {
  return `internal error: ${what} stopped before it finished (it waited for work that can never complete): treat it as failed, and please report it`;
}

export async function guardAgainstAbandon<T>(work: Promise<T>, whenAbandoned: () => void): Promise<T> {
  const onBeforeExit = () => {
    process.off('beforeExit', onBeforeExit);
    whenAbandoned();
    if (!process.exitCode) process.exitCode = 1;
  };
  process.on('beforeExit', onBeforeExit);
  try {
    return await work;
  } finally {
    process.off('beforeExit', onBeforeExit);
  }
}
