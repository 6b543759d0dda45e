import * as tf from '@tensorflow/tfjs';
import { checkGradients } from '@gradcheck/core';
import { tfFunction } from './dist/esm/index.js';
import { openHostCopy } from './dist/esm/host.js';
await tf.setBackend('cpu');
let s = 12345;
const rnd = () => {
  s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  return s / 2 ** 32;
};
const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
const T = (shape, lo = -1, hi = 1) =>
  tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => lo + (hi - lo) * rnd()),
    shape,
  );
const P = (shape) => T(shape, 0.5, 2);
function bridge(f, X) {
  const layer = tfFunction(f, { variables: [] });
  const params = Object.fromEntries(Object.entries(X).map(([k, t]) => [k, openHostCopy(t)]));
  const y0 = layer.forward(X);
  const R = Float64Array.from({ length: y0.data.length }, gauss);
  return {
    parameters: params,
    loss: () => {
      const y = layer.forward(X);
      let a = 0;
      for (let i = 0; i < R.length; i++) a += R[i] * y.data[i];
      return a;
    },
    gradients: () => {
      const g = layer.backward({ data: R, shape: y0.shape }, X);
      return Object.fromEntries(Object.keys(X).map((k) => [k, g['d' + k]]));
    },
  };
}
const ops = {
  matMul: [(a, b) => tf.matMul(a, b), { a: T([3, 4]), b: T([4, 5]) }],
  'matMul tA tB': [(a, b) => tf.matMul(a, b, true, true), { a: T([4, 3]), b: T([5, 4]) }],
  'conv2d s2 same': [(x, w) => tf.conv2d(x, w, 2, 'same'), { x: T([1, 7, 7, 2]), w: T([3, 3, 2, 3]) }],
  'conv2d s2 valid': [(x, w) => tf.conv2d(x, w, 2, 'valid'), { x: T([1, 7, 7, 2]), w: T([3, 3, 2, 3]) }],
  'conv2d s1 same': [(x, w) => tf.conv2d(x, w, 1, 'same'), { x: T([2, 5, 5, 2]), w: T([3, 3, 2, 2]) }],
  'conv2d pad explicit': [
    (x, w) =>
      tf.conv2d(
        x,
        w,
        [2, 1],
        [
          [0, 0],
          [1, 2],
          [2, 0],
          [0, 0],
        ],
      ),
    { x: T([1, 6, 5, 2]), w: T([3, 2, 2, 2]) },
  ],
  'maxPool same': [(x) => tf.maxPool(x, 3, 2, 'same'), { x: T([1, 7, 7, 2]) }],
  'maxPool valid': [(x) => tf.maxPool(x, 3, 2, 'valid'), { x: T([1, 7, 7, 2]) }],
  'avgPool same': [(x) => tf.avgPool(x, 3, 2, 'same'), { x: T([1, 7, 7, 2]) }],
  'avgPool valid': [(x) => tf.avgPool(x, 3, 2, 'valid'), { x: T([1, 7, 7, 2]) }],
  'avgPool same s1': [(x) => tf.avgPool(x, 3, 1, 'same'), { x: T([1, 5, 5, 1]) }],
  softmax: [(x) => tf.softmax(x), { x: T([3, 5]) }],
  logSoftmax: [(x) => tf.logSoftmax(x), { x: T([3, 5]) }],
  logSumExp: [(x) => tf.logSumExp(x, 1), { x: T([3, 5]) }],
  relu: [(x) => tf.relu(x), { x: T([20]) }],
  relu6: [(x) => tf.relu6(tf.mul(x, 8)), { x: T([20]) }],
  elu: [(x) => tf.elu(x), { x: T([20]) }],
  selu: [(x) => tf.selu(x), { x: T([20]) }],
  leakyRelu: [(x) => tf.leakyRelu(x, 0.1), { x: T([20]) }],
  prelu: [(x, a) => tf.prelu(x, a), { x: T([4, 5]), a: T([5]) }],
  sigmoid: [(x) => tf.sigmoid(x), { x: T([20]) }],
  tanh: [(x) => tf.tanh(x), { x: T([20]) }],
  softplus: [(x) => tf.softplus(x), { x: T([20]) }],
  batchNorm: [
    (x, m, v, o, sc) => tf.batchNorm(x, m, v, o, sc, 1e-3),
    { x: T([4, 3]), m: T([3]), v: P([3]), o: T([3]), sc: T([3]) },
  ],
  moments: [
    (x) => {
      const { mean, variance } = tf.moments(x, 0);
      return tf.concat([mean, variance]);
    },
    { x: T([5, 3]) },
  ],
  lrn: [(x) => tf.localResponseNormalization(x, 2, 1, 1, 0.5), { x: T([1, 2, 2, 6]) }],
  'cumsum 0': [(x) => tf.cumsum(x, 0), { x: T([3, 4]) }],
  'cumsum 1': [(x) => tf.cumsum(x, 1), { x: T([3, 4]) }],
  'cumsum 1 excl rev': [(x) => tf.cumsum(x, 1, true, true), { x: T([3, 4]) }],
  'prod all': [(x) => tf.prod(x), { x: P([3, 4]) }],
  'prod 0': [(x) => tf.prod(x, 0), { x: T([3, 4]) }],
  'prod 1': [(x) => tf.prod(x, 1), { x: T([3, 4]) }],
  pow: [(a, b) => tf.pow(a, b), { a: P([6]), b: T([6]) }],
  atan2: [(a, b) => tf.atan2(a, b), { a: T([8]), b: T([8]) }],
  mse: [(y, p) => tf.losses.meanSquaredError(y, p), { y: T([4, 3]), p: T([4, 3]) }],
  absDiff: [(y, p) => tf.losses.absoluteDifference(y, p), { y: T([4, 3]), p: T([4, 3]) }],
  huber: [(y, p) => tf.losses.huberLoss(y, p, undefined, 0.5), { y: T([4, 3]), p: T([4, 3]) }],
  logLoss: [(y, p) => tf.losses.logLoss(y, p), { y: T([4, 3], 0, 1), p: T([4, 3], 0.1, 0.9) }],
  hinge: [(y, p) => tf.losses.hingeLoss(y, p), { y: T([4, 3], 0, 1), p: T([4, 3]) }],
  sigmoidCE: [(y, p) => tf.losses.sigmoidCrossEntropy(y, p), { y: T([4, 3], 0, 1), p: T([4, 3]) }],
  softmaxCE: [(y, p) => tf.losses.softmaxCrossEntropy(y, p), { y: T([4, 3], 0, 1), p: T([4, 3]) }],
  'softmaxCE smooth': [
    (y, p) => tf.losses.softmaxCrossEntropy(y, p, undefined, 0.1),
    { y: T([4, 3], 0, 1), p: T([4, 3]) },
  ],
  'softmaxCE dist': [(y, p) => tf.losses.softmaxCrossEntropy(y, p), { y: tf.softmax(T([4, 3])), p: T([4, 3]) }],
  'softmaxCE onehot p': [(p) => tf.losses.softmaxCrossEntropy(tf.oneHot([0, 2, 1, 1], 3), p), { p: T([4, 3]) }],
  cosine: [(y, p) => tf.losses.cosineDistance(y, p, 1), { y: T([4, 3]), p: T([4, 3]) }],
};
const only = process.argv[2];
for (const [name, [f, X]] of Object.entries(ops)) {
  if (only && !name.startsWith(only)) continue;
  try {
    const r = checkGradients(bridge(f, X), undefined, undefined, {});
    console.log(
      name.padEnd(20),
      r.passed ? 'pass' : 'FAIL',
      r.difference.toExponential(2),
      r.tensors
        .map((t) => `${t.name}:${t.passed ? 'ok' : 'X'}${t.diagnosis ? '(' + t.diagnosis.text + ')' : ''}`)
        .join(' '),
      r.kinks.count ? `kinks ${r.kinks.count}` : '',
    );
  } catch (e) {
    console.log(name.padEnd(20), 'ERROR', e.message.slice(0, 200));
  }
}
