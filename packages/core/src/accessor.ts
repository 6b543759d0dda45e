/**
 * Accessor views `{ size, get(i), set(i, v), shape? }`: tensors whose entries live wherever the
 * user keeps them (weights on neuron objects), accepted everywhere a tensor is.
 */
import type { GradcheckError } from './errors.js';
import type { Precision, TensorView } from './tensors.js';

/**
 * An accessor view: a tensor whose entries live wherever the user keeps them (weights on neuron
 * objects, fields of a struct), read and written by flat row-major index. `shape` defaults to
 * `[size]`; `precision: 'float32'` declares float32 storage (default float64).
 *
 * @example
 * ```ts
 * const w = { size: neurons.length, get: (i) => neurons[i].weight, set: (i, v) => { neurons[i].weight = v } }
 * ```
 */
export interface AccessorTensor {
  /** Number of entries. */
  readonly size: number;
  /** Reads entry `index`. */
  get(index: number): number;
  /** Writes entry `index`. */
  set(index: number, value: number): void;
  /** The shape, outermost dimension first; its product must be `size`. Default `[size]`. */
  readonly shape?: readonly number[];
  /** Storage precision, when the entries are float32. Default `'float64'`. */
  readonly precision?: Precision;
}

export function isAccessor(value: unknown): value is AccessorTensor {
  const a = value as AccessorTensor;
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Map) &&
    typeof a.size === 'number' &&
    typeof a.get === 'function' &&
    typeof a.set === 'function'
  );
}

export function accessorView(a: AccessorTensor, unsupported: (why: string) => GradcheckError): TensorView {
  const { size } = a;
  if (!Number.isSafeInteger(size) || size < 0) throw unsupported(`an accessor view with size ${size}`);
  const shape = a.shape === undefined ? [size] : a.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw unsupported(`an accessor view with shape ${JSON.stringify(shape)}, not a list of sizes`);
  }
  if (shape.reduce((n, d) => n * d, 1) !== size) {
    throw unsupported(`an accessor view with shape [${shape.join(',')}] but size ${size}`);
  }
  if (a.precision !== undefined && a.precision !== 'float64' && a.precision !== 'float32') {
    throw unsupported(`an accessor view with precision ${JSON.stringify(a.precision)} (use 'float64' or 'float32')`);
  }
  return {
    kind: 'accessor view',
    shape: [...shape],
    size,
    precision: a.precision ?? 'float64',
    get: (i) => a.get(i),
    set: (i, v) => a.set(i, v),
  };
}
