// The sweep's failures, decided by an independent float64 reference: for each, the tfjs forward
// pass agrees with the float64 math (so the reference computes the same function), and the float64
// gradient agrees with itself across steps but not with tfjs's gradient. On the same reference the
// neighbouring correct op ('valid' pooling, the logits of a distribution) agrees with tfjs.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { tfFunction, type HostTensor } from '../src/index.js';
import {
  avgPool,
  avgPool3d,
  centralGradient,
  cumsum,
  difference,
  gaussian,
  mirrorPadReflect,
  softmaxCrossEntropy,
} from './reference64.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** tfjs's vector–Jacobian product of f at `inputs` with cotangent R, per input (through tfFunction). */
function tfjsGradient(
  f: (...x: tf.Tensor[]) => tf.Tensor,
  inputs: Record<string, tf.Tensor>,
  R: Float64Array,
  shape: number[],
) {
  return tfFunction(f, { variables: [] }).backward({ data: R, shape }, inputs) as Record<string, HostTensor>;
}

const f64 = (t: tf.Tensor): Float64Array => Float64Array.from(t.dataSync());

describe('avgPool with padding "same": tfjs’s gradient is wrong at the borders', () => {
  const shape = [1, 5, 5, 2];
  const x = tf.tensor(Float32Array.from(gaussian(50, 1)), shape);
  for (const [padding, stride, wrong] of [
    ['same', 1, true],
    ['same', 2, true],
    ['valid', 2, false],
  ] as const) {
    it(`${padding}, stride ${stride}: forward agrees with float64; gradient ${wrong ? 'does not' : 'does'}`, () => {
      const ref = avgPool(f64(x), shape, 3, stride, padding);
      const y = tf.avgPool(x as tf.Tensor4D, 3, stride, padding);
      expect(y.shape).toEqual(ref.shape);
      expect(difference(y.dataSync(), ref.y)).toBeLessThan(1e-6);
      const R = gaussian(ref.y.length, 2);
      const g64 = centralGradient((v) => avgPool(v, shape, 3, stride, padding).y, f64(x), R);
      const gTf = tfjsGradient((v) => tf.avgPool(v as tf.Tensor4D, 3, stride, padding), { x }, R, ref.shape).dx!.data;
      if (wrong) expect(difference(gTf, g64)).toBeGreaterThan(0.1);
      else expect(difference(gTf, g64)).toBeLessThan(1e-6);
      y.dispose();
    });
  }

  it('the wrong entries are exactly those whose windows overlap the padding (tfjs divides by 9 there)', () => {
    const ref = avgPool(f64(x), shape, 3, 1, 'same');
    const R = new Float64Array(ref.y.length).fill(1);
    const g64 = centralGradient((v) => avgPool(v, shape, 3, 1, 'same').y, f64(x), R);
    const gTf = tfjsGradient((v) => tf.avgPool(v as tf.Tensor4D, 3, 1, 'same'), { x }, R, ref.shape).dx!.data;
    // With R = 1, x[2,2] (centre) only feeds full windows; x[0,0] (a corner) feeds 4 windows of 4, 6, 6 and 9 entries.
    const at = (i: number, j: number): number => (i * 5 + j) * 2;
    expect(gTf[at(2, 2)]).toBeCloseTo(1, 5);
    expect(g64[at(2, 2)]).toBeCloseTo(1, 6);
    expect(g64[at(0, 0)]).toBeCloseTo(1 / 4 + 1 / 6 + 1 / 6 + 1 / 9, 6);
    expect(gTf[at(0, 0)]).toBeCloseTo(4 / 9, 5);
  });
});

describe('cumsum along a leading axis: tfjs’s gradient throws', () => {
  it('forward agrees with float64 along both axes; the gradient along axis 0 of a 3×4 throws a shape error', () => {
    const x = tf.tensor(Float32Array.from(gaussian(12, 3)), [3, 4]);
    for (const axis of [0, 1] as const) {
      expect(difference(tf.cumsum(x, axis).dataSync(), cumsum(f64(x), 3, 4, axis))).toBeLessThan(1e-6);
    }
    const R = gaussian(12, 4);
    const along1 = tfjsGradient((v) => tf.cumsum(v, 1), { x }, R, [3, 4]).dx!.data;
    expect(
      difference(
        along1,
        centralGradient((v) => cumsum(v, 3, 4, 1), f64(x), R),
      ),
    ).toBeLessThan(1e-6);
    expect(() => tfjsGradient((v) => tf.cumsum(v, 0), { x }, R, [3, 4])).toThrow(
      /gradient of input 'x' has shape '4,3', which does not match the shape of the input '3,4'/,
    );
  });
});

