/**
 * Small random multilayer perceptrons for the property tests: ReLU hidden layers, three losses,
 * optional L2, float64 or float32 storage (float32 models also round every activation and loss
 * term to float32, as a float32 framework would), and planted backprop bugs of eleven kinds.
 *
 * Layout: W_l is `{ data, shape: [n_l, n_(l−1)] }` (row-major), b_l a typed array of n_l; X is
 * `{ data, shape: [n_0, m] }` and Y `{ data, shape: [n_L, m] }` (examples are columns).
 */
import type { GradientModel } from '@gradcheck/core';
import { seededRandom, type Random } from '../../packages/core/src/random.js';

export type Loss = 'cross-entropy' | 'mse' | 'softmax-l2';
export type Precision = 'float64' | 'float32';

export const BUG_KINDS = [
  'missing-mean',
  'sign-flip',
  'transposed-weight',
  'wrong-activation-derivative',
  'dropped-regulariser',
  'bias-summed',
  'one-entry',
  'off-by-one-layer',
  'swapped',
  'scale-1pct',
  'transposed-gradient',
] as const;
export type BugKind = (typeof BUG_KINDS)[number];

/** A planted bug: its kind and the tensor(s) it hits. */
export interface Bug {
  readonly kind: BugKind;
  /** The tensor the bug is planted in (for bugs planted in one tensor). */
  readonly tensor?: string;
  /** The other tensor of a swap. */
  readonly other?: string;
  /** The flat entry index of a one-entry bug. */
  readonly entry?: number;
}

/** Everything that defines one random model. */
export interface Spec {
  readonly sizes: readonly number[];
  readonly examples: number;
  readonly loss: Loss;
  readonly lambda: number;
  readonly precision: Precision;
  readonly scale: number;
  readonly zeroExample: boolean;
  readonly deadUnit: boolean;
  readonly seed: number;
}

type Vec = Float64Array | Float32Array;

export interface Net {
  readonly spec: Spec;
  readonly parameters: Record<string, Vec | { data: Vec; shape: number[] }>;
  readonly W: Vec[];
  readonly b: Vec[];
  readonly X: { data: Float64Array | Float32Array; shape: number[] };
  readonly Y: { data: Float64Array; shape: number[] };
  loss(): number;
  /**
   * True when the loss has a ReLU kink exactly at the entry's value: the entry's unit, or a unit
   * downstream of it, has a pre-activation exactly 0 for an example the entry moves.
   */
  atKink(tensor: string, index: number): boolean;
  /**
   * True when the loss has a ReLU kink within ±h of the entry's value: {@link Net.atKink}, or a
   * hidden pre-activation that changes sign (or becomes 0) for some example when the entry moves
   * by ±h (as the tensor stores it). The ground truth a test uses to decide whether a clean
   * diagnosis is due, independent of the check's own kink detection.
   */
  kinkWithin(tensor: string, index: number, h: number): boolean;
  /**
   * True when the loss is bitwise the same at the entry's value and at ± the documented default
   * step ε^(1/3)·max(1, |θ|) (rounded down to a power of two): a ReLU unit dead for every example.
   */
  flatAt(tensor: string, index: number): boolean;
  /** The magnitude of the terms the loss is computed from (its rounding is relative to this). */
  lossScale(): number;
  /** The gradients (correct, or with `bug`), by name (`W1`, `b1`, …), rounded to the storage precision. */
  gradients(bug?: Bug): Record<string, Float64Array>;
}

const alloc = (precision: Precision, n: number): Vec =>
  precision === 'float32' ? new Float32Array(n) : new Float64Array(n);

