/**
 * Seeded random layers with hand-written backward passes, and bugs to plant in them: the material
 * of test/layers.property.test.ts. Tensors are `{ data: Float64Array, shape }`, so that reports
 * name entries in their own shape (`X[1,2,3]`).
 */
import type { Layer } from '@gradcheck/core';
import type { Random } from '@gradcheck/core/internal';

export interface T {
  data: Float64Array;
  shape: number[];
}

const tensor = (shape: number[], data?: Float64Array): T => ({
  data: data ?? new Float64Array(shape.reduce((a, b) => a * b, 1)),
  shape,
});
/** The storage of the weights and inputs the builders draw (set by {@link randomLayer} while it builds). */
let storage: 'float64' | 'float32' = 'float64';
const randomTensor = (rng: Random, shape: number[], scale = 1): T => {
  const t = tensor(shape);
  // Float32 storage: the layer's arithmetic reads the stored (rounded) values, in float64.
  if (storage === 'float32') t.data = new Float32Array(t.data.length) as unknown as Float64Array;
  for (let i = 0; i < t.data.length; i++) t.data[i] = scale * rng.gaussian();
  return t;
};

/** A layer under test, the inputs to check it at, and a description for failure messages. */
export interface Case {
  readonly kind: LayerKind;
  readonly bug: string;
  readonly layer: Layer;
  readonly X: unknown;
  readonly describe: string;
}

export const LAYER_KINDS = ['dense', 'conv', 'maxpool', 'batchnorm', 'activation', 'two-input', 'two-output'] as const;
export type LayerKind = (typeof LAYER_KINDS)[number];

/** The bugs each kind of layer can carry (`none`: the correct backward). */
export const BUGS: Readonly<Record<LayerKind, readonly string[]>> = {
  dense: ['dW-transposed', 'dX-sign', 'db-missing-sum', 'dW-scale-1pct', 'dW-accumulates'],
  conv: ['dX-stride-off-by-one', 'dX-padding-off-by-one', 'dK-missing-channel', 'dK-not-flipped', 'db-scale'],
  maxpool: ['dX-first-in-window', 'dX-average', 'dX-stride-off-by-one'],
  batchnorm: ['dX-missing-mean-term', 'dX-missing-variance-term', 'dX-unbiased-variance', 'dgamma-sign', 'dbeta-mean'],
  activation: ['derivative-missing-factor', 'dX-scale', 'dX-accumulates'],
  'two-input': ['db-swapped-operand', 'da-missing-term'],
  'two-output': ['dX-ignores-second-output', 'dW-ignores-first-output', 'dX-outputs-sign'],
};

/** A dense layer Y = X·W + b: X n×i, W i×o, b o. */
function dense(rng: Random, bug: string, planted: boolean): Case {
  const fault = planted ? bug : 'none';
  const n = 1 + rng.below(4),
    i = 1 + rng.below(5),
    o = 2 + rng.below(4);
  const ii = bug === 'dW-transposed' ? o : i; // a transposed dW is only wrong in shape-preserving ways when square
  const W = randomTensor(rng, [ii, o]),
    b = randomTensor(rng, [o]),
    X = randomTensor(rng, [n, ii]);
  const accumulated = new Float64Array(ii * o);
  const layer: Layer<T, T> = {
    parameters: { W, b },
    forward: (X) => {
      const Y = tensor([n, o]);
      for (let r = 0; r < n; r++)
        for (let c = 0; c < o; c++) {
          let s = b.data[c]!;
          for (let k = 0; k < ii; k++) s += X.data[r * ii + k]! * W.data[k * o + c]!;
          Y.data[r * o + c] = s;
        }
      return Y;
    },
    backward: (dY, X) => {
      const dX = tensor([n, ii]),
        dW = tensor([ii, o]),
        db = tensor([o]);
      for (let r = 0; r < n; r++)
        for (let c = 0; c < o; c++) {
          const g = dY.data[r * o + c]!;
          if (fault !== 'db-missing-sum' || r === 0) db.data[c] = db.data[c]! + g;
          for (let k = 0; k < ii; k++) {
            dX.data[r * ii + k] = dX.data[r * ii + k]! + g * W.data[k * o + c]!;
            dW.data[k * o + c] = dW.data[k * o + c]! + g * X.data[r * ii + k]!;
          }
        }
      if (fault === 'dX-sign') dX.data.forEach((v, k) => (dX.data[k] = -v));
      if (fault === 'dW-scale-1pct') dW.data.forEach((v, k) => (dW.data[k] = 1.01 * v));
      if (fault === 'dW-transposed') {
        const t = dW.data.slice();
        for (let r = 0; r < ii; r++) for (let c = 0; c < o; c++) dW.data[r * o + c] = t[c * o + r]!;
      }
      if (fault === 'dW-accumulates') {
        accumulated.forEach((v, k) => (accumulated[k] = v + dW.data[k]!));
        dW.data.set(accumulated);
      }
      return { dX, dW, db };
    },
  };
  return { kind: 'dense', bug, layer, X, describe: `dense ${n}×${ii} → ${o}` };
}

