import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { checkGradients, GradcheckError } from '@gradcheck/core';
import { tfFunction, type HostTensor } from '../src/index.js';
import { tfTensorView } from '../src/adapters.js';
import { numbers, useBackend } from './setup.js';

beforeAll(() => useBackend('cpu'));

/** Row-major a (n×k) · b (k×m), in float64. */
function matmul(a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number, m: number, ta = false, tb = false) {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (ta ? a[p * n + i]! : a[i * k + p]!) * (tb ? b[j * k + p]! : b[p * m + j]!);
      out[i * m + j] = s;
    }
  return out;
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).every((v, i) => Math.abs(v - b[i]!) <= 1e-5 * (1 + Math.abs(b[i]!)));

describe('tfFunction: forward and backward', () => {
  const x = tf.tensor(numbers(6, 1), [2, 3]);
  const w = tf.tensor(numbers(12, 2), [3, 4]);
  const dY = { data: new Float64Array(numbers(8, 3)), shape: [2, 4] };

  it('computes f on the host and returns tfjs’s vector–Jacobian product for each input, in f’s order', () => {
    const layer = tfFunction((a, b) => tf.matMul(a, b));
    const tensors = tf.memory().numTensors;
    const y = layer.forward({ x, w }) as HostTensor;
    expect(y.shape).toEqual([2, 4]);
    expect(close(y.data, matmul(x.dataSync(), w.dataSync(), 2, 3, 4))).toBe(true);
    const g = layer.backward(dY, { x, w }) as Record<string, HostTensor>;
    expect(Object.keys(g)).toEqual(['dx', 'dw']);
    expect(close(g.dx!.data, matmul(dY.data, w.dataSync(), 2, 4, 3, false, true))).toBe(true);
    expect(close(g.dw!.data, matmul(x.dataSync(), dY.data, 3, 2, 4, true, false))).toBe(true);
    expect(layer.parameters).toBeUndefined();
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('computes with the host copy a check perturbs, never changing the tensor', () => {
    const layer = tfFunction((a) => tf.sum(tf.square(a)));
    const view = tfTensorView(x, 'input');
    const before = (layer.forward(x) as HostTensor).data[0]!;
    view.set(0, view.get(0) + 1);
    const after = (layer.forward(x) as HostTensor).data[0]!;
    expect(after - before).toBeCloseTo(2 * x.dataSync()[0]! + 1, 5);
    view.set(0, x.dataSync()[0]!);
    expect((layer.forward(x) as HostTensor).data[0]).toBe(before);
    expect((layer.backward({ data: [1], shape: [] }, x) as Record<string, HostTensor>).dX!.shape).toEqual([2, 3]);
  });

  it('checks the custom gradient of tf.customGrad, not the math of the forward pass', () => {
    const wrong = tf.customGrad(((a: tf.Tensor, save: tf.GradSaveFunc) => {
      save([a]);
      return { value: tf.square(a), gradFunc: (dy: tf.Tensor, [s]: tf.Tensor[]) => tf.mul(dy, tf.mul(s!, 3)) };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    const g = tfFunction((a) => wrong(a) as tf.Tensor).backward(
      { data: new Float64Array(6).fill(1), shape: [2, 3] },
      x,
    );
    expect(
      close(
        (g as Record<string, HostTensor>).dX!.data,
        Array.from(x.dataSync(), (v) => 3 * v),
      ),
    ).toBe(true);
  });

  it('returns zeros for an input f does not use, and a record output with a record cotangent', () => {
    const layer = tfFunction((a, _b) => ({ s: tf.sum(a), d: tf.mul(a, 2) }));
    const y = layer.forward({ a: x, b: w }) as Record<string, HostTensor>;
    expect(Object.keys(y)).toEqual(['s', 'd']);
    const g = layer.backward({ s: [1], d: new Float64Array(6).fill(0.5) }, { a: x, b: w }) as Record<
      string,
      HostTensor
    >;
    expect(Array.from(g.da!.data)).toEqual(new Array(6).fill(2));
    expect(Array.from(g.db!.data)).toEqual(new Array(12).fill(0));
  });

  it('refuses a variable f uses but does not declare, and checks declared ones as parameters', () => {
    const v = tf.variable(tf.tensor(numbers(4, 9), [4]), true, 'tfFunction_test_v');
    const f = (a: tf.Tensor) => tf.add(tf.matMul(a, w), v);
    expect(() => tfFunction(f).backward(dY, x)).toThrow(/tfFunction_test_v.*variables/);
    const layer = tfFunction(f, { variables: [v] });
    expect(Object.keys(layer.parameters!)).toEqual(['tfFunction_test_v']);
    const g = layer.backward(dY, x) as Record<string, HostTensor>;
    expect(Object.keys(g)).toEqual(['dX', 'tfFunction_test_v']);
    expect(
      close(
        g.tfFunction_test_v!.data,
        [0, 1, 2, 3].map((j) => dY.data[j]! + dY.data[4 + j]!),
      ),
    ).toBe(true);
    expect(tfFunction(f, { variables: [] }).backward(dY, x)).toHaveProperty('dX');
    v.dispose();
  });

  it('refuses inputs that are not float32 tensors and outputs that are not tensors', () => {
    expect(() => tfFunction((a) => a).forward([1, 2] as never)).toThrow(GradcheckError);
    expect(() => tfFunction(() => 3 as never).forward(x)).toThrow(/not a tf\.Tensor/);
    expect(() => tfFunction((a) => tf.cast(a, 'int32')).forward(x)).toThrow(/int32/);
  });
});

describe('tfjs-core without the bundle', () => {
  it('cannot differentiate prod: its gradient calls a chained op (x.reshape) that only the @tensorflow/tfjs bundle registers', () => {
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    expect(() => tfFunction((a) => tf.prod(a, 1)).backward({ data: [1, 1], shape: [2] }, x)).toThrow(
      /reshape is not a function/,
    );
  });
});

describe('tfFunction checked by the core', () => {
  it('checks inputs and a declared variable, restores the variable bit for bit and leaks nothing', () => {
    const v = tf.variable(tf.tensor(numbers(12, 11), [3, 4]), true, 'tfFunction_check_v');
    const x = tf.tensor(numbers(6, 12), [2, 3]);
    const before = (v.dataSync() as Float32Array).slice();
    const tensors = tf.memory().numTensors;
    for (const mode of ['full', 'directional', 'sampled'] as const) {
      const result = checkGradients(
        tfFunction((a) => tf.sigmoid(tf.matMul(a, v)), { variables: { W: v } }),
        x,
        { mode },
      );
      expect(result.passed).toBe(true);
      expect(result.tensors.map((t) => t.name).sort()).toEqual(['W', 'X']);
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(Buffer.from((v.dataSync() as Float32Array).buffer).equals(Buffer.from(before.buffer))).toBe(true);
    v.dispose();
  });

  it('restores a variable when f throws midway through the check', () => {
    const v = tf.variable(tf.tensor(numbers(4, 13), [4]), true, 'tfFunction_throw_v');
    const before = (v.dataSync() as Float32Array).slice();
    let calls = 0;
    const layer = tfFunction(
      (a) => {
        if (++calls > 6) throw new Error('boom');
        return tf.mul(a, v);
      },
      { variables: [v] },
    );
    expect(() => checkGradients(layer, tf.tensor(numbers(4, 14), [4]))).toThrow(/boom/);
    expect(Buffer.from((v.dataSync() as Float32Array).buffer).equals(Buffer.from(before.buffer))).toBe(true);
    v.dispose();
  });
});
