import { describe, expect, it } from 'vitest';
import { Matrix } from 'ml-matrix';
import {
  checkGradients,
  checkGradientsAsync,
  formatReport,
  GradcheckError,
  registerTensorAdapter,
  type GradcheckErrorCode,
  type Layer,
} from '../src/index.js';
import { numbers } from './models.js';
import { errorOf } from './caught.js';

const bits = (values: ArrayLike<number>): string =>
  Array.from(values, (v) => (Object.is(v, -0) ? '-0' : v.toString())).join();

/** A dense layer Y = W·X + b on ml-matrix matrices (X features × examples); `bug` plants a mistake. */
function denseLayer(bug: 'none' | 'dX-scale' | 'dX-transposed-W' | 'no-dX' | 'dW-sign' = 'none'): {
  layer: Layer<Matrix, Matrix>;
  W: Matrix;
  b: Matrix;
  X: Matrix;
} {
  const W = new Matrix([numbers(4, 1), numbers(4, 2), numbers(4, 3)]);
  const b = Matrix.columnVector(numbers(3, 4));
  const X = new Matrix([numbers(5, 5), numbers(5, 6), numbers(5, 7), numbers(5, 8)]);
  const layer: Layer<Matrix, Matrix> = {
    parameters: { W, b },
    forward: (X) => W.mmul(X).addColumnVector(b.getColumn(0)),
    backward: (dY, X) => {
      const dW = dY.mmul(X.transpose());
      const db = Matrix.columnVector(dY.sum('row'));
      if (bug === 'dW-sign') dW.mul(-1);
      if (bug === 'no-dX') return { dW, db };
      const dX = W.transpose().mmul(dY);
      if (bug === 'dX-scale') dX.mul(2);
      return { dX, dW, db };
    },
  };
  return { layer, W, b, X };
}

