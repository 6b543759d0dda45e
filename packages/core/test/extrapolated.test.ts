/**
 * The truncation's sign through a whole check (extrapolated.ts): an entry that agrees with the
 * central quotient D(h) only within its symmetric truncation estimate must agree with Richardson's
 * value from the same losses too, where the truncation is the loss's smooth curvature (the analytic
 * gradient at θ ± h/2 and θ ± h accounts for D(h) − D(h/2)). L(θ) = θ + θ³ at θ = 0 with the step
 * fixed at h = 2⁻⁴: D(h) = 1 + h² = 1.00390625, D(h/2) = 1.0009765625, Richardson's value exactly 1,
 * the central estimate's error 2·(4/3)·|D(h) − D(h/2)| = 7.8e-3, Richardson's 2·|D(h/2) − D(h)|/3 = 2.0e-3;
 * a cubic's one-sided slopes agree exactly (their error is −h²/12·L‴ on either side), so the loss shows no kink.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, type GradientModel } from '../src/index.js';

/** θᵢ + θᵢ³ summed over `n` entries at θ = 0, whose gradient is off by `offset` (a constant: smooth). */
function cubic(
  n: number,
  offset: number,
  kinked: 'none' | 'right' | 'both sides' = 'none',
): GradientModel & { gradientCalls: () => number } {
  const w = new Float64Array(n);
  let calls = 0;
  // Kinks the losses at ±h/2 and ±h cannot show but the gradient can: a jump of 0.01 beyond θ = 0.04
  // ('right'), or of ±0.003 beyond ±0.04, one on each side ('both sides': the gradient's second
  // differences stay those of the cubic, only the rise over θ ± h shows them).
  const jump = (v: number): number =>
    kinked === 'right'
      ? v > 0.04
        ? 0.01
        : 0
      : kinked === 'both sides'
        ? Math.abs(v) > 0.04
          ? 0.003 * Math.sign(v)
          : 0
        : 0;
  return {
    parameters: { w },
    loss: () => w.reduce((s, v) => s + v + v * v * v, 0),
    gradients: () => {
      calls++;
      return { w: Float64Array.from(w, (v) => 1 + 3 * v * v + offset + jump(v)) };
    },
    gradientCalls: () => calls,
  };
}

const fixed = { mode: 'full', step: 2 ** -4, worst: 20 } as const;

describe('an agreement only within the truncation estimate, judged by the extrapolated value too', () => {
  it('fails a gradient off by 4e-3 with the truncation’s sign, reported with Richardson’s value', () => {
    const result = checkGradients(cubic(1, 4e-3), null, null, fixed);
    expect(result.passed).toBe(false);
    const [entry] = result.worst;
    expect(entry!.analytic).toBe(1.004);
    // Richardson's value, not D(h) = 1.0039 which the entry agreed with within 7.8e-3.
    expect(entry!.numeric).toBeCloseTo(1, 12);
    expect(entry!.excess).toBeGreaterThan(1);
  });

  it('fails one off by −3e-3 as well, and passes the correct gradient', () => {
    expect(checkGradients(cubic(1, -3e-3), null, null, fixed).passed).toBe(false);
    const correct = checkGradients(cubic(1, 0), null, null, fixed);
    expect(correct.passed).toBe(true);
    expect(correct.worst[0]!.numeric).toBeCloseTo(1.00390625, 12); // D(h): agreed within its error
  });

  it('passes with the symmetric estimate where the gradient jumps within the step (a kink the losses miss)', () => {
    // The loss stays a cubic: the gradient's jump of 0.01 at 0.04 is no curvature: Richardson's value decides nothing.
    const result = checkGradients(cubic(1, 4e-3, 'right'), null, null, fixed);
    expect(result.passed).toBe(true);
    expect(result.worst[0]!.numeric).toBeCloseTo(1.00390625, 12);
  });

  it('passes so where the gradient jumps on both sides, which only its rise over θ ± h shows', () => {
    const result = checkGradients(cubic(1, 4e-3, 'both sides'), null, null, fixed);
    expect(result.passed).toBe(true);
    expect(result.worst[0]!.numeric).toBeCloseTo(1.00390625, 12);
  });

  it('asks for the four gradients only until a tensor has enough confirmed wrong entries', () => {
    // The gradient read at θ twice (purity), then 4 per entry judged so until 8 confirm the tensor wrong;
    // the other 4 entries settle at their central difference (their tensor fails whatever they show).
    const model = cubic(12, 4e-3);
    const result = checkGradients(model, null, null, fixed);
    expect(result.passed).toBe(false);
    expect(result.tensors[0]!.failing).toBe(12);
    expect(model.gradientCalls()).toBe(2 + 4 * 8);
  });

  it('leaves the richardson scheme as it was (its estimate is that value already)', () => {
    const result = checkGradients(cubic(1, 4e-3), null, null, { ...fixed, scheme: 'richardson' });
    expect(result.passed).toBe(false);
    expect(result.worst[0]!.numeric).toBeCloseTo(1, 12);
  });
});
