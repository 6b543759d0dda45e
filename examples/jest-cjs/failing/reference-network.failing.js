// Deliberately failing: every test here must fail, each with its own message. test/runner-output
// runs this file through real Jest and checks the exit code and the messages' key lines.
const { ReferenceNetwork, referenceMatrices } = require('@gradcheck/reference-network');
const fixture = require('../../../test/fixtures/reference-case.json');

function network(options) {
  const { X, Y, parameters } = referenceMatrices(fixture);
  return { model: new ReferenceNetwork(parameters, options), X, Y };
}

const asAsync = (model) => ({
  parameters: model.parameters,
  loss: async (X, Y) => model.loss(X, Y),
  gradients: async (X, Y) => model.gradients(X, Y),
});

test('broken backprop', () => {
  const { model, X, Y } = network({ broken: true });
  expect(model).toPassGradientCheck(X, Y, 1e-7);
});

test('correct backprop under .not', () => {
  const { model, X, Y } = network();
  expect(model).not.toPassGradientCheck(X, Y);
});

test('not a model', () => {
  const { X, Y } = network();
  expect({ weights: [1, 2] }).toPassGradientCheck(X, Y);
});

test('async model through the sync matcher', () => {
  const { model, X, Y } = network();
  expect(asAsync(model)).toPassGradientCheck(X, Y);
});

test('broken async model through the async matcher', async () => {
  const { model, X, Y } = network({ broken: true });
  await expect(asAsync(model)).toPassGradientCheckAsync(X, Y);
});
