/**
 * A step the user fixed (`{ step }`) is the step every entry is judged at: a kink within it is
 * reported as a kink there, not narrowed away (only the adaptive step narrows around a kink beside
 * θ: estimate.ts).
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, type GradientModel } from '../src/index.js';

/** Loss w/2 + max(0, w − 1.0002) at w = 1: a kink 2e-4 beside θ, inside a step of 1e-3 and of its half. */
function kinkBeside(): GradientModel {
  const w = Float64Array.from([1]);
  return {
    parameters: { w },
    loss: () => 0.5 * w[0]! + Math.max(0, w[0]! - 1.0002),
    gradients: () => ({ w: [0.5] }),
  };
}

describe('a kink beside θ', () => {
  it('with a fixed step: reported as a kink at that step, the step never narrowed', () => {
    const result = checkGradients(kinkBeside(), null, null, { step: 1e-3, mode: 'full' });
    // (The step actually taken, (θ₊ − θ₋)/2, is 1e-3 to the rounding of 1 ± 1e-3.)
    for (const step of result.stepRange) expect(step).toBeCloseTo(1e-3, 15);
    expect(result.tensors[0]!.kinks).toBe(1);
    expect(result.passed).toBe(true);
  });

  it('with the adaptive step: no kink within it at all (the default step is far smaller than 2e-4)', () => {
    const result = checkGradients(kinkBeside(), null, null, { mode: 'full' });
    expect(result.tensors[0]!.kinks).toBe(0);
    expect(result.passed).toBe(true);
  });
});
