// Independent float64 references for the sweep's verdicts: the same math as the tfjs ops, written
// in plain JavaScript, and their gradients by float64 central differences (or a derivation).

/** A seeded Gaussian vector (Box–Muller over an LCG), the same on every run. */
export function gaussian(n: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  const u = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 1) / (2 ** 32 + 1);
  };
  return Float64Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

/**
 * The gradient of x ↦ ⟨R, f(x)⟩ by float64 central differences, step 1e-6·max(1, |xᵢ|): with
 * float64 rounding (1e-16) the error is about 1e-10 relative, far below any float32 effect.
 */
export function centralGradient(f: (x: Float64Array) => Float64Array, x: Float64Array, R: Float64Array): Float64Array {
  const g = new Float64Array(x.length);
  const dot = (y: Float64Array): number => y.reduce((a, v, i) => a + v * R[i]!, 0);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const h = 1e-6 * Math.max(1, Math.abs(xi));
    x[i] = xi + h;
    const up = dot(f(x));
    x[i] = xi - h;
    const down = dot(f(x));
    x[i] = xi;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

/** ‖a − b‖ / (‖a‖ + ‖b‖), the check's difference. */
export function difference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i]! - b[i]!) ** 2;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return Math.sqrt(d) / (Math.sqrt(na) + Math.sqrt(nb));
}

/**
 * Average pooling of an NHWC tensor, TensorFlow's definition: 'same' pads so that the output is
 * ⌈in / stride⌉ (padding split with the smaller half before), and each window averages only the
 * entries inside the input (padding is not counted).
 */
export function avgPool(
  x: Float64Array,
  [n, h, w, c]: readonly number[],
  k: number,
  stride: number,
  padding: 'same' | 'valid',
): { y: Float64Array; shape: number[] } {
  const out = (size: number): number =>
    padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - k) / stride) + 1;
  const before = (size: number): number =>
    padding === 'same' ? Math.floor(Math.max((out(size) - 1) * stride + k - size, 0) / 2) : 0;
  const [oh, ow, ph, pw] = [out(h!), out(w!), before(h!), before(w!)];
  const y = new Float64Array(n! * oh * ow * c!);
  for (let b = 0; b < n!; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let ch = 0; ch < c!; ch++) {
          let sum = 0,
            count = 0;
          for (let di = 0; di < k; di++)
            for (let dj = 0; dj < k; dj++) {
              const r = i * stride - ph + di,
                q = j * stride - pw + dj;
              if (r < 0 || r >= h! || q < 0 || q >= w!) continue;
              sum += x[((b * h! + r) * w! + q) * c! + ch]!;
              count++;
            }
          y[((b * oh + i) * ow + j) * c! + ch] = sum / count;
        }
  return { y, shape: [n!, oh, ow, c!] };
}

/**
 * tf.losses.softmaxCrossEntropy(labels, logits) with its defaults (no weights, no smoothing,
 * SUM_BY_NONZERO_WEIGHTS: the mean over the rows): mean over rows of −Σⱼ yⱼ·(pⱼ − logΣₖ exp pₖ).
 */
export function softmaxCrossEntropy(y: Float64Array, p: Float64Array, rows: number, classes: number): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let j = 0; j < classes; j++) m = Math.max(m, p[r * classes + j]!);
    let s = 0;
    for (let j = 0; j < classes; j++) s += Math.exp(p[r * classes + j]! - m);
    const lse = m + Math.log(s);
    for (let j = 0; j < classes; j++) total -= y[r * classes + j]! * (p[r * classes + j]! - lse);
  }
  return total / rows;
}

/** Cumulative sum of a row-major rows×cols matrix along `axis` (inclusive, forward). */
export function cumsum(x: Float64Array, rows: number, cols: number, axis: 0 | 1): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const prev = axis === 0 ? (r > 0 ? y[i - cols]! : 0) : c > 0 ? y[i - 1]! : 0;
      y[i] = prev + x[i]!;
    }
  return y;
}

/** Average pooling of an NDHWC tensor (batch 1, 1 channel here), TensorFlow's 'same' / 'valid' definition as {@link avgPool}. */
export function avgPool3d(
  x: Float64Array,
  [d, h, w]: readonly number[],
  k: number,
  padding: 'same' | 'valid',
): Float64Array {
  const pad = padding === 'same' ? Math.floor((k - 1) / 2) : 0;
  const out = (n: number): number => (padding === 'same' ? n : n - k + 1);
  const y = new Float64Array(out(d!) * out(h!) * out(w!));
  let o = 0;
  for (let a = 0; a < out(d!); a++)
    for (let b = 0; b < out(h!); b++)
      for (let c = 0; c < out(w!); c++) {
        let sum = 0,
          count = 0;
        for (let i = a - pad; i < a - pad + k; i++)
          for (let j = b - pad; j < b - pad + k; j++)
            for (let l = c - pad; l < c - pad + k; l++) {
              if (i < 0 || i >= d! || j < 0 || j >= h! || l < 0 || l >= w!) continue;
              sum += x[(i * h! + j) * w! + l]!;
              count++;
            }
        y[o++] = sum / count;
      }
  return y;
}

/** tf.mirrorPad(x, [[top, bottom], [left, right]], 'reflect') of a rows×cols matrix. */
export function mirrorPadReflect(
  x: Float64Array,
  rows: number,
  cols: number,
  [[t, b], [l, r]]: readonly [readonly [number, number], readonly [number, number]],
): Float64Array {
  const reflect = (i: number, n: number): number => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  const R = rows + t! + b!,
    C = cols + l! + r!;
  const y = new Float64Array(R * C);
  for (let i = 0; i < R; i++)
    for (let j = 0; j < C; j++) y[i * C + j] = x[reflect(i - t!, rows) * cols + reflect(j - l!, cols)]!;
  return y;
}
