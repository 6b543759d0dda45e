// The check of a layer or a function around its model checks (layer-check.ts, layer.ts): where a
// backward that throws is reported, how a function's arguments are read, and inputs that look
// like a tensor but are not one.
import { describe, expect, it } from 'vitest';
import { checkGradients, checkGradientsAsync, type GradcheckError } from '../src/index.js';
import { messageOf } from './caught.js';
import { LayerModel, protocolOf } from '../src/layer.js';

/** y = w·X elementwise; `backward` may throw at a given call. */
function scaling(throwAt?: number) {
  const w = new Float64Array([0.5]);
  let calls = 0;
  return {
    parameters: { w },
    forward: (X: Float64Array) => X.map((x) => w[0]! * x),
    backward: (dY: Float64Array, X: Float64Array) => {
      if (++calls === throwAt) throw new Error(`call ${calls}`);
      return { dw: [dY.reduce((s, d, i) => s + d * X[i]!, 0)], dX: dY.map((d) => w[0]! * d) };
    },
  };
}

describe('the probe at the given point', () => {
  it.each([
    [1, 'MODEL_THREW: backward(dY, X) threw at the given point: call 1 (called with X 2)'],
    [2, 'MODEL_THREW: backward(dY, X) threw at the given point, the second time: call 2 (called with X 2)'],
  ])('says which of its two backward passes threw (%i)', (at, message) => {
    expect(messageOf(() => checkGradients(scaling(at), new Float64Array([1, 2])))).toBe(message);
  });
});

describe('a function { f, grad }', () => {
  it('takes a bare array from grad as the gradient of its one input', () => {
    const result = checkGradients({ f: (x: number[]) => x[0]! ** 2, grad: (x: number[]) => [2 * x[0]!] }, [3]);
    expect(result.passed).toBe(true);
    expect(result.inputs).toEqual({ names: ['x'] });
  });

  it('refuses targets and options together, naming its argument x', () => {
    const fn = { f: (x: number[]) => x[0]! ** 2, grad: (x: number[]) => [2 * x[0]!] };
    expect(messageOf(() => checkGradients(fn, [3], [1] as never, {} as never))).toBe(
      'INVALID_OPTION: a function is checked with (x, options): it has no targets Y, but received an array of length 1 and then options.',
    );
  });

  it('reads an object with get and set as one faulty tensor, not as a record of inputs', () => {
    const accessorLike = { get: () => 1, set: () => undefined };
    expect(messageOf(() => checkGradients({ f: () => 1, grad: () => [0] }, accessorLike as never))).toMatch(
      /^UNSUPPORTED_TENSOR: input x is an object; expected /,
    );
  });
});

describe('several cotangents', () => {
  // A backward wrong only where dY[0] < 0: whether a cotangent shows the bug depends on its draw.
  const signDependent = () => {
    const w = new Float64Array([0.5]);
    return {
      parameters: { w },
      forward: (X: Float64Array) => X.map((x) => w[0]! * x),
      backward: (dY: Float64Array, X: Float64Array) => ({
        dw: [dY.reduce((s, d, i) => s + d * X[i]!, 0) * (dY[0]! < 0 ? 1.5 : 1)],
        dX: dY.map((d) => w[0]! * d),
      }),
    };
  };
  const x = () => new Float64Array([1, -2, 3]);

  it('a later cotangent that fails is the one shown, and the note says the earlier ones passed', () => {
    const result = checkGradients(signDependent(), x(), { cotangents: 4, seed: 6 });
    expect(result.passed).toBe(false);
    expect(result.warnings).toContain('cotangent 2 of 4 failed (the first 1 passed).');
  });

  it('when each passes, the one with the largest difference is shown', () => {
    const result = checkGradients(signDependent(), x(), { cotangents: 4, seed: 4 });
    expect(result.passed).toBe(true);
    expect(result.warnings).toContain(
      '4 random cotangents checked, each passed; shown: cotangent 2, the largest difference.',
    );
    expect(result.inputs).toEqual({ names: ['X'], cotangents: 4 });
  });
});

