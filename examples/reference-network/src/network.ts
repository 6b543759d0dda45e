/**
 * The classic L-layer network of the deep-learning course's gradient-check exercise, on ml-matrix:
 * ReLU hidden layers, a sigmoid output, mean binary cross-entropy; columns are examples;
 * parameters W1, b1, …, WL, bL. `backward` is the analytic backprop; with `{ broken: true }` it is
 * the classic bug: hidden layers compute dW without dividing by the number of examples m.
 */
import { Matrix } from 'ml-matrix';

/** Parameters by name: W1, b1, …, WL, bL (bl is a column vector). */
export type Parameters = Record<string, Matrix>;

/** What the forward pass keeps for the backward pass. */
export interface Cache {
  /** Input activations of the layer (A_prev). */
  readonly input: Matrix;
  /** Pre-activations Z = W·A_prev + b. */
  readonly z: Matrix;
  /** Output activations g(Z). */
  readonly output: Matrix;
}

/** Number of layers L of a parameter set. */
export function layerCount(parameters: Parameters): number {
  let L = 0;
  while (parameters[`W${L + 1}`]) L++;
  return L;
}

/** ml-matrix's Matrix stores one Float64Array per row in `data` (not in its typings). */
function rows(M: Matrix): Float64Array[] {
  return (M as unknown as { data: Float64Array[] }).data;
}

/** C = A·Bᵀ, over ml-matrix's row storage (dot products of contiguous rows). */
export function mulTransposed(A: Matrix, B: Matrix): Matrix {
  const m = A.rows,
    n = A.columns,
    p = B.rows;
  if (B.columns !== n) throw new Error(`mulTransposed: ${m}×${n} times (${p}×${B.columns})ᵀ`);
  const C = new Matrix(m, p);
  const a = rows(A),
    b = rows(B),
    c = rows(C);
  for (let i = 0; i < m; i++) {
    const ai = a[i]!,
      ci = c[i]!;
    for (let j = 0; j < p; j++) {
      const bj = b[j]!;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0,
        k = 0;
      for (; k + 3 < n; k += 4) {
        s0 += ai[k]! * bj[k]!;
        s1 += ai[k + 1]! * bj[k + 1]!;
        s2 += ai[k + 2]! * bj[k + 2]!;
        s3 += ai[k + 3]! * bj[k + 3]!;
      }
      for (; k < n; k++) s0 += ai[k]! * bj[k]!;
      ci[j] = s0 + s1 + (s2 + s3);
    }
  }
  return C;
}

/** C = A·B. */
export function mul(A: Matrix, B: Matrix): Matrix {
  return mulTransposed(A, B.transpose());
}

function map(M: Matrix, f: (x: number) => number): Matrix {
  const R = new Matrix(M.rows, M.columns);
  const src = rows(M),
    dst = rows(R);
  for (let i = 0; i < M.rows; i++) {
    const s = src[i]!,
      d = dst[i]!;
    for (let j = 0; j < M.columns; j++) d[j] = f(s[j]!);
  }
  return R;
}

const relu = (x: number): number => (x > 0 ? x : 0);
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** `L_model_forward`: returns the output activations AL (1×m) and the caches. */
export function forward(parameters: Parameters, X: Matrix): [Matrix, Cache[]] {
  const L = layerCount(parameters);
  const caches: Cache[] = [];
  let A = X;
  for (let l = 1; l <= L; l++) {
    const z = mul(parameters[`W${l}`]!, A).addColumnVector(parameters[`b${l}`]!.getColumn(0));
    const output = map(z, l < L ? relu : sigmoid);
    caches.push({ input: A, z, output });
    A = output;
  }
  return [A, caches];
}

/** `compute_cost`: mean binary cross-entropy −(1/m)·Σ y·log(a) + (1 − y)·log(1 − a). */
export function cost(AL: Matrix, Y: Matrix): number {
  const m = Y.columns;
  let sum = 0;
  for (let i = 0; i < Y.rows; i++) {
    for (let j = 0; j < m; j++) {
      const a = AL.get(i, j),
        y = Y.get(i, j);
      sum += y * Math.log(a) + (1 - y) * Math.log(1 - a);
    }
  }
  return -sum / m;
}

/** Options of {@link backward}. */
export interface BackwardOptions {
  /** The classic bug: hidden layers' dW not divided by the number of examples m. */
  readonly broken?: boolean;
}

/** `L_model_backward`: gradients dW1, db1, …, dWL, dbL (and dA0 … dA(L−1)). */
export function backward(
  parameters: Parameters,
  Y: Matrix,
  caches: Cache[],
  options: BackwardOptions = {},
): Record<string, Matrix> {
  const L = caches.length;
  const m = Y.columns;
  const grads: Record<string, Matrix> = {};
  const AL = caches[L - 1]!.output;
  // The classic dAL = −(Y/AL − (1−Y)/(1−AL)); each layer multiplies by its activation's derivative.
  let dA = new Matrix(AL.rows, AL.columns);
  for (let i = 0; i < AL.rows; i++) {
    for (let j = 0; j < AL.columns; j++) {
      const a = AL.get(i, j),
        y = Y.get(i, j);
      dA.set(i, j, -(y / a - (1 - y) / (1 - a)));
    }
  }
  for (let l = L; l >= 1; l--) {
    const { input, z, output } = caches[l - 1]!;
    const dZ = new Matrix(z.rows, z.columns);
    for (let i = 0; i < z.rows; i++) {
      for (let j = 0; j < z.columns; j++) {
        const derivative = l === L ? output.get(i, j) * (1 - output.get(i, j)) : z.get(i, j) > 0 ? 1 : 0;
        dZ.set(i, j, dA.get(i, j) * derivative);
      }
    }
    const dW = mulTransposed(dZ, input);
    if (!(options.broken && l < L)) dW.div(m);
    grads[`dW${l}`] = dW;
    grads[`db${l}`] = Matrix.columnVector(dZ.sum('row')).div(m);
    dA = mul(parameters[`W${l}`]!.transpose(), dZ);
    grads[`dA${l - 1}`] = dA;
  }
  return grads;
}
