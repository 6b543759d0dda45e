/**
 * Seeded models that behave as hand-written backprop in third-party JavaScript does (issue 9):
 * a two-layer tanh network in float64 or float32 (float32 storage *and* arithmetic, as a float32
 * library computes), examples in columns or in rows (TF.js), a mean-squared error, a stable
 * binary cross-entropy or the naive one (saturated sigmoid, `log(1 − a)` by cancellation), and
 * the ways real code goes wrong around the gradients themselves: buffers that accumulate across
 * calls, a backward with its own dropout mask, `parameters` that hold copies, a `loss` or
 * `gradients` that changes the parameters, a model that throws.
 *
 * Every network also computes its loss and gradient in float64 from the same parameter values:
 * the reference against which the error that central differences actually make is measured.
 */
import type { GradientModel } from '@gradcheck/core';
import { seededRandom, type Random } from '@gradcheck/core/internal';
import { luckiestQuotientError, typicalQuotientError } from './fd-error.js';

export type RealLoss = 'mse' | 'bce' | 'bce-naive';
export type Layout = 'columns' | 'rows';
export type Precision = 'float64' | 'float32';

/** Everything that defines one network. */
export interface RealSpec {
  /** Inputs, hidden units, outputs. */
  readonly sizes: readonly [number, number, number];
  readonly examples: number;
  readonly layout: Layout;
  readonly loss: RealLoss;
  readonly precision: Precision;
  /** The scale of the first layer's weights and biases. */
  readonly weightScale: number;
  /** The scale of the output layer's weights: large values saturate a sigmoid output. */
  readonly outputScale: number;
  /** How Y is given in the rows layout: a `{ data, shape }` matrix, nested arrays, or a plain array (one output). */
  readonly targets: 'matrix' | 'nested' | 'plain';
  /**
   * How X is given in the rows layout: nested arrays (m × n), a plain array of example records
   * (`{ features }`), or a record of tensors that share the examples' axis (`{ features, weights }`).
   */
  readonly inputs: 'nested' | 'records' | 'record';
  readonly seed: number;
}

type Vec = Float64Array | Float32Array;
export type Gradients = Record<string, { data: Vec; shape: number[] }>;

/** A planted bug in the gradients: one entry's sign, one entry off by `delta`, or the mean over examples forgotten. */
export type RealBug =
  | { readonly kind: 'sign-entry'; readonly tensor: string; readonly index: number }
  | { readonly kind: 'offset-entry'; readonly tensor: string; readonly index: number; readonly delta: number }
  | { readonly kind: 'missing-mean' }
  | { readonly kind: 'scale'; readonly factor: number };

export interface RealNet {
  readonly spec: RealSpec;
  /** The live parameter tensors: W1 (h×n), b1 (h), W2 (k×h), b2 (k), as `{ data, shape }`. */
  readonly parameters: Record<string, { data: Vec; shape: number[] }>;
  readonly X: unknown;
  readonly Y: unknown;
  /** The loss in the network's precision. */
  loss(): number;
  /** The loss in float64 arithmetic from the same parameter values. */
  loss64(): number;
  /** The analytic gradient in the network's precision (with `bug`). */
  gradients(bug?: RealBug): Gradients;
  /** The analytic gradient in float64 arithmetic from the same parameter values. */
  gradients64(): Record<string, Float64Array>;
}

const alloc = (precision: Precision, n: number): Vec =>
  precision === 'float32' ? new Float32Array(n) : new Float64Array(n);

/** A random spec; `overrides` fixes some fields. */
export function randomRealSpec(random: Random, overrides: Partial<RealSpec> = {}): RealSpec {
  const loss: RealLoss = (['mse', 'bce', 'bce-naive'] as const)[random.below(3)]!;
  return {
    sizes: [1 + random.below(5), 2 + random.below(5), 1 + random.below(3)],
    examples: 2 + random.below(7),
    layout: random.uniform() < 0.5 ? 'rows' : 'columns',
    loss,
    precision: random.uniform() < 0.5 ? 'float64' : 'float32',
    weightScale: 10 ** (-3 + 3 * random.uniform()),
    outputScale: 1,
    targets: (['matrix', 'nested', 'plain'] as const)[random.below(3)]!,
    inputs: (['nested', 'records', 'record'] as const)[random.below(3)]!,
    seed: Math.floor(random.uniform() * 2 ** 31),
    ...overrides,
  };
}