describe('an async layer', () => {
  it('whose output cannot be copied for dY is refused, saying what to return', async () => {
    const w = new Float64Array([0.5]);
    const layer = {
      parameters: { w },
      forward: (X: Float64Array) => {
        const s = X.map((v) => w[0]! * v);
        return Promise.resolve({ size: 3, get: (i: number) => s[i]!, set: (i: number, v: number) => (s[i] = v) });
      },
      backward: (dY: { get(i: number): number }, X: Float64Array) =>
        Promise.resolve({ dw: [[0, 1, 2].reduce((s, i) => s + dY.get(i) * X[i]!, 0)] }),
    };
    let error: unknown;
    try {
      await checkGradientsAsync(layer, new Float64Array([1, -2, 3]));
    } catch (e) {
      error = e;
    }
    expect(`${(error as GradcheckError).code}: ${(error as GradcheckError).message}`).toMatch(
      /^UNSUPPORTED_TENSOR: forward\(X\) returned a type gradcheck cannot copy for dY \(an object\) from an async forward; return a Float64Array, an array or a type with clone\(\)\./,
    );
  });
});

describe('the messages of a layer or function check, in full', () => {
  const w = (): Float64Array => new Float64Array([0.5, -1]);
  it.each<[string, () => unknown, string]>([
    [
      'an input named like a parameter’s gradient',
      () =>
        checkGradients(
          { parameters: { W: w() }, forward: (x: number[]) => x, backward: (d: number[]) => ({ dX: d }) },
          { dW: [1, 2] },
        ),
      'DUPLICATE_NAME: "dW" names both an input and a parameter (or their gradients, ddW), so a gradient keyed "dW" or "ddW" would be ambiguous; pass the inputs as a record with other names, e.g. checkGradients(layer, { input: X }).',
    ],
    [
      'an input named like a parameter',
      () =>
        checkGradients(
          { parameters: { X: w() }, forward: (x: number[]) => x, backward: (d: number[]) => ({ dX: d }) },
          [1, 2],
        ),
      'DUPLICATE_NAME: "X" names both an input and a parameter (or their gradients, dX), so a gradient keyed "X" or "dX" would be ambiguous; pass the inputs as a record with other names, e.g. checkGradients(layer, { input: X }).',
    ],
    [
      'no gradient for two inputs and no parameters',
      () =>
        checkGradients(
          { forward: (x: { a: number[]; b: number[] }) => x.a, backward: () => ({}) },
          { a: [1, 2], b: [3] },
        ),
      'NO_PARAMETERS: backward(dY, X) returned no gradient for a, b and the layer has no parameters: there is nothing to check (return { da, db }).',
    ],
    [
      'a gradient that accumulates, in the second tensor',
      () => {
        const v = w();
        let calls = 0;
        return checkGradients(
          {
            parameters: { v },
            forward: (x: number[]) => x.map((xi, i) => v[i]! * xi),
            backward: (d: number[], x: number[]) => ({
              dv: d.map((di, i) => di * x[i]!),
              dX: d.map((di, i) => di * v[i]! * ++calls),
            }),
          },
          [1, 2],
        );
      },
      'NONDETERMINISTIC_GRADIENT',
    ],
    [
      'a forward that changes its parameters',
      () => {
        const v = w();
        return checkGradients(
          {
            parameters: { v },
            forward: (x: number[]) => ((v[0] = v[0]! + 1), x.map((xi, i) => v[i]! * xi)),
            backward: (d: number[]) => ({ dv: d }),
          },
          [1, 2],
        );
      },
      'PARAMETERS_CHANGED: forward(X) or backward(dY, X) changed v[0] (was 0.5, found 2.5); a layer must not change its parameters or inputs (they were restored).',
    ],
    [
      'a function given cotangents',
      () => checkGradients({ f: (x: number[]) => x[0]!, grad: () => [1] }, [1], { cotangents: 2 }),
      'INVALID_OPTION: cotangents applies to layers; a function has a scalar value.',
    ],
    [
      'a model given cotangents',
      () =>
        checkGradients({ parameters: { v: w() }, loss: () => 1, gradients: () => ({ v: [0, 0] }) }, null, null, {
          cotangents: 2,
        }),
      'INVALID_OPTION: cotangents applies to layers ({ parameters?, forward(X), backward(dY, X) }); a model has a scalar loss.',
    ],
  ])('%s', (_, run, message) => {
    if (message === 'NONDETERMINISTIC_GRADIENT') {
      // The values are the seeded cotangent's; the entry is the input's own X[0], after v's two entries.
      expect(messageOf(run)).toMatch(
        /^NONDETERMINISTIC_GRADIENT: backward\(dY, X\) gave \S+ and then \S+ for X\[0\] at the same point; a gradient must depend on the point only: a gradient buffer that accumulates across calls \(\+= without zeroing\) or state kept between calls does this\.$/,
      );
    } else expect(messageOf(run)).toBe(message);
  });

  it('says which input was not checked, and the mode requested', () => {
    const v = w();
    const result = checkGradients(
      {
        parameters: { v },
        forward: (x: number[]) => x.map((xi, i) => v[i]! * xi),
        backward: (d: number[], x: number[]) => ({ dv: d.map((di, i) => di * x[i]!) }),
      },
      [1, 2],
      { mode: 'full' },
    );
    expect([result.warnings, result.modeReason]).toEqual([
      ['input X was not checked: backward(dY, X) returned no gradient for it (looked for "dX" and "X").'],
      "mode: 'full' requested",
    ]);
  });
});