/** A random spec; `needs` constrains the shape so that a bug kind can be planted. */
export function randomSpec(random: Random, needs?: BugKind): Spec {
  const loss: Loss = (['cross-entropy', 'mse', 'softmax-l2'] as const)[random.below(3)]!;
  let depth = 1 + random.below(4);
  if (needs && ['transposed-weight', 'wrong-activation-derivative', 'off-by-one-layer', 'swapped'].includes(needs))
    depth = Math.max(depth, 2);
  if (needs === 'swapped' || needs === 'transposed-weight') depth = Math.max(depth, 3);
  const sizes = [1 + random.below(5)];
  for (let l = 1; l < depth; l++) sizes.push(2 + random.below(5));
  sizes.push(loss === 'softmax-l2' ? 2 + random.below(3) : 1 + random.below(3));
  if (needs === 'swapped' || needs === 'transposed-weight') sizes[2] = sizes[1]!; // W2 square; b1, b2 the same size
  if (needs === 'transposed-gradient') {
    sizes[0] = Math.max(2, sizes[0]!);
    sizes[1] = Math.max(2, sizes[1]!);
  }
  const needsMean = needs === 'missing-mean' || needs === 'bias-summed';
  return {
    sizes,
    loss,
    examples: (needsMean ? 2 : 1) + random.below(needsMean ? 6 : 7),
    lambda:
      loss === 'softmax-l2' || needs === 'dropped-regulariser' || random.uniform() < 0.3
        ? 10 ** (-3 + 3 * random.uniform())
        : 0,
    precision: random.uniform() < 0.5 ? 'float64' : 'float32',
    scale: 10 ** (-3 + 7 * random.uniform()),
    zeroExample: random.uniform() < 0.4,
    deadUnit: depth >= 2 && random.uniform() < 0.4,
    seed: Math.floor(random.uniform() * 2 ** 31),
  };
}