/** Builds the network of a spec: random parameters and data from the spec's seed. */
export function buildRealNet(spec: RealSpec): RealNet {
  const random = seededRandom(spec.seed);
  const [n, h, k0] = spec.sizes;
  const k = spec.layout === 'rows' && spec.targets === 'plain' ? 1 : k0;
  const { examples: m, precision } = spec;
  const f32 = precision === 'float32';
  const W1 = alloc(precision, h * n),
    b1 = alloc(precision, h),
    W2 = alloc(precision, k * h),
    b2 = alloc(precision, k);
  for (let i = 0; i < W1.length; i++) W1[i] = spec.weightScale * random.gaussian();
  for (let i = 0; i < b1.length; i++) b1[i] = spec.weightScale * random.gaussian();
  for (let i = 0; i < W2.length; i++) W2[i] = (spec.outputScale * random.gaussian()) / Math.sqrt(h);
  for (let i = 0; i < b2.length; i++) b2[i] = 0.1 * spec.outputScale * random.gaussian();
  const parameters = {
    W1: { data: W1, shape: [h, n] },
    b1: { data: b1, shape: [h] },
    W2: { data: W2, shape: [k, h] },
    b2: { data: b2, shape: [k] },
  };
  // Inputs x[e][j] and targets y[e][i], example-major; the layout decides how the user sees them.
  const x = Array.from({ length: m }, () =>
    Array.from({ length: n }, () => (f32 ? Math.fround : Number)(random.gaussian())),
  );
  const y = Array.from({ length: m }, () =>
    Array.from({ length: k }, () => (spec.loss === 'mse' ? random.gaussian() : random.below(2))),
  );
  let X: unknown, Y: unknown;
  if (spec.layout === 'columns') {
    X = { data: Float64Array.from({ length: n * m }, (_, q) => x[q % m]![Math.floor(q / m)]!), shape: [n, m] };
    Y = { data: Float64Array.from({ length: k * m }, (_, q) => y[q % m]![Math.floor(q / m)]!), shape: [k, m] };
  } else {
    X =
      spec.inputs === 'records'
        ? x.map((row) => ({ features: [...row] }))
        : spec.inputs === 'record'
          ? { features: x.map((row) => [...row]), weights: new Float64Array(m).fill(1) }
          : x.map((row) => [...row]);
    Y =
      spec.targets === 'plain'
        ? y.map((row) => row[0]!)
        : spec.targets === 'nested'
          ? y.map((row) => [...row])
          : { data: Float64Array.from(y.flat()), shape: [m, k] };
  }

  /** Forward pass with rounding `r` after every operation: hidden activations and outputs (pre-activation). */
  const forward = (r: (v: number) => number): { a1: number[][]; z2: number[][] } => {
    const a1: number[][] = [],
      z2: number[][] = [];
    for (let e = 0; e < m; e++) {
      const hidden: number[] = [];
      for (let i = 0; i < h; i++) {
        let s = b1[i]!;
        for (let j = 0; j < n; j++) s = r(s + r(W1[i * n + j]! * x[e]![j]!));
        hidden.push(r(Math.tanh(s)));
      }
      const out: number[] = [];
      for (let i = 0; i < k; i++) {
        let s = b2[i]!;
        for (let j = 0; j < h; j++) s = r(s + r(W2[i * h + j]! * hidden[j]!));
        out.push(s);
      }
      a1.push(hidden);
      z2.push(out);
    }
    return { a1, z2 };
  };

  const sigmoid = (z: number, r: (v: number) => number): number => r(1 / r(1 + r(Math.exp(-z))));

  /** One output's loss term and its derivative with respect to the output's pre-activation. */
  const term = (z: number, t: number, r: (v: number) => number): [number, number] => {
    if (spec.loss === 'mse') return [r(0.5 * r(r(z - t) ** 2)), r(z - t)];
    const a = sigmoid(z, r);
    if (spec.loss === 'bce-naive') {
      // What a textbook implementation writes: log(a) and log(1 − a) of a saturated sigmoid.
      const value = r(-r(r(t * r(Math.log(a))) + r(r(1 - t) * r(Math.log(r(1 - a))))));
      return [value, r(a - t)];
    }
    return [r(r(Math.max(z, 0) - r(t * z)) + r(Math.log1p(r(Math.exp(-Math.abs(z)))))), r(a - t)];
  };

  const lossWith = (r: (v: number) => number): number => {
    const { z2 } = forward(r);
    let s = 0;
    for (let e = 0; e < m; e++) for (let i = 0; i < k; i++) s = r(s + term(z2[e]![i]!, y[e]![i]!, r)[0]);
    return r(s / m);
  };

  const gradientsWith = (r: (v: number) => number, bug?: RealBug): Record<string, Float64Array> => {
    const { a1, z2 } = forward(r);
    const mean = bug?.kind === 'missing-mean' ? 1 : bug?.kind === 'scale' ? m / bug.factor : m;
    const g = {
      W1: new Float64Array(W1.length),
      b1: new Float64Array(b1.length),
      W2: new Float64Array(W2.length),
      b2: new Float64Array(b2.length),
    };
    for (let e = 0; e < m; e++) {
      const dz2 = z2[e]!.map((z, i) => r(term(z, y[e]![i]!, r)[1] / mean));
      const dz1: number[] = [];
      for (let j = 0; j < h; j++) {
        let s = 0;
        for (let i = 0; i < k; i++) s = r(s + r(W2[i * h + j]! * dz2[i]!));
        dz1.push(r(s * r(1 - r(a1[e]![j]! * a1[e]![j]!))));
      }
      for (let i = 0; i < k; i++) {
        g.b2[i] = r(g.b2[i]! + dz2[i]!);
        for (let j = 0; j < h; j++) g.W2[i * h + j] = r(g.W2[i * h + j]! + r(dz2[i]! * a1[e]![j]!));
      }
      for (let i = 0; i < h; i++) {
        g.b1[i] = r(g.b1[i]! + dz1[i]!);
        for (let j = 0; j < n; j++) g.W1[i * n + j] = r(g.W1[i * n + j]! + r(dz1[i]! * x[e]![j]!));
      }
    }
    if (bug?.kind === 'sign-entry') g[bug.tensor as keyof typeof g][bug.index]! *= -1;
    if (bug?.kind === 'offset-entry') g[bug.tensor as keyof typeof g][bug.index]! += bug.delta;
    return g;
  };

  const round = f32 ? Math.fround : (v: number): number => v;
  const same = (v: number): number => v;
  return {
    spec,
    parameters,
    X,
    Y,
    loss: () => lossWith(round),
    loss64: () => lossWith(same),
    gradients: (bug) => {
      const g = gradientsWith(round, bug);
      return Object.fromEntries(
        Object.entries(g).map(([name, v]) => [
          name,
          { data: f32 ? Float32Array.from(v) : v, shape: parameters[name as keyof typeof parameters].shape },
        ]),
      );
    },
    gradients64: () => gradientsWith(same),
  };
}

