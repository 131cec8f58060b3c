/**
 * Moving buffers between threads without copying them, on every supported Node.
 *
 * A transfer list hands a buffer's whole memory to the other thread. Node keeps some memory
 * untransferable, above all the pool behind small Buffers (Buffer.from, small allocUnsafe
 * and Buffer.concat results, the output of an async gzip of a small batch: 8 KiB of pool on
 * Node 20 and 22, 64 KiB on 24). Node 20 quietly copies such memory when it stands in a
 * transfer list; Node 22 and 24 throw DataCloneError ("Cannot transfer object of
 * unsupported type") instead. So views over untransferable memory are copied here, into
 * one fresh buffer, and only memory that can move is put in the transfer list.
 * `isMarkedAsUntransferable` (Node 21 and later) says which memory that is; Node 20 has no
 * such check and needs none, since it copies that memory by itself.
 */
import { workerThreads } from './worker-threads.ts';

/** Node 21 and later: the check, once a transfer asks for it (see workerThreads) */
let untransferable: ((value: object) => boolean) | null | undefined;

function isMarkedAsUntransferable(): ((value: object) => boolean) | null {
  untransferable ??=
    (workerThreads() as { isMarkedAsUntransferable?: (value: object) => boolean }).isMarkedAsUntransferable ?? null;
  return untransferable;
}

export interface Transfer {
  /** the views to post, in order: the same ones, or copies where their memory cannot move */
  views: Uint8Array[];
  /** the memory behind them, each once: the message's transfer list */
  transferList: ArrayBuffer[];
}

/** How to post these views, which the caller gives away. */
export function transferOf(views: readonly Uint8Array[]): Transfer {
  const check = isMarkedAsUntransferable();
  const stuck = check ? views.filter((view) => check(view.buffer)) : [];
  if (stuck.length === 0) return { views: [...views], transferList: memoryOf(views) };
  // One copy for all of them: these views are small (the pool only serves small buffers).
  const copy = Buffer.allocUnsafeSlow(stuck.reduce((sum, view) => sum + view.byteLength, 0));
  let offset = 0;
  const moved = views.map((view) => {
    if (!stuck.includes(view)) return view;
    copy.set(view, offset);
    offset += view.byteLength;
    return copy.subarray(offset - view.byteLength, offset);
  });
  return { views: moved, transferList: memoryOf(moved) };
}

function memoryOf(views: readonly Uint8Array[]): ArrayBuffer[] {
  return [...new Set(views.map((view) => view.buffer as ArrayBuffer))];
}
