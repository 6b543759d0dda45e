/**
 * The pure functions of difference.ts against first principles.
 */
import { describe, expect, it } from 'vitest';
import { oneSidedDerivative, oneSidedNoise, powerOfTwoAtMost, withFields } from '../src/difference.js';

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

describe('powerOfTwoAtMost', () => {
  it('is 2 ** floor(log2(x)) bit for bit, its powers cached (edges, subnormals, and a sweep twice over)', () => {
    const values = [
      1,
      2,
      3,
      0.75,
      1 - 2 ** -53,
      2 - 2 ** -51,
      2 ** -1074,
      3 * 2 ** -1074,
      2 ** -1022,
      1e308,
      0,
      Infinity,
    ];
    for (let e = -1074; e <= 1023; e += 7) values.push(2 ** e, 2 ** e * 1.5, 2 ** e * (2 - 2 ** -52));
    for (let pass = 0; pass < 2; pass++)
      for (const x of values) expect(Object.is(powerOfTwoAtMost(x), 2 ** Math.floor(Math.log2(x)))).toBe(true);
  });
});

describe('withFields', () => {
  it('is the object spread { ...estimate, ...extra }: the same fields in the same order, the original untouched', () => {
    const estimate = { numeric: 1.5, floor: 1e-9, step: 2 ** -10, errorEstimate: 2e-9, noise: 1e-12 };
    for (const extra of [{ widened: 4 }, { floor: 3e-9 }, { noisy: true, flat: true as const }, {}]) {
      const copy = withFields(estimate, extra);
      expect(Object.entries(copy)).toEqual(Object.entries({ ...estimate, ...extra }));
      expect(copy).not.toBe(estimate);
    }
    expect(estimate).toEqual({ numeric: 1.5, floor: 1e-9, step: 2 ** -10, errorEstimate: 2e-9, noise: 1e-12 });
  });
});
