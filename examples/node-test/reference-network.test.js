// node:test with assertGradients: a failing check throws node:assert's AssertionError whose
// message is gradcheck's report, which `node --test` prints under the test's name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GradcheckError } from '@gradcheck/core';
import { assertGradients, assertGradientsAsync } from '@gradcheck/core/assert';
import { ReferenceNetwork, initializeParameters, randomData } from '@gradcheck/reference-network';

const { X, Y } = randomData(4, 3);
const network = (broken) => new ReferenceNetwork(initializeParameters([4, 5, 3, 1]), { broken });
const asyncModel = (model) => ({
  parameters: model.parameters,
  loss: async (X, Y) => model.loss(X, Y),
  gradients: async (X, Y) => model.gradients(X, Y),
});

test('the correct backprop passes, and returns the result', () => {
  const result = assertGradients(network(false), X, Y, 1e-7);
  assert.equal(result.passed, true);
  assert.equal(result.mode, 'full');
});

test('the broken backprop throws an AssertionError whose message is the report', () => {
  assert.throws(
    () => assertGradients(network(true), X, Y, 1e-7),
    (error) =>
      error instanceof assert.AssertionError &&
      error.operator === 'assertGradients' &&
      /^Analytic gradients disagree with central differences: difference \S+ > tolerance 1e-7 \(wrong: W1, W2\)/.test(
        error.message,
      ) &&
      /analytic ≈ 3\.00 × numeric \(3 = examples in X: a missing 1\/m\)/.test(error.message) &&
      /worst entries/.test(error.message),
  );
});

test('async models: assertGradientsAsync resolves or rejects the same way', async () => {
  await assertGradientsAsync(asyncModel(network(false)), X, Y);
  await assert.rejects(assertGradientsAsync(asyncModel(network(true)), X, Y, 1e-7), assert.AssertionError);
});

test('a value that is not a model throws its GradcheckError, not an AssertionError', () => {
  assert.throws(
    () => assertGradients({ weights: [1] }, X, Y),
    (error) => error instanceof GradcheckError && error.code === 'NOT_A_MODEL',
  );
});