describe('layers: { parameters?, forward(X), backward(dY, X) }', () => {
  it('passes a correct dense layer, checking the input too, and names inputs in the report', () => {
    const { layer, X } = denseLayer();
    const r = checkGradients(layer, X);
    expect(r.passed).toBe(true);
    expect(r.tensors.map((t) => t.name)).toEqual(['W', 'b', 'X']);
    expect(r.inputs).toEqual({ names: ['X'], cotangents: 1 });
    expect(r.parameters).toBe(12 + 3 + 20);
    expect(formatReport(r)).toMatch(/15 parameters \+ 20 inputs · a random cotangent/);
    expect(formatReport(r)).toMatch(/X \(input\)\s+4×5\s+20/);
  });

  it('fails a wrong dX on the input alone, with its entries named X[i,j]', () => {
    const { layer, X } = denseLayer('dX-scale');
    const r = checkGradients(layer, X);
    expect(r.passed).toBe(false);
    expect(r.tensors.filter((t) => !t.passed).map((t) => t.name)).toEqual(['X']);
    expect(r.worst[0]!.label).toMatch(/^X\[\d,\d\]$/);
    expect(r.tensors.find((t) => t.name === 'X')!.diagnosis?.kind).toBe('scale');
  });

  it('fails a wrong weight gradient and diagnoses the sign', () => {
    const { layer, X } = denseLayer('dW-sign');
    const r = checkGradients(layer, X);
    expect(r.tensors.filter((t) => !t.passed).map((t) => t.name)).toEqual(['W']);
    expect(r.tensors[0]!.diagnosis?.kind).toBe('sign');
  });

  it('restores parameters and input bit for bit, also when forward throws mid-check', () => {
    const { layer, W, X } = denseLayer();
    const before = [bits(W.to1DArray()), bits(X.to1DArray())];
    let calls = 0;
    const throwing: Layer<Matrix, Matrix> = {
      ...layer,
      forward: (x) => {
        if (++calls === 9) throw new Error('boom');
        return layer.forward(x) as Matrix;
      },
    };
    const thrown = errorOf(() => checkGradients(throwing, X));
    expect(thrown.code).toBe('MODEL_THREW');
    expect(thrown.message).toMatch(/^forward\(X\) threw with (W|b|X)\[\d,\d\] = .*: boom \(called with X 4×5\)$/);
    expect([bits(W.to1DArray()), bits(X.to1DArray())]).toEqual(before);
    checkGradients(layer, X);
    expect([bits(W.to1DArray()), bits(X.to1DArray())]).toEqual(before);
  });

  it('checks the parameters only when backward returns no input gradient, and says so', () => {
    const { layer, X } = denseLayer('no-dX');
    const r = checkGradients(layer, X);
    expect(r.passed).toBe(true);
    expect(r.tensors.map((t) => t.name)).toEqual(['W', 'b']);
    expect(r.inputs?.names).toEqual([]);
    expect(r.warnings.join('\n')).toMatch(/input X was not checked: backward\(dY, X\) returned no gradient for it/);
    expect(formatReport(r)).toMatch(/note: input X was not checked/);
  });

  it('calls backward right after forward at the same point, so a layer may use its forward cache', () => {
    const X = Float64Array.from(numbers(6, 3));
    let cache: Float64Array | undefined;
    const sigmoid: Layer<Float64Array, Float64Array> = {
      forward: (x) => (cache = x.map((v) => 1 / (1 + Math.exp(-v)))),
      // Uses only the cached output, and writes into dY in place (a common pattern).
      backward: (dY) => {
        for (let i = 0; i < dY.length; i++) dY[i] = dY[i]! * cache![i]! * (1 - cache![i]!);
        return dY;
      },
    };
    expect(checkGradients(sigmoid, X).passed).toBe(true);
  });

  it('checks a record of inputs { a, b } through da and db, and a record of outputs', () => {
    const a = Float64Array.from(numbers(4, 1)),
      b = numbers(4, 2);
    const op = (bug: boolean): Layer<{ a: Float64Array; b: number[] }, { sum: number[]; product: Float64Array }> => ({
      forward: ({ a, b }) => ({ sum: b.map((v, i) => v + a[i]!), product: a.map((v, i) => v * b[i]!) }),
      backward: (dY, { a, b }) => ({
        da: a.map((_, i) => dY.sum[i]! + dY.product[i]! * b[i]!),
        db: b.map((_, i) => dY.sum[i]! + dY.product[i]! * (bug ? b[i]! : a[i]!)),
      }),
    });
    const good = checkGradients(op(false), { a, b });
    expect(good.passed).toBe(true);
    expect(good.inputs?.names).toEqual(['a', 'b']);
    const bad = checkGradients(op(true), { a, b });
    expect(bad.tensors.filter((t) => !t.passed).map((t) => t.name)).toEqual(['b']);
  });

  it('rejects a name used by an input and a parameter', () => {
    const layer: Layer = { parameters: { X: [1] }, forward: (x) => x, backward: (d) => ({ dX: d }) };
    const e = errorOf(() => checkGradients(layer, [1, 2]));
    expect(e.code).toBe('DUPLICATE_NAME');
    expect(e.message).toMatch(/"X" names both an input and a parameter/);
  });

  it('catches a gradient that accumulates across calls', () => {
    const { layer, X } = denseLayer();
    const sum = Matrix.zeros(3, 4);
    const accumulating: Layer<Matrix, Matrix> = {
      ...layer,
      backward: (dY, x) => {
        const g = layer.backward(dY, x) as { dW: Matrix };
        sum.add(g.dW);
        return { ...g, dW: sum.clone() };
      },
    };
    const e = errorOf(() => checkGradients(accumulating, X));
    expect(e.code).toBe('NONDETERMINISTIC_GRADIENT');
    expect(e.message).toMatch(/W\[0,0\] at the same point/);
  });

  it('checks k random cotangents with cotangents: k, stopping at the first that fails', () => {
    const { layer, X } = denseLayer();
    const one = checkGradients(layer, X);
    const three = checkGradients(layer, X, { cotangents: 3 });
    expect(three.passed).toBe(true);
    expect(three.inputs?.cotangents).toBe(3);
    expect(three.evaluations.loss).toBeGreaterThan(2.5 * one.evaluations.loss);
    expect(three.warnings.join()).toMatch(/3 random cotangents checked, each passed/);
    const bad = checkGradients(denseLayer('dX-scale').layer, X, { cotangents: 3 });
    expect(bad.passed).toBe(false);
    expect(bad.warnings.join()).toMatch(/cotangent 1 of 3 failed/);
  });

  it('accepts the options second, or a bare eps, and refuses targets and options together', () => {
    const { layer, X } = denseLayer();
    expect(checkGradients(layer, X, { tolerance: 1e-5 }).tolerance).toBe(1e-5);
    expect(checkGradients(layer, X, 1e-6).step).toBe(1e-6);
    expect(errorOf(() => checkGradients(layer, X, {} as never, { seed: 1 })).code).toBe('INVALID_OPTION');
  });

  it('runs the directional and sampled modes on layers', () => {
    const { layer, X } = denseLayer('dX-scale');
    const directional = checkGradients(layer, X, { mode: 'directional' });
    expect(directional.passed).toBe(false);
    expect(directional.tensors.filter((t) => !t.passed).map((t) => t.name)).toEqual(['X']);
    const sampled = checkGradients(denseLayer().layer, X, { mode: 'sampled', samples: 3 });
    expect(sampled.passed).toBe(true);
    expect(sampled.checked).toBe(9);
  });

  it('reports a ReLU input at its kink as not differentiable, as for models', () => {
    const relu: Layer<number[], number[]> = {
      forward: (x) => x.map((v) => Math.max(0, v)),
      backward: (dY, x) => x.map((v, i) => (v > 0 ? dY[i]! : 0)),
    };
    const r = checkGradients(relu, [0.5, 0, -0.3, 0, 1.2]);
    expect(r.passed).toBe(true);
    expect(r.kinks.entries).toEqual(['X[1]', 'X[3]']);
    expect(checkGradients(relu, [0.5, 0, -0.3, 0, 1.2], { kinks: 'fail' }).passed).toBe(false);
  });

  it('checks a layer with a number output (a loss layer)', () => {
    const x = Float64Array.from(numbers(5, 9));
    const logSumExp: Layer<Float64Array, number> = {
      forward: (x) => Math.log(x.reduce((s, v) => s + Math.exp(v), 0)),
      backward: (dY, x) => {
        const z = x.reduce((s, v) => s + Math.exp(v), 0);
        return { dX: x.map((v) => (dY * Math.exp(v)) / z) };
      },
    };
    expect(checkGradients(logSumExp, x).passed).toBe(true);
  });

  it('checks in float32 when the output is float32, whatever the inputs and weights', () => {
    const X = Float64Array.from(numbers(12, 13));
    const W = Float64Array.from(numbers(12, 14));
    const slope = (x: Float64Array, i: number) => 1 - Math.tanh(x[i]! * W[i]!) ** 2;
    const layer: Layer<Float64Array, Float32Array> = {
      parameters: { W },
      forward: (x) => Float32Array.from(x, (v, i) => Math.tanh(v * W[i]!)),
      backward: (dY, x) => ({
        dX: x.map((_, i) => dY[i]! * slope(x, i) * W[i]!),
        dW: x.map((v, i) => dY[i]! * slope(x, i) * v),
      }),
    };
    const r = checkGradients(layer, X);
    expect(r.precision).toBe('float32');
    expect(r.tolerance).toBe(1e-3);
    expect(r.passed).toBe(true);
  });

  it('checks async layers with checkGradientsAsync', async () => {
    const { layer, X } = denseLayer();
    const asyncLayer: Layer<Matrix, Matrix> = {
      parameters: layer.parameters!,
      forward: async (x) => layer.forward(x),
      backward: async (dY, x) => layer.backward(dY, x),
    };
    expect((await checkGradientsAsync(asyncLayer, X)).passed).toBe(true);
    expect(errorOf(() => checkGradients(asyncLayer, X)).code).toBe('ASYNC_MODEL');
  });

  it.each<[string, () => unknown, GradcheckErrorCode, RegExp]>([
    [
      'forward changing its input',
      () =>
        checkGradients(
          {
            forward: (x: number[]) => {
              x[0] = x[0]! + 1;
              return [...x];
            },
            backward: (d: number[]) => d,
          },
          [1, 2],
        ),
      'PARAMETERS_CHANGED',
      /changed X\[0\]/,
    ],
    [
      'an output whose shape changes',
      () => {
        let n = 0;
        return checkGradients(
          { forward: (x: number[]) => (n++ > 2 ? [1, ...x] : [...x]), backward: (d: number[]) => d },
          [1, 2],
        );
      },
      'SHAPE_MISMATCH',
      /output is 3 here but was 2/,
    ],
    [
      'no gradient at all and no parameters',
      () => checkGradients({ forward: (x: number[]) => x.map((v) => v * 2), backward: () => ({}) }, [1, 2]),
      'NO_PARAMETERS',
      /nothing to check/,
    ],
    [
      'an output that is not a tensor',
      () => checkGradients({ forward: () => 'y', backward: (d: unknown) => d }, [1, 2]),
      'UNSUPPORTED_TENSOR',
      /forward\(X\) returned "y"/,
    ],
    [
      'neither a model, a layer nor a function',
      () => checkGradients({ forward: () => 1 } as never, [1], undefined),
      'NOT_A_MODEL',
      /a layer \{ parameters\?, forward\(X\), backward\(dY, X\) \}/,
    ],
  ])('explains %s', (_, run, code, message) => {
    const e = errorOf(run);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });
});