/** The model protocol over a network, with the gradients a bug makes. */
export function realModel(net: RealNet, bug?: RealBug): GradientModel {
  return { parameters: net.parameters, loss: () => net.loss(), gradients: () => net.gradients(bug) };
}

/**
 * The forgotten `zero_grad`: `gradients` adds into persistent buffers, so that its n-th call
 * returns n times the gradient (`decay` 1) or, with momentum-like buffers, `decay`·previous + g.
 */
export function accumulatingModel(net: RealNet, decay = 1): GradientModel {
  let buffers: Gradients | undefined;
  return {
    parameters: net.parameters,
    loss: () => net.loss(),
    gradients: () => {
      const g = net.gradients();
      if (!buffers) buffers = g;
      else
        for (const [name, t] of Object.entries(g))
          t.data.forEach((v, i) => (buffers![name]!.data[i] = decay * buffers![name]!.data[i]! + v));
      return buffers;
    },
  };
}

/** A backward with dropout of its own: each call of `gradients` draws a fresh mask (rate `rate`), the loss has none. */
export function dropoutGradientsModel(net: RealNet, seed: number, rate = 0.2): GradientModel {
  const random = seededRandom(seed);
  return {
    parameters: net.parameters,
    loss: () => net.loss(),
    gradients: () => {
      const g = net.gradients();
      for (const t of Object.values(g))
        t.data.forEach((v, i) => (t.data[i] = random.uniform() < rate ? 0 : v / (1 - rate)));
      return g;
    },
  };
}