/**
 * A 2-D convolution (cross-correlation) with stride and zero padding: X c×h×w, K f×c×k×k, b f,
 * Y f×oh×ow with oh = ⌊(h + 2p − k)/s⌋ + 1.
 */
function conv(rng: Random, bug: string, planted: boolean): Case {
  const fault = planted ? bug : 'none';
  const c = 1 + rng.below(2),
    f = 1 + rng.below(3),
    k = 1 + rng.below(3),
    s = 1 + rng.below(2),
    p = rng.below(2);
  const h = k + 2 + rng.below(4),
    w = k + 2 + rng.below(4);
  const oh = Math.floor((h + 2 * p - k) / s) + 1,
    ow = Math.floor((w + 2 * p - k) / s) + 1;
  const K = randomTensor(rng, [f, c, k, k]),
    b = randomTensor(rng, [f]),
    X = randomTensor(rng, [c, h, w]);
  const at = (y: number, x: number): boolean => y >= 0 && y < h && x >= 0 && x < w;
  const layer: Layer<T, T> = {
    parameters: { K, b },
    forward: (X) => {
      const Y = tensor([f, oh, ow]);
      for (let o = 0; o < f; o++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++) {
            let sum = b.data[o]!;
            for (let ch = 0; ch < c; ch++)
              for (let u = 0; u < k; u++)
                for (let v = 0; v < k; v++) {
                  const y = i * s - p + u,
                    x = j * s - p + v;
                  if (at(y, x)) sum += K.data[((o * c + ch) * k + u) * k + v]! * X.data[(ch * h + y) * w + x]!;
                }
            Y.data[(o * oh + i) * ow + j] = sum;
          }
      return Y;
    },
    backward: (dY, X) => {
      const dX = tensor([c, h, w]),
        dK = tensor([f, c, k, k]),
        db = tensor([f]);
      // The buggy strides and paddings of the backward pass only: forward keeps the true ones.
      const sb = fault === 'dX-stride-off-by-one' ? s + 1 : s;
      const pb = fault === 'dX-padding-off-by-one' ? p + 1 : p;
      for (let o = 0; o < f; o++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++) {
            const g = dY.data[(o * oh + i) * ow + j]!;
            db.data[o] = db.data[o]! + (fault === 'db-scale' ? 2 * g : g);
            for (let ch = 0; ch < c; ch++)
              for (let u = 0; u < k; u++)
                for (let v = 0; v < k; v++) {
                  const y = i * s - p + u,
                    x = j * s - p + v;
                  const kIndex = ((o * c + ch) * k + u) * k + v;
                  const flipped = ((o * c + ch) * k + (k - 1 - u)) * k + (k - 1 - v);
                  if (at(y, x) && !(fault === 'dK-missing-channel' && ch === c - 1 && c > 1)) {
                    const target = fault === 'dK-not-flipped' ? flipped : kIndex;
                    dK.data[target] = dK.data[target]! + g * X.data[(ch * h + y) * w + x]!;
                  }
                  const yb = i * sb - pb + u,
                    xb = j * sb - pb + v;
                  if (at(yb, xb)) {
                    dX.data[(ch * h + yb) * w + xb] = dX.data[(ch * h + yb) * w + xb]! + g * K.data[kIndex]!;
                  }
                }
          }
      return { dX, dK, db };
    },
  };
  return {
    kind: 'conv',
    bug,
    layer,
    X,
    describe: `conv ${c}×${h}×${w}, ${f} filters ${k}×${k}, stride ${s}, pad ${p}`,
  };
}

