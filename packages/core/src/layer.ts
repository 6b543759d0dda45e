import { GradcheckError, describeValue } from './errors.js';
import {
  isThenable,
  type CallNames,
  type MaybePromise,
  type NamedTensors,
  type NormalisedModel,
  type Tensor,
} from './model.js';
import { entriesOf, ParameterSet } from './parameters.js';
import type { Precision } from './tensors.js';
import { Cotangent, isTensor } from './cotangent.js';

/**
 * The layer protocol: a vector-valued op with its vector–Jacobian product. gradcheck checks
 * ⟨R, forward(X)⟩ against `backward(R, X)` for a seeded Gaussian cotangent R shaped like the
 * output, over every parameter entry and every input entry (X is perturbed in place and restored).
 *
 * @example
 * ```ts
 * const dense: Layer<Matrix, Matrix> = {
 *   parameters: { W, b },
 *   forward: (X) => W.mmul(X).addColumnVector(b),
 *   backward: (dY, X) => ({ dX: W.transpose().mmul(dY), dW: dY.mmul(X.transpose()), db: dY.sum('row') }),
 * }
 * expect(dense).toPassGradientCheck(X)
 * ```
 */
export interface Layer<X = any, Y = any> {
  /** Live weight tensors, by name; an op without weights has none. */
  readonly parameters?: NamedTensors;
  /**
   * The output at the current parameters and input: a tensor, a record of tensors (a layer with
   * several outputs), or a number.
   */
  forward(X: X): MaybePromise<Y>;
  /**
   * The vector–Jacobian product: the gradients of ⟨dY, forward(X)⟩ with respect to every
   * parameter (`W` or `dW`) and input (`X` or `dX`; for a record of inputs `{ a, b }`, `a`/`da` and
   * `b`/`db`). Always called right after `forward(X)` at the same point, so a layer may use what
   * its forward pass cached. An input without a gradient here is not checked (the result says so).
   * An op without parameters and with a single input may return the input's gradient itself.
   */
  backward(dY: Y, X: X): MaybePromise<NamedTensors | Tensor>;
}

/**
 * A plain function and its gradient (SciPy's `check_grad(f, grad, x0)`): `f(x)` is a number and
 * `grad(x)` a tensor of x's shape (or, for a record of inputs, a record of their gradients).
 *
 * @example
 * ```ts
 * const rosenbrock = { f: ([a, b]) => (1 - a) ** 2 + 100 * (b - a * a) ** 2, grad: ([a, b]) => [ … ] }
 * expect(rosenbrock).toPassGradientCheck([-1.2, 1])
 * ```
 */
export interface GradientFunction<X = any> {
  /** The scalar function. */
  f(x: X): MaybePromise<number>;
  /** Its gradient with respect to x. */
  grad(x: X): MaybePromise<NamedTensors | Tensor>;
}

/** What a checked value is: a model (scalar loss), a layer (vector output with a backward) or a function. */
export type Protocol = 'model' | 'layer' | 'function';

const hasFunction = (o: unknown, key: string): boolean =>
  typeof o === 'object' && o !== null && typeof (o as Record<string, unknown>)[key] === 'function';

/**
 * Which protocol `value` follows, model first: `{ parameters, loss, gradients }` and
 * `{ parameters, forward, cost, backward }` are models; `{ forward, backward }` without `cost` a
 * layer; `{ f, grad }` a function. `undefined` for anything else.
 */
export function protocolOf(value: unknown): Protocol | undefined {
  if (hasFunction(value, 'loss') && hasFunction(value, 'gradients')) return 'model';
  if (hasFunction(value, 'forward') && hasFunction(value, 'backward')) {
    return hasFunction(value, 'cost') ? 'model' : 'layer';
  }
  if (hasFunction(value, 'f') && hasFunction(value, 'grad')) return 'function';
  return undefined;
}

/** What the calls of each protocol are called in messages. */
const CALLS: Readonly<Record<'layer' | 'function', CallNames>> = {
  layer: {
    loss: 'forward(X)',
    gradients: 'backward(dY, X)',
    async: '`await checkGradientsAsync(layer, X)` or `await expect(layer).toPassGradientCheckAsync(X)`',
  },
  function: {
    loss: 'f(x)',
    gradients: 'grad(x)',
    async: '`await checkGradientsAsync({ f, grad }, x)` or `await expect({ f, grad }).toPassGradientCheckAsync(x)`',
  },
};

