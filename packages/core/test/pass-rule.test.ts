/**
 * The pass rule at its boundaries: a whole check whose classic difference is exactly the tolerance
 * (every step exact), and the rule's functions themselves (equality of the error and the noise is
 * no check's exact outcome, so it is pinned on the function): "within" includes equality.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, type GradientModel } from '../src/index.js';
import { classicDifference, entryExcess, excess, withinTolerance } from '../src/pass-rule.js';

describe('withinTolerance', () => {
  it('a difference exactly at the tolerance passes, one just below it fails (every step exact: 3× a slope of 1/2)', () => {
    // Loss w/2, gradient 3/2: a classic difference of exactly 1/(3/2 + 1/2) = 0.5, and an entry
    // excess of exactly 1; both rules say "within" at equality.
    const model = (): GradientModel => {
      const w = Float64Array.from([-0.375]);
      return { parameters: { w }, loss: () => 0.5 * w[0]!, gradients: () => ({ w: [1.5] }) };
    };
    const at = checkGradients(model(), null, null, { tolerance: 0.5, mode: 'full' });
    expect(at.difference).toBe(0.5);
    expect(at.worst[0]!.excess).toBe(1);
    expect(at.passed).toBe(true);
    expect(at.tensors[0]!.passed).toBe(true);
    const below = checkGradients(model(), null, null, { tolerance: 0.5 - 2 ** -54, mode: 'full' });
    expect(below.difference).toBe(0.5);
    expect(below.passed).toBe(false);
    expect(below.tensors[0]!.failing).toBe(1);
  });

  it('passes a difference equal to the tolerance, and not one above it without the noise', () => {
    expect(withinTolerance(0.5, 4, 1, 0.5)).toBe(true);
    expect(withinTolerance(0.5 + 2 ** -53, 4, 1, 0.5)).toBe(false);
  });

  it('passes an error whose square equals the noise’s, above the tolerance, and not one above it', () => {
    expect(withinTolerance(0.9, 4, 4, 0.5)).toBe(true);
    expect(withinTolerance(0.9, 4 + 2 ** -50, 4, 0.5)).toBe(false);
  });
});

describe('excess', () => {
  it('is 0 for no error, error / max(tolerance·scale, floor) else, Infinity where nothing is allowed', () => {
    expect(excess(0, 0, 0, 0.1)).toBe(0);
    expect(excess(1, 4, 0.5, 0.5)).toBe(0.5);
    expect(excess(1, 4, 8, 0.5)).toBe(0.125);
    expect(excess(1e-300, 0, 0, 0.5)).toBe(Infinity);
    expect(entryExcess(1.5, 0.5, 0, 0.5)).toBe(1);
    expect(classicDifference(1, 1.5, 0.5)).toBe(0.5);
    expect(classicDifference(0, 0, 0)).toBe(0);
  });
});
