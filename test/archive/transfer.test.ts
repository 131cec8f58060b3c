import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MessageChannel } from 'node:worker_threads';
import { transferOf } from '../../src/archive/transfer.ts';

/** Post these views through a real message port with the transfer transferOf gives; what arrives. */
async function postAcross(views: Uint8Array[]): Promise<Uint8Array[]> {
  const { port1, port2 } = new MessageChannel();
  try {
    const arrived = new Promise<Uint8Array[]>((resolve) =>
      port2.once('message', (message: { views: Uint8Array[] }) => resolve(message.views)),
    );
    const transfer = transferOf(views);
    port1.postMessage({ views: transfer.views }, transfer.transferList);
    return await arrived;
  } finally {
    port1.close();
    port2.close();
  }
}

test('memory of its own is transferred as it is, without a copy, each buffer once', async () => {
  const memory = new ArrayBuffer(300);
  const views = [new Uint8Array(memory, 0, 100), new Uint8Array(memory, 100, 200)];
  views[0]?.fill(1);
  views[1]?.fill(2);
  const transfer = transferOf(views);
  assert.equal(transfer.views, views);
  assert.equal(transfer.transferList, [memory]);
  const arrived = await postAcross(views);
  assert.is(memory.byteLength, 0, 'the memory moved to the other side');
  assert.equal(
    arrived.map((view) => [...new Set(view)]),
    [[1], [2]],
  );
});

test("views over Node's buffer pool arrive intact and the pool stays usable (Node 22 and 24 throw DataCloneError on a plain transfer)", async () => {
  const pooled = [Buffer.from('first'), Buffer.from('second, also from the pool')];
  const own = Buffer.from(new ArrayBuffer(8)).fill(7);
  const arrived = await postAcross([pooled[0] as Buffer, own, pooled[1] as Buffer]);
  assert.equal(
    arrived.map((view) => Buffer.from(view).toString('latin1')),
    ['first', '\x07'.repeat(8), 'second, also from the pool'],
  );
  assert.is((pooled[0] as Buffer).toString(), 'first', 'the pooled original is untouched');
  assert.is(Buffer.from('after').toString(), 'after');
});

test.run();
