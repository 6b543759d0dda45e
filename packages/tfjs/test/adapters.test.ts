import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { checkGradients, GradcheckError } from '@gradcheck/core';
import { viewTensor } from '@gradcheck/core/internal';
import '../src/index.js';
import { tfTensorView } from '../src/adapters.js';
import { numbers, useBackend } from './setup.js';

beforeAll(() => useBackend('cpu'));

/** loss = Σ x·w², gradient 2·x·w (or a wrong one): a hand-written model over a raw tf.Variable. */
function variableModel(w: tf.Variable, x: tf.Tensor, wrong = false) {
  return {
    parameters: { w },
    loss: () => tf.tidy(() => tf.sum(tf.mul(x, tf.square(w))).dataSync()[0]!),
    gradients: () => ({ w: tf.tidy(() => tf.mul(tf.mul(x, w), wrong ? 3 : 2)) }),
  };
}

describe('tensor adapters', () => {
  it('checks a model over a raw tf.Variable (written through assign) and restores it bit for bit', () => {
    const w = tf.variable(tf.tensor(numbers(12, 3), [3, 4]));
    const x = tf.tensor(numbers(12, 4), [3, 4]);
    const before = (w.dataSync() as Float32Array).slice();
    const result = checkGradients(variableModel(w, x), undefined, undefined);
    expect(result.passed).toBe(true);
    expect(result.precision).toBe('float32');
    expect(result.tensors[0]!.shape).toEqual([3, 4]);
    const wrong = checkGradients(variableModel(w, x, true), undefined, undefined);
    expect(wrong.passed).toBe(false);
    expect(wrong.tensors[0]!.diagnosis?.kind).toBe('scale');
    expect(Buffer.from((w.dataSync() as Float32Array).buffer).equals(Buffer.from(before.buffer))).toBe(true);
  });

  it('refuses a plain tf.Tensor as a parameter, saying to use a variable or tfFunction', () => {
    const W = tf.tensor(numbers(6, 5), [2, 3]);
    const model = {
      parameters: { W },
      loss: () => tf.tidy(() => tf.sum(tf.square(W)).dataSync()[0]!),
      gradients: () => ({ W: new Float32Array(6) }),
    };
    let error: unknown;
    try {
      checkGradients(model, undefined, undefined);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GradcheckError);
    expect((error as GradcheckError).code).toBe('UNSUPPORTED_TENSOR');
    expect((error as Error).message).toMatch(/tf\.Tensor 2×3 float32.*tf\.variable.*tfFunction/);
  });

  it('reads a tf.Tensor as a gradient, views an input through a host copy, refuses int tensors', () => {
    const t = tf.tensor([[1, 2, 3]]);
    const asGradient = tfTensorView(t, 'gradient');
    expect([asGradient.shape, asGradient.size, asGradient.get(2), asGradient.precision]).toEqual([
      [1, 3],
      3,
      3,
      'float32',
    ]);
    const asInput = tfTensorView(t, 'input');
    asInput.set(1, 7);
    expect(asInput.get(1)).toBe(7);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3]);
    // Through the core's registry (shared by its ESM and CJS builds), with the role it passes.
    expect(viewTensor(t, 'x', 'input').kind).toBe('tf.Tensor');
    expect(() => viewTensor(t, 'W')).toThrow(/a parameter is a tf\.Tensor/);
    expect(() => tfTensorView(tf.tensor([1, 2], [2], 'int32'), 'input')).toThrow(/int32.*float32/);
    expect(() => tfTensorView(t, 'parameter')).toThrow(
      /a parameter is a tf\.Tensor 1×3 float32.*tf\.variable.*tfFunction/,
    );
  });
});