/**
 * `parameters` holds copies of the tensors `loss` reads (`copies`: which ones), as a model that
 * builds its parameter list with `.slice()` or `.clone()` does: perturbing them never moves the loss.
 */
export function copiedParametersModel(net: RealNet, copies: readonly string[]): GradientModel {
  const parameters = Object.fromEntries(
    Object.entries(net.parameters).map(([name, t]) => [
      name,
      copies.includes(name) ? { data: t.data.slice(), shape: [...t.shape] } : t,
    ]),
  );
  return { parameters, loss: () => net.loss(), gradients: () => net.gradients() };
}

/** A `loss` that squares one entry of W1 in place (an in-place `W.mul(W)`) before computing the loss. */
export function mutatingLossModel(net: RealNet, index: number): GradientModel {
  const W = net.parameters.W1!.data;
  return {
    parameters: net.parameters,
    loss: () => {
      W[index] = W[index]! * W[index]!;
      return net.loss();
    },
    gradients: () => net.gradients(),
  };
}

/** A `gradients` that takes an SGD step on W2 (`W −= lr·g`) before returning, as a training loop's backward might. */
export function mutatingGradientsModel(net: RealNet, rate = 0.1): GradientModel {
  return {
    parameters: net.parameters,
    loss: () => net.loss(),
    gradients: () => {
      const g = net.gradients();
      const W = net.parameters.W2!.data;
      g.W2!.data.forEach((v, i) => (W[i] = W[i]! - rate * v));
      return g;
    },
  };
}

/** The error a throwing model throws: the check must hand it on as the `cause`. */
export class ModelBug extends Error {
  override name = 'ModelBug';
}

/**
 * A model that throws from `where` ('loss' or 'gradients') at its `after`-th call (1: the first),
 * or whose loss turns NaN (`nan`), as a model fed X and Y in the wrong order does.
 */
export function throwingModel(net: RealNet, where: 'loss' | 'gradients' | 'nan', after: number): GradientModel {
  let calls = 0;
  const fail = (): never => {
    throw new ModelBug(`shapes do not align (call ${calls})`);
  };
  return {
    parameters: net.parameters,
    loss: () => {
      if (where !== 'gradients' && ++calls >= after) return where === 'nan' ? NaN : fail();
      return net.loss();
    },
    gradients: () => {
      if (where === 'gradients' && ++calls >= after) fail();
      return net.gradients();
    },
  };
}

/** Every entry of a network, as `[tensor, index]`. */
export function entriesOfNet(net: RealNet): [string, number][] {
  return Object.entries(net.parameters).flatMap(([name, t]) =>
    Array.from(t.data, (_, i): [string, number] => [name, i]),
  );
}

/**
 * The smallest error central differences of the network's own loss reach at entry `index` of
 * `tensor`, against the float64 gradient of the same network ({@link luckiestQuotientError}).
 */
export function centralDifferenceError(net: RealNet, tensor: string, index: number): number {
  return luckiestQuotientError(net.parameters[tensor]!.data, index, net.loss, net.gradients64()[tensor]![index]!);
}

/**
 * The error central differences of the network's own loss actually make at entry `index` of
 * `tensor` at their best step size, against the float64 gradient of the same network
 * ({@link typicalQuotientError}).
 */
export function typicalCentralDifferenceError(net: RealNet, tensor: string, index: number): number {
  return typicalQuotientError(net.parameters[tensor]!.data, index, net.loss, net.gradients64()[tensor]![index]!);
}
