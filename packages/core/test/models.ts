import type { GradientModel } from '../src/index.js';

/**
 * Least squares on a linear model: loss = mean over examples of (w·x + b − y)². X is an array of
 * examples (number[][]), Y a number[]. `bug` plants a mistake in the analytic gradient.
 */
export function linearModel(
  w: Float64Array | Float32Array | number[],
  b: number[],
  bug: 'none' | 'bias-sum' | 'one-entry' | 'scale' = 'none',
): GradientModel<number[][], number[]> {
  const predict = (x: number[]): number => x.reduce((s, xi, i) => s + xi * w[i]!, b[0]!);
  return {
    parameters: { w, b },
    loss: (X, Y) => X.reduce((s, x, k) => s + (predict(x) - Y[k]!) ** 2, 0) / X.length,
    gradients: (X, Y) => {
      const dw = new Float64Array(w.length);
      let db = 0;
      X.forEach((x, k) => {
        const r = (2 * (predict(x) - Y[k]!)) / X.length;
        x.forEach((xi, i) => {
          dw[i] = dw[i]! + r * xi;
        });
        db += r;
      });
      if (bug === 'bias-sum') db *= X.length;
      if (bug === 'one-entry') dw[3] = dw[3]! * 1.5 + 0.1;
      if (bug === 'scale')
        dw.forEach((v, i) => {
          dw[i] = v * 1.01;
        });
      return { dw, db: [db] };
    },
  };
}

/** Deterministic pseudo-random numbers in [−1, 1). */
export function numbers(n: number, seed = 7): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 2 - 1;
  });
}

/** Data for {@link linearModel}: `m` examples of `n` features. */
export function linearData(n: number, m: number): { X: number[][]; Y: number[] } {
  const flat = numbers(n * m + m, 3);
  return { X: Array.from({ length: m }, (_, k) => flat.slice(k * n, (k + 1) * n)), Y: flat.slice(n * m) };
}
