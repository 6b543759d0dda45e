/**
 * The noise an entry showed is the noise of the whole check (noise.ts `LossNoise.saw`), on the one
 * model that needed it: real-code `GC_SEED=5`'s naive binary cross-entropy false alarm (a fast test,
 * run by Stryker too; the class it comes from is test/real-code.property.test.ts's).
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '@gradcheck/core';
import { buildRealNet, centralDifferenceError, realModel } from './helpers/real-code.js';

describe('naive binary cross-entropy whose jumps the probe does not see', () => {
  it('judges an entry whose own losses look smooth with the noise the entries before it showed', () => {
    // GC_SEED=5's one false alarm: the probe read this loss as exact, the W1 entries' losses showed
    // noise of 2.3e-9 and agreed at wider steps, and b2[0]'s five losses, sampled where the jumps of
    // log(1 − a) fall evenly, looked smooth with a slope 5.7e-4 off (its best step gives 1.5e-7).
    const net = buildRealNet({
      sizes: [4, 3, 1],
      examples: 7,
      layout: 'columns',
      loss: 'bce-naive',
      precision: 'float64',
      weightScale: 0.47067912287243463,
      outputScale: 23.069500462152064,
      targets: 'plain',
      inputs: 'records',
      seed: 1978934222,
    });
    const b2 = checkGradients(realModel(net), net.X, net.Y).tensors.find((t) => t.name === 'b2')!;
    expect(b2.passed).toBe(true);
    expect(b2.difference).toBeLessThan(1e-6);
    expect(centralDifferenceError(net, 'b2', 0)).toBeLessThan(1e-6);
  });
});
