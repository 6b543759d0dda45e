/**
 * A kink beside θ whose fall the default step crosses reads, in the five losses of that step, as
 * noise (a fourth difference far above the loss's rounding): the step was widened for it and the
 * entry judged where the widened step met the fall, though a narrower step leaves the kink out
 * and the loss stands still there (GC_SEED=5's one-entry draw, spec 1586327476, W1[0,0]).
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, type GradientModel } from '../src/index.js';

const THETA = Math.fround(-78.41513061523438);

/**
 * A float32 loss of one weight w: 336 at and above θ − 0.068, falling by 96 over the next 0.096
 * below it (a ReLU unit that comes alive, then one that dies), 240 beyond, and falling again 200
 * from θ on either side; its derivative at θ is 0.
 */
function fallBeside(gradient: number): GradientModel {
  const w = new Float32Array([THETA]);
  return {
    parameters: { w },
    loss: () => {
      const d = w[0]! - THETA;
      const fall = Math.min(96, Math.max(0, 1000 * (-0.068 - d)));
      // Farther kinks on both sides, where the loss falls again.
      const far = Math.max(0, d - 200) + 1.7 * Math.max(0, -200 - d);
      return Math.fround(336 - fall - far);
    },
    gradients: () => ({ w: new Float32Array([gradient]) }),
  };
}

describe('a kink beside θ read as noise at the default step', () => {
  it('passes the correct gradient 0, judged at a narrower step where the loss stands still', () => {
    const result = checkGradients(fallBeside(0), [0], [0]);
    expect(result.passed).toBe(true);
    expect(result.worst[0]).toMatchObject({ analytic: 0, numeric: 0 });
    expect(result.worst[0]!.step).toBeLessThan(0.068);
  });

  it('still fails a wrong gradient there (it agreed with the widened step within the fall read as noise)', () => {
    const result = checkGradients(fallBeside(0.5), [0], [0]);
    expect(result.passed).toBe(false);
    expect(result.worst[0]!.excess).toBeGreaterThan(1);
  });
});