describe('softmaxCrossEntropy: tfjs’s gradient with respect to the labels is wrong', () => {
  const rows = 4,
    classes = 3;
  const logits = tf.tensor(Float32Array.from(gaussian(12, 5)), [rows, classes]);
  const labels = tf.softmax(tf.tensor(Float32Array.from(gaussian(12, 6)), [rows, classes]));
  const R = Float64Array.of(1.3);
  const loss = (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p);

  it('forward agrees with float64; the logits gradient agrees, the labels gradient does not', () => {
    expect(
      Math.abs(loss(labels, logits).dataSync()[0]! - softmaxCrossEntropy(f64(labels), f64(logits), rows, classes)),
    ).toBeLessThan(1e-6);
    const g = tfjsGradient(loss, { y: labels, p: logits }, R, []);
    const dp = centralGradient(
      (p) => Float64Array.of(softmaxCrossEntropy(f64(labels), p, rows, classes)),
      f64(logits),
      R,
    );
    const dy = centralGradient(
      (y) => Float64Array.of(softmaxCrossEntropy(y, f64(logits), rows, classes)),
      f64(labels),
      R,
    );
    expect(difference(g.dp!.data, dp)).toBeLessThan(1e-6);
    expect(difference(g.dy!.data, dy)).toBeGreaterThan(0.5);
    // The derivation: ∂L/∂y = −logsoftmax(p) / rows; tfjs returns (y − softmax(p)) / rows.
    const logSoftmax = f64(tf.logSoftmax(logits));
    expect(
      difference(
        dy,
        logSoftmax.map((v) => (-v * R[0]!) / rows),
      ),
    ).toBeLessThan(1e-6); // logSoftmax in float32
    const softmax = f64(tf.softmax(logits));
    const yHost = f64(labels);
    expect(
      difference(
        g.dy!.data,
        yHost.map((v, i) => ((v - softmax[i]!) * R[0]!) / rows),
      ),
    ).toBeLessThan(1e-6);
  });

  it('with labels that do not sum to 1, the logits gradient is wrong too (tfjs assumes Σy = 1)', () => {
    const y = tf.tensor(Float32Array.from(gaussian(12, 7), Math.abs), [rows, classes]);
    const g = tfjsGradient(loss, { y, p: logits }, R, []);
    const dp = centralGradient((p) => Float64Array.of(softmaxCrossEntropy(f64(y), p, rows, classes)), f64(logits), R);
    expect(difference(g.dp!.data, dp)).toBeGreaterThan(0.05);
  });
});

describe('avgPool3d with padding "same": the same defect in 3-D', () => {
  it('forward agrees with float64; the gradient does not for "same", does for "valid"', () => {
    const x = tf.tensor(Float32Array.from(gaussian(64, 8)), [1, 4, 4, 4, 1]);
    for (const [padding, k, wrong] of [
      ['same', 3, true],
      ['valid', 2, false],
    ] as const) {
      const ref = avgPool3d(f64(x), [4, 4, 4], k, padding);
      const f = (v: tf.Tensor) => tf.avgPool3d(v as tf.Tensor5D, k, 1, padding);
      expect(difference(f(x).dataSync(), ref)).toBeLessThan(1e-6);
      const R = gaussian(ref.length, 9);
      const shape = padding === 'same' ? [1, 4, 4, 4, 1] : [1, 3, 3, 3, 1];
      const gTf = tfjsGradient(f, { x }, R, shape).dx!.data;
      const g64 = centralGradient((v) => avgPool3d(v, [4, 4, 4], k, padding), f64(x), R);
      if (wrong) expect(difference(gTf, g64)).toBeGreaterThan(0.1);
      else expect(difference(gTf, g64)).toBeLessThan(1e-6);
    }
  });
});

describe('mirrorPad "reflect": tfjs’s gradient drops the reflected copies', () => {
  it('forward agrees with float64; the gradient is the centre slice of dY only', () => {
    const x = tf.tensor(Float32Array.from(gaussian(12, 10)), [3, 4]);
    const pads: [[number, number], [number, number]] = [
      [1, 1],
      [2, 2],
    ];
    const ref = mirrorPadReflect(f64(x), 3, 4, pads);
    expect(difference(tf.mirrorPad(x, pads, 'reflect').dataSync(), ref)).toBeLessThan(1e-6);
    const R = gaussian(ref.length, 11);
    const gTf = tfjsGradient((v) => tf.mirrorPad(v, pads, 'reflect'), { x }, R, [5, 8]).dx!.data;
    const g64 = centralGradient((v) => mirrorPadReflect(v, 3, 4, pads), f64(x), R);
    expect(difference(gTf, g64)).toBeGreaterThan(0.2);
    // tfjs returns R's centre 3×4 block: the entries of dY at the unpadded positions only.
    const centre = Array.from({ length: 12 }, (_, i) => R[(((i / 4) | 0) + 1) * 8 + (i % 4) + 2]!);
    expect(difference(gTf, centre)).toBeLessThan(1e-6);
  });
});

describe('resizeBilinear on a non-square image: tfjs’s gradient throws', () => {
  it('the gradient of a 3×4 image resized to 5×7 has its height and width swapped', () => {
    const x = tf.tensor(Float32Array.from(gaussian(24, 12)), [1, 3, 4, 2]);
    const R = gaussian(70, 13);
    expect(() =>
      tfjsGradient((v) => tf.image.resizeBilinear(v as tf.Tensor4D, [5, 7]), { x }, R, [1, 5, 7, 2]),
    ).toThrow(/ResizeBilinear. The gradient of input 'images' has shape '1,4,3,2'/);
  });
});
