// A custom tf.layers.Layer (a dense layer and a swish activation, each with a hand-written
// gradient) inside a small model, checked with tfModel; planted wrong gradients are caught and
// diagnosed.
import * as tf from '@tensorflow/tfjs';
import { tfModel } from '@gradcheck/tfjs';
import { data, swishModel } from './ops';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

test('the custom layer’s hand-written gradients pass, and the weights and tensors are as they were', () => {
  const { xs, ys } = data();
  const model = swishModel();
  const weights = model.getWeights().map((w) => w.dataSync().slice());
  const tensors = tf.memory().numTensors;
  expect(tfModel(model, 'meanSquaredError')).toPassGradientCheck(xs, ys);
  expect(tf.memory().numTensors).toBe(tensors);
  model.getWeights().forEach((w, k) => expect(w.dataSync()).toEqual(weights[k]));
});

test.each([
  ['scaled', /kernel.*analytic ≈ 3(\.0+)? × numeric/s],
  ['sign-flipped', /kernel.*sign flipped/s],
  ['transposed', /kernel.*transposed/s],
] as const)('a %s dW in the custom matMul fails, diagnosed', (bug, diagnosis) => {
  const { xs, ys } = data();
  const model = swishModel({ matMul: bug });
  expect(tfModel(model, 'meanSquaredError')).not.toPassGradientCheck(xs, ys);
  expect(() => expect(tfModel(model, 'meanSquaredError')).toPassGradientCheck(xs, ys)).toThrow(diagnosis);
});

test('a wrong swish derivative fails the kernel and the bias', () => {
  const { xs, ys } = data();
  expect(() =>
    expect(tfModel(swishModel({ swish: 'sign-flipped' }), 'meanSquaredError')).toPassGradientCheck(xs, ys),
  ).toThrow(/wrong: .*kernel.*bias/);
});
