import { GradcheckError, describeValue } from './errors.js';
import { isThenable, type MaybePromise, type NamedTensors, type NormalisedModel, type Tensor } from './model.js';
import { entriesOf, ParameterSet } from './parameters.js';
import { seededRandom, type Random } from './random.js';
import { formatShape, viewTensor, type TensorView } from './tensors.js';

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
const CALLS: Readonly<Record<'layer' | 'function', { readonly value: string; readonly gradients: string }>> = {
  layer: { value: 'forward(X)', gradients: 'backward(dY, X)' },
  function: { value: 'f(x)', gradients: 'grad(x)' },
};

/** A seed for the cotangents that differs from the seed of the check's directions and samples. */
const COTANGENT_SEED_OFFSET = 0x5eed;

function then<T, U>(value: MaybePromise<T>, f: (v: T) => U): MaybePromise<U> {
  return isThenable(value) ? Promise.resolve(value).then(f) : f(value as T);
}

/** True when `value` is a tensor gradcheck can view (not a record of them). */
function isTensor(value: unknown): boolean {
  try {
    viewTensor(value, 'value');
    return true;
  } catch {
    return false;
  }
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
 * A copy of a tensor that gradcheck may write the cotangent into, or `undefined` for a type it
 * cannot copy (then the output of a second forward pass holds the cotangent).
 */
function copyTensor(value: unknown): unknown {
  if (value instanceof Float64Array || value instanceof Float32Array) return value.slice();
  if (Array.isArray(value)) return value.map((x) => (Array.isArray(x) ? copyTensor(x) : x));
  if (typeof value === 'object' && value !== null) {
    const o = value as { data?: unknown; shape?: unknown; clone?: unknown };
    if (typeof o.clone === 'function') return (o.clone as () => unknown).call(value);
    if ('data' in o && Array.isArray(o.shape)) return { ...o, data: copyTensor(o.data), shape: [...o.shape] };
  }
  return undefined;
}

/** One output of a layer: its name in a record output (`''` for a single output) and its cotangent. */
interface OutputSlot {
  readonly name: string;
  /** `undefined` for a number output. */
  readonly shape: readonly number[] | undefined;
  readonly cotangent: Float64Array;
  /** Y at the given point (the first forward pass), and its magnitude entry by entry. */
  readonly value: Float64Array;
  readonly magnitude: Float64Array;
}

/**
 * ±Σ|Rᵢ·Yᵢ| over every output, the magnitude of the terms of ⟨R, Y⟩, with the sign of ⟨R, Y⟩ (so
 * that the sum and the offset cannot cancel).
 */
function offsetOf(outputs: readonly OutputSlot[]): number {
  let magnitude = 0,
    sum = 0;
  for (const o of outputs) {
    for (let i = 0; i < o.cotangent.length; i++) {
      magnitude += Math.abs(o.cotangent[i]! * o.magnitude[i]!);
      sum += o.cotangent[i]! * o.value[i]!;
    }
  }
  return sum < 0 ? -magnitude : magnitude;
}

/**
 * The inputs of a layer or function: one tensor named `X` (`x` for a function), or a record of
 * named inputs. `values` maps each name to the user's own object, which is perturbed in place.
 */
function inputsOf(X: unknown, single: string): Map<string, unknown> {
  if (isTensor(X) || looksLikeTensor(X)) return new Map([[single, X]]);
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
  readonly calls: { readonly value: string; readonly gradients: string };
  /** Names of the inputs whose gradients are checked (after `prepare`). */
  checkedInputs: string[] = [];
  /** Things the result must say: inputs that were not checked. */
  readonly notes: string[] = [];
  private readonly layerParameters: [string, unknown][];
  private readonly inputs: Map<string, unknown>;
  private readonly random: Random;
  private outputs: OutputSlot[] | undefined;
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
    this.inputs = inputsOf(argument, protocol === 'layer' ? 'X' : 'x');
    for (const name of this.inputs.keys()) {
      if (this.layerParameters.some(([p]) => p === name || `d${p}` === name || p === `d${name}`)) {
        throw new GradcheckError(
          'DUPLICATE_NAME',
          `"${name}" names both an input and a parameter (or their gradients, d${name}), so a gradient ` +
            `keyed "${name}" or "d${name}" would be ambiguous; pass the inputs as a record with other names, ` +
            `e.g. checkGradients(layer, { input: X }).`,
        );
      }
    }
    this.random = seededRandom(seed + COTANGENT_SEED_OFFSET);
  }

  /** The checked tensors: the parameters, then the inputs that have a gradient. */
  get parameters(): unknown {
    if (!this.checked) throw new Error('LayerModel.prepare() must run before the tensors are read');
    return this.checked;
  }

  /** Every tensor whose values the check must protect: all parameters and every viewable input. */
  everyTensor(): ParameterSet | undefined {
    const all = new Map(this.layerParameters);
    for (const [name, value] of this.inputs) if (isTensor(value)) all.set(name, value);
    return all.size > 0 ? ParameterSet.from(all) : undefined;
  }

  /**
   * Decides which inputs are checked from the gradients returned at the given point: an input
   * without a gradient is left out, with a note in the result.
   */
  prepare(gradients: unknown): void {
    const keys = this.gradientKeys(gradients);
    const checked = new Map(this.layerParameters);
    this.checkedInputs = [];
    for (const [name, value] of this.inputs) {
      if (keys.has(name) || keys.has(`d${name}`)) {
        checked.set(name, value);
        this.checkedInputs.push(name);
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
        `${this.calls.gradients} returned no gradient for ${[...this.inputs.keys()].join(', ')} ` +
          `and the ${this.protocol} has no parameters: there is nothing to check ` +
          `(return { ${[...this.inputs.keys()].map((n) => `d${n}`).join(', ')} }).`,
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
    if (this.layerParameters.length > 0 || this.inputs.size !== 1 || !isTensor(gradients)) return undefined;
    return this.inputs.keys().next().value;
  }

  /** The gradients keyed by the checked tensors' names (a bare tensor becomes `{ X: tensor }`). */
  private keyed(gradients: unknown): unknown {
    const bare = this.bareGradientName(gradients);
    return bare === undefined ? gradients : new Map([[bare, gradients]]);
  }

  /** Draws the next cotangent (Gaussian, one per output entry) for the output shape seen so far. */
  useCotangent(): void {
    if (!this.outputs) return;
    this.outputs = this.outputs.map((o) => ({ ...o, cotangent: this.draw(o.cotangent.length) }));
    this.offset = offsetOf(this.outputs!);
  }

  /**
   * A constant added to ⟨R, Y⟩: ±Σ|Rᵢ·Yᵢ| at the given point (the sign of ⟨R, Y⟩ there). The check models a loss's rounding
   * as ε·|L|, but ⟨R, Y⟩ is a sum of terms of both signs whose rounding is ε·Σ|Rᵢ·Yᵢ|, far above
   * ε·|⟨R, Y⟩| when the terms cancel; the offset makes the loss's magnitude that of its terms and
   * changes no derivative. The result reports ⟨R, Y⟩ without it.
   */
  offset = 0;

  private draw(n: number): Float64Array {
    const r = new Float64Array(n);
    for (let i = 0; i < n; i++) r[i] = this.random.gaussian();
    return r;
  }

  /** The output's parts: `['', value]` for a single tensor or number, the entries of a record. */
  private outputParts(output: unknown): [string, unknown][] {
    if (typeof output === 'number' || isTensor(output)) return [['', output]];
    if (typeof output === 'object' && output !== null && !Array.isArray(output)) {
      const parts = entriesOf(output, `${this.calls.value} result`);
      if (parts.length > 0) return parts;
    }
    throw new GradcheckError(
      'UNSUPPORTED_TENSOR',
      `${this.calls.value} returned ${describeValue(output)}; a layer's output must be a tensor, ` +
        'a record of tensors, or a number.',
    );
  }

  /** Views one output part, checking it against the shape seen at the first forward pass. */
  private viewPart(name: string, value: unknown, expected: OutputSlot | undefined): TensorView | number {
    const label = name ? `output ${name}` : 'output';
    if (typeof value === 'number') {
      if (expected && expected.shape !== undefined) throw this.outputChanged(label, 'a number', expected);
      return value;
    }
    const view = viewTensor(value, `${this.calls.value} ${label}`);
    if (expected && (expected.shape === undefined || expected.cotangent.length !== view.size)) {
      throw this.outputChanged(label, formatShape(view.shape), expected);
    }
    return view;
  }

  private outputChanged(label: string, now: string, was: OutputSlot): GradcheckError {
    return new GradcheckError(
      'SHAPE_MISMATCH',
      `${this.calls.value} ${label} is ${now} here but was ${was.shape ? formatShape(was.shape) : 'a number'} ` +
        'at the first forward pass; the output must keep its shape when the parameters and inputs move slightly.',
    );
  }

  /** Learns the output's shape and draws the first cotangent. */
  private learnOutput(output: unknown): void {
    this.outputs = this.outputParts(output).map(([name, value]) => {
      const v = this.viewPart(name, value, undefined);
      const values = typeof v === 'number' ? Float64Array.of(v) : new Float64Array(v.size);
      if (typeof v !== 'number') for (let i = 0; i < v.size; i++) values[i] = v.get(i);
      const shape = typeof v === 'number' ? undefined : v.shape;
      return { name, shape, cotangent: this.draw(values.length), value: values, magnitude: values.map(Math.abs) };
    });
    this.offset = offsetOf(this.outputs!);
  }

  /**
   * ⟨R, output⟩ + {@link LayerModel.offset}, summed with Neumaier's compensation so that the sum
   * adds no rounding of its own.
   */
  private project(output: unknown): number {
    const parts = this.outputParts(output);
    const slots = this.outputs!;
    if (parts.length !== slots.length || parts.some(([name], k) => name !== slots[k]!.name)) {
      throw new GradcheckError(
        'SHAPE_MISMATCH',
        `${this.calls.value} returned outputs ${parts.map(([n]) => n || '(one tensor)').join(', ')} here but ` +
          `${slots.map((s) => s.name || '(one tensor)').join(', ')} at the first forward pass.`,
      );
    }
    let sum = this.offset,
      compensation = 0;
    const add = (term: number): void => {
      const t = sum + term;
      compensation += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
      sum = t;
    };
    parts.forEach(([name, value], k) => {
      const slot = slots[k]!;
      const v = this.viewPart(name, value, slot);
      if (typeof v === 'number') add(slot.cotangent[0]! * v);
      else for (let i = 0; i < v.size; i++) add(slot.cotangent[i]! * v.get(i));
    });
    return sum + compensation;
  }

  /**
   * dY for backward: a fresh copy of `output` (the same type as forward returns) holding R, so that
   * a backward that writes into dY cannot corrupt R; for a type gradcheck cannot copy, `spare` (the
   * output of another forward pass at the same point) holds R.
   */
  private cotangentLike(output: unknown, spare: () => unknown): unknown {
    const slots = this.outputs!;
    const fill = (value: unknown, slot: OutputSlot, replacement: () => unknown): unknown => {
      if (slot.shape === undefined) return slot.cotangent[0];
      let copy = copyTensor(value);
      if (copy === undefined) {
        copy = replacement();
        if (copy === value) {
          throw new GradcheckError(
            'UNSUPPORTED_TENSOR',
            `${this.calls.value} returns the same ${describeValue(value)} on every call, and gradcheck cannot copy ` +
              'it to hold the cotangent dY; return a fresh tensor from forward, or give the type a clone() method.',
          );
        }
      }
      const view = viewTensor(copy, 'the cotangent dY');
      for (let i = 0; i < view.size; i++) view.set(i, slot.cotangent[i]!);
      return copy;
    };
    if (slots.length === 1 && slots[0]!.name === '') return fill(output, slots[0]!, spare);
    const record: Record<string, unknown> = {};
    let other: Record<string, unknown> | undefined;
    for (const slot of slots) {
      record[slot.name] = fill((output as Record<string, unknown>)[slot.name], slot, () => {
        other ??= Object.fromEntries(this.outputParts(spare()));
        return other[slot.name];
      });
    }
    return output instanceof Map ? new Map(Object.entries(record)) : record;
  }

  loss(): unknown {
    if (this.protocol === 'function') return (this.target as GradientFunction).f(this.argument);
    return then((this.target as Layer).forward(this.argument), (output) => {
      if (!this.outputs) this.learnOutput(output);
      return this.project(output);
    });
  }

  gradients(): unknown {
    if (this.protocol === 'function') return then((this.target as GradientFunction).grad(this.argument), this.keyedFn);
    const layer = this.target as Layer;
    const X = this.argument;
    return then(layer.forward(X), (output) => {
      if (!this.outputs) this.learnOutput(output);
      else this.project(output);
      const dY = this.cotangentLike(output, () => {
        const again = layer.forward(X);
        if (isThenable(again)) {
          throw new GradcheckError(
            'UNSUPPORTED_TENSOR',
            `${this.calls.value} returned a type gradcheck cannot copy for dY (${describeValue(output)}) from an ` +
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
