import { Matrix } from 'ml-matrix';
import type { FunctionalModel, GradientModel } from '@gradcheck/core';
import { seededRandom } from '@gradcheck/core/internal';
import { backward, cost, forward, layerCount, type BackwardOptions, type Cache, type Parameters } from './network.js';

/** He-initialised parameters W1, b1, …, WL, bL for layer sizes `[n0, n1, …, nL]`. */
export function initializeParameters(layerDims: readonly number[], seed = 1): Parameters {
  const rng = seededRandom(seed);
  const parameters: Parameters = {};
  for (let l = 1; l < layerDims.length; l++) {
    const rows = layerDims[l]!,
      columns = layerDims[l - 1]!;
    const scale = Math.sqrt(2 / columns);
    parameters[`W${l}`] = Matrix.zeros(rows, columns).apply(function (this: Matrix, i: number, j: number) {
      this.set(i, j, rng.gaussian() * scale);
    });
    parameters[`b${l}`] = Matrix.zeros(rows, 1).apply(function (this: Matrix, i: number) {
      this.set(i, 0, rng.gaussian() * 0.1);
    });
  }
  return parameters;
}

/** Random inputs (n0×m, Gaussian) and binary labels (1×m) for a network. */
export function randomData(inputSize: number, examples: number, seed = 2): { X: Matrix; Y: Matrix } {
  const rng = seededRandom(seed);
  const X = Matrix.zeros(inputSize, examples).apply(function (this: Matrix, i: number, j: number) {
    this.set(i, j, rng.gaussian());
  });
  const Y = Matrix.zeros(1, examples).apply(function (this: Matrix, i: number, j: number) {
    this.set(i, j, rng.uniform() < 0.5 ? 0 : 1);
  });
  return { X, Y };
}

/**
 * The reference network as a {@link GradientModel}: live `parameters`, `loss(X, Y)` and
 * `gradients(X, Y)` (keys dW1, db1, …). `{ broken: true }` gives the classic wrong backprop.
 */
export class ReferenceNetwork implements GradientModel<Matrix, Matrix> {
  readonly parameters: Parameters;
  private readonly options: BackwardOptions;

  constructor(parameters: Parameters, options: BackwardOptions = {}) {
    this.parameters = parameters;
    this.options = options;
  }

  /** A network of the given layer sizes, He-initialised from `seed`. */
  static create(layerDims: readonly number[], options: BackwardOptions & { seed?: number } = {}): ReferenceNetwork {
    return new ReferenceNetwork(initializeParameters(layerDims, options.seed), options);
  }

  /** Number of layers. */
  get layers(): number {
    return layerCount(this.parameters);
  }

  /** Mean binary cross-entropy of the network's output on X against Y. */
  loss(X: Matrix, Y: Matrix): number {
    return cost(forward(this.parameters, X)[0], Y);
  }

  /** The analytic gradients (correct, or the classic bug when constructed with `broken`). */
  gradients(X: Matrix, Y: Matrix): Record<string, Matrix> {
    const [, caches] = forward(this.parameters, X);
    return backward(this.parameters, Y, caches, this.options);
  }
}

/** The reference network in the classic functional shape: `{ parameters, forward, cost, backward }`. */
export function functionalNetwork(
  parameters: Parameters,
  options: BackwardOptions = {},
): FunctionalModel<Matrix, Matrix, Matrix, Cache[]> {
  return {
    parameters,
    forward: (p, X) => forward(p as Parameters, X),
    cost,
    backward: (p, Y, caches) => backward(p as Parameters, Y, caches, options),
  };
}