describe('layer messages and adapters', () => {
  it('name the layer calls and the input in errors', () => {
    const missing = errorOf(() =>
      checkGradients({ parameters: { w: [1] }, forward: (x: number[]) => x, backward: () => ({ dX: [1, 1] }) }, [1, 2]),
    );
    expect(missing.code).toBe('MISSING_GRADIENT');
    expect(missing.message).toMatch(/^backward\(dY, X\) has no gradient for parameter w /);
    const shape = errorOf(() =>
      checkGradients({ forward: (x: number[]) => x, backward: () => ({ dX: [1, 1, 1] }) }, [1, 2]),
    );
    expect(shape.code).toBe('SHAPE_MISMATCH');
    expect(shape.message).toMatch(/but input X has shape 2/);
    const nan = errorOf(() => checkGradients({ f: () => NaN, grad: () => [0] }, [1]));
    expect(nan.message).toMatch(/^f\(x\) is NaN/);
    const async = errorOf(() => checkGradients({ f: async () => 1, grad: () => [0] }, [1]));
    expect(async.message).toMatch(/^f\(x\) returned a Promise: .*checkGradientsAsync\(\{ f, grad \}, x\)/);
  });

  it('view inputs with the role input, so an adapter may accept a value as an input only', () => {
    class Frozen {
      constructor(readonly values: Float64Array) {}
    }
    const roles: string[] = [];
    const unregister = registerTensorAdapter({
      name: 'Frozen',
      matches: (v): v is Frozen => v instanceof Frozen,
      view: (t: Frozen, role) => {
        roles.push(role);
        if (role === 'parameter') throw new GradcheckError('UNSUPPORTED_TENSOR', 'a Frozen cannot be a parameter');
        return {
          kind: 'Frozen',
          shape: [t.values.length],
          size: t.values.length,
          precision: 'float64',
          get: (i) => t.values[i]!,
          set: (i, v) => {
            t.values[i] = v;
          },
        };
      },
    });
    try {
      const square: Layer<Frozen, number[]> = {
        forward: (x) => Array.from(x.values, (v) => v * v),
        backward: (dY, x) => Array.from(x.values, (v, i) => 2 * v * dY[i]!),
      };
      expect(checkGradients(square, new Frozen(Float64Array.of(1, -2, 0.5))).passed).toBe(true);
      expect(roles).toContain('input');
      expect(roles).not.toContain('parameter');
    } finally {
      unregister();
    }
  });
});

