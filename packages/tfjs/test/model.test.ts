import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { checkGradients, checkGradientsAsync, formatReport, GradcheckError } from '@gradcheck/core';
import { tfModel } from '../src/index.js';
import { numbers, useBackend } from './setup.js';

beforeAll(() => useBackend('cpu'));

function denseModel(seed = 1): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: 5, inputShape: [4], activation: 'tanh' }));
  model.add(tfl.layers.dense({ units: 3 }));
  let k = seed;
  for (const w of model.trainableWeights) {
    w.write(
      tf.tensor(
        numbers(
          w.shape.reduce((a, b) => a! * b!, 1)!,
          k++,
        ),
        w.shape as number[],
      ),
    );
  }
  return model;
}

const weights = (model: tfl.LayersModel): Float32Array[] =>
  model.trainableWeights.map((w) => w.read().dataSync() as Float32Array).map((a) => a.slice());

describe('tfModel', () => {
  const X = tf.tensor(numbers(6 * 4, 7), [6, 4]);
  const Y = tf.tensor(numbers(6 * 3, 8), [6, 3]);

  it('passes a dense model with a tf.losses name and with a loss function, in float32', () => {
    const model = denseModel();
    const result = checkGradients(tfModel(model, 'meanSquaredError'), X, Y);
    expect(result.passed).toBe(true);
    expect(result.precision).toBe('float32');
    expect(result.parameters).toBe(4 * 5 + 5 + 5 * 3 + 3);
    expect(result.tensors.map((t) => t.name)).toEqual(model.trainableWeights.map((w) => w.originalName));
    const custom = tfModel(model, (y, p) => tf.mean(tf.square(tf.sub(y, p))) as tf.Scalar);
    expect(checkGradients(custom, X, Y).passed).toBe(true);
  });

  it('restores the weights bit for bit and leaks no tensor', () => {
    const model = denseModel();
    const before = weights(model);
    const labels = tf.softmax(Y);
    const tensors = tf.memory().numTensors;
    for (const mode of ['full', 'directional', 'sampled'] as const) {
      expect(checkGradients(tfModel(model, 'softmaxCrossEntropy'), X, labels, { mode }).passed).toBe(true);
      expect(tf.memory().numTensors).toBe(tensors);
    }
    labels.dispose();
    const after = weights(model);
    after.forEach((w, k) => expect(Buffer.from(w.buffer).equals(Buffer.from(before[k]!.buffer))).toBe(true));
  });

  it('fails a model whose loss differentiates something else, naming the weight', () => {
    const model = denseModel();
    const m = tfModel(model, 'meanSquaredError');
    const kernel = Object.keys(m.parameters)[0]!;
    const broken = {
      ...m,
      gradients: (X: tf.Tensor, Y: tf.Tensor) => {
        const g = m.gradients(X, Y) as Record<string, { data: Float32Array; shape: number[] }>;
        g[kernel]!.data.forEach((v, i, a) => (a[i] = 2 * v));
        return g;
      },
    };
    const result = checkGradients(broken, X, Y);
    expect(result.passed).toBe(false);
    expect(result.tensors.find((t) => t.name === kernel)!.diagnosis?.kind).toBe('scale');
    expect(formatReport(result)).toContain('float32');
  });

  it('checks asynchronously with data() when asked', async () => {
    const model = denseModel();
    const m = tfModel(model, 'meanSquaredError', { async: true });
    const pending = m.loss(X, Y);
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    const tensors = tf.memory().numTensors;
    expect((await checkGradientsAsync(m, X, Y)).passed).toBe(true);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('refuses what is not a model, an unknown loss and a non-scalar loss', () => {
    expect(() => tfModel({} as never, 'meanSquaredError')).toThrow(GradcheckError);
    expect(() => tfModel(denseModel(), 'meanSquareError' as never)).toThrow(/unknown loss "meanSquareError"/);
    const m = tfModel(denseModel(), (y, p) => tf.sub(y, p) as never);
    expect(() => checkGradients(m, X, Y)).toThrow(/must be a scalar/);
  });
});

describe('tfModel on objects that are not LayersModels', () => {
  it('takes trainableWeights of tf.Variables and predict', () => {
    const w = tf.variable(tf.tensor(numbers(12, 21), [4, 3]), true, 'plain_w');
    const X = tf.tensor(numbers(8, 22), [2, 4]);
    const Y = tf.tensor(numbers(6, 23), [2, 3]);
    const plain = {
      trainableWeights: [w],
      predict: (x: tf.Tensor | tf.Tensor[]) => tf.tanh(tf.matMul(x as tf.Tensor, w)),
    };
    const result = checkGradients(tfModel(plain, 'huberLoss'), X, Y);
    expect(result.passed).toBe(true);
    expect(result.tensors.map((t) => t.name)).toEqual(['plain_w']);
    w.dispose();
  });
});
