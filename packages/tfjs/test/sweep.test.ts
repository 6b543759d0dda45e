// The sweep: tfjs ops with hand-written gradients, each checked through tfFunction with input
// gradients (every input checked, a seeded random cotangent on the output). The ops whose
// gradient is right must pass (0 false alarms); the failures are tfjs bugs confirmed against a
// float64 reference in findings.test.ts, and are asserted to fail here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { checkGradients, GradcheckError } from '@gradcheck/core';
import { tfFunction } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let seed = 12345;
/** Restarts the inputs' generator from the case's name, so that a case's inputs do not depend on which cases ran. */
const reseed = (name: string): void => {
  seed = [...name].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261);
};
const uniform = (): number => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
/** A tensor of uniform values in [lo, hi). */
const T = (shape: number[], lo = -1, hi = 1): tf.Tensor =>
  tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => lo + (hi - lo) * uniform()),
    shape,
  );
const positive = (shape: number[]): tf.Tensor => T(shape, 0.5, 2);
const t4 = (x: tf.Tensor): tf.Tensor4D => x as tf.Tensor4D;

type Case = [name: string, f: (...x: tf.Tensor[]) => tf.Tensor, inputs: () => Record<string, tf.Tensor>];

/** Ops whose gradients are right: each must pass. */
const correct: Case[] = [
  ['matMul', (a, b) => tf.matMul(a!, b!), () => ({ a: T([3, 4]), b: T([4, 5]) })],
  ['matMul, both transposed', (a, b) => tf.matMul(a!, b!, true, true), () => ({ a: T([4, 3]), b: T([5, 4]) })],
  [
    'conv2d, stride 2, same',
    (x, w) => tf.conv2d(t4(x!), t4(w!), 2, 'same'),
    () => ({ x: T([1, 7, 7, 2]), w: T([3, 3, 2, 3]) }),
  ],
  [
    'conv2d, stride 2, valid',
    (x, w) => tf.conv2d(t4(x!), t4(w!), 2, 'valid'),
    () => ({ x: T([1, 7, 7, 2]), w: T([3, 3, 2, 3]) }),
  ],
  [
    'conv2d, stride 1, same, batch 2',
    (x, w) => tf.conv2d(t4(x!), t4(w!), 1, 'same'),
    () => ({ x: T([2, 5, 5, 2]), w: T([3, 3, 2, 2]) }),
  ],
  [
    'conv2d, strides [2,1], explicit padding',
    (x, w) =>
      tf.conv2d(
        t4(x!),
        t4(w!),
        [2, 1],
        [
          [0, 0],
          [1, 2],
          [2, 0],
          [0, 0],
        ],
      ),
    () => ({ x: T([1, 6, 5, 2]), w: T([3, 2, 2, 2]) }),
  ],
  ['maxPool 3×3, stride 2, same', (x) => tf.maxPool(t4(x!), 3, 2, 'same'), () => ({ x: T([1, 7, 7, 2]) })],
  ['maxPool 3×3, stride 2, valid', (x) => tf.maxPool(t4(x!), 3, 2, 'valid'), () => ({ x: T([1, 7, 7, 2]) })],
  ['avgPool 3×3, stride 2, valid', (x) => tf.avgPool(t4(x!), 3, 2, 'valid'), () => ({ x: T([1, 7, 7, 2]) })],
  ['softmax', (x) => tf.softmax(x!), () => ({ x: T([3, 5]) })],
  ['logSoftmax', (x) => tf.logSoftmax(x!), () => ({ x: T([3, 5]) })],
  ['logSumExp', (x) => tf.logSumExp(x!, 1), () => ({ x: T([3, 5]) })],
  ['relu', (x) => tf.relu(x!), () => ({ x: T([20]) })],
  ['relu6', (x) => tf.relu6(tf.mul(x!, 8)), () => ({ x: T([20]) })],
  ['elu', (x) => tf.elu(x!), () => ({ x: T([20]) })],
  ['selu', (x) => tf.selu(x!), () => ({ x: T([20]) })],
  ['leakyRelu', (x) => tf.leakyRelu(x!, 0.1), () => ({ x: T([20]) })],
  ['prelu', (x, a) => tf.prelu(x!, a!), () => ({ x: T([4, 5]), a: T([5]) })],
  ['sigmoid', (x) => tf.sigmoid(x!), () => ({ x: T([20]) })],
  ['tanh', (x) => tf.tanh(x!), () => ({ x: T([20]) })],
  ['softplus', (x) => tf.softplus(x!), () => ({ x: T([20]) })],
  [
    'batchNorm (x, mean, variance, offset, scale)',
    (x, m, v, o, s) => tf.batchNorm(x!, m!, v!, o!, s!, 1e-3),
    () => ({ x: T([4, 3]), m: T([3]), v: positive([3]), o: T([3]), s: T([3]) }),
  ],
  [
    'moments (mean and variance)',
    (x) => {
      const { mean, variance } = tf.moments(x!, 0);
      return tf.concat([mean, variance]);
    },
    () => ({ x: T([5, 3]) }),
  ],
  [
    'localResponseNormalization',
    (x) => tf.localResponseNormalization(t4(x!), 2, 1, 1, 0.5),
    () => ({ x: T([1, 2, 2, 6]) }),
  ],
  ['cumsum, last axis', (x) => tf.cumsum(x!, 1), () => ({ x: T([3, 4]) })],
  ['cumsum, last axis, exclusive and reverse', (x) => tf.cumsum(x!, 1, true, true), () => ({ x: T([3, 4]) })],
  ['prod (all)', (x) => tf.prod(x!), () => ({ x: positive([3, 4]) })],
  ['prod, axis 0', (x) => tf.prod(x!, 0), () => ({ x: T([3, 4]) })],
  ['prod, axis 1', (x) => tf.prod(x!, 1), () => ({ x: T([3, 4]) })],
  ['pow (base and exponent)', (a, b) => tf.pow(a!, b!), () => ({ a: positive([6]), b: T([6]) })],
  ['atan2', (a, b) => tf.atan2(a!, b!), () => ({ a: T([8]), b: T([8]) })],
  ['losses.meanSquaredError', (y, p) => tf.losses.meanSquaredError(y!, p!), () => ({ y: T([4, 3]), p: T([4, 3]) })],
  ['losses.absoluteDifference', (y, p) => tf.losses.absoluteDifference(y!, p!), () => ({ y: T([4, 3]), p: T([4, 3]) })],
  ['losses.huberLoss', (y, p) => tf.losses.huberLoss(y!, p!, undefined, 0.5), () => ({ y: T([4, 3]), p: T([4, 3]) })],
  ['losses.logLoss', (y, p) => tf.losses.logLoss(y!, p!), () => ({ y: T([4, 3], 0, 1), p: T([4, 3], 0.1, 0.9) })],
  ['losses.hingeLoss', (y, p) => tf.losses.hingeLoss(y!, p!), () => ({ y: T([4, 3], 0, 1), p: T([4, 3]) })],
  [
    'losses.sigmoidCrossEntropy',
    (y, p) => tf.losses.sigmoidCrossEntropy(y!, p!),
    () => ({ y: T([4, 3], 0, 1), p: T([4, 3]) }),
  ],
  [
    'losses.softmaxCrossEntropy, logits only (one-hot labels)',
    (p) => tf.losses.softmaxCrossEntropy(tf.oneHot([0, 2, 1, 1], 3), p!),
    () => ({ p: T([4, 3]) }),
  ],
  ['losses.cosineDistance', (y, p) => tf.losses.cosineDistance(y!, p!, 1), () => ({ y: T([4, 3]), p: T([4, 3]) })],
  [
    'depthwiseConv2d, stride 2, same',
    (x, w) => tf.depthwiseConv2d(t4(x!), t4(w!), 2, 'same'),
    () => ({ x: T([1, 6, 6, 2]), w: T([3, 3, 2, 2]) }),
  ],
  [
    'conv2dTranspose, stride 2, same',
    (x, w) => tf.conv2dTranspose(t4(x!), t4(w!), [1, 6, 6, 2], 2, 'same'),
    () => ({ x: T([1, 3, 3, 3]), w: T([3, 3, 2, 3]) }),
  ],
  [
    'conv1d, stride 2, same',
    (x, w) => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 2, 'same'),
    () => ({ x: T([1, 7, 2]), w: T([3, 2, 3]) }),
  ],
  [
    'separableConv2d',
    (x, d, p) => tf.separableConv2d(t4(x!), t4(d!), t4(p!), 1, 'same'),
    () => ({ x: T([1, 5, 5, 2]), d: T([3, 3, 2, 1]), p: T([1, 1, 2, 3]) }),
  ],
  ['avgPool3d 2×2×2, valid', (x) => tf.avgPool3d(x as tf.Tensor5D, 2, 1, 'valid'), () => ({ x: T([1, 4, 4, 4, 1]) })],
  ['logSumExp, axis 0', (x) => tf.logSumExp(x!, 0), () => ({ x: T([3, 5]) })],
  ['softmax, rank 3', (x) => tf.softmax(x!), () => ({ x: T([2, 3, 4]) })],
  ['norm (euclidean)', (x) => tf.norm(x!), () => ({ x: T([3, 4]) })],
  ['max, axis 1', (x) => tf.max(x!, 1), () => ({ x: T([3, 4]) })],
  ['min, axis 0', (x) => tf.min(x!, 0), () => ({ x: T([3, 4]) })],
  ['gather', (x) => tf.gather(x!, tf.tensor1d([2, 0, 2], 'int32')), () => ({ x: T([3, 4]) })],
  [
    'unsortedSegmentSum',
    (x) => tf.unsortedSegmentSum(x!, tf.tensor1d([1, 0, 1], 'int32'), 2),
    () => ({ x: T([3, 4]) }),
  ],
  [
    'sqrt, reciprocal, rsqrt',
    (x) => tf.add(tf.sqrt(x!), tf.add(tf.reciprocal(x!), tf.rsqrt(x!))),
    () => ({ x: positive([6]) }),
  ],
  [
    'erf, asinh, atanh',
    (x) => tf.add(tf.erf(x!), tf.add(tf.asinh(x!), tf.atanh(tf.mul(x!, 0.5)))),
    () => ({ x: T([6]) }),
  ],
  ['tile', (x) => tf.tile(x!, [2, 3]), () => ({ x: T([2, 2]) })],
  ['squaredDifference', (a, b) => tf.squaredDifference(a!, b!), () => ({ a: T([5]), b: T([5]) })],
  ['clipByValue', (x) => tf.clipByValue(x!, -0.5, 0.5), () => ({ x: T([10]) })],
];