/** Max pooling over k×k windows with stride s: X c×h×w. */
function maxpool(rng: Random, bug: string, planted: boolean): Case {
  const fault = planted ? bug : 'none';
  const c = 1 + rng.below(3),
    k = 2 + rng.below(2),
    s = 1 + rng.below(k);
  const h = k + rng.below(4),
    w = k + rng.below(4);
  const oh = Math.floor((h - k) / s) + 1,
    ow = Math.floor((w - k) / s) + 1;
  const X = randomTensor(rng, [c, h, w]);
  const argmax = (X: T, ch: number, i: number, j: number, stride: number): number => {
    let best = -1,
      value = -Infinity;
    for (let u = 0; u < k; u++)
      for (let v = 0; v < k; v++) {
        const y = Math.min(h - 1, i * stride + u),
          x = Math.min(w - 1, j * stride + v);
        const at = (ch * h + y) * w + x;
        if (X.data[at]! > value) [best, value] = [at, X.data[at]!];
      }
    return best;
  };
  const layer: Layer<T, T> = {
    forward: (X) => {
      const Y = tensor([c, oh, ow]);
      for (let ch = 0; ch < c; ch++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++) Y.data[(ch * oh + i) * ow + j] = X.data[argmax(X, ch, i, j, s)]!;
      return Y;
    },
    backward: (dY, X) => {
      const dX = tensor([c, h, w]);
      for (let ch = 0; ch < c; ch++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++) {
            const g = dY.data[(ch * oh + i) * ow + j]!;
            if (fault === 'dX-average') {
              for (let u = 0; u < k; u++)
                for (let v = 0; v < k; v++) {
                  const at = (ch * h + i * s + u) * w + j * s + v;
                  dX.data[at] = dX.data[at]! + g / (k * k);
                }
              continue;
            }
            const at =
              fault === 'dX-first-in-window'
                ? (ch * h + i * s) * w + j * s
                : argmax(X, ch, i, j, fault === 'dX-stride-off-by-one' ? s + 1 : s);
            dX.data[at] = dX.data[at]! + g;
          }
      return { dX };
    },
  };
  return { kind: 'maxpool', bug, layer, X, describe: `maxpool ${c}×${h}×${w}, ${k}×${k} stride ${s}` };
}