describe('a synchronous check of async layer code names the call that returned a Promise', () => {
  const X = new Float64Array([1, 2]);
  const sync = scaling();
  it.each([
    ['forward', { ...sync, forward: async (x: Float64Array) => sync.forward(x) }, 'forward(X)'],
    [
      'backward',
      { ...sync, backward: async (dY: Float64Array, x: Float64Array) => sync.backward(dY, x) },
      'backward(dY, X)',
    ],
  ])('an async %s', (_, layer, call) => {
    expect(messageOf(() => checkGradients(layer as never, X))).toBe(
      `ASYNC_MODEL: ${call} returned a Promise: this code is asynchronous. Check it with ` +
        '`await checkGradientsAsync(layer, X)` or `await expect(layer).toPassGradientCheckAsync(X)`.',
    );
  });
  it('and checks the same layer asynchronously', async () => {
    const layer = { ...sync, forward: async (x: Float64Array) => sync.forward(x) };
    expect((await checkGradientsAsync(layer as never, X)).passed).toBe(true);
  });
});

/** An elementwise layer y = w ⊙ x with its exact backward, and an input for it. */
function elementwiseLayer() {
  const w = new Float64Array([0.5, -1]);
  const X = new Float64Array([1, 2]);
  const layer = {
    parameters: { w },
    forward: (x: Float64Array) => x.map((v, i) => w[i]! * v),
    backward: (dY: Float64Array, x: Float64Array) => ({
      dw: dY.map((d, i) => d * x[i]!),
      dX: dY.map((d, i) => d * w[i]!),
    }),
  };
  return { w, X, layer };
}

describe('what is a layer, a function, one input or a record of inputs (layer.ts)', () => {
  const { w, X, layer } = elementwiseLayer();

  it('an object with f but no grad is no function: the model message lists what is missing', () => {
    expect(messageOf(() => checkGradients({ f: (x: number[]) => x[0]! } as never, [1, 2]))).toMatch(
      /^NOT_A_MODEL: expected a model, received an object without parameters, loss, gradients\. /,
    );
  });

  it("a function's messages name grad(x), and its parameters property is not read", () => {
    expect(messageOf(() => checkGradients({ f: (x: number[]) => x[0]! * x[1]!, grad: () => ({}) }, [1, 2]))).toBe(
      'NO_PARAMETERS: grad(x) returned no gradient for x and the function has no parameters: there is nothing to check (return { dx }).',
    );
    const withParameters = {
      parameters: { w },
      f: (x: number[]) => x[0]! * x[1]!,
      grad: (x: number[]) => [x[1]!, x[0]!],
    };
    const result = checkGradients(withParameters as never, [1, 2]);
    expect(result.passed).toBe(true);
    expect(result.tensors.map((t) => t.name)).toEqual(['x']);
  });

  it('a record with an input named data is a record, not a { data, shape } tensor', () => {
    const square = {
      forward: (i: { data: Float64Array }) => i.data.map((v) => v * v),
      backward: (dY: Float64Array, i: { data: Float64Array }) => ({ ddata: dY.map((d, k) => 2 * d * i.data[k]!) }),
    };
    const result = checkGradients(square as never, { data: new Float64Array([1, -2]) } as never);
    expect(result.passed).toBe(true);
    expect(result.tensors.map((t) => t.name)).toEqual(['data']);
  });

  it('an empty record is one input X (which the layer then cannot read), not no inputs', () => {
    expect(messageOf(() => checkGradients(layer as never, {} as never))).toMatch(
      /^MODEL_THREW: backward\(dY, X\) threw at the given point: .*\(called with X an object\)$/,
    );
  });

  it('a bare gradient is refused where it cannot be one input’s: a layer with parameters, or two inputs', () => {
    const bare =
      'NOT_A_MODEL: backward(dY, X) result is Float64Array of length 2; expected an object or Map from names to tensors.';
    expect(
      messageOf(() =>
        checkGradients({ ...layer, backward: (dY: Float64Array) => dY.map((d, i) => d * w[i]!) } as never, X),
      ),
    ).toBe(bare);
    const product = {
      forward: (i: { a: Float64Array; b: Float64Array }) => i.a.map((v, k) => v * i.b[k]!),
      backward: (dY: Float64Array, i: { a: Float64Array; b: Float64Array }) => dY.map((d, k) => d * i.b[k]!),
    };
    expect(messageOf(() => checkGradients(product as never, { a: X, b: new Float64Array([3, 4]) } as never))).toBe(
      bare,
    );
  });
});

