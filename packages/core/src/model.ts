import { GradcheckError, describeValue } from './errors.js';
import { entriesOf, type ParameterSet, type ParameterTensor } from './parameters.js';
import { flatArrayOf, formatShape, viewTensor, type Precision, type TensorView } from './tensors.js';
import { typedGradientEntry } from './typed-gradients.js';

/** A value gradcheck can view as a tensor: see {@link viewTensor} and {@link registerTensorAdapter}. */
export type Tensor = unknown;

/** Named tensors: an object or a Map from parameter name to tensor. */
export type NamedTensors = Record<string, Tensor> | Map<string, Tensor>;

/** A value or a Promise of it: async models return Promises from `loss` and `gradients`. */
export type MaybePromise<T> = T | PromiseLike<T>;

/**
 * The model protocol. `parameters` holds the live tensors that `loss` and `gradients` compute
 * with; gradcheck perturbs them in place (and restores them exactly). `gradients` returns one
 * tensor per parameter, keyed by the parameter's name (`W1`) or the classic `dW1`.
 *
 * @example
 * ```ts
 * const model: GradientModel<Matrix, Matrix> = {
 *   parameters: { W, b },
 *   loss: (X, Y) => mse(W.mmul(X).addColumnVector(b), Y),
 *   gradients: (X, Y) => ({ dW: …, db: … }),
 * }
 * ```
 */
export interface GradientModel<X = any, Y = any> {
  /** Live parameter tensors, by name. */
  readonly parameters: NamedTensors;
  /** The scalar loss at the current parameters. */
  loss(X: X, Y: Y): MaybePromise<number>;
  /** The analytic gradient of `loss` with respect to every parameter. */
  gradients(X: X, Y: Y): MaybePromise<NamedTensors>;
}

/**
 * The classic functional shape (`L_model_forward`, `compute_cost`, `L_model_backward`):
 * `forward(parameters, X)` returns `[AL, caches]`, `cost(AL, Y)` the loss, and
 * `backward(parameters, Y, caches, AL)` the gradients (`dW1`, `db1`, …; extra `dA1`-style
 * entries for activations are ignored).
 */
export interface FunctionalModel<X = any, Y = any, A = any, C = any> {
  /** Live parameter tensors, by name. */
  readonly parameters: NamedTensors;
  /** Forward pass: the output activations and whatever `backward` needs. */
  forward(parameters: NamedTensors, X: X): MaybePromise<readonly [A, C]>;
  /** The scalar cost of output `AL` against labels `Y`. */
  cost(AL: A, Y: Y): MaybePromise<number>;
  /** Backward pass: gradients for every parameter. */
  backward(parameters: NamedTensors, Y: Y, caches: C, AL: A): MaybePromise<NamedTensors>;
}

/** Anything {@link checkGradients} accepts as a model. */
export type Model<X = any, Y = any> = GradientModel<X, Y> | FunctionalModel<X, Y>;

/** What the calls of the checked code are called in messages, and how to check it asynchronously. */
export interface CallNames {
  /** The call that gives the scalar: `loss(X, Y)`, `forward(X)`, `f(x)`. */
  readonly loss: string;
  /** The call that gives the gradients: `gradients(X, Y)`, `backward(dY, X)`, `grad(x)`. */
  readonly gradients: string;
  /** The async entry points for this kind of code. */
  readonly async: string;
}

/** The names of a model's calls. */
export const MODEL_CALLS: CallNames = {
  loss: 'loss(X, Y)',
  gradients: 'gradients(X, Y)',
  async: '`await checkGradientsAsync(model, X, Y)` or `await expect(model).toPassGradientCheckAsync(X, Y)`',
};

/**
 * A model reduced to what the check needs: its parameters, a loss and a gradient function; for a
 * layer or function, also which of the parameters are its inputs and what its calls are called.
 */
export interface NormalisedModel {
  readonly parameters: unknown;
  loss(X: unknown, Y: unknown): unknown;
  gradients(X: unknown, Y: unknown): unknown;
  /** Names among `parameters` that are inputs (viewed with the role `'input'`). */
  readonly inputs?: readonly string[];
  /** Default {@link MODEL_CALLS}. */
  readonly calls?: CallNames;
  /** `'float32'` when the loss is computed from float32 values the parameters do not show (a layer's output). */
  readonly lossPrecision?: Precision;
  /**
   * Where one request makes more than one call (a layer's gradients call forward, then backward):
   * the call that returned a Promise at the last request, for the `ASYNC_MODEL` message.
   */
  readonly promised?: string;
}

/** True for a Promise or any other thenable. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function then<T, U>(value: MaybePromise<T>, f: (v: T) => U): MaybePromise<U> {
  return isThenable(value) ? Promise.resolve(value).then(f) : f(value as T);
}

const hasFunction = (o: object, key: string): boolean => typeof (o as Record<string, unknown>)[key] === 'function';

/**
 * Reduces any accepted model shape to {@link NormalisedModel}; throws `NOT_A_MODEL` naming what
 * is missing.
 */
