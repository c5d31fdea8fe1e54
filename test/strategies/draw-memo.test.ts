/**
 * randomConfig and deriveSeed remember what they drew (a tuner's number window asks for the same indexes again and
 * again): what they give must be what a fresh draw gives, per space and seed, before and after the memory is full.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import seedrandom from 'seedrandom';
import { createRng, deriveSeed } from '../../src/core/rng.js';
import { sampleParams } from '../../src/space/sample.js';
import { randomConfig } from '../../src/strategies/sampling.js';
import { space } from '../helpers/records.js';

const fresh = (s: ReturnType<typeof space>, index: number) => sampleParams(s.params, createRng(Math.floor(seedrandom(`${s.seed}/params/${index}`).quick() * 0x7fffffff)));

test('randomConfig: the draw of each index, per space, again and again, also after older ones were forgotten; frozen', () => {
  const a = space({ seed: 7 });
  const b = space({ seed: 8 }); // same params, another seed: other configs
  for (const index of [0, 5, 3, 0, 5, 700, 3, ...Array.from({ length: 600 }, (_, i) => i), 0, 5, 3]) {
    assert.deepEqual(randomConfig(a, index), fresh(a, index), `space a, index ${index}`);
    assert.deepEqual(randomConfig(b, index), fresh(b, index), `space b, index ${index}`);
  }
  assert.notDeepEqual(randomConfig(a, 1), randomConfig(b, 1));
  assert.ok(Object.isFrozen(randomConfig(a, 1)), 'one object goes to every caller: nobody may change it');
});

test('deriveSeed: the seedrandom derivation, per seed and stream, also past the number it remembers', () => {
  const direct = (seed: number, stream: number | string) => Math.floor(seedrandom(`${seed}/${stream}`).quick() * 0x7fffffff);
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 5000; i += 7) {
      assert.equal(deriveSeed(3, `trial/${i}`), direct(3, `trial/${i}`));
      assert.equal(deriveSeed(4, i), direct(4, i));
    }
  }
});