/** Batch normalisation over the batch: X n×d, y = γ·(x − μ)/√(σ² + ε) + β per feature. */
function batchnorm(rng: Random, bug: string, planted: boolean): Case {
  const fault = planted ? bug : 'none';
  const n = 2 + rng.below(5),
    d = 1 + rng.below(4),
    eps = 1e-5;
  const gamma = randomTensor(rng, [d]),
    beta = randomTensor(rng, [d]),
    X = randomTensor(rng, [n, d], 2);
  const stats = (X: T, j: number, divisor: number) => {
    let mu = 0;
    for (let r = 0; r < n; r++) mu += X.data[r * d + j]!;
    mu /= n;
    let v = 0;
    for (let r = 0; r < n; r++) v += (X.data[r * d + j]! - mu) ** 2;
    return { mu, inv: 1 / Math.sqrt(v / divisor + eps) };
  };
  const layer: Layer<T, T> = {
    parameters: { gamma, beta },
    forward: (X) => {
      const Y = tensor([n, d]);
      for (let j = 0; j < d; j++) {
        const { mu, inv } = stats(X, j, n);
        for (let r = 0; r < n; r++)
          Y.data[r * d + j] = gamma.data[j]! * (X.data[r * d + j]! - mu) * inv + beta.data[j]!;
      }
      return Y;
    },
    backward: (dY, X) => {
      const dX = tensor([n, d]),
        dgamma = tensor([d]),
        dbeta = tensor([d]);
      for (let j = 0; j < d; j++) {
        const { mu, inv } = stats(X, j, fault === 'dX-unbiased-variance' ? n - 1 : n);
        let sumG = 0,
          sumGX = 0;
        for (let r = 0; r < n; r++) {
          const g = dY.data[r * d + j]!,
            xhat = (X.data[r * d + j]! - mu) * inv;
          sumG += g;
          sumGX += g * xhat;
        }
        dgamma.data[j] = fault === 'dgamma-sign' ? -sumGX : sumGX;
        dbeta.data[j] = fault === 'dbeta-mean' ? sumG / n : sumG;
        for (let r = 0; r < n; r++) {
          const g = dY.data[r * d + j]!,
            xhat = (X.data[r * d + j]! - mu) * inv;
          const meanTerm = fault === 'dX-missing-mean-term' ? 0 : sumG / n;
          const varianceTerm = fault === 'dX-missing-variance-term' ? 0 : (xhat * sumGX) / n;
          dX.data[r * d + j] = gamma.data[j]! * inv * (g - meanTerm - varianceTerm);
        }
      }
      return { dX, dgamma, dbeta };
    },
  };
  return { kind: 'batchnorm', bug, layer, X, describe: `batchnorm ${n}×${d}` };
}

/** An elementwise activation (tanh, sigmoid or softplus) on X of any shape; no parameters. */
function activation(rng: Random, bug: string, planted: boolean): Case {
  const fault = planted ? bug : 'none';
  const kinds = ['tanh', 'sigmoid', 'softplus'] as const;
  const act = kinds[rng.below(kinds.length)]!;
  const X = randomTensor(rng, [1 + rng.below(4), 1 + rng.below(6)], 2);
  const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
  const value = (x: number): number =>
    act === 'tanh' ? Math.tanh(x) : act === 'sigmoid' ? sigmoid(x) : Math.log1p(Math.exp(x));
  const slope = (x: number): number => {
    const missing = fault === 'derivative-missing-factor';
    if (act === 'tanh') return missing ? 1 - Math.tanh(x) : 1 - Math.tanh(x) ** 2;
    if (act === 'sigmoid') return missing ? sigmoid(x) : sigmoid(x) * (1 - sigmoid(x));
    return missing ? Math.exp(x) : sigmoid(x);
  };
  const accumulated = new Float64Array(X.data.length);
  const layer: Layer<T, T> = {
    forward: (X) => tensor(X.shape, X.data.map(value)),
    backward: (dY, X) => {
      const dX = tensor(
        X.shape,
        X.data.map((x, i) => dY.data[i]! * slope(x) * (fault === 'dX-scale' ? 0.5 : 1)),
      );
      if (fault === 'dX-accumulates') {
        accumulated.forEach((v, i) => (accumulated[i] = v + dX.data[i]!));
        return tensor(X.shape, accumulated.slice());
      }
      return dX; // an op without parameters may return dX itself
    },
  };
  return { kind: 'activation', bug, layer, X, describe: `${act} ${X.shape.join('×')}` };
}

/** A two-input op on { a, b } of one shape: y = a·b + sin(a). */
function twoInput(rng: Random, bug: string, planted: boolean): Case {
  const fault = planted ? bug : 'none';
  const shape = [1 + rng.below(3), 1 + rng.below(5)];
  const X = { a: randomTensor(rng, shape), b: randomTensor(rng, shape) };
  const layer: Layer<{ a: T; b: T }, T> = {
    forward: ({ a, b }) =>
      tensor(
        shape,
        a.data.map((x, i) => x * b.data[i]! + Math.sin(x)),
      ),
    backward: (dY, { a, b }) => ({
      da: tensor(
        shape,
        a.data.map((x, i) => dY.data[i]! * (b.data[i]! + (fault === 'da-missing-term' ? 0 : Math.cos(x)))),
      ),
      db: tensor(
        shape,
        b.data.map((y, i) => dY.data[i]! * (fault === 'db-swapped-operand' ? y : a.data[i]!)),
      ),
    }),
  };
  return { kind: 'two-input', bug, layer, X, describe: `a·b + sin(a) on ${shape.join('×')}` };
}

