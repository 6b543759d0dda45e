import { describe, expect, it } from 'vitest';
import { Matrix, MatrixSubView } from 'ml-matrix';
import {
  checkGradients,
  GradcheckError,
  registerTensorAdapter,
  type GradientModel,
  type TensorView,
} from '../src/index.js';
import { flatArrayOf, formatIndex, formatShape, unravelIndex, viewTensor } from '../src/tensors.js';
import { errorOf } from './caught.js';

const roundTrip = (view: TensorView): number[] => Array.from({ length: view.size }, (_, i) => view.get(i));

describe('tensor views', () => {
  it.each([
    [
      'ml-matrix Matrix',
      () =>
        new Matrix([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      [2, 3],
      'Matrix',
    ],
    ['Float64Array', () => new Float64Array([1, 2, 3, 4, 5, 6]), [6], 'Float64Array'],
    ['number[]', () => [1, 2, 3, 4, 5, 6], [6], 'number[]'],
    [
      'number[][]',
      () => [
        [1, 2, 3],
        [4, 5, 6],
      ],
      [2, 3],
      'number[][]',
    ],
    ['number[][][]', () => [[[1, 2, 3]], [[4, 5, 6]]], [2, 1, 3], 'number[][][]'],
    [
      '{ data, shape }',
      () => ({ data: new Float64Array([1, 2, 3, 4, 5, 6]), shape: [3, 2] }),
      [3, 2],
      '{ data: Float64Array, shape }',
    ],
  ])('%s: shape, row-major get, and set in place', (_, make, shape, kind) => {
    const tensor = make();
    const view = viewTensor(tensor, 'T');
    expect(view.shape).toEqual(shape);
    expect(view.size).toBe(6);
    expect(view.kind).toBe(kind);
    expect(view.precision).toBe('float64');
    expect(roundTrip(view)).toEqual([1, 2, 3, 4, 5, 6]);
    view.set(4, 50);
    expect(viewTensor(tensor, 'T').get(4)).toBe(50);
  });

  it('exposes the storage of a flat view (Float64Array, Float32Array, number[], { data, shape }) and of no other', () => {
    const f64 = new Float64Array([1, 2]),
      f32 = new Float32Array([3]),
      plain = [4, 5, 6],
      data = new Float64Array([7, 8, 9, 10]);
    expect(flatArrayOf(viewTensor(f64, 'a'))).toBe(f64);
    expect(flatArrayOf(viewTensor(f32, 'b'))).toBe(f32);
    expect(flatArrayOf(viewTensor(plain, 'c'))).toBe(plain);
    expect(flatArrayOf(viewTensor({ data, shape: [2, 2] }, 'd'))).toBe(data);
    expect(flatArrayOf(viewTensor(new Matrix([[1, 2]]), 'e'))).toBeUndefined();
    expect(flatArrayOf(viewTensor([[1], [2]], 'f'))).toBeUndefined();
    expect(Object.keys(viewTensor(f64, 'a'))).toEqual(['kind', 'shape', 'size', 'precision', 'get', 'set']);
  });

  it('ml-matrix views write through to the matrix they view', () => {
    const M = new Matrix([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const sub = new MatrixSubView(M, 0, 1, 1, 2);
    const view = viewTensor(sub, 'S');
    expect(view.shape).toEqual([2, 2]);
    expect(roundTrip(view)).toEqual([2, 3, 5, 6]);
    view.set(3, 60);
    expect(M.get(1, 2)).toBe(60);
  });

  it('Float32Array storage is float32 and rounds what it stores', () => {
    const view = viewTensor(new Float32Array([1, 2]), 'f');
    expect(view.precision).toBe('float32');
    view.set(0, 1 + 1e-9);
    expect(view.get(0)).toBe(1);
  });

  it("formats indices in the tensor's own shape", () => {
    expect(formatIndex([5, 4], 11)).toBe('[2,3]');
    expect(formatIndex([7], 3)).toBe('[3]');
    expect(formatIndex([2, 1, 3], 5)).toBe('[1,0,2]');
  });

  it.each([
    [new Uint8Array(3), /Uint8Array of length 3, which cannot hold a small perturbation/],
    [{ data: [1, 2, 3], shape: [2, 2] }, /shape \[2,2\] \(4 entries\) but 3 data values/],
    [{ data: 'abc', shape: [3] }, /data is "abc"/],
    [[1, 'x', 3], /entry \[1\] is "x"/],
    [
      [
        [1, 2],
        [3, 'x'],
      ],
      /entry \[1\]\[1\] is "x", not a number/,
    ],
    [new Map(), /expected an ml-matrix Matrix/],
    [null, /T is null/],
  ])('refuses %o with a message that says why', (value, message) => {
    const error = errorOf(() => viewTensor(value, 'T'));
    expect(error).toBeInstanceOf(GradcheckError);
    expect((error as GradcheckError).code).toBe('UNSUPPORTED_TENSOR');
    expect((error as GradcheckError).message).toMatch(message);
  });
});

describe('registerTensorAdapter', () => {
  it("keeps the adapters on globalThis under Symbol.for('gradcheck.tensorAdapters'), where the ESM and CommonJS builds both find them", () => {
    // The key is the contract between the two builds of core loaded in one process (a Jest adapter
    // require()s core while the test file imports it); test/dual-build-registry.test.ts checks the
    // built packages, this the source.
    const adapter = { name: 'Shared', matches: (_v: unknown): _v is never => false, view: () => viewTensor([0], 'x') };
    const registry = (globalThis as Record<symbol, unknown[] | undefined>)[Symbol.for('gradcheck.tensorAdapters')];
    const unregister = registerTensorAdapter(adapter);
    try {
      expect(registry).toBeDefined();
      expect(registry![0]).toBe(adapter);
    } finally {
      unregister();
    }
    expect(registry).not.toContain(adapter);
  });

  class Tensor1D {
    constructor(readonly values: number[]) {}
  }

  it('teaches the check a new tensor type, tried before the built-in ones, and unregisters', () => {
    const unregister = registerTensorAdapter({
      name: 'Tensor1D',
      matches: (v): v is Tensor1D => v instanceof Tensor1D,
      view: (t) => ({
        kind: 'Tensor1D',
        shape: [t.values.length],
        size: t.values.length,
        precision: 'float64',
        get: (i) => t.values[i]!,
        set: (i, x) => {
          t.values[i] = x;
        },
      }),
    });
    try {
      const w = new Tensor1D([0.5, -1.5]);
      const model: GradientModel = {
        parameters: { w },
        loss: () => w.values[0]! ** 2 + 3 * w.values[1]!,
        gradients: () => ({ w: new Tensor1D([2 * w.values[0]!, 3]) }),
      };
      const result = checkGradients(model, null, null);
      expect(result.passed).toBe(true);
      expect(w.values).toEqual([0.5, -1.5]);
    } finally {
      unregister();
    }
    expect(() => viewTensor(new Tensor1D([1]), 'w')).toThrow(/w is a Tensor1D; expected/);
  });
});

describe('a value that is no tensor, in full', () => {
  const ACCEPTED =
    'an ml-matrix Matrix, a Float64Array or Float32Array, a number[] or nested number[][], { data, shape }, ' +
    'or an accessor view { size, get(i), set(i, v), shape? }; other types need registerTensorAdapter()';
  it.each<[unknown, string]>([
    [{ data: [1, 2], shape: 'x' }, '{ data, shape } with shape "x", not a list of sizes'],
    [{ data: [1, 2], shape: [2, -1] }, '{ data, shape } with shape [2,-1], not a list of sizes'],
    [{ data: [1, 2], shape: [1.5] }, '{ data, shape } with shape [1.5], not a list of sizes'],
    [
      { data: [1, 'a'], shape: [2] },
      '{ data, shape } whose data is an array of length 2, not a Float64Array, Float32Array or number[]',
    ],
    [[[1, 2], 3], 'a nested array whose entry [1] is 3, expected an array of length 2'],
    [[[1, 2], [3]], 'a nested array whose row [1] has length 1, expected 2 (ragged array)'],
    [
      [
        [[1], [2]],
        [[3], 4],
      ],
      'a nested array whose entry [1][1] is 4, expected an array of length 1',
    ],
    [3, 'a plain number (3), which cannot be perturbed in place; store it as [3] or in a Float64Array'],
    [undefined, 'undefined'],
    ['abc', '"abc"'],
    ['x'.repeat(41), `"${'x'.repeat(40)}…"`],
    ['x'.repeat(40), `"${'x'.repeat(40)}"`],
    [() => 1, 'function'],
    [true, 'boolean'],
    [Promise.resolve([1]), 'a Promise'],
    [{ rows: 2, columns: 3 }, 'Object 2×3'],
    [Object.assign(Object.create(null) as object, { rows: 2, columns: 3 }), 'matrix 2×3'],
    [{ length: 3 }, 'Object of length 3'],
    [Object.assign(Object.create(null) as object, { length: 3 }), 'array-like of length 3'],
    [Object.create(null), 'an object'],
    [new (class Weights {})(), 'a Weights'],
    [{ weights: [1] }, 'an object'],
    [{ then: () => undefined }, 'a Promise'],
    [{ rows: 2 }, 'an object'],
    [{ rows: 2, columns: 3, set: () => undefined }, 'Object 2×3'],
    [{ rows: 2, columns: 3, get: () => 0 }, 'Object 2×3'],
    [{ columns: 3, get: () => 0, set: () => undefined }, 'an object'],
    [{ rows: 2, get: () => 0, set: () => undefined }, 'an object'],
    [{ size: 2, set: () => undefined }, 'an object'],
    [{ size: 2, get: () => 0 }, 'an object'],
  ])('%j', (value, why) => {
    const error = errorOf(() => viewTensor(value, 'T'));
    expect((error as GradcheckError).message).toBe(`T is ${why}; expected ${ACCEPTED}.`);
  });

  it('views { data: Float32Array, shape } in float32, and any object with rows, columns, get and set', () => {
    const f = viewTensor({ data: new Float32Array(2), shape: [2] }, 'T');
    expect([f.kind, f.precision]).toEqual(['{ data: Float32Array, shape }', 'float32']);
    const values = [1, 2, 3, 4];
    const m = {
      rows: 2,
      columns: 2,
      get: (r: number, c: number) => values[r * 2 + c]!,
      set: (r: number, c: number, v: number) => {
        values[r * 2 + c] = v;
      },
    };
    const view = viewTensor(m, 'M');
    view.set(3, 9);
    expect([view.kind, view.shape, view.get(2), values]).toEqual(['Object', [2, 2], 3, [1, 2, 3, 9]]);
  });

  it('formats a scalar’s shape and index, and an index in a shape with an empty dimension', () => {
    expect(formatShape([])).toBe('scalar');
    expect(formatIndex([], 0)).toBe('');
    expect(unravelIndex([0, 3], 2)).toEqual([0, 2]);
  });
});

describe('accessor views, in full', () => {
  const accessor = (extra: object): object => ({ size: 2, get: () => 0, set: () => undefined, ...extra });
  it.each<[object, string]>([
    [accessor({ size: -1 }), 'an accessor view with size -1'],
    [accessor({ size: 1.5 }), 'an accessor view with size 1.5'],
    [accessor({ shape: 'x' }), 'an accessor view with shape "x", not a list of sizes'],
    [accessor({ shape: [2, -1] }), 'an accessor view with shape [2,-1], not a list of sizes'],
    [accessor({ shape: [0.5, 4] }), 'an accessor view with shape [0.5,4], not a list of sizes'],
    [accessor({ shape: [3] }), 'an accessor view with shape [3] but size 2'],
    [accessor({ shape: [1, 3] }), 'an accessor view with shape [1,3] but size 2'],
    [accessor({ precision: 'float16' }), `an accessor view with precision "float16" (use 'float64' or 'float32')`],
  ])('%j', (value, why) => {
    expect(errorOf(() => viewTensor(value, 'T')).message).toMatch(new RegExp(`^T is ${escape(why)}; expected `));
  });

  it('default shape [size] and float64; a declared float32 storage; reads and writes through get and set', () => {
    const store = [1, 2, 3, 4];
    const plain = viewTensor(
      { size: 4, get: (i: number) => store[i]!, set: (i: number, v: number) => (store[i] = v) },
      'T',
    );
    expect([plain.kind, plain.shape, plain.size, plain.precision]).toEqual(['accessor view', [4], 4, 'float64']);
    plain.set(2, 30);
    expect([plain.get(2), store]).toEqual([30, [1, 2, 30, 4]]);
    const f32 = viewTensor(accessor({ size: 0, shape: [0, 3], precision: 'float32' }), 'T');
    expect([f32.shape, f32.size, f32.precision]).toEqual([[0, 3], 0, 'float32']);
    expect(viewTensor(accessor({ precision: 'float64' }), 'T').precision).toBe('float64');
  });

  it('a Map with size, get and set is a Map, not an accessor view', () => {
    const map = new Map<number, number>();
    expect(errorOf(() => viewTensor(map, 'T')).message).toMatch(/^T is a Map; expected /);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('matrices, empty tensors and the adapter registry', () => {
  it('a matrix-like object without a prototype is a "matrix"', () => {
    const values = [1, 2, 3, 4];
    const m = Object.assign(Object.create(null) as object, {
      rows: 2,
      columns: 2,
      get: (r: number, c: number) => values[r * 2 + c]!,
      set: (r: number, c: number, v: number) => (values[r * 2 + c] = v),
    });
    const view = viewTensor(m, 'M');
    expect([view.kind, view.shape, view.get(3)]).toEqual(['matrix', [2, 2], 4]);
  });

  it.each<[string, unknown[]]>([
    ['more rows of data than rows', [new Float64Array(2), new Float64Array(2), new Float64Array(2)]],
    ['rows of another length', [new Float64Array(3), new Float64Array(3)]],
    ['only its first row a Float64Array of the right length', [new Float64Array(2), new Float64Array(3)]],
    [
      'rows that are not Float64Arrays',
      [
        [0, 0],
        [0, 0],
      ],
    ],
    ['one row a Float64Array, the other not', [new Float64Array(2), [0, 0]]],
  ])('a matrix-like whose data is not its storage (%s) is read through get and set', (_, data) => {
    const values = [1, 2, 3, 4];
    const m = {
      rows: 2,
      columns: 2,
      data,
      get: (r: number, c: number) => values[r * 2 + c]!,
      set: (r: number, c: number, v: number) => (values[r * 2 + c] = v),
    };
    const view = viewTensor(m, 'M');
    expect(roundTrip(view)).toEqual([1, 2, 3, 4]);
    view.set(1, 20);
    expect(values).toEqual([1, 20, 3, 4]);
  });

  it('{ data, shape } with a zero dimension is an empty tensor; a Float32Array is named so', () => {
    const empty = viewTensor({ data: [], shape: [0, 3] }, 'T');
    expect([empty.shape, empty.size]).toEqual([[0, 3], 0]);
    expect(viewTensor(new Float32Array(2), 'T').kind).toBe('Float32Array');
  });

  it('unregistering an adapter twice leaves the other adapters registered', () => {
    class A {}
    class B {}
    const view = (kind: string): TensorView => ({
      kind,
      shape: [1],
      size: 1,
      precision: 'float64',
      get: () => 0,
      set: () => undefined,
    });
    const offA = registerTensorAdapter({ name: 'A', matches: (v): v is A => v instanceof A, view: () => view('A') });
    const offB = registerTensorAdapter({ name: 'B', matches: (v): v is B => v instanceof B, view: () => view('B') });
    try {
      offB();
      offB();
      expect(viewTensor(new A(), 'a').kind).toBe('A');
    } finally {
      offA();
    }
  });
});

describe('what makes an accessor view (round 7)', () => {
  it('needs size, get and set: without get or set the object is no tensor', () => {
    expect(() => viewTensor({ size: 2, set: () => undefined }, 'parameter w')).toThrow(/^parameter w is an object/);
    expect(() => viewTensor({ size: 2, get: () => 0 }, 'parameter w')).toThrow(/^parameter w is an object/);
  });

  it('names the shape and the size that disagree', () => {
    const view = { size: 5, shape: [2, 3], get: () => 0, set: () => undefined };
    expect(() => viewTensor(view, 'parameter w')).toThrow(/an accessor view with shape \[2,3\] but size 5/);
  });
});