/** Ops whose gradients are wrong (float64 evidence in findings.test.ts): each must fail, on these inputs. */
const wrong: [...Case, failing: string[]][] = [
  ['avgPool 3×3, stride 2, same', (x) => tf.avgPool(t4(x!), 3, 2, 'same'), () => ({ x: T([1, 7, 7, 2]) }), ['X']],
  ['avgPool 3×3, stride 1, same', (x) => tf.avgPool(t4(x!), 3, 1, 'same'), () => ({ x: T([1, 5, 5, 1]) }), ['X']],
  [
    'losses.softmaxCrossEntropy, labels a distribution',
    (y, p) => tf.losses.softmaxCrossEntropy(y!, p!),
    () => ({ y: tf.softmax(T([4, 3])), p: T([4, 3]) }),
    ['y'],
  ],
  [
    'avgPool3d 3×3×3, stride 1, same',
    (x) => tf.avgPool3d(x as tf.Tensor5D, 3, 1, 'same'),
    () => ({ x: T([1, 4, 4, 4, 1]) }),
    ['X'],
  ],
  [
    "mirrorPad 'reflect'",
    (x) =>
      tf.mirrorPad(
        x!,
        [
          [1, 1],
          [2, 2],
        ],
        'reflect',
      ),
    () => ({ x: T([3, 4]) }),
    ['X'],
  ],
];

