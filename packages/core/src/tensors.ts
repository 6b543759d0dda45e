import { accessorView, isAccessor } from './accessor.js';
import { GradcheckError, describeValue } from './errors.js';

/**
 * How a tensor stores its numbers. It sets the default finite-difference step and the tolerance a
 * correct gradient can meet: `float32` storage rounds every perturbation to 24 bits.
 */
export type Precision = 'float64' | 'float32';

/**
 * A view over one user tensor, read and written by flat row-major index. gradcheck perturbs
 * parameters in place through `set` and restores them through it too.
 */
export interface TensorView {
  /** What the view wraps, for messages: `'Matrix'`, `'Float64Array'`, `'number[][]'`, … */
  readonly kind: string;
  /** The tensor's shape, outermost dimension first (`[rows, columns]` for a matrix). */
  readonly shape: readonly number[];
  /** Number of entries: the product of `shape`. */
  readonly size: number;
  /** Storage precision. */
  readonly precision: Precision;
  /** Reads entry `index` (flat, row-major). */
  get(index: number): number;
  /** Writes entry `index` (flat, row-major); the tensor may round the value (float32 does). */
  set(index: number, value: number): void;
}

/**
 * Teaches gradcheck another tensor type. `matches` recognises values of the type; `view` wraps
 * one in a {@link TensorView} that reads and writes the tensor's own storage (so that perturbing a
 * parameter changes what the model computes with).
 *
 * @example
 * ```ts
 * registerTensorAdapter({
 *   name: 'MyTensor',
 *   matches: (v): v is MyTensor => v instanceof MyTensor,
 *   view: (t) => ({ kind: 'MyTensor', shape: t.shape, size: t.values.length, precision: 'float64',
 *                   get: (i) => t.values[i], set: (i, x) => { t.values[i] = x } }),
 * })
 * ```
 */
export interface TensorAdapter<T = unknown> {
  /** A name for messages. */
  readonly name: string;
  /** True when `value` is a tensor this adapter wraps. */
  matches(value: unknown): value is T;
  /**
   * Wraps `value`; the view must alias the tensor's storage. `role` says what the check does
   * with it: a `'parameter'` is perturbed in place and must stay the model's own storage; an
   * `'input'` is a checked input; a `'gradient'` is only read. An adapter may refuse a value in
   * one role (throw a {@link GradcheckError}) and accept it in another.
   */
  view(value: T, role: TensorRole): TensorView;
}

/** What a check does with a tensor it views: see {@link TensorAdapter.view}. */
export type TensorRole = 'parameter' | 'input' | 'gradient';

/**
 * The registered adapters, newest first. They live on `globalThis` under a `Symbol.for` key, so
 * that the ESM and the CommonJS builds of core (both may load in one process: a Jest adapter
 * `require`s core while a test file `import`s it) share one registry.
 */
const REGISTRY = Symbol.for('gradcheck.tensorAdapters');
const shared = globalThis as { [REGISTRY]?: TensorAdapter[] };
const adapters: TensorAdapter[] = (shared[REGISTRY] ??= []);

/**
 * Registers a {@link TensorAdapter}. Adapters registered later are tried first, before the
 * built-in ones (ml-matrix matrices, Float64Array, Float32Array, `number[]`, nested arrays and
 * `{ data, shape }`). Returns a function that unregisters it.
 */
export function registerTensorAdapter<T>(adapter: TensorAdapter<T>): () => void {
  adapters.unshift(adapter as TensorAdapter);
  return () => {
    const at = adapters.indexOf(adapter as TensorAdapter);
    if (at >= 0) adapters.splice(at, 1);
  };
}

/** True when an adapter is registered (one may claim any value, typed arrays too). */
export function hasTensorAdapters(): boolean {
  return adapters.length > 0;
}

/** The index in each dimension of flat (row-major) index `index` in `shape`: `[2, 3]`. */
export function unravelIndex(shape: readonly number[], index: number): number[] {
  const parts = new Array<number>(shape.length);
  let rest = index;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    parts[d] = n === 0 ? 0 : rest % n;
    rest = n === 0 ? 0 : Math.floor(rest / n);
  }
  return parts;
}

/** Formats a flat index in a shape as `[2,3]` (row-major). */
export function formatIndex(shape: readonly number[], index: number): string {
  return shape.length === 0 ? '' : `[${unravelIndex(shape, index).join(',')}]`;
}

