/**
 * A still loss read again one widening further (quantum.ts): where it moves there with the gradient
 * on both sides in changes larger than the gradient makes over the still step, its stillness is the
 * loss's quantum, not evidence against the gradient. The whole paths are pinned on the property
 * test's draws (test/property.test.ts, GC_SEED=47 and 55).
 */
import { describe, expect, it } from 'vitest';
import { quantumExplains } from '../src/quantum.js';

describe('quantumExplains', () => {
  // Property seed 55's b1[0]: g = −4.09e-13, still at h = 2⁻⁹; at 2⁻⁵ the loss fell by whole quanta of 3.55e-15.
  const g = -4.0945e-13,
    h = 2 ** -9;
  const changes = [-1.0658e-14, -7.1054e-15, -1.4211e-14, -7.1054e-15];

  it('explains a stillness where every change has the sign of g and the smallest exceeds |g|·h', () => {
    expect(quantumExplains(changes, g, h)).toBe(true);
    expect(quantumExplains(changes, g, 7.1e-15 / 4.0945e-13 / 1.001)).toBe(true);
  });

  it('does not where the smallest change is within |g|·h (the loss would have moved at h)', () => {
    expect(quantumExplains(changes, g, (7.1054e-15 / 4.0945e-13) * 1.001)).toBe(false);
    expect(quantumExplains(changes, 10 * g, h * 2)).toBe(false);
  });

  it('does not where a side stood still or moved against g (a dead unit revived on one side)', () => {
    expect(quantumExplains([-1e-14, -7e-15, 0, 0], g, h)).toBe(false);
    expect(quantumExplains([-1e-14, -7e-15, 1e-14, 7e-15], g, h)).toBe(false);
    expect(quantumExplains(changes, -g, h)).toBe(false);
  });
});
