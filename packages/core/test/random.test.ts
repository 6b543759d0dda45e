import { describe, expect, it } from 'vitest';
import { DEFAULT_SEED, seededRandom } from '../src/internal.js';

const draws = (n: number, draw: () => number): number[] => Array.from({ length: n }, draw);
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('seeded random draws (what makes a failure reproducible from its seed)', () => {
  it('the same seed gives the same draws; another seed, others; a seed is taken modulo 2³²', () => {
    const a = seededRandom(DEFAULT_SEED),
      b = seededRandom(DEFAULT_SEED);
    const first = draws(5, () => a.uniform());
    expect(draws(5, () => b.uniform())).toEqual(first);
    expect(draws(5, () => seededRandom(DEFAULT_SEED + 1).uniform())).not.toEqual(first);
    const negative = seededRandom(-1),
      wrapped = seededRandom(2 ** 32 - 1);
    expect(draws(5, () => negative.uniform())).toEqual(draws(5, () => wrapped.uniform()));
  });

  it('uniform draws lie in [0, 1) and fill it evenly', () => {
    const r = seededRandom(7);
    const xs = draws(20_000, () => r.uniform());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(Math.abs(mean(xs) - 0.5)).toBeLessThan(0.01);
    // Each tenth of [0, 1) holds a tenth of the draws, within 10 % (4 standard deviations).
    const bins = new Array<number>(10).fill(0);
    for (const x of xs) bins[Math.floor(x * 10)]!++;
    for (const count of bins) expect(Math.abs(count - 2000)).toBeLessThan(200);
  });

  it('Gaussian draws have mean 0 and variance 1, and both signs', () => {
    const r = seededRandom(11);
    const xs = draws(20_000, () => r.gaussian());
    expect(Math.abs(mean(xs))).toBeLessThan(0.03);
    expect(Math.abs(mean(xs.map((x) => x * x)) - 1)).toBeLessThan(0.05);
    // About 68 % within one standard deviation.
    expect(Math.abs(xs.filter((x) => Math.abs(x) < 1).length / xs.length - 0.6827)).toBeLessThan(0.015);
  });

  it('signs are −1 or +1, half each', () => {
    const r = seededRandom(13);
    const xs = draws(20_000, () => r.sign());
    expect(new Set(xs)).toEqual(new Set([-1, 1]));
    expect(Math.abs(mean(xs))).toBeLessThan(0.03);
  });

  it('below(n) gives every whole number in [0, n) about equally often', () => {
    const r = seededRandom(17);
    const xs = draws(7_000, () => r.below(7));
    const counts = new Array<number>(7).fill(0);
    for (const x of xs) {
      expect(Number.isInteger(x)).toBe(true);
      counts[x]!++;
    }
    for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(100);
  });
});