/** Ops whose gradient throws on valid inputs (float64 evidence in findings.test.ts). */
const throwing: [...Case, error: RegExp][] = [
  ['cumsum, axis 0', (x) => tf.cumsum(x!, 0), () => ({ x: T([3, 4]) }), /Cumsum/],
  ['cumsum, axis 1 of a rank-3 tensor', (x) => tf.cumsum(x!, 1), () => ({ x: T([2, 3, 4]) }), /Cumsum/],
  [
    'image.resizeBilinear, 3×4 to 5×7',
    (x) => tf.image.resizeBilinear(t4(x!), [5, 7]),
    () => ({ x: T([1, 3, 4, 2]) }),
    /ResizeBilinear/,
  ],
];

const table: string[] = [];
afterAll(() => {
  console.log(
    [
      '| op | verdict | difference | kinks excluded | inputs checked |',
      '| --- | --- | ---: | ---: | --- |',
      ...table,
    ].join('\n'),
  );
});

/** Unwraps one input (named X by the check) from a one-entry record. */
const argument = (inputs: Record<string, tf.Tensor>): tf.Tensor | Record<string, tf.Tensor> =>
  Object.keys(inputs).length === 1 ? Object.values(inputs)[0]! : inputs;

describe('sweep: ops whose gradients are right pass', () => {
  it.each(correct)('%s', (name, f, inputs) => {
    reseed(name);
    const X = inputs();
    const tensors = tf.memory().numTensors;
    const result = checkGradients(tfFunction(f, { variables: [] }), argument(X));
    table.push(
      `| ${name} | ${result.passed ? 'pass' : 'FAIL'} | ${result.difference.toExponential(1)} | ${result.kinks.count} | ${result.tensors.map((t) => t.name).join(', ')} |`,
    );
    expect(result.precision).toBe('float32');
    expect(result.tensors.length).toBe(Object.keys(X).length);
    expect(result.passed).toBe(true);
    expect(tf.memory().numTensors).toBe(tensors);
  });
});

describe('sweep: tfjs bugs are caught', () => {
  it.each(wrong)('%s', (name, f, inputs, failing) => {
    reseed(name);
    const result = checkGradients(tfFunction(f, { variables: [] }), argument(inputs()));
    table.push(
      `| ${name} | ${result.passed ? 'pass' : 'FAIL'} | ${result.difference.toExponential(1)} | ${result.kinks.count} | wrong: ${result.tensors
        .filter((t) => !t.passed)
        .map((t) => t.name)
        .join(', ')} |`,
    );
    expect(result.passed).toBe(false);
    expect(result.tensors.filter((t) => !t.passed).map((t) => t.name)).toEqual(failing);
  });

  it.each(throwing)('%s: the check reports the gradient tfjs throws', (name, f, inputs, message) => {
    reseed(name);
    let error: unknown;
    try {
      checkGradients(tfFunction(f, { variables: [] }), argument(inputs()));
    } catch (e) {
      error = e;
    }
    table.push(`| ${name} | FAIL (tfjs throws) | — | — | X |`);
    expect(error).toBeInstanceOf(GradcheckError);
    expect((error as GradcheckError).code).toBe('MODEL_THREW');
    expect(String((error as Error).message)).toMatch(message);
  });
});