describe('functions: { f(x), grad(x) }', () => {
  const rosenbrock = (bug = false) => ({
    f: ([a, b]: number[]) => (1 - a!) ** 2 + 100 * (b! - a! * a!) ** 2,
    grad: ([a, b]: number[]) => [-2 * (1 - a!) - 400 * a! * (b! - a! * a!), (bug ? 100 : 200) * (b! - a! * a!)],
  });

  it('passes a correct gradient and fails a wrong one, naming x[i]', () => {
    const x = [-1.2, 1];
    const good = checkGradients(rosenbrock(), x);
    expect(good.passed).toBe(true);
    expect(good.inputs).toEqual({ names: ['x'] });
    expect(formatReport(good)).toMatch(/^2 inputs · 2 checked \(full\)/m);
    const bad = checkGradients(rosenbrock(true), x);
    expect(bad.passed).toBe(false);
    expect(bad.worst[0]!.label).toBe('x[1]');
    expect(x).toEqual([-1.2, 1]);
  });

  it('takes x as any tensor (a Float32Array checks in float32)', () => {
    const x = Float32Array.from([0.5, -0.25, 1.5]);
    const r = checkGradients(
      { f: (x: Float32Array) => x.reduce((s, v) => s + v ** 3, 0), grad: (x: Float32Array) => x.map((v) => 3 * v * v) },
      x,
    );
    expect(r.passed).toBe(true);
    expect(r.precision).toBe('float32');
  });

  it('refuses cotangents, and a plain number x', () => {
    expect(errorOf(() => checkGradients(rosenbrock(), [1, 1], { cotangents: 2 })).code).toBe('INVALID_OPTION');
    const e = errorOf(() => checkGradients({ f: (x: number) => x * x, grad: (x: number) => [2 * x] }, 3));
    expect(e.code).toBe('UNSUPPORTED_TENSOR');
    expect(e.message).toMatch(/plain number \(3\)/);
  });
});