export function normaliseModel(model: unknown): NormalisedModel {
  if ((typeof model !== 'object' && typeof model !== 'function') || model === null) {
    throw new GradcheckError(
      'NOT_A_MODEL',
      `expected a model, received ${describeValue(model)}. ` +
        'A model is { parameters, loss(X, Y), gradients(X, Y) } or { parameters, forward, cost, backward }; ' +
        'a layer { parameters?, forward(X), backward(dY, X) }; a function { f(x), grad(x) }.',
    );
  }
  const m = model as Record<string, unknown>;
  const missing = (keys: string[]): string[] =>
    keys.filter((k) => (k === 'parameters' ? m[k] == null : !hasFunction(m, k)));
  if (missing(['parameters', 'loss', 'gradients']).length === 0) {
    const g = model as GradientModel;
    return {
      get parameters() {
        return g.parameters;
      },
      loss: (X, Y) => g.loss(X, Y),
      gradients: (X, Y) => g.gradients(X, Y),
    };
  }
  if (missing(['parameters', 'forward', 'cost', 'backward']).length === 0) {
    const f = model as FunctionalModel;
    return {
      get parameters() {
        return f.parameters;
      },
      loss: (X, Y) => then(f.forward(f.parameters, X), ([AL]) => f.cost(AL, Y)),
      gradients: (X, Y) => then(f.forward(f.parameters, X), ([AL, caches]) => f.backward(f.parameters, Y, caches, AL)),
    };
  }
  const lacks = hasFunction(m, 'forward')
    ? missing(['parameters', 'forward', 'cost', 'backward'])
    : missing(['parameters', 'loss', 'gradients']);
  throw new GradcheckError(
    'NOT_A_MODEL',
    `expected a model, received ${describeValue(model)} without ${lacks.join(', ')}. ` +
      'A model is { parameters, loss(X, Y), gradients(X, Y) } or { parameters, forward, cost, backward }; ' +
      'a layer { parameters?, forward(X), backward(dY, X) }; a function { f(x), grad(x) }.',
  );
}

/** Activation gradients of the classic backward pass (`dA0`, `dA1`, …), which are not parameters. */
const ACTIVATION_GRADIENT = /^dA\d*$/;

/**
 * Walks the gradients a model returned in the parameters' order, checking their structure: one
 * gradient per parameter (under its name or d + name) of the parameter's shape, and no other
 * than activation gradients. `visit` sees each gradient's view (and may throw) before the next
 * parameter's gradient is looked up, so that errors come in the parameters' order.
 */
function eachGradient(
  parameters: ParameterSet,
  gradients: unknown,
  call: string,
  visit: (tensor: ParameterTensor, view: TensorView, key: string) => void,
): void {
  const entries = new Map(entriesOf(gradients, `${call} result`));
  const used = new Set<string>();
  for (const t of parameters.tensors) {
    const key = entries.has(t.name) ? t.name : entries.has(`d${t.name}`) ? `d${t.name}` : undefined;
    if (key === undefined) {
      throw new GradcheckError(
        'MISSING_GRADIENT',
        `${call} has no gradient for ${parameters.kindOf(t)} ${t.name} ` +
          `(looked for "${t.name}" and "d${t.name}"; found ${[...entries.keys()].map((k) => `"${k}"`).join(', ') || 'nothing'}).`,
      );
    }
    used.add(key);
    const view = viewTensor(entries.get(key), `gradient ${key}`, 'gradient');
    if (
      view.size !== t.view.size ||
      (view.shape.length > 1 && t.view.shape.length > 1 && view.shape.join() !== t.view.shape.join())
    ) {
      throw new GradcheckError(
        'SHAPE_MISMATCH',
        `gradient ${key} has shape ${formatShape(view.shape)} but ${parameters.kindOf(t)} ${t.name} ` +
          `has shape ${formatShape(t.view.shape)}; a gradient must have its parameter's shape.`,
      );
    }
    visit(t, view, key);
  }
  for (const key of entries.keys()) {
    if (!used.has(key) && !ACTIVATION_GRADIENT.test(key)) {
      throw new GradcheckError(
        'EXTRA_GRADIENT',
        `${call} returned "${key}", which matches no parameter or input ` +
          `(parameters: ${parameters.tensors.map((t) => t.name).join(', ')}).`,
      );
    }
  }
}

/** The `NON_FINITE_GRADIENT` error for value `v` of gradient `key` at entry `index` of `tensor`. */
const nonFinite = (parameters: ParameterSet, tensor: ParameterTensor, key: string, index: number, v: number) =>
  new GradcheckError(
    'NON_FINITE_GRADIENT',
    `gradient ${key} is ${v} at ${parameters.label(tensor, index)}; analytic gradients must be finite.`,
  );

/**
 * Reads the analytic gradients returned by a model into one flat vector in the parameters' order,
 * checking that there is exactly one finite gradient of the right shape per parameter.
 */
export function readGradients(
  parameters: ParameterSet,
  gradients: unknown,
  call: string = MODEL_CALLS.gradients,
): Float64Array {
  const flat = new Float64Array(parameters.size);
  eachGradient(parameters, gradients, call, (t, view, key) => {
    // A Float64Array's gradient (the common case) read without a call per entry.
    const array = flatArrayOf(view);
    const size = view.size;
    for (let i = 0; i < size; i++) {
      const v = array ? array[i]! : view.get(i);
      if (!Number.isFinite(v)) throw nonFinite(parameters, t, key, i, v);
      flat[t.offset + i] = v;
    }
  });
  return flat;
}

/**
 * One entry of the analytic gradients returned by a model: entry `index` of `tensor`'s gradient.
 * The gradients' structure is checked as by {@link readGradients} (one gradient of the right shape
 * per parameter, no extra), but only the entry read must be finite: what the estimator's kink and
 * bend tests ask at a perturbed point, where reading all P entries would cost O(P) per entry checked.
 */
export function readGradient(
  parameters: ParameterSet,
  gradients: unknown,
  tensor: ParameterTensor,
  index: number,
  call: string = MODEL_CALLS.gradients,
): number {
  // The common shape (one typed array per parameter) read without viewing every tensor.
  const typed = typedGradientEntry(parameters, gradients, tensor, index);
  if (typed !== undefined) return typed;
  let value = NaN;
  eachGradient(parameters, gradients, call, (t, view, key) => {
    if (t !== tensor) return;
    value = view.get(index);
    if (!Number.isFinite(value)) throw nonFinite(parameters, t, key, index, value);
  });
  return value;
}