function then<T, U>(value: MaybePromise<T>, f: (v: T) => U): MaybePromise<U> {
  return isThenable(value) ? Promise.resolve(value).then(f) : f(value as T);
}

/**
 * True for an object meant as a tensor that no adapter accepts (`{ data, shape }` or an accessor
 * view with a fault): it is one input, whose view explains the fault, not a record of inputs.
 */
function looksLikeTensor(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || value instanceof Map) return false;
  const o = value as Record<string, unknown>;
  return ('data' in o && 'shape' in o) || (typeof o.get === 'function' && typeof o.set === 'function');
}

/**
 * The inputs of a layer or function: one tensor named `X` (`x` for a function), or a record of
 * named inputs. `values` maps each name to the user's own object, which is perturbed in place.
 */
function inputsOf(X: unknown, single: string): Map<string, unknown> {
  if (isTensor(X, 'input') || looksLikeTensor(X)) return new Map([[single, X]]);
  if (X instanceof Map || (typeof X === 'object' && X !== null && !Array.isArray(X) && !ArrayBuffer.isView(X))) {
    const entries = entriesOf(X, 'the inputs');
    if (entries.length > 0) return new Map(entries);
  }
  return new Map([[single, X]]);
}

/**
 * A layer or function reduced to "a scalar loss of named tensors and its gradient": the checked
 * tensors are the layer's parameters and the inputs its backward returns a gradient for; the loss
 * is ⟨R, forward(X)⟩ (for a function, f(x)); the gradients are backward(R, X) (grad(x)).
 *
 * The check calls {@link LayerModel.prepare} once with the gradients at the given point, to learn
 * which inputs have a gradient, before it views the tensors; {@link LayerModel.useCotangent}
 * draws the next cotangent.
 */
export class LayerModel implements NormalisedModel {
  readonly protocol: 'layer' | 'function';
  /** The calls' names for messages: `forward(X)`, `backward(dY, X)` (`f(x)`, `grad(x)`). */
  readonly calls: CallNames;
  /** Names of the inputs whose gradients are checked (after `prepare`). */
  inputs: string[] = [];
  /** Things the result must say: inputs that were not checked. */
  readonly notes: string[] = [];
  /** `forward(X)` where the last gradients request's forward returned a Promise (see {@link NormalisedModel.promised}). */
  promised: string | undefined;
  private readonly layerParameters: [string, unknown][];
  /** Every input the check received, by name (checked or not). */
  private readonly given: Map<string, unknown>;
  private readonly cotangent: Cotangent;
  private checked: Map<string, unknown> | undefined;

  /**
   * @param argument - The user's input X, passed to every call as it is (a record stays the same object);
   *   its tensors are perturbed in place.
   * @param seed - The check's seed; the cotangents are drawn from a generator seeded from it.
   */
  constructor(
    private readonly target: Layer | GradientFunction,
    protocol: 'layer' | 'function',
    private readonly argument: unknown,
    seed: number,
  ) {
    this.protocol = protocol;
    this.calls = CALLS[protocol];
    const raw = protocol === 'layer' ? (target as Layer).parameters : undefined;
    this.layerParameters = raw == null ? [] : entriesOf(raw, 'layer.parameters');
    this.given = inputsOf(argument, protocol === 'layer' ? 'X' : 'x');
    for (const name of this.given.keys()) {
      if (this.layerParameters.some(([p]) => p === name || `d${p}` === name || p === `d${name}`)) {
        throw new GradcheckError(
          'DUPLICATE_NAME',
          `"${name}" names both an input and a parameter (or their gradients, d${name}), so a gradient ` +
            `keyed "${name}" or "d${name}" would be ambiguous; pass the inputs as a record with other names, ` +
            `e.g. checkGradients(layer, { input: X }).`,
        );
      }
    }
    this.cotangent = new Cotangent(seed, this.calls);
  }

  /** The checked tensors: the parameters, then the inputs that have a gradient. */
  get parameters(): unknown {
    if (!this.checked) throw new Error('LayerModel.prepare() must run before the tensors are read');
    return this.checked;
  }

