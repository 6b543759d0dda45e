// The WebAssembly backend under Node, with the .wasm files its npm package ships (no download).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { checkGradients, checkGradientsAsync } from '@gradcheck/core';
import { tfFunction, tfModel } from '../src/index.js';
import { numbers, useBackend } from './setup.js';

const require = createRequire(import.meta.url);

beforeAll(async () => {
  setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  await useBackend('wasm');
});

function model(): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ units: 4, inputShape: [3], activation: 'sigmoid' }));
  m.add(tfl.layers.dense({ units: 2 }));
  return m;
}

describe('on the WebAssembly backend', () => {
  let X: tf.Tensor, Y: tf.Tensor;
  beforeAll(() => {
    X = tf.tensor(numbers(15, 1), [5, 3]);
    Y = tf.tensor(numbers(10, 2), [5, 2]);
  });

  it('runs on wasm', () => {
    expect(tf.getBackend()).toBe('wasm');
  });

  it('checks a model synchronously and asynchronously, restoring weights and leaking nothing', async () => {
    const m = model();
    const before = m.trainableWeights.map((w) => (w.read().dataSync() as Float32Array).slice());
    const tensors = tf.memory().numTensors;
    expect(checkGradients(tfModel(m, 'meanSquaredError'), X, Y).passed).toBe(true);
    expect(tf.memory().numTensors).toBe(tensors);
    const result = await checkGradientsAsync(tfModel(m, 'meanSquaredError', { async: true }), X, Y);
    expect(result.passed).toBe(true);
    expect(tf.memory().numTensors).toBe(tensors);
    m.trainableWeights.forEach((w, k) =>
      expect(Buffer.from((w.read().dataSync() as Float32Array).buffer).equals(Buffer.from(before[k]!.buffer))).toBe(
        true,
      ),
    );
  });

  it('checks a tfFunction with input gradients, synchronously and with data()', async () => {
    const w = tf.tensor(numbers(6, 3), [3, 2]);
    const tensors = tf.memory().numTensors;
    const sync = checkGradients(
      tfFunction((x, v) => tf.tanh(tf.matMul(x, v)), { variables: [] }),
      { x: X, w },
    );
    expect(sync.passed).toBe(true);
    expect(sync.tensors.map((t) => t.name)).toEqual(['x', 'w']);
    const layer = tfFunction((x, v) => tf.tanh(tf.matMul(x, v)), { variables: [], async: true });
    expect((await checkGradientsAsync(layer, { x: X, w })).passed).toBe(true);
    expect(tf.memory().numTensors).toBe(tensors);
    const wrong = tf.customGrad(((a: tf.Tensor, save: tf.GradSaveFunc) => {
      save([a]);
      return { value: tf.square(a), gradFunc: (dy: tf.Tensor, [s]: tf.Tensor[]) => tf.mul(dy, tf.mul(s!, -2)) };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    const failed = await checkGradientsAsync(
      tfFunction((a) => wrong(a) as tf.Tensor, { async: true }),
      X,
    );
    expect(failed.passed).toBe(false);
    expect(failed.tensors[0]!.diagnosis?.kind).toBe('sign');
  });

  it('computes a tfFunction’s forward and backward with data()', async () => {
    const layer = tfFunction((x, w) => tf.matMul(x, w), { async: true });
    const w = tf.tensor(numbers(6, 3), [3, 2]);
    const tensors = tf.memory().numTensors;
    const y = await layer.forward({ x: X, w });
    expect(y).toHaveProperty('shape', [5, 2]);
    const g = await layer.backward({ data: new Float64Array(10).fill(1), shape: [5, 2] }, { x: X, w });
    expect(Object.keys(g)).toEqual(['dx', 'dw']);
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
