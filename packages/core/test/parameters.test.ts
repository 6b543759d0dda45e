// A model's parameters as the check reads them: an object or a Map of named tensors, refused with
// a message naming what was received otherwise; the inputs of a function named as inputs.
import { describe, expect, it } from 'vitest';
import { checkGradients, type GradientModel } from '../src/index.js';
import { errorOf } from './caught.js';

describe('model.parameters', () => {
  it.each([
    [5, 'model.parameters is 5; expected an object or Map from names to tensors.'],
    [[1, 2], 'model.parameters is an array of length 2; expected an object or Map from names to tensors.'],
  ])('refuses %j, naming it', (parameters, message) => {
    const error = errorOf(() =>
      checkGradients({ parameters, loss: () => 1, gradients: () => ({}) } as unknown as GradientModel, null, null),
    );
    expect(error.code).toBe('NOT_A_MODEL');
    expect(error.message).toBe(message);
  });

  it('refuses an empty set of parameters', () => {
    const error = errorOf(() =>
      checkGradients({ parameters: new Map(), loss: () => 1, gradients: () => ({}) }, null, null),
    );
    expect(error.code).toBe('NO_PARAMETERS');
    expect(error.message).toBe('model.parameters is empty: there is nothing to check.');
  });

  it('takes a Map of named tensors, in its order', () => {
    const w = new Float64Array([0.5, -1]),
      b = [2];
    const result = checkGradients(
      {
        parameters: new Map<string, unknown>([
          ['w', w],
          ['b', b],
        ]),
        loss: () => w[0]! ** 2 + w[1]! * b[0]!,
        gradients: () => ({ w: [2 * w[0]!, b[0]!], b: [w[1]!] }),
      } as unknown as GradientModel,
      null,
      null,
    );
    expect(result.passed).toBe(true);
    expect(result.tensors.map((t) => [t.name, t.size])).toEqual([
      ['w', 2],
      ['b', 1],
    ]);
  });
});

describe('the inputs of a function', () => {
  it('names an input it cannot perturb as an input', () => {
    const error = errorOf(() => checkGradients({ f: (x: number[]) => x[0]!, grad: () => [1] }, new Int32Array(2)));
    expect(error.code).toBe('UNSUPPORTED_TENSOR');
    expect(error.message).toMatch(/^input x is Int32Array of length 2, which cannot hold a small perturbation/);
  });
});
