/**
 * A still loss read again one widening further (quantum.ts): where it moves there with the gradient
 * on both sides in changes larger than the gradient makes over the still step, its stillness is the
 * loss's quantum, not evidence against the gradient. The whole paths are pinned below on the property
 * test's draws that showed it (GC_SEED=47 and 55), and those of a still loss below a kink read as noise,
 * whose stillness judges an entry only where it contradicts the gradient (GC_SEED=63 and 65; narrowing.ts's
 * sharperBelowKink, quantum.ts's stillSaysNothing).
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../src/index.js';
import { quantumExplains } from '../src/quantum.js';
import { buildNet, modelOf } from '../../../test/helpers/mlp.js';

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

describe('a check of a loss that moves in quanta coarser than its measured noise', () => {
  it.each([
    // b1[0], g = −4.1e-13; the loss, 1.12, moves in quanta of 3.6e-15 and stands still at 2⁻⁹.
    [
      55,
      {
        sizes: [1, 2],
        examples: 1,
        lambda: 0.010411824339531982,
        scale: 26.738003037823077,
        zeroExample: false,
        deadUnit: false,
        seed: 1932839027,
      },
      'b1[0]',
    ],
    // b2[1], g = −4.9e-14; the loss, 0.30, moves in quanta of 8.9e-16 and stands still at 2⁻⁷.
    [
      47,
      {
        sizes: [1, 3, 2, 2],
        examples: 2,
        lambda: 0.002014230248974341,
        scale: 11.79015115513285,
        zeroExample: true,
        deadUnit: true,
        seed: 152794709,
      },
      'b2[1]',
    ],
  ] as const)('passes a correct float64 bias widened past its still step (property GC_SEED=%i)', (_, spec, label) => {
    const net = buildNet({ ...spec, sizes: [...spec.sizes], loss: 'softmax-l2', precision: 'float64' });
    const result = checkGradients(modelOf(net), net.X, net.Y);
    expect(result.passed).toBe(true);
    // Judged where the loss moves: a numeric derivative within a quantum over the step of g, not 0.
    const entry = result.worst.find((e) => e.label === label)!;
    expect(entry.numeric).not.toBe(0);
    expect(Math.abs(entry.numeric - entry.analytic)).toBeLessThan(0.25 * Math.abs(entry.analytic));
  });
});

describe('a still loss below a kink read as noise', () => {
  it.each([
    // W3[0,0], g = −5.3e-13; the loss, 8.3e-14, moves in quanta of 1.8e-15: agreed at 2⁻⁴ within 3.8e-14, and
    // stood still at 2⁻¹⁴, the first narrower step without a kink, which failed it as "never moved the loss".
    [
      63,
      {
        sizes: [5, 6, 4, 1],
        loss: 'cross-entropy',
        examples: 4,
        lambda: 0,
        precision: 'float32',
        scale: 10.818993377610767,
        zeroExample: true,
        deadUnit: true,
        seed: 1562266064,
      },
      'W3[0,0]',
    ],
    // b2[2], g = −1.43e-11; the loss, 3.9e-12, moves in quanta of 1.8e-15 and stood still at 1.9e-6.
    [
      65,
      {
        sizes: [3, 6, 3, 1],
        loss: 'cross-entropy',
        examples: 2,
        lambda: 0,
        precision: 'float64',
        scale: 6.3935655069536175,
        zeroExample: true,
        deadUnit: true,
        seed: 1182182641,
      },
      'b2[2]',
    ],
  ] as const)('judges it where the loss moves, not by its stillness (property GC_SEED=%i)', (_, spec, label) => {
    const net = buildNet({ ...spec, sizes: [...spec.sizes] });
    const result = checkGradients(modelOf(net), net.X, net.Y, { worst: 100 });
    expect(result.passed).toBe(true);
    const entry = result.worst.find((e) => e.label === label)!;
    expect(entry.numeric).not.toBe(0);
    expect(Math.abs(entry.numeric - entry.analytic)).toBeLessThan(0.1 * Math.abs(entry.analytic));
  });
});
