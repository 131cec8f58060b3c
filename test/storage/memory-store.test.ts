/** The in-memory store: the same contract as every backend, for fast in-process tests. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { defineStoreContract, readAll } from '../helpers/store-contract.ts';

defineStoreContract('memory', async () => ({ store: new MemoryStore(), cleanup: async () => {} }));

const memory = suite('memory store');

memory(
  'objects are copied in and out: changing a buffer after put or after get leaves the stored object as it was',
  async () => {
    const store = new MemoryStore();
    const data = Buffer.from('replicas: 2\n');
    await store.put('snap/config', data);
    data.fill(0);
    const back = await readAll(await store.get('snap/config'));
    assert.is(back.toString(), 'replicas: 2\n');
    back.fill(0);
    assert.is((await readAll(await store.get('snap/config'))).toString(), 'replicas: 2\n');
  },
);

memory('modification times come from the clock it is given', async () => {
  const now = new Date('2026-11-02T03:04:05Z');
  const store = new MemoryStore({ now: () => now });
  await store.put('audit/2026-11.jsonl', new Uint8Array([1]));
  assert.equal((await store.stat('audit/2026-11.jsonl'))?.modified, now);
});

memory.run();
