/**
 * The decisions of a directional projection (modes/direction-rules.ts), as tables: readings at a
 * scale s and s/2 built from a loss along the direction with a known error, truncation and noise.
 */
import { describe, expect, it } from 'vitest';
import { lossNoise, MACHINE_EPSILON } from '../src/difference.js';
import {
  directionalError,
  directionNoise,
  readingExcess,
  widerMoveHelps,
  type DirectionalReading,
} from '../src/modes/direction-rules.js';

/**
 * The reading at scale `s` of a loss L(t) = L0 + a·t + c·t³ along the direction (its true
 * derivative a at 0), against an analytic derivative `analytic`, the losses off by `plus`/`minus`.
 */
function reading(s: number, analytic: number, a: number, c = 0, plus = 0, minus = 0, L0 = 1): DirectionalReading {
  const L = (t: number) => L0 + a * t + c * t ** 3;
  const lossPlus = L(s) + plus,
    lossMinus = L(-s) + minus;
  const numeric = (lossPlus - lossMinus) / 2;
  return { scale: s, residual: (analytic * s - numeric) / s, numeric: numeric / s, lossPlus, lossMinus };
}

describe('directionalError', () => {
  const s = 2 ** -6;
  it.each([
    // A right gradient on a cubic loss: the change from s to s/2 is 3/4 of the truncation c·s²,
    // and the allowance (4/3 of the change, ×2) covers the residual at s.
    { name: 'truncation', c: 5, noise: 0, allowance: 2 * 5 * s ** 2, noiseLike: false },
    // Noise alone: the allowance is noise/s, and the (zero) change is noise-like.
    { name: 'noise', c: 0, noise: 1e-9, allowance: 1e-9 / s, noiseLike: true },
  ])('$name', ({ c, noise, allowance, noiseLike }) => {
    const coarse = reading(s, 0.3, 0.3, c),
      fine = reading(s / 2, 0.3, 0.3, c);
    const error = directionalError(coarse, fine, noise);
    expect(error.allowance).toBeCloseTo(allowance, 12);
    expect(error.noiseLike).toBe(noiseLike);
    // The residual a right gradient leaves at s is within the allowance.
    expect(Math.abs(coarse.residual)).toBeLessThanOrEqual(error.allowance);
  });

  it('reads a change the size of what noise can make as noise, and one 10 × larger as truncation', () => {
    const noise = 1e-8;
    // Losses at s off by ±noise, at s/2 exact: the residual changes by noise/s.
    const coarse = reading(s, 0.3, 0.3, 0, noise, -noise),
      fine = reading(s / 2, 0.3, 0.3);
    expect(directionalError(coarse, fine, noise).noiseLike).toBe(true);
    const coarser = reading(s, 0.3, 0.3, 0, 10 * 6 * noise, -10 * 6 * noise);
    expect(directionalError(coarser, fine, noise).noiseLike).toBe(false);
  });
});

describe('widerMoveHelps and readingExcess', () => {
  const s = 2 ** -8,
    tolerance = 1e-3;
  // A 10 % error along a direction whose derivative is 1e-3, in a loss of magnitude 1 with float32
  // rounding: at s, the modelled allowance (32·ε·|L|/s ≈ 1e-3) is above the error (1e-4); the
  // noise measured as 8·ε·|L| leaves 2.4e-4 at s and 6e-5 at 4s.
  const noise = lossNoise(1, 'float32');
  it.each([
    { widening: 1, helps: true, fails: false },
    { widening: 4, helps: true, fails: true },
    { widening: 16, helps: true, fails: true },
  ])('at $widening × the move: widening helps $helps, the 10 % error fails $fails', ({ widening, helps, fails }) => {
    const at = s * widening;
    const coarse = reading(at, 1.1e-3, 1e-3),
      fine = reading(at / 2, 1.1e-3, 1e-3);
    const error = directionalError(coarse, fine, noise);
    expect(error.allowance).toBeCloseTo(noise / at, 15);
    expect(widerMoveHelps(coarse, error, 1e-3, tolerance)).toBe(helps);
    expect(readingExcess(coarse, 1e-3, error.allowance, tolerance) > 1).toBe(fails);
    // The modelled allowance of the check before (32·ε·|L|) lets it pass at the default move.
    if (widening === 1) expect(readingExcess(coarse, 1e-3, (4 * noise) / at, tolerance)).toBeLessThan(1);
  });

  it('does not widen where the tolerance already decides', () => {
    const coarse = reading(s, 0.3, 0.3),
      fine = reading(s / 2, 0.3, 0.3);
    expect(widerMoveHelps(coarse, directionalError(coarse, fine, 1e-12), 0.3, tolerance)).toBe(false);
  });
});

describe('directionNoise', () => {
  it('is at least 8·ε·|L|, and what the fourth difference of the five losses shows above it', () => {
    const s = 2 ** -4;
    const exact = [reading(s, 1, 1), reading(s / 2, 1, 1)] as const;
    expect(directionNoise(...exact, 1, 'float32')).toBe(lossNoise(1 + s, 'float32'));
    const big = 1e3 * MACHINE_EPSILON.float32;
    const noisy = reading(s, 1, 1, 0, big, 0);
    // fourth difference = big (L(s) off by big), read as big / 8.
    expect(directionNoise(noisy, exact[1], 1, 'float32')).toBeCloseTo(big / 8, 12);
  });
});

// Each rule at its boundary, on readings built by hand (values exact in binary).
describe('the directional rules at their boundaries', () => {
  const at = (scale: number, residual: number, numeric = 1): DirectionalReading => ({
    scale,
    residual,
    numeric,
    lossPlus: 1,
    lossMinus: 1,
  });

  it('a change of exactly twice what the noise makes of it (noise/(s/2) + noise/s) is noise', () => {
    // s = 1, noise 2⁻¹⁰: 2 × (2⁻⁹ + 2⁻¹⁰) = 3·2⁻⁹.
    const noise = 2 ** -10;
    expect(directionalError(at(1, 0), at(0.5, 3 * 2 ** -9), noise).noiseLike).toBe(true);
    expect(directionalError(at(1, 0), at(0.5, 3 * 2 ** -9 + 2 ** -30), noise).noiseLike).toBe(false);
  });

  it('a wider move helps only where the allowance is beyond what the tolerance allows', () => {
    // tolerance × (weight + |numeric|) = 0.25 × (1 + 1) = 0.5
    expect(widerMoveHelps(at(1, 0), { allowance: 0.5, noiseLike: true }, 1, 0.25)).toBe(false);
    expect(widerMoveHelps(at(1, 0), { allowance: 0.5 + 2 ** -20, noiseLike: true }, 1, 0.25)).toBe(true);
    expect(widerMoveHelps(at(1, 0), { allowance: 1, noiseLike: false }, 1, 0.25)).toBe(false);
  });

  it('a reading’s excess weighs the tolerance by weight + |numeric|', () => {
    // |residual| 1 over 0.25 × (3 + 1)
    expect(readingExcess(at(1, 1, -1), 3, 0, 0.25)).toBe(1);
  });
});