/** Formats a shape as `5×4`. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 0 ? 'scalar' : shape.join('×');
}

interface MatrixLike {
  rows: number;
  columns: number;
  get(row: number, column: number): number;
  set(row: number, column: number, value: number): unknown;
  data?: unknown;
}

function isMatrixLike(value: unknown): value is MatrixLike {
  const m = value as MatrixLike;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof m.rows === 'number' &&
    typeof m.columns === 'number' &&
    typeof m.get === 'function' &&
    typeof m.set === 'function'
  );
}

function matrixView(m: MatrixLike): TensorView {
  const { rows, columns } = m;
  const kind = (m as object).constructor?.name ?? 'matrix';
  const data = m.data;
  // ml-matrix's Matrix keeps one Float64Array per row in `data`: index it directly (get/set are
  // virtual calls with bounds checks), but fall back to get/set for views and other subclasses.
  if (
    Array.isArray(data) &&
    data.length === rows &&
    data.every((r) => r instanceof Float64Array && r.length === columns)
  ) {
    const rowsData = data as Float64Array[];
    return {
      kind,
      shape: [rows, columns],
      size: rows * columns,
      precision: 'float64',
      get: (i) => rowsData[(i / columns) | 0]![i % columns]!,
      set: (i, v) => {
        rowsData[(i / columns) | 0]![i % columns] = v;
      },
    };
  }
  return {
    kind,
    shape: [rows, columns],
    size: rows * columns,
    precision: 'float64',
    get: (i) => m.get((i / columns) | 0, i % columns),
    set: (i, v) => {
      m.set((i / columns) | 0, i % columns, v);
    },
  };
}

/**
 * The key under which each view {@link flatView} made keeps its storage (`view.get(i)` is
 * `data[i]`): a property of the view rather than a WeakMap entry, which the gradients' views (one
 * per gradient evaluation) would each add to the garbage collector's ephemeron tables.
 */
const FLAT_DATA = Symbol('flat data');

/** A view {@link flatView} made. */
type FlatView = TensorView & { readonly [FLAT_DATA]?: Float64Array | Float32Array | number[] };

/**
 * The array a built-in view reads entry `i` from as `array[i]` (a typed array or a `number[]`),
 * for a loop over every entry that a call of `view.get` per entry would slow; `undefined` for
 * other views (a matrix, a registered adapter's). Writing `array[i] = v` is what `view.set(i, v)`
 * does (the view's own storage, rounded as it rounds).
 */
export function flatArrayOf(view: TensorView): Float64Array | Float32Array | number[] | undefined {
  return (view as FlatView)[FLAT_DATA];
}

/**
 * Writes `value` into entry `index` of `view` (into `array`, its own storage from {@link flatArrayOf},
 * where it has one) and returns what was stored (the value as the view rounds it).
 */
export function placeEntry(
  array: Float64Array | Float32Array | number[] | undefined,
  view: TensorView,
  index: number,
  value: number,
): number {
  if (array) {
    array[index] = value;
    return array[index]!;
  }
  view.set(index, value);
  return view.get(index);
}

function flatView(data: Float64Array | Float32Array | number[], shape: readonly number[], kind: string): TensorView {
  const view: FlatView = {
    kind,
    shape,
    size: data.length,
    precision: data instanceof Float32Array ? 'float32' : 'float64',
    get: (i) => data[i]!,
    set: (i, v) => {
      data[i] = v;
    },
    [FLAT_DATA]: data,
  };
  return view;
}

/** Shape of a rectangular nested array of numbers, or a reason why it is not one. */
function nestedShape(value: unknown[]): number[] | string {
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  const check = (node: unknown, depth: number, path: string): string | undefined => {
    if (depth === shape.length) {
      return typeof node === 'number' ? undefined : `entry ${path} is ${describeValue(node)}, not a number`;
    }
    if (!Array.isArray(node))
      return `entry ${path} is ${describeValue(node)}, expected an array of length ${shape[depth]}`;
    if (node.length !== shape[depth])
      return `row ${path} has length ${node.length}, expected ${shape[depth]} (ragged array)`;
    for (let i = 0; i < node.length; i++) {
      const why = check(node[i], depth + 1, `${path}[${i}]`);
      if (why) return why;
    }
    return undefined;
  };
  return check(value, 0, '') ?? shape;
}