  /** Every tensor whose values the check must protect: all parameters and every viewable input. */
  everyTensor(): ParameterSet | undefined {
    const all = new Map(this.layerParameters);
    const viewable = [...this.given].filter(([, value]) => isTensor(value, 'input'));
    for (const [name, value] of viewable) all.set(name, value);
    return all.size > 0
      ? ParameterSet.from(
          all,
          viewable.map(([name]) => name),
        )
      : undefined;
  }

  /**
   * Decides which inputs are checked from the gradients returned at the given point: an input
   * without a gradient is left out, with a note in the result.
   */
  prepare(gradients: unknown): void {
    const keys = this.gradientKeys(gradients);
    const checked = new Map(this.layerParameters);
    this.inputs = [];
    for (const [name, value] of this.given) {
      if (keys.has(name) || keys.has(`d${name}`)) {
        checked.set(name, value);
        this.inputs.push(name);
      } else {
        this.notes.push(
          `input ${name} was not checked: ${this.calls.gradients} returned no gradient for it ` +
            `(looked for "d${name}" and "${name}").`,
        );
      }
    }
    if (checked.size === 0) {
      throw new GradcheckError(
        'NO_PARAMETERS',
        `${this.calls.gradients} returned no gradient for ${[...this.given.keys()].join(', ')} ` +
          `and the ${this.protocol} has no parameters: there is nothing to check ` +
          `(return { ${[...this.given.keys()].map((n) => `d${n}`).join(', ')} }).`,
      );
    }
    this.checked = checked;
  }

  /** The names a gradients value holds (a bare tensor is the single input's gradient). */
  private gradientKeys(gradients: unknown): Set<string> {
    const bare = this.bareGradientName(gradients);
    if (bare !== undefined) return new Set([bare]);
    return new Set(entriesOf(gradients, `${this.calls.gradients} result`).map(([k]) => k));
  }

  /** The input a bare tensor returned by backward/grad is the gradient of, when that is unambiguous. */
  private bareGradientName(gradients: unknown): string | undefined {
    if (this.layerParameters.length > 0 || this.given.size !== 1 || !isTensor(gradients, 'gradient')) return undefined;
    return this.given.keys().next().value;
  }

  /** The gradients keyed by the checked tensors' names (a bare tensor becomes `{ X: tensor }`). */
  private keyed(gradients: unknown): unknown {
    const bare = this.bareGradientName(gradients);
    return bare === undefined ? gradients : new Map([[bare, gradients]]);
  }

  /** Draws the next cotangent. */
  useCotangent(): void {
    this.cotangent.next();
  }

  /** The precision of the output the loss projects: float32 makes the check's precision float32. */
  get lossPrecision(): Precision {
    return this.cotangent.precision;
  }

  /** The constant the loss carries: see {@link Cotangent.offset}. */
  get offset(): number {
    return this.cotangent.offset;
  }

  loss(): unknown {
    if (this.protocol === 'function') return (this.target as GradientFunction).f(this.argument);
    return then((this.target as Layer).forward(this.argument), (output) => {
      if (!this.cotangent.drawn) this.cotangent.learn(output);
      return this.cotangent.project(output);
    });
  }

  gradients(): unknown {
    if (this.protocol === 'function') return then((this.target as GradientFunction).grad(this.argument), this.keyedFn);
    const layer = this.target as Layer;
    const X = this.argument;
    const forward = layer.forward(X);
    this.promised = isThenable(forward) ? this.calls.loss : undefined;
    return then(forward, (output) => {
      if (!this.cotangent.drawn) this.cotangent.learn(output);
      else this.cotangent.project(output);
      const dY = this.cotangent.like(output, () => {
        const again = layer.forward(X);
        if (isThenable(again)) {
          throw new GradcheckError(
            'UNSUPPORTED_TENSOR',
            `${this.calls.loss} returned a type gradcheck cannot copy for dY (${describeValue(output)}) from an ` +
              'async forward; return a Float64Array, an array or a type with clone().',
          );
        }
        return again;
      });
      return then(layer.backward(dY, X), this.keyedFn);
    });
  }

  private readonly keyedFn = (g: unknown): unknown => this.keyed(g);
}
