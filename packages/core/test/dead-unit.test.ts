/**
 * The stillness rule read at the entry's own gradient wherever the entry sits: a dead ReLU unit's
 * bias whose gradient is not 0 fails where the loss stays still, also as the third entry of a
 * second tensor (rules.test.ts has it as the first entry of one).
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, type GradientModel } from '../src/index.js';

describe('a dead ReLU unit’s bias', () => {
  it('with a gradient of 0.5, as b[2] after a tensor z whose first gradient is 0: fails, the loss still around it', () => {
    // Three units dead for every example (biases −2.36); z is regularised (its gradient z, 0 at z₀).
    const z = new Float32Array([0, -0.25]);
    const b = new Float32Array([-2.36, -2.36, -2.36]);
    const weights = [0.5, -0.25];
    const xs = [
      [0.3, 0.2],
      [-0.4, 0.1],
      [0.1, -0.3],
    ];
    const model: GradientModel = {
      parameters: { z, b },
      loss: () =>
        xs.reduce(
          (s, x) =>
            s +
            Array.from(b).reduce((u, bk) => u + Math.max(0, weights[0]! * x[0]! + weights[1]! * x[1]! + bk) ** 2, 0),
          0,
        ) +
        0.5 * (z[0]! ** 2 + z[1]! ** 2),
      gradients: () => ({ z: [z[0]!, z[1]!], b: [0, 0, 0.5] }),
    };
    const result = checkGradients(model, null, null, { mode: 'full' });
    expect(result.passed).toBe(false);
    expect(result.tensors.map((t) => t.failing)).toEqual([0, 1]);
    expect(result.worst[0]!.label).toBe('b[2]');
  });
});
