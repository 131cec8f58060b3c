import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);

// src/ops/unfinished.ts
function abandonedMessage(what) {
  return `internal error: ${what} stopped before it finished (it waited for work that can never complete): treat it as failed, and please report it`;
}
async function guardAgainstAbandon(work, whenAbandoned) {
  const onBeforeExit = () => {
    process.off("beforeExit", onBeforeExit);
    whenAbandoned();
    if (!process.exitCode) process.exitCode = 1;
  };
  process.on("beforeExit", onBeforeExit);
  try {
    return await work;
  } finally {
    process.off("beforeExit", onBeforeExit);
  }
}

export {
  abandonedMessage,
  guardAgainstAbandon
};
