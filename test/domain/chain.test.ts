/** Chains of snapshots (domain/chain.ts): the links a restore needs, what breaks a chain, what retention must keep. */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chainOf, dependentsOf, keepChains } from '../../src/domain/chain.ts';
import type { ChainLink, ChainResult } from '../../src/domain/chain.ts';

const sum = (id: string) => `manifest-of-${id}`;

function full(id: string): ChainLink {
  return { id, manifestSha256: sum(id) };
}

function on(parent: ChainLink, id: string, level: 'incremental' | 'differential' = 'incremental'): ChainLink {
  const base = parent.level === undefined || parent.level === 'full' ? parent.id : (parent.base as string);
  return { id, level, parent: parent.id, parentManifestSha256: parent.manifestSha256, base, manifestSha256: sum(id) };
}

const mapOf = (...links: ChainLink[]) => new Map(links.map((link) => [link.id, link]));
const idsOf = (result: ChainResult) => ('links' in result ? result.links.map((l) => l.id) : result.problem);

const f1 = full('f1');
const i1 = on(f1, 'i1');
const i2 = on(i1, 'i2');
const d1 = on(f1, 'd1', 'differential');
const f2 = full('f2');
const j1 = on(f2, 'j1');
const repository = mapOf(f1, i1, i2, d1, f2, j1);

test('a full snapshot is a chain of one; an incremental needs every link back to its base, base first', () => {
  assert.equal(idsOf(chainOf('f1', repository)), ['f1']);
  assert.equal(idsOf(chainOf('i2', repository)), ['f1', 'i1', 'i2']);
  assert.equal(idsOf(chainOf('d1', repository)), ['f1', 'd1']);
});

test('a missing link is named, with the snapshot that needs it', () => {
  const withoutI1 = mapOf(f1, i2);
  assert.equal(chainOf('i2', withoutI1), { problem: { kind: 'missing', id: 'i1', neededBy: 'i2' } });
  assert.equal(chainOf('nope', withoutI1), { problem: { kind: 'missing', id: 'nope', neededBy: 'nope' } });
});

test('a parent that is not the one the link recorded is foreign: another snapshot under its id, or a link of another chain', () => {
  const replaced = { ...i1, manifestSha256: 'manifest-of-something-else' };
  assert.equal(chainOf('i2', mapOf(f1, replaced, i2)), { problem: { kind: 'foreign', id: 'i1', neededBy: 'i2' } });
  const otherChain = { ...j1, parent: 'i1', parentManifestSha256: i1.manifestSha256 };
  assert.equal(chainOf('j1', mapOf(f1, i1, f2, otherChain)), {
    problem: { kind: 'foreign', id: 'i1', neededBy: 'j1' },
  });
});

test('links whose own fields cannot form a chain are refused by name, loops included', () => {
  const cases: [ChainLink, RegExp][] = [
    [{ ...i1, parent: undefined }, /must name its parent and base/],
    [{ ...f1, parent: 'x' }, /a full snapshot names a parent/],
    [{ ...on(i1, 'd2', 'differential') }, /builds on its base alone/],
    [{ ...i1, level: 'weekly' as never }, /level "weekly" is not one of/],
    [{ ...i1, parent: 'i1' }, /names itself/],
  ];
  for (const [link, reason] of cases) {
    const result = chainOf(link.id, mapOf(f1, i1, link));
    assert.ok('problem' in result && result.problem.kind === 'malformed', JSON.stringify(result));
    assert.match((result as { problem: { reason: string } }).problem.reason, reason);
  }
  const a: ChainLink = { ...on(f1, 'a'), parent: 'b', parentManifestSha256: sum('b') };
  const b: ChainLink = { ...on(f1, 'b'), parent: 'a', parentManifestSha256: sum('a') };
  const loop = chainOf('a', mapOf(f1, a, b));
  assert.ok('problem' in loop && loop.problem.kind === 'malformed' && /loops/.test(loop.problem.reason));
});

test('retention keeps every link a kept snapshot needs, and says which snapshot needs it', () => {
  assert.equal(
    [...keepChains(new Set(['i2']), repository)],
    [
      ['i1', 'i2'],
      ['f1', 'i2'],
    ],
  );
  assert.equal([...keepChains(new Set(['f1', 'f2']), repository)], [], 'fulls need nothing');
  assert.equal(
    [...keepChains(new Set(['d1', 'j1']), repository)],
    [
      ['f1', 'd1'],
      ['f2', 'j1'],
    ],
  );
  assert.equal([...keepChains(new Set(['i2']), mapOf(f1, i2))], [['i1', 'i2']], 'a broken chain keeps what is left');
});

test('the dependents of a link are every snapshot whose chain passes through it', () => {
  assert.equal(dependentsOf('f1', repository), ['d1', 'i1', 'i2']);
  assert.equal(dependentsOf('i1', repository), ['i2']);
  assert.equal(dependentsOf('i2', repository), []);
  assert.equal(dependentsOf('i1', mapOf(i1, i2)), ['i2'], 'also where the chain is broken further down');
});

test('whatever retention keeps, every kept snapshot can still be restored (random chains)', () => {
  const repositoryArbitrary = fc
    .array(fc.tuple(fc.nat(), fc.constantFrom('full', 'incremental', 'differential')), { minLength: 1, maxLength: 30 })
    .map((steps) => {
      const links: ChainLink[] = [];
      steps.forEach(([pick, level], n) => {
        const id = `s${n}`;
        const parent = links.length ? links[pick % links.length]! : undefined;
        if (!parent || level === 'full') links.push(full(id));
        else if (level === 'differential')
          links.push(
            on(
              parent.level === undefined ? parent : (links.find((l) => l.id === parent.base) as ChainLink),
              id,
              'differential',
            ),
          );
        else links.push(on(parent, id));
      });
      return links;
    });
  fc.assert(
    fc.property(repositoryArbitrary, fc.array(fc.nat()), (links, picks) => {
      const byId = mapOf(...links);
      const keep = new Set(picks.map((p) => links[p % links.length]!.id));
      const kept = new Set([...keep, ...keepChains(keep, byId).keys()]);
      const remaining = new Map([...byId].filter(([id]) => kept.has(id)));
      for (const id of keep) assert.ok('links' in chainOf(id, remaining), `${id} is restorable after retention`);
    }),
  );
});

test.run();
