import { GradcheckError, describeValue } from './errors.js';
import { flatArrayOf, formatIndex, viewTensor, type Precision, type TensorView } from './tensors.js';

/** One named parameter tensor and where its entries start in the flat parameter vector. */
export interface ParameterTensor {
  /** The parameter's name, as in the model's `parameters` (`W1`, `b1`, …). */
  readonly name: string;
  /** A view over the live tensor: writes go to the model's own storage. */
  readonly view: TensorView;
  /** Flat index of this tensor's first entry in the whole parameter vector. */
  readonly offset: number;
}

/** Named tensors in a `parameters` value: an object (insertion order) or a Map. */
export function entriesOf(value: unknown, what: string): [string, unknown][] {
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [String(k), v]);
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value)) {
    return Object.entries(value);
  }
  throw new GradcheckError(
    'NOT_A_MODEL',
    `${what} is ${describeValue(value)}; expected an object or Map from names to tensors.`,
  );
}

/**
 * The model's parameters as one ordered set of named tensors, addressed either per tensor or by
 * a flat index over all of them.
 */
export class ParameterSet {
  /** The tensors, in the model's order. */
  readonly tensors: readonly ParameterTensor[];
  /** Total number of entries. */
  readonly size: number;

  private constructor(
    tensors: ParameterTensor[],
    private readonly inputs: ReadonlySet<string>,
    /** The precision the loss is computed in when it is coarser than the tensors' (a layer's float32 output). */
    private readonly lossPrecision?: Precision,
  ) {
    this.tensors = tensors;
    this.size = tensors.reduce((n, t) => n + t.view.size, 0);
  }

  /**
   * Views every tensor of a model's `parameters` (object or Map) in place; the names in `inputs`
   * are a layer's or function's inputs, viewed with the role `'input'`. `lossPrecision`: the loss
   * is computed in float32 whatever the tensors (a layer with a float32 output).
   */
  static from(parameters: unknown, inputs: readonly string[] = [], lossPrecision?: Precision): ParameterSet {
    const entries = entriesOf(parameters, 'model.parameters');
    if (entries.length === 0)
      throw new GradcheckError('NO_PARAMETERS', 'model.parameters is empty: there is nothing to check.');
    const isInput = new Set(inputs);
    let offset = 0;
    const tensors = entries.map(([name, value]) => {
      const view = isInput.has(name)
        ? viewTensor(value, `input ${name}`, 'input')
        : viewTensor(value, `parameter ${name}`);
      const tensor = { name, view, offset };
      offset += view.size;
      return tensor;
    });
    return new ParameterSet(tensors, isInput, lossPrecision);
  }

  /** `'input'` for a layer's or function's input, else `'parameter'`: for messages. */
  kindOf(tensor: ParameterTensor): 'input' | 'parameter' {
    return this.inputs.has(tensor.name) ? 'input' : 'parameter';
  }

  /** The coarsest storage precision among the tensors and the loss (`float32` if any is float32). */
  get precision(): Precision {
    return this.lossPrecision === 'float32' || this.tensors.some((t) => t.view.precision === 'float32')
      ? 'float32'
      : 'float64';
  }

  /** Names entry `index` of tensor `tensor` as `W1[2,3]`. */
  label(tensor: ParameterTensor, index: number): string {
    return `${tensor.name}${formatIndex(tensor.view.shape, index)}`;
  }

  /** Copies every entry, in flat order. */
  snapshot(): Float64Array {
    const copy = new Float64Array(this.size);
    for (const { view, offset } of this.tensors) {
      const size = view.size;
      for (let i = 0; i < size; i++) copy[offset + i] = view.get(i);
    }
    return copy;
  }

  /**
   * Writes back every entry that differs from `snapshot` (compared with `Object.is`, so `-0` and
   * `0` differ) and returns the label of the first one that did, or `undefined` if none did.
   */
  restore(snapshot: Float64Array): string | undefined {
    let first: string | undefined;
    for (const t of this.tensors) {
      const { view, offset } = t;
      // A built-in view's array read directly (a check restores every entry several times).
      const array = flatArrayOf(view);
      // (The size read once: read in the loop's test, V8 loads it again after every call.)
      const size = view.size;
      for (let i = 0; i < size; i++) {
        const original = snapshot[offset + i]!;
        if (!Object.is(array ? array[i] : view.get(i), original)) {
          first ??= `${this.label(t, i)} (was ${original}, found ${view.get(i)})`;
          view.set(i, original);
        }
      }
    }
    return first;
  }

  /** Throws `NON_FINITE_PARAMETER` naming the first NaN or infinite entry. */
  assertFinite(snapshot: Float64Array): void {
    for (const t of this.tensors) {
      const size = t.view.size;
      for (let i = 0; i < size; i++) {
        const v = snapshot[t.offset + i]!;
        if (!Number.isFinite(v)) {
          throw new GradcheckError(
            'NON_FINITE_PARAMETER',
            `${this.kindOf(t)} ${this.label(t, i)} is ${v}; a gradient check needs finite parameters and inputs.`,
          );
        }
      }
    }
  }
}
