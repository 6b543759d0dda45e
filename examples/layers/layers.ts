// Three hand-written layers of a small convolutional network, each with its forward pass and its
// backward pass (the vector–Jacobian product: the gradients of ⟨dY, forward(X)⟩ with respect to
// the weights AND the input). Tensors are `{ data: Float64Array, shape }`, row-major, so that a
// failing check names entries in their own shape: `X[0,1,2,3]`.
import type { Layer } from '@gradcheck/core';

export interface Tensor {
  data: Float64Array;
  shape: number[];
}

export function zeros(shape: number[]): Tensor {
  return { data: new Float64Array(shape.reduce((a, b) => a * b, 1)), shape };
}

/** A tensor of seeded pseudo-random numbers in [−1, 1). */
export function random(shape: number[], seed: number): Tensor {
  const t = zeros(shape);
  let s = seed >>> 0;
  for (let i = 0; i < t.data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    t.data[i] = s / 2 ** 31 - 1;
  }
  return t;
}

/**
 * A 2-D convolution (cross-correlation) with stride and zero padding, on a batch:
 * X n×c×h×w, kernels K f×c×k×k, bias b f → Y n×f×oh×ow, oh = ⌊(h + 2·padding − k) / stride⌋ + 1.
 */
export function conv2d(options: {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  padding: number;
  seed?: number;
}): Layer<Tensor, Tensor> & { parameters: { K: Tensor; b: Tensor } } {
  const { inChannels: c, outChannels: f, kernel: k, stride: s, padding: p, seed = 1 } = options;
  const K = random([f, c, k, k], seed);
  const b = random([f], seed + 1);
  const out = (size: number): number => Math.floor((size + 2 * p - k) / s) + 1;
  // Visits every (output position, kernel tap) pair that reads an input entry inside the image.
  const each = (
    X: Tensor,
    visit: (y: number, kIndex: number, xIndex: number, o: number) => void,
  ): { oh: number; ow: number } => {
    const [n, , h, w] = X.shape as [number, number, number, number];
    const oh = out(h),
      ow = out(w);
    for (let e = 0; e < n; e++)
      for (let o = 0; o < f; o++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++) {
            const y = ((e * f + o) * oh + i) * ow + j;
            for (let ch = 0; ch < c; ch++)
              for (let u = 0; u < k; u++)
                for (let v = 0; v < k; v++) {
                  const row = i * s - p + u,
                    col = j * s - p + v;
                  if (row < 0 || row >= h || col < 0 || col >= w) continue;
                  visit(y, ((o * c + ch) * k + u) * k + v, ((e * c + ch) * h + row) * w + col, o);
                }
          }
    return { oh, ow };
  };
  return {
    parameters: { K, b },
    forward: (X) => {
      const [n, , h, w] = X.shape as [number, number, number, number];
      const Y = zeros([n, f, out(h), out(w)]);
      const perMap = out(h) * out(w);
      for (let y = 0; y < Y.data.length; y++) Y.data[y] = b.data[Math.floor(y / perMap) % f]!;
      each(X, (y, kIndex, xIndex) => {
        Y.data[y] = Y.data[y]! + K.data[kIndex]! * X.data[xIndex]!;
      });
      return Y;
    },
    backward: (dY, X) => {
      const dX = zeros(X.shape),
        dK = zeros(K.shape),
        db = zeros(b.shape);
      each(X, (y, kIndex, xIndex) => {
        dK.data[kIndex] = dK.data[kIndex]! + dY.data[y]! * X.data[xIndex]!;
        dX.data[xIndex] = dX.data[xIndex]! + dY.data[y]! * K.data[kIndex]!;
      });
      const perMap = dY.shape[2]! * dY.shape[3]!;
      for (let y = 0; y < dY.data.length; y++) {
        const o = Math.floor(y / perMap) % f;
        db.data[o] = db.data[o]! + dY.data[y]!;
      }
      return { dX, dK, db };
    },
  };
}

/** Max pooling over size×size windows with a stride, on X n×c×h×w; no weights. */
export function maxPool2d(options: { size: number; stride: number }): Layer<Tensor, Tensor> {
  const { size: k, stride: s } = options;
  // The flat index in X of each output's maximum: forward caches it for backward.
  let argmax: Int32Array = new Int32Array(0);
  return {
    forward: (X) => {
      const [n, c, h, w] = X.shape as [number, number, number, number];
      const oh = Math.floor((h - k) / s) + 1,
        ow = Math.floor((w - k) / s) + 1;
      const Y = zeros([n, c, oh, ow]);
      argmax = new Int32Array(Y.data.length);
      for (let m = 0; m < n * c; m++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++) {
            let best = -1;
            for (let u = 0; u < k; u++)
              for (let v = 0; v < k; v++) {
                const at = (m * h + i * s + u) * w + j * s + v;
                if (best < 0 || X.data[at]! > X.data[best]!) best = at;
              }
            const y = (m * oh + i) * ow + j;
            argmax[y] = best;
            Y.data[y] = X.data[best]!;
          }
      return Y;
    },
    // Called right after forward at the same point, so the cached argmax is this input's.
    backward: (dY, X) => {
      const dX = zeros(X.shape);
      for (let y = 0; y < dY.data.length; y++) dX.data[argmax[y]!] = dX.data[argmax[y]!]! + dY.data[y]!;
      return { dX };
    },
  };
}

/**
 * Batch normalisation of X n×d over the batch (training mode):
 * y = γ·(x − μ)/√(σ² + ε) + β per feature, with μ and σ² the batch mean and (biased) variance.
 */
export function batchNorm(
  features: number,
  epsilon = 1e-5,
): Layer<Tensor, Tensor> & {
  parameters: { gamma: Tensor; beta: Tensor };
} {
  const gamma = random([features], 7);
  const beta = random([features], 8);
  const normalise = (X: Tensor, j: number) => {
    const n = X.shape[0]!;
    let mean = 0,
      variance = 0;
    for (let r = 0; r < n; r++) mean += X.data[r * features + j]! / n;
    for (let r = 0; r < n; r++) variance += (X.data[r * features + j]! - mean) ** 2 / n;
    const inv = 1 / Math.sqrt(variance + epsilon);
    return { inv, xhat: (r: number) => (X.data[r * features + j]! - mean) * inv };
  };
  return {
    parameters: { gamma, beta },
    forward: (X) => {
      const Y = zeros(X.shape);
      for (let j = 0; j < features; j++) {
        const { xhat } = normalise(X, j);
        for (let r = 0; r < X.shape[0]!; r++) Y.data[r * features + j] = gamma.data[j]! * xhat(r) + beta.data[j]!;
      }
      return Y;
    },
    backward: (dY, X) => {
      const n = X.shape[0]!;
      const dX = zeros(X.shape),
        dgamma = zeros([features]),
        dbeta = zeros([features]);
      for (let j = 0; j < features; j++) {
        const { inv, xhat } = normalise(X, j);
        let sum = 0,
          sumXhat = 0;
        for (let r = 0; r < n; r++) {
          sum += dY.data[r * features + j]!;
          sumXhat += dY.data[r * features + j]! * xhat(r);
        }
        dgamma.data[j] = sumXhat;
        dbeta.data[j] = sum;
        // dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂))
        for (let r = 0; r < n; r++) {
          dX.data[r * features + j] =
            gamma.data[j]! * inv * (dY.data[r * features + j]! - sum / n - (xhat(r) * sumXhat) / n);
        }
      }
      return { dX, dgamma, dbeta };
    },
  };
}