/** Builds the model of a spec: random parameters and data from the spec's seed. */
export function buildNet(spec: Spec): Net {
  const random = seededRandom(spec.seed);
  const { sizes, examples: m, precision, scale, loss: lossKind, lambda } = spec;
  const L = sizes.length - 1;
  const round = precision === 'float32' ? Math.fround : (x: number): number => x;
  const W: Vec[] = [],
    b: Vec[] = [];
  const parameters: Net['parameters'] = {};
  for (let l = 1; l <= L; l++) {
    const w = alloc(precision, sizes[l]! * sizes[l - 1]!);
    for (let i = 0; i < w.length; i++) w[i] = (scale * random.gaussian()) / Math.sqrt(sizes[l - 1]!);
    const bias = alloc(precision, sizes[l]!);
    // Some biases exactly 0: with an all-zero example, those units sit exactly at the ReLU kink.
    for (let i = 0; i < bias.length; i++) bias[i] = random.uniform() < 0.5 ? 0 : 0.5 * scale * random.gaussian();
    W.push(w);
    b.push(bias);
    parameters[`W${l}`] = { data: w, shape: [sizes[l]!, sizes[l - 1]!] };
    parameters[`b${l}`] = bias;
  }
  if (spec.deadUnit) {
    // A hidden unit whose outgoing weights are 0: its incoming gradients are exactly 0.
    const l = 1 + random.below(L - 1),
      j = random.below(sizes[l]!);
    for (let i = 0; i < sizes[l + 1]!; i++) W[l]![i * sizes[l]! + j] = 0;
  }
  const x = alloc(precision, sizes[0]! * m);
  for (let i = 0; i < x.length; i++) x[i] = random.gaussian();
  if (spec.zeroExample) for (let i = 0; i < sizes[0]!; i++) x[i * m] = 0;
  const y = new Float64Array(sizes[L]! * m);
  for (let k = 0; k < m; k++) {
    const c = random.below(sizes[L]!);
    for (let i = 0; i < sizes[L]!; i++) {
      y[i * m + k] =
        lossKind === 'mse' ? random.gaussian() : lossKind === 'cross-entropy' ? random.below(2) : i === c ? 1 : 0;
    }
  }

  /** Pre-activations Z_l and activations A_l (A_0 = X), each n_l × m row-major. */
  const forward = (): { Z: Vec[]; A: Vec[] } => {
    const Z: Vec[] = [x],
      A: Vec[] = [x];
    for (let l = 1; l <= L; l++) {
      const n = sizes[l]!,
        p = sizes[l - 1]!,
        w = W[l - 1]!,
        bias = b[l - 1]!,
        prev = A[l - 1]!;
      const z = alloc(precision, n * m),
        a = alloc(precision, n * m);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < m; k++) {
          let s = bias[i]!;
          for (let j = 0; j < p; j++) s += w[i * p + j]! * prev[j * m + k]!;
          z[i * m + k] = s;
          a[i * m + k] = l < L ? (s > 0 ? s : 0) : s;
        }
      }
      Z.push(z);
      A.push(a);
    }
    return { Z, A };
  };

  const exampleLoss = (z: Vec, k: number): number => {
    const n = sizes[L]!;
    let s = 0;
    if (lossKind === 'softmax-l2') {
      let max = -Infinity;
      for (let i = 0; i < n; i++) max = Math.max(max, z[i * m + k]!);
      let e = 0,
        target = 0;
      for (let i = 0; i < n; i++) {
        e += Math.exp(z[i * m + k]! - max);
        target += y[i * m + k]! * z[i * m + k]!;
      }
      s = max + Math.log(e) - target;
    } else {
      for (let i = 0; i < n; i++) {
        const v = z[i * m + k]!,
          t = y[i * m + k]!;
        s += lossKind === 'mse' ? 0.5 * (v - t) ** 2 : Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))) - t * v;
      }
    }
    return round(s);
  };

  const loss = (): number => {
    const { Z } = forward();
    let s = 0;
    for (let k = 0; k < m; k++) s = round(s + exampleLoss(Z[L]!, k));
    let r = 0;
    for (const w of W) for (const v of w) r += v * v;
    return round(s / m + round((lambda / (2 * m)) * r));
  };

  const gradients = (bug?: Bug): Record<string, Float64Array> => {
    const { Z, A } = forward();
    const n = sizes[L]!;
    let dZ = new Float64Array(n * m);
    for (let k = 0; k < m; k++) {
      let max = -Infinity,
        e = 0;
      if (lossKind === 'softmax-l2') {
        for (let i = 0; i < n; i++) max = Math.max(max, Z[L]![i * m + k]!);
        for (let i = 0; i < n; i++) e += Math.exp(Z[L]![i * m + k]! - max);
      }
      for (let i = 0; i < n; i++) {
        const v = Z[L]![i * m + k]!,
          t = y[i * m + k]!;
        dZ[i * m + k] =
          lossKind === 'mse'
            ? v - t
            : lossKind === 'cross-entropy'
              ? 1 / (1 + Math.exp(-v)) - t
              : Math.exp(v - max) / e - t;
      }
    }
    const grads: Record<string, Float64Array> = {};
    for (let l = 1; l <= L; l++) {
      grads[`W${l}`] = new Float64Array(W[l - 1]!.length);
      grads[`b${l}`] = new Float64Array(b[l - 1]!.length);
    }
    const lowest = bug?.kind === 'off-by-one-layer' ? 2 : 1;
    for (let l = L; l >= lowest; l--) {
      const rows = sizes[l]!,
        cols = sizes[l - 1]!,
        prev = A[l - 1]!,
        w = W[l - 1]!;
      const dW = grads[`W${l}`]!,
        db = grads[`b${l}`]!;
      const mean = bug?.kind === 'missing-mean' ? 1 : m;
      const dropReg = bug?.kind === 'dropped-regulariser' && bug.tensor === `W${l}`;
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          let s = 0;
          for (let k = 0; k < m; k++) s += dZ[i * m + k]! * prev[j * m + k]!;
          dW[i * cols + j] = s / mean + (dropReg ? 0 : (lambda / mean) * w[i * cols + j]!);
        }
        let s = 0;
        for (let k = 0; k < m; k++) s += dZ[i * m + k]!;
        db[i] = bug?.kind === 'bias-summed' ? s : s / m;
      }
      if (l === 1) break;
      const dA = new Float64Array(cols * m);
      const transposeBug = bug?.kind === 'transposed-weight' && bug.tensor === `W${l}`;
      for (let j = 0; j < cols; j++) {
        for (let k = 0; k < m; k++) {
          let s = 0;
          for (let i = 0; i < rows; i++) s += (transposeBug ? w[j * cols + i]! : w[i * cols + j]!) * dZ[i * m + k]!;
          dA[j * m + k] = s;
        }
      }
      const z = Z[l - 1]!;
      const activationBug = bug?.kind === 'wrong-activation-derivative';
      dZ = dA.map((v, q) => v * (activationBug ? Math.max(z[q]!, 0) : z[q]! > 0 ? 1 : 0));
    }
    if (bug?.tensor && bug.kind === 'sign-flip')
      grads[bug.tensor]!.forEach((v, i, g) => {
        g[i] = -v;
      });
    if (bug?.tensor && bug.kind === 'scale-1pct')
      grads[bug.tensor]!.forEach((v, i, g) => {
        g[i] = v * 1.01;
      });
    if (bug?.tensor && bug.kind === 'one-entry') {
      const g = grads[bug.tensor]!;
      const largest = g.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      g[bug.entry!] = g[bug.entry!]! * 1.5 + 0.1 * largest;
    }
    if (bug?.tensor && bug.kind === 'transposed-gradient') {
      const l = Number(bug.tensor.slice(1)),
        rows = sizes[l]!,
        cols = sizes[l - 1]!,
        g = grads[bug.tensor]!;
      const t = new Float64Array(g.length);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = g[i * cols + j]!;
      grads[bug.tensor] = t;
    }
    if (bug?.kind === 'swapped') {
      const a = grads[bug.tensor!]!;
      grads[bug.tensor!] = grads[bug.other!]!;
      grads[bug.other!] = a;
    }
    if (precision === 'float32')
      for (const g of Object.values(grads))
        g.forEach((v, i) => {
          g[i] = Math.fround(v);
        });
    return grads;
  };

  const atKink = (tensor: string, index: number): boolean => {
    const l = Number(tensor.slice(1)),
      cols = sizes[l - 1]!;
    const { Z, A } = forward();
    const unit = tensor.startsWith('W') ? Math.floor(index / cols) : index,
      input = index % cols;
    for (let k = 0; k < m; k++) {
      if (tensor.startsWith('W') && A[l - 1]![input * m + k] === 0) continue; // the entry does not move example k
      const own = Z[l]![unit * m + k]!;
      if (l < L && own === 0) return true; // its own unit sits on the kink
      if (l < L && own < 0) continue; // an inactive unit passes nothing on
      // A unit downstream sitting exactly on its kink for this example.
      for (let d = l + 1; d < L; d++) for (let i = 0; i < sizes[d]!; i++) if (Z[d]![i * m + k] === 0) return true;
    }
    return false;
  };

  const kinkWithin = (tensor: string, index: number, h: number): boolean => {
    if (atKink(tensor, index)) return true;
    const l = Number(tensor.slice(1));
    const values = tensor.startsWith('W') ? W[l - 1]! : b[l - 1]!;
    const theta = values[index]!;
    const signs = (): number[] =>
      forward()
        .Z.slice(1, L)
        .flatMap((z) => Array.from(z, Math.sign));
    const at = signs();
    try {
      for (const s of [1, -1]) {
        values[index] = theta + s * h;
        const moved = signs();
        if (moved.some((v, i) => v !== at[i])) return true;
      }
    } finally {
      values[index] = theta;
    }
    return false;
  };

  const flatAt = (tensor: string, index: number): boolean => {
    const l = Number(tensor.slice(1));
    const values = tensor.startsWith('W') ? W[l - 1]! : b[l - 1]!;
    const theta = values[index]!;
    const eps = precision === 'float32' ? 2 ** -23 : 2 ** -52;
    const h = 2 ** Math.floor(Math.log2(eps ** (1 / 3) * Math.max(1, Math.abs(theta))));
    const at = loss();
    try {
      return [1, -1].every((s) => {
        values[index] = theta + s * h;
        return loss() === at;
      });
    } finally {
      values[index] = theta;
    }
  };

  /**
   * The magnitude of the terms the loss is computed from: the output logits for the
   * cross-entropies (computed by cancellation, log-sum-exp minus the target logit), |L| for MSE.
   */
  const lossScale = (): number => {
    const { Z } = forward();
    let largest = 0;
    if (lossKind !== 'mse') for (const v of Z[L]!) largest = Math.max(largest, Math.abs(v));
    return Math.max(Math.abs(loss()), largest);
  };

  return {
    spec,
    parameters,
    W,
    b,
    atKink,
    kinkWithin,
    flatAt,
    lossScale,
    X: { data: x, shape: [sizes[0]!, m] },
    Y: { data: y, shape: [sizes[L]!, m] },
    loss,
    gradients,
  };
}