describe('what is a layer, and what are its inputs (layer.ts, round 6)', () => {
  const w = new Float64Array([0.5, -0.25]);
  const fn = { f: () => 1, grad: () => [0] };

  it('a layer with parameters only is checked with X null: no inputs', () => {
    const product = {
      parameters: { w },
      forward: () => new Float64Array([w[0]! * w[1]!]),
      backward: (dY: Float64Array) => ({ dw: [dY[0]! * w[1]!, dY[0]! * w[0]!] }),
    };
    const result = checkGradients(product as never, null as never);
    expect(result.passed).toBe(true);
    expect(result.inputs?.names).toEqual([]);
  });

  it('an empty record is one input X, noted as not checked when backward gives it no gradient', () => {
    const product = {
      parameters: { w },
      forward: () => new Float64Array([w[0]! * w[1]!]),
      backward: (dY: Float64Array) => ({ dw: [dY[0]! * w[1]!, dY[0]! * w[0]!] }),
    };
    const result = checkGradients(product as never, {} as never);
    expect(result.passed).toBe(true);
    expect(result.warnings).toContain(
      'input X was not checked: backward(dY, X) returned no gradient for it (looked for "dX" and "X").',
    );
  });

  it('a Map of inputs is a record of inputs, each checked', () => {
    const scaled = {
      parameters: { w },
      forward: (m: Map<string, Float64Array>) => m.get('a')!.map((v, i) => v * w[i]!),
      backward: (dY: Float64Array, m: Map<string, Float64Array>) => ({
        dw: dY.map((d, i) => d * m.get('a')![i]!),
        da: dY.map((d, i) => d * w[i]!),
      }),
    };
    const result = checkGradients(scaled as never, new Map([['a', new Float64Array([1, 2])]]) as never);
    expect(result.passed).toBe(true);
    expect(result.tensors.map((t) => t.name)).toEqual(['w', 'a']);
  });

  it('an object with loss and gradients is a model even when it has forward and backward too', () => {
    const v = [0.5];
    const both = {
      parameters: { v },
      loss: () => v[0]! ** 2,
      gradients: () => ({ v: [2 * v[0]!] }),
      forward: () => {
        throw new Error('not a layer');
      },
      backward: () => {
        throw new Error('not a layer');
      },
    };
    expect(checkGradients(both as never, null, null).passed).toBe(true);
  });

  it('a function carrying f and grad as properties is no { f, grad } object', () => {
    const carrier = Object.assign(() => 0, fn);
    expect(messageOf(() => checkGradients(carrier as never, [3] as never))).toMatch(
      /^NOT_A_MODEL: expected a model, received function without parameters, loss, gradients\./,
    );
  });

  it('names layer.parameters when they are no record, and a parameter dX beside an input X', () => {
    const X = new Float64Array([1, 2]);
    expect(
      messageOf(() => checkGradients({ parameters: 42, forward: () => 1, backward: () => ({}) } as never, X)),
    ).toBe('NOT_A_MODEL: layer.parameters is 42; expected an object or Map from names to tensors.');
    expect(
      messageOf(() => checkGradients({ parameters: { dX: w }, forward: () => 1, backward: () => ({}) } as never, X)),
    ).toMatch(/^DUPLICATE_NAME: "X" names both an input and a parameter \(or their gradients, dX\)/);
  });

  it('an object with get or set alone is a record of inputs; a faulty { data, shape } is one input', () => {
    expect(messageOf(() => checkGradients(fn, { get: () => 1 } as never))).toMatch(
      /^UNSUPPORTED_TENSOR: input get is function; expected /,
    );
    expect(messageOf(() => checkGradients(fn, { set: () => 1 } as never))).toMatch(
      /^UNSUPPORTED_TENSOR: input set is function; expected /,
    );
    expect(messageOf(() => checkGradients(fn, { data: [1, 2, 3], shape: [2, 2] } as never))).toMatch(
      /^UNSUPPORTED_TENSOR: input x is \{ data, shape \} with shape \[2,2\] \(4 entries\) but 3 data values;/,
    );
  });
});

