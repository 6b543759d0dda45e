// tf.customGrad ops checked with tfFunction: the analytic side is tfjs's own gradient (so the
// hand-written gradFunc is what is tested), the numeric side central differences on the inputs.
import * as tf from '@tensorflow/tfjs';
import { tfFunction } from '@gradcheck/tfjs';
import { logSumExp, matMulOp, swish } from './ops';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

test('a stable log-sum-exp passes, also where a naive one overflows float32', () => {
  const x = tf.tensor([
    [0.5, -1.2, 2.0, 0.1],
    [90.0, 91.5, 89.25, 90.5],
  ]);
  expect(tf.logSumExp(x, -1).dataSync()[1]).toBeCloseTo(logSumExp(x).dataSync()[1]!, 4);
  expect(tfFunction(logSumExp)).toPassGradientCheck(x);
});

test('swish with its hand-written derivative passes', () => {
  expect(tfFunction(swish())).toPassGradientCheck(tf.randomNormal([3, 5], 0, 2, 'float32', 1));
});

test.each([
  ['scaled', /analytic ≈ 3(\.0+)? × numeric/],
  ['sign-flipped', /sign flipped/],
] as const)('a %s swish derivative fails, diagnosed', (bug, diagnosis) => {
  const x = tf.randomNormal([3, 5], 0, 2, 'float32', 1);
  expect(tfFunction(swish(bug))).not.toPassGradientCheck(x);
  expect(() => expect(tfFunction(swish(bug))).toPassGradientCheck(x)).toThrow(diagnosis);
});

test('a transposed dW fails on w only, and the report says transposed', () => {
  const inputs = { x: tf.randomNormal([4, 4], 0, 1, 'float32', 2), w: tf.randomNormal([4, 4], 0, 1, 'float32', 3) };
  expect(tfFunction(matMulOp())).toPassGradientCheck(inputs);
  expect(() => expect(tfFunction(matMulOp('transposed'))).toPassGradientCheck(inputs)).toThrow(
    /wrong: w\b[\s\S]*transposed/,
  );
});

test('a variable the function closes over is checked as a parameter', () => {
  const w = tf.variable(tf.randomNormal([4, 3], 0, 1, 'float32', 4), true, 'example_w');
  const layer = tfFunction((x) => swish()(tf.matMul(x!, w)), { variables: { w } });
  expect(layer).toPassGradientCheck(tf.randomNormal([2, 4], 0, 1, 'float32', 5));
  w.dispose();
});