function nestedView(value: unknown[], shape: number[]): TensorView {
  const size = shape.reduce((a, b) => a * b, 1);
  if (shape.length === 2) {
    const rows = value as number[][];
    const columns = shape[1]!;
    return {
      kind: 'number[][]',
      shape,
      size,
      precision: 'float64',
      get: (i) => rows[(i / columns) | 0]![i % columns]!,
      set: (i, v) => {
        rows[(i / columns) | 0]![i % columns] = v;
      },
    };
  }
  const locate = (i: number): [number[], number] => {
    const at = unravelIndex(shape, i);
    let node = value as unknown[];
    for (let d = 0; d < at.length - 1; d++) node = node[at[d]!] as unknown[];
    return [node as number[], at[at.length - 1]!];
  };
  return {
    kind: `number${'[]'.repeat(shape.length)}`,
    shape,
    size,
    precision: 'float64',
    get: (i) => {
      const [row, j] = locate(i);
      return row[j]!;
    },
    set: (i, v) => {
      const [row, j] = locate(i);
      row[j] = v;
    },
  };
}

const ACCEPTED =
  'an ml-matrix Matrix, a Float64Array or Float32Array, a number[] or nested number[][], { data, shape }, ' +
  'or an accessor view { size, get(i), set(i, v), shape? }; other types need registerTensorAdapter()';

/** A view over `{ data, shape }`, or the reason it is not a tensor. */
function dataShapeView(
  { data, shape }: { data: unknown; shape: unknown },
  unsupported: (why: string) => GradcheckError,
): TensorView {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw unsupported(`{ data, shape } with shape ${JSON.stringify(shape)}, not a list of sizes`);
  }
  if (!(
    data instanceof Float64Array ||
    data instanceof Float32Array ||
    (Array.isArray(data) && data.every((x) => typeof x === 'number'))
  )) {
    throw unsupported(
      `{ data, shape } whose data is ${describeValue(data)}, not a Float64Array, Float32Array or number[]`,
    );
  }
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (size !== data.length) {
    throw unsupported(
      `{ data, shape } with shape [${shape.join(',')}] (${size} entries) but ${data.length} data values`,
    );
  }
  return flatView(data, shape as number[], `{ data: ${describeValue(data).split(' ')[0]}, shape }`);
}

/**
 * Wraps `value` in a {@link TensorView} for the given `role` (default `'parameter'`, passed to a
 * registered adapter's `view`). `name` is used in error messages ("parameter W1 is …").
 * Throws a {@link GradcheckError} with code `UNSUPPORTED_TENSOR` for values no adapter handles.
 */
export function viewTensor(value: unknown, name: string, role: TensorRole = 'parameter'): TensorView {
  for (const adapter of adapters) if (adapter.matches(value)) return adapter.view(value, role);
  const unsupported = (why: string): GradcheckError =>
    new GradcheckError('UNSUPPORTED_TENSOR', `${name} is ${why}; expected ${ACCEPTED}.`);
  if (value instanceof Float64Array) return flatView(value, [value.length], 'Float64Array');
  if (value instanceof Float32Array) return flatView(value, [value.length], 'Float32Array');
  if (ArrayBuffer.isView(value)) {
    throw unsupported(
      `${describeValue(value)}, which cannot hold a small perturbation (use Float64Array or Float32Array)`,
    );
  }
  if (isMatrixLike(value)) return matrixView(value);
  if (Array.isArray(value)) {
    if (value.length === 0 || !Array.isArray(value[0])) {
      const bad = value.findIndex((x) => typeof x !== 'number');
      if (bad >= 0) throw unsupported(`an array whose entry [${bad}] is ${describeValue(value[bad])}`);
      return flatView(value as number[], [value.length], 'number[]');
    }
    const shape = nestedShape(value);
    if (typeof shape === 'string') throw unsupported(`a nested array whose ${shape}`);
    return nestedView(value, shape);
  }
  if (typeof value === 'object' && value !== null && 'data' in value && 'shape' in value) {
    return dataShapeView(value as { data: unknown; shape: unknown }, unsupported);
  }
  if (isAccessor(value)) return accessorView(value, unsupported);
  if (typeof value === 'number') {
    throw unsupported(
      `a plain number (${value}), which cannot be perturbed in place; store it as [${value}] or in a Float64Array`,
    );
  }
  throw unsupported(describeValue(value));
}
