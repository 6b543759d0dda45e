// The classic reference network (4-5-3-1, three examples) in TypeScript: the correct backprop
// passes the gradient check, the broken backprop (hidden dW not divided by m) is caught, and a
// bigger network of the same kind passes with its own data.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Matrix } from 'ml-matrix';
import type { GradientModel } from '@gradcheck/jest';
import {
  ReferenceNetwork,
  initializeParameters,
  randomData,
  referenceMatrices,
  type ReferenceCase,
} from '@gradcheck/reference-network';

const fixture: ReferenceCase = JSON.parse(
  readFileSync(join(__dirname, '../../test/fixtures/reference-case.json'), 'utf8'),
);

function network(broken = false) {
  const { X, Y, parameters } = referenceMatrices(fixture);
  return { model: new ReferenceNetwork(parameters, { broken }), X, Y };
}

describe('the reference network', () => {
  test('correct backprop passes the gradient check', () => {
    const { model, X, Y } = network();
    expect(model).toPassGradientCheck(X, Y);
    expect(model).toPassGradientCheck(X, Y, 1e-7);
  });

  test('broken backprop fails it', () => {
    const { model, X, Y } = network(true);
    expect(model).not.toPassGradientCheck(X, Y);
    expect(model).not.toPassGradientCheck(X, Y, { tolerance: 1e-3 });
  });

  test('a 10-8-4-1 network passes with its own data', () => {
    const { X, Y } = randomData(10, 16);
    expect(new ReferenceNetwork(initializeParameters([10, 8, 4, 1]))).toPassGradientCheck(X, Y);
  });

  test('an async model is checked with the awaited async matcher', async () => {
    const { model, X, Y } = network();
    const asyncModel: GradientModel<Matrix, Matrix> = {
      parameters: model.parameters,
      loss: async (X, Y) => model.loss(X, Y),
      gradients: async (X, Y) => model.gradients(X, Y),
    };
    await expect(asyncModel).toPassGradientCheckAsync(X, Y);
  });

  test('options are typed', () => {
    const { model, X, Y } = network();
    // @ts-expect-error: `tolerence` is not an option (a typo of `tolerance`)
    expect(() => expect(model).toPassGradientCheck(X, Y, { tolerence: 1e-7 })).toThrow('unknown option "tolerence"');
  });
});
