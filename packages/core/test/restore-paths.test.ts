/**
 * Parameters restored on every way out, where no single evaluation's own restore covers it: a
 * model that moves another parameter and then throws (only the session's close() restores that),
 * and the moment the Taylor test ends (the progress report after it sees the parameters as they
 * are then).
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, type GradientModel } from '../src/index.js';

describe('restored on every way out', () => {
  it('a model that moves a parameter other than the one perturbed and then throws leaves every parameter as it was', () => {
    const w = Float64Array.from([0.5, -0.25, 1.5]);
    let calls = 0;
    const model: GradientModel = {
      parameters: { w },
      loss: () => {
        // The 5th loss: the second entry's θ + h. It moves the first entry, then throws.
        if (++calls === 5) {
          w[0] = 9;
          throw new Error('out of memory');
        }
        return w.reduce((s, x) => s + x * x, 0);
      },
      gradients: () => ({ w: Array.from(w, (x) => 2 * x) }),
    };
    expect(() => checkGradients(model, null, null, { mode: 'full' })).toThrow(/out of memory/);
    expect(Array.from(w)).toEqual([0.5, -0.25, 1.5]);
  });

  it('the progress report after the Taylor test sees the parameters restored', () => {
    const w = Float64Array.from([0.5, -0.25, 1.5]);
    const seen: number[][] = [];
    const model: GradientModel = {
      parameters: { w },
      loss: () => w.reduce((s, x) => s + x * x, 0),
      // Wrong by 10 %: the check fails and runs the Taylor test (on failure, the default).
      gradients: () => ({ w: Array.from(w, (x) => 2.2 * x) }),
    };
    const result = checkGradients(model, null, null, { mode: 'full', onProgress: () => seen.push(Array.from(w)) });
    expect(result.passed).toBe(false);
    expect(result.taylor).toBeDefined();
    expect(seen.at(-1)).toEqual([0.5, -0.25, 1.5]);
  });
});