/** A layer with two outputs: z = X·W, { h: tanh(z), s: Σ_columns z }. */
function twoOutput(rng: Random, bug: string, planted: boolean): Case {
  const fault = planted ? bug : 'none';
  const n = 1 + rng.below(3),
    i = 1 + rng.below(4),
    o = 1 + rng.below(4);
  const W = randomTensor(rng, [i, o]),
    X = randomTensor(rng, [n, i]);
  const z = (X: T): Float64Array => {
    const out = new Float64Array(n * o);
    for (let r = 0; r < n; r++)
      for (let c = 0; c < o; c++) {
        let sum = 0;
        for (let k = 0; k < i; k++) sum += X.data[r * i + k]! * W.data[k * o + c]!;
        out[r * o + c] = sum;
      }
    return out;
  };
  const layer: Layer<T, { h: T; s: T }> = {
    parameters: { W },
    forward: (X) => {
      const Z = z(X);
      const s = tensor([n]);
      for (let r = 0; r < n; r++) for (let c = 0; c < o; c++) s.data[r] = s.data[r]! + Z[r * o + c]!;
      return { h: tensor([n, o], Z.map(Math.tanh)), s };
    },
    backward: (dY, X) => {
      const Z = z(X);
      const dZforX = new Float64Array(n * o),
        dZforW = new Float64Array(n * o);
      for (let r = 0; r < n; r++)
        for (let c = 0; c < o; c++) {
          const fromH = dY.h.data[r * o + c]! * (1 - Math.tanh(Z[r * o + c]!) ** 2),
            fromS = dY.s.data[r]!;
          dZforX[r * o + c] =
            (fault === 'dX-ignores-second-output' ? fromH : fromH + fromS) * (fault === 'dX-outputs-sign' ? -1 : 1);
          dZforW[r * o + c] = fault === 'dW-ignores-first-output' ? fromS : fromH + fromS;
        }
      const dX = tensor([n, i]),
        dW = tensor([i, o]);
      for (let r = 0; r < n; r++)
        for (let c = 0; c < o; c++)
          for (let k = 0; k < i; k++) {
            dX.data[r * i + k] = dX.data[r * i + k]! + dZforX[r * o + c]! * W.data[k * o + c]!;
            dW.data[k * o + c] = dW.data[k * o + c]! + dZforW[r * o + c]! * X.data[r * i + k]!;
          }
      return { dX, dW };
    },
  };
  return { kind: 'two-output', bug, layer, X, describe: `{ tanh(XW), rowsum(XW) } ${n}×${i} → ${o}` };
}

const BUILDERS: Readonly<Record<LayerKind, (rng: Random, bug: string, planted: boolean) => Case>> = {
  dense,
  conv,
  maxpool,
  batchnorm,
  activation,
  'two-input': twoInput,
  'two-output': twoOutput,
};

/**
 * A random layer of `kind` with `bug` planted (`'none'`: correct). With `planted: false`, the
 * same layer (same draws, same shapes) with the correct backward: the reference that shows
 * whether the bug changes anything at this draw. `precision: 'float32'` stores the weights and
 * inputs in Float32Arrays.
 */
export function randomLayer(
  kind: LayerKind,
  bug: string,
  rng: Random,
  planted = true,
  precision: 'float64' | 'float32' = 'float64',
): Case {
  storage = precision;
  try {
    return BUILDERS[kind](rng, bug, planted);
  } finally {
    storage = 'float64';
  }
}
