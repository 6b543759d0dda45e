/**
 * A step wider than an entry's default one (widened for the loss's noise, or learned by its tensor) may reach
 * values where the loss is not finite: that only ends the look at the wider step (perturbed.ts, `unlessFar`),
 * never the check. (A model that throws there still ends it: MODEL_THREW.) Real-code GC_SEED=62, 1910708247: a float64 naive binary
 * cross-entropy whose saturated sigmoid rounds to exactly 1 at W2[1,0] = θ − h for the step W2 learned (h = 0.125,
 * 1 024 × the default), so the check threw NON_FINITE_LOSS at a loss that is finite at θ.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, checkGradientsAsync, GradcheckError, type GradientModel } from '../src/index.js';
import { isFarFailure } from '../src/errors.js';

/**
 * Σ wᵢ³/3 with a rounding-like jitter of up to 1e-9 per loss (the widening for noise takes each entry from
 * 3.8e-6 to about 1e-3), undefined (`barrier`) once entry `at` exceeds 1 + 2e-4.
 */
function barrierModel(at: number, barrier: number | 'throw'): GradientModel {
  const w = new Float64Array([1, 1, 1]);
  const jitter = (x: number): number => {
    const s = Math.sin(x * 12345.678 + 0.5) * 43758.5453;
    return (s - Math.floor(s)) * 1e-9;
  };
  return {
    parameters: { w },
    loss: () => {
      if (w[at]! > 1 + 2e-4) {
        if (barrier === 'throw') throw new RangeError('w out of range');
        return barrier;
      }
      let sum = 0;
      for (const v of w) sum += (v * v * v) / 3 + jitter(v);
      return sum;
    },
    gradients: () => ({ w: Float64Array.from(w, (v) => v * v) }),
  };
}

describe('a loss undefined at a step wider than the default', () => {
  it.each([
    // Entry 0 has no learned step: its widening for noise reaches θ + h > 1 + 2e-4 and goes back.
    ['its widening for noise', 0, Infinity],
    // Entry 1 first tries the step entry 0 learned (2⁻¹⁰ here), where the loss is not finite.
    ['the step its tensor learned', 1, Infinity],
    ['the step its tensor learned, NaN', 1, NaN],
  ] as const)('at %s: judged at a narrower step, no error', async (_, at, barrier) => {
    const sync = checkGradients(barrierModel(at, barrier), null, null);
    expect(sync.passed).toBe(true);
    const entry = sync.worst.find((e) => e.label === `w[${at}]`)!;
    expect(entry.step).toBeLessThan(2e-4);
    // The same through the generator path (no in-place settling).
    const viaAsync = await checkGradientsAsync(barrierModel(at, barrier), null, null);
    expect({ ...viaAsync, elapsedMs: 0 }).toEqual({ ...sync, elapsedMs: 0 });
  });

  it('a model that throws at the learned step ends the check (MODEL_THREW: a throw is no value far from θ)', () => {
    expect(() => checkGradients(barrierModel(1, 'throw'), null, null)).toThrow(
      expect.objectContaining({ code: 'MODEL_THREW' }),
    );
  });

  it('a loss undefined within the default step still ends the check, naming the entry', () => {
    const model = barrierModel(0, Infinity);
    (model.parameters as { w: Float64Array }).w[0] = 1 + 2e-4 - 1e-6;
    expect(() => checkGradients(model, null, null)).toThrow(/Infinity with w\[0\] = θ \+ h/);
  });
});

describe('isFarFailure', () => {
  it('is true for a loss or gradient not finite, for the model throwing only where asked, not for other errors', () => {
    expect(isFarFailure(new GradcheckError('NON_FINITE_LOSS', ''))).toBe(true);
    expect(isFarFailure(new GradcheckError('NON_FINITE_GRADIENT', ''))).toBe(true);
    expect(isFarFailure(new GradcheckError('MODEL_THREW', ''))).toBe(false);
    expect(isFarFailure(new GradcheckError('MODEL_THREW', ''), true)).toBe(true);
    expect(isFarFailure(new GradcheckError('PARAMETERS_CHANGED', ''))).toBe(false);
    expect(isFarFailure(new RangeError('x'))).toBe(false);
  });
});
