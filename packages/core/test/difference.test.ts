/**
 * The pure functions of difference.ts against first principles.
 */
import { describe, expect, it } from 'vitest';
import { oneSidedDerivative, oneSidedNoise } from '../src/difference.js';

describe('oneSidedNoise', () => {
  // The one-sided derivative is linear in the three losses; with each off by at most `noise`,
  // its worst error is reached at some corner (±noise, ±noise, ±noise): search them all.
  const worstCase = (t1: number, t2: number, noise: number): number => {
    let worst = 0;
    for (const e0 of [-noise, noise])
      for (const e1 of [-noise, noise])
        for (const e2 of [-noise, noise]) worst = Math.max(worst, Math.abs(oneSidedDerivative(e0, t1, e1, t2, e2)));
    return worst;
  };

  it.each([
    [0.5, 1, 1],
    [-0.5, -1, 1],
    [1e-3, 2e-3, 1e-12],
    [0.25, 1, 3],
    [-2, -3, 0.5],
  ])('is the worst error of the one-sided derivative at offsets %d, %d with noise %d', (t1, t2, noise) => {
    expect(oneSidedNoise(t1, t2, noise) / worstCase(t1, t2, noise)).toBeCloseTo(1, 12);
  });

  it('is 8·noise/h at h/2 and h', () => {
    expect(oneSidedNoise(0.5, 1, 1)).toBeCloseTo(8, 12);
  });
});