describe('the result of a layer check (layer-check.ts, round 6)', () => {
  /** y = w₀·X elementwise; dY and the backward calls recorded; `bug` scales dw. */
  const recording = (bug = 1) => {
    const w = new Float64Array([0.5]);
    const seen = { calls: 0, dY: [] as number[][] };
    const layer = {
      parameters: { w },
      forward: (X: Float64Array) => X.map((x) => w[0]! * x),
      backward: (dY: Float64Array, X: Float64Array) => {
        seen.calls++;
        seen.dY.push(Array.from(dY));
        return { dw: [bug * dY.reduce((s, d, i) => s + d * X[i]!, 0)], dX: dY.map((d) => w[0]! * d) };
      },
    };
    return { layer, seen };
  };

  it('reports the loss ⟨R, Y⟩ without the offset the check adds, and every backward call it made', () => {
    const { layer, seen } = recording();
    const X = new Float64Array([1.5, -0.5]);
    const result = checkGradients(layer, X);
    expect(result.passed).toBe(true);
    const R = seen.dY[0]!;
    expect(result.loss).toBeCloseTo(R[0]! * 0.5 * 1.5 + R[1]! * 0.5 * -0.5, 12);
    expect(result.evaluations.gradients).toBe(seen.calls);
  });

  it('notes the first of several cotangents failing without claiming earlier ones passed', () => {
    const { layer } = recording(1.5);
    const result = checkGradients(layer, new Float64Array([1, -2, 3]), { cotangents: 3 });
    expect(result.passed).toBe(false);
    expect(result.warnings).toContain('cotangent 1 of 3 failed.');
  });

  it('takes the options third after an undefined second argument', () => {
    const { layer } = recording();
    expect(checkGradients(layer, new Float64Array([1, 2]), undefined, { seed: 3 }).seed).toBe(3);
  });

  it('names the entry of a later tensor whose gradient changed between two calls at the same point', () => {
    const w = new Float64Array([0.5]);
    let calls = 0;
    const layer = {
      parameters: { w },
      forward: (X: Float64Array) => X.map((x) => w[0]! * x),
      backward: (dY: Float64Array, X: Float64Array) => {
        calls++;
        return {
          dw: [dY.reduce((s, d, i) => s + d * X[i]!, 0)],
          dX: dY.map((d, i) => w[0]! * d + (i === 1 ? calls : 0)),
        };
      },
    };
    expect(messageOf(() => checkGradients(layer, new Float64Array([1, 2, 3])))).toMatch(
      /^NONDETERMINISTIC_GRADIENT: backward\(dY, X\) gave \S+ and then \S+ for X\[1\] at the same point;/,
    );
  });
});

describe('a layer among models, and its tensors before the probe (round 7)', () => {
  const { X, layer } = elementwiseLayer();

  it('an object with forward, backward and a loss method but no gradients is a layer, not a model', () => {
    expect(protocolOf({ ...layer, loss: () => 0 })).toBe('layer');
    expect(protocolOf({ f: () => 0, grad: () => [0], gradients: () => ({}) })).toBe('function');
    expect(checkGradients({ ...layer, loss: () => 0 } as never, X).passed).toBe(true);
  });

  it('reading the tensors before prepare() is a programming error, said so', () => {
    const model = new LayerModel(layer, 'layer', X, 1);
    expect(() => model.parameters).toThrow(new Error('LayerModel.prepare() must run before the tensors are read'));
  });
});
