// The classic reference network (4-5-3-1, three examples): its correct backprop passes the
// gradient check, its broken backprop (hidden dW not divided by m) is caught.
const { ReferenceNetwork, referenceMatrices } = require('@gradcheck/reference-network');
const fixture = require('../../test/fixtures/reference-case.json');

function network(options) {
  const { X, Y, parameters } = referenceMatrices(fixture);
  return { model: new ReferenceNetwork(parameters, options), X, Y };
}

describe('the reference network', () => {
  test('correct backprop passes the gradient check', () => {
    const { model, X, Y } = network();
    expect(model).toPassGradientCheck(X, Y);
    expect(model).toPassGradientCheck(X, Y, 1e-7);
  });

  test('broken backprop fails it', () => {
    const { model, X, Y } = network({ broken: true });
    expect(model).not.toPassGradientCheck(X, Y);
    expect(model).not.toPassGradientCheck(X, Y, 1e-7);
  });

  test('an async model is checked with the awaited async matcher', async () => {
    const { model, X, Y } = network();
    const asyncModel = {
      parameters: model.parameters,
      loss: async (X, Y) => model.loss(X, Y),
      gradients: async (X, Y) => model.gradients(X, Y),
    };
    await expect(asyncModel).toPassGradientCheckAsync(X, Y);
  });
});
