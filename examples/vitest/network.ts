// The reference case as the example's tests use it: the classic network with its correct or
// broken backprop on the fixture's data, and the same model made asynchronous.
import { readFileSync } from 'node:fs';
import type { GradientModel } from '@gradcheck/vitest';
import { ReferenceNetwork, referenceMatrices, type ReferenceCase } from '@gradcheck/reference-network';

const fixture: ReferenceCase = JSON.parse(
  readFileSync(new URL('../../test/fixtures/reference-case.json', import.meta.url), 'utf8'),
);

export function network(broken = false) {
  const { X, Y, parameters } = referenceMatrices(fixture);
  return { model: new ReferenceNetwork(parameters, { broken }), X, Y };
}

export function asAsync<X, Y>(model: GradientModel<X, Y>): GradientModel<X, Y> {
  return {
    parameters: model.parameters,
    loss: async (X, Y) => model.loss(X, Y),
    gradients: async (X, Y) => model.gradients(X, Y),
  };
}