describe('accessor views { size, get, set, shape? }', () => {
  it('are tensors as parameters, gradients and inputs: weights on objects need no mirror array', () => {
    const neurons = numbers(6, 11).map((weight) => ({ weight, grad: 0 }));
    const weights = {
      size: 6,
      shape: [2, 3],
      get: (i: number) => neurons[i]!.weight,
      set: (i: number, v: number) => {
        neurons[i]!.weight = v;
      },
    };
    const inputs = numbers(3, 12).map((value) => ({ value }));
    const x = { size: 3, get: (i: number) => inputs[i]!.value, set: (i: number, v: number) => (inputs[i]!.value = v) };
    const layer: Layer = {
      parameters: { W: weights },
      forward: () =>
        [0, 1].map((r) => [0, 1, 2].reduce((s, c) => s + neurons[r * 3 + c]!.weight * inputs[c]!.value, 0)),
      backward: (dY: number[]) => {
        neurons.forEach((n, i) => (n.grad = dY[Math.floor(i / 3)]! * inputs[i % 3]!.value));
        return {
          dW: { size: 6, get: (i: number) => neurons[i]!.grad, set: () => undefined },
          dX: [0, 1, 2].map((c) => dY[0]! * neurons[c]!.weight + dY[1]! * neurons[3 + c]!.weight),
        };
      },
    };
    const r = checkGradients(layer, x);
    expect(r.passed).toBe(true);
    expect(r.tensors.map((t) => [t.name, t.shape])).toEqual([
      ['W', [2, 3]],
      ['X', [3]],
    ]);
  });

  it('explain a shape that does not match the size', () => {
    const e = errorOf(() =>
      checkGradients({ f: () => 0, grad: () => [0, 0] }, { size: 2, shape: [3], get: () => 0, set: () => undefined }),
    );
    expect(e.code).toBe('UNSUPPORTED_TENSOR');
    expect(e.message).toMatch(/shape \[3\] but size 2/);
  });
});