/** The model protocol over a net, with the gradients a bug makes (in the parameters' precision). */
export function modelOf(net: Net, bug?: Bug): GradientModel {
  return {
    parameters: net.parameters,
    loss: () => net.loss(),
    gradients: () => {
      const g = net.gradients(bug);
      return net.spec.precision === 'float64'
        ? g
        : Object.fromEntries(Object.entries(g).map(([k, v]) => [k, Float32Array.from(v)]));
    },
  };
}

/** The classic difference between two gradient vectors. */
export function difference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    e += (a[i]! - b[i]!) ** 2;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return na + nb === 0 ? 0 : Math.sqrt(e) / (Math.sqrt(na) + Math.sqrt(nb));
}

/** The tensor names of a net. */
export function tensorNames(net: Net): string[] {
  return Object.keys(net.parameters);
}

/**
 * Chooses where to plant a bug of `kind` in `net`: a tensor whose correct gradient is not zero
 * (and, for a swap, a partner of the same size). Returns undefined when the net offers none.
 */
export function chooseBug(net: Net, kind: BugKind, random: Random): Bug | undefined {
  const correct = net.gradients();
  const names = tensorNames(net).filter((n) => correct[n]!.some((v) => v !== 0));
  const pick = <T>(xs: T[]): T | undefined => (xs.length ? xs[random.below(xs.length)] : undefined);
  const L = net.spec.sizes.length - 1;
  switch (kind) {
    case 'sign-flip':
    case 'scale-1pct':
      return { kind, tensor: pick(names) };
    case 'one-entry': {
      const tensor = pick(names);
      if (!tensor) return undefined;
      // A random entry where the loss is differentiable (a wrong value at a kink is no bug a
      // finite difference can see: the check reports such entries as not differentiable).
      const smooth = Array.from(correct[tensor]!.keys()).filter((i) => !net.atKink(tensor, i));
      const entry = pick(smooth);
      return entry === undefined ? undefined : { kind, tensor, entry };
    }
    case 'dropped-regulariser':
      return { kind, tensor: pick(names.filter((n) => n.startsWith('W'))) };
    case 'transposed-gradient':
      return {
        kind,
        tensor: pick(
          names.filter(
            (n) =>
              n.startsWith('W') &&
              net.spec.sizes[Number(n.slice(1))]! >= 2 &&
              net.spec.sizes[Number(n.slice(1)) - 1]! >= 2,
          ),
        ),
      };
    case 'transposed-weight':
      return {
        kind,
        tensor: pick(
          Array.from({ length: L - 1 }, (_, i) => `W${i + 2}`).filter(
            (n) => net.spec.sizes[Number(n.slice(1))] === net.spec.sizes[Number(n.slice(1)) - 1],
          ),
        ),
      };
    case 'swapped': {
      const pairs: [string, string][] = [];
      for (const a of names)
        for (const c of names) if (a < c && correct[a]!.length === correct[c]!.length) pairs.push([a, c]);
      const pair = pick(pairs);
      return pair && { kind, tensor: pair[0], other: pair[1] };
    }
    default:
      return { kind };
  }
}
