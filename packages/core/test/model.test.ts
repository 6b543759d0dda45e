// What a model is and how its gradients are read (model.ts): both model shapes, sync and async,
// and every refusal with the message a user sees.
import { describe, expect, it } from 'vitest';
import { checkGradients, checkGradientsAsync, type GradientModel } from '../src/index.js';
import { isThenable, readGradient, readGradients } from '../src/model.js';
import { ParameterSet } from '../src/parameters.js';
import { messageOf } from './caught.js';

const SHAPES =
  'A model is { parameters, loss(X, Y), gradients(X, Y) } or { parameters, forward, cost, backward }; ' +
  'a layer { parameters?, forward(X), backward(dY, X) }; a function { f(x), grad(x) }.';

/** L = w₀² + 3·w₁. */
function model(gradients?: (w: Float64Array) => unknown): GradientModel & { w: Float64Array } {
  const w = new Float64Array([0.5, -1]);
  return {
    w,
    parameters: { w },
    loss: () => w[0]! ** 2 + 3 * w[1]!,
    gradients: () => (gradients ? gradients(w) : { dw: [2 * w[0]!, 3] }) as never,
  };
}

describe('what a model is', () => {
  it.each<[string, unknown, string]>([
    ['a number', 42, `NOT_A_MODEL: expected a model, received 42. ${SHAPES}`],
    [
      'a forward without cost and backward',
      { parameters: {}, forward: () => [] },
      `NOT_A_MODEL: expected a model, received an object without cost, backward. ${SHAPES}`,
    ],
    [
      'a loss without gradients',
      { parameters: {}, loss: () => 1 },
      `NOT_A_MODEL: expected a model, received an object without gradients. ${SHAPES}`,
    ],
    [
      'no parameters',
      { loss: () => 1, gradients: () => ({}) },
      `NOT_A_MODEL: expected a model, received an object without parameters. ${SHAPES}`,
    ],
  ])('refuses %s, saying what is missing and what a model is', (_, value, message) => {
    expect(messageOf(() => checkGradients(value as never, null, null))).toBe(message);
  });

  it('refuses a loss or gradients that is there but no function, naming it', () => {
    expect(
      messageOf(() => checkGradients({ parameters: {}, loss: 0.5, gradients: () => ({}) } as never, null, null)),
    ).toBe(`NOT_A_MODEL: expected a model, received an object without loss. ${SHAPES}`);
  });

  it('accepts a function that carries parameters, loss and gradients (a callable model)', () => {
    const w = new Float64Array([0.5, -1]);
    const callable = Object.assign(() => 0, {
      parameters: { w },
      loss: () => w[0]! ** 2 + 3 * w[1]!,
      gradients: () => ({ dw: [2 * w[0]!, 3] }),
    });
    expect(checkGradients(callable, null, null).passed).toBe(true);
  });

  it('treats a loss that returns undefined as a value, not a Promise', () => {
    const { parameters, gradients } = model();
    const error = messageOf(() =>
      checkGradients({ parameters, loss: () => undefined, gradients } as never, null, null),
    );
    expect(error).toBe(
      'LOSS_NOT_A_NUMBER: loss(X, Y) returned undefined at the unperturbed parameters; it must return a number.',
    );
  });

  it('knows a thenable function for a Promise, and a value with no then for none', () => {
    expect(isThenable(Object.assign(() => 0, { then: () => undefined }))).toBe(true);
    expect(isThenable({ then: () => undefined })).toBe(true);
    expect(isThenable(Promise.resolve(1))).toBe(true);
    for (const v of [undefined, null, 0, 'then', { then: 1 }, () => 0]) expect(isThenable(v)).toBe(false);
  });

  describe('{ parameters, forward, cost, backward }', () => {
    // forward(p, X) = [w₀²·X, caches]; cost(AL, Y) = AL + 3·w₁·Y; backward gives dw.
    const functional = (wrong: boolean) => {
      const w = new Float64Array([0.5, -1]);
      return {
        w,
        parameters: { w },
        forward: (p: { w: Float64Array }, X: number) => [p.w[0]! ** 2 * X, { X }] as const,
        cost: (AL: number, Y: number) => AL + 3 * w[1]! * Y,
        backward: (p: { w: Float64Array }, Y: number, caches: { X: number }, AL: number) => {
          expect(AL).toBe(p.w[0]! ** 2 * caches.X);
          return { dw: [(wrong ? 1 : 2) * p.w[0]! * caches.X, 3 * Y] };
        },
      };
    };

    it('passes a correct backward and fails a wrong one, reading forward’s caches', () => {
      expect(checkGradients(functional(false), 2, 5).passed).toBe(true);
      const wrong = checkGradients(functional(true), 2, 5);
      expect(wrong.passed).toBe(false);
      expect(wrong.worst[0]!.label).toBe('w[0]');
    });

    it('checks an async forward with checkGradientsAsync, and refuses it in checkGradients', async () => {
      const asyncForward = (wrong: boolean) => {
        const m = functional(wrong);
        return { ...m, forward: async (p: { w: Float64Array }, X: number) => m.forward(p, X) };
      };
      expect((await checkGradientsAsync(asyncForward(false), 2, 5)).passed).toBe(true);
      expect((await checkGradientsAsync(asyncForward(true), 2, 5)).passed).toBe(false);
      expect(messageOf(() => checkGradients(asyncForward(false), 2, 5))).toMatch(
        /^ASYNC_MODEL: loss\(X, Y\) returned a Promise/,
      );
    });
  });
});

describe('reading the gradients', () => {
  it('takes a gradient under the parameter’s own name as well as under d + name', () => {
    expect(
      checkGradients(
        model((w) => ({ w: [2 * w[0]!, 3] })),
        null,
        null,
      ).passed,
    ).toBe(true);
  });

  it('ignores the activation gradients dA, dA0, dA12 of a classic backward pass, but no other extra', () => {
    const extra = (key: string) => model((w) => ({ dw: [2 * w[0]!, 3], [key]: [1] }));
    for (const key of ['dA', 'dA0', 'dA12']) expect(checkGradients(extra(key), null, null).passed).toBe(true);
    expect(messageOf(() => checkGradients(extra('dAx'), null, null))).toBe(
      'EXTRA_GRADIENT: gradients(X, Y) returned "dAx", which matches no parameter or input (parameters: w).',
    );
    // The whole name, not its end: "ddA1" is a typo'd or foreign gradient, not an activation's.
    expect(messageOf(() => checkGradients(extra('ddA1'), null, null))).toMatch(/^EXTRA_GRADIENT: .* "ddA1"/);
  });

  it('names every parameter when it refuses an extra gradient', () => {
    const w = new Float64Array([0.5, -1]),
      b = new Float64Array([2]);
    const two: GradientModel = {
      parameters: { w, b },
      loss: () => w[0]! ** 2 + b[0]!,
      gradients: () => ({ dw: [2 * w[0]!, 0], db: [1], dz: [0] }),
    };
    expect(messageOf(() => checkGradients(two, null, null))).toBe(
      'EXTRA_GRADIENT: gradients(X, Y) returned "dz", which matches no parameter or input (parameters: w, b).',
    );
  });

  it.each([
    [
      'nothing',
      () => ({}),
      'MISSING_GRADIENT: gradients(X, Y) has no gradient for parameter w (looked for "w" and "dw"; found nothing).',
    ],
    [
      'another name',
      () => ({ dv: [1, 2] }),
      'MISSING_GRADIENT: gradients(X, Y) has no gradient for parameter w (looked for "w" and "dw"; found "dv").',
    ],
    [
      'two other names',
      () => ({ dv: [1, 2], du: [3, 4] }),
      'MISSING_GRADIENT: gradients(X, Y) has no gradient for parameter w (looked for "w" and "dw"; found "dv", "du").',
    ],
    ['a number', () => 5, 'NOT_A_MODEL: gradients(X, Y) result is 5; expected an object or Map from names to tensors.'],
    [
      'a NaN entry',
      () => ({ dw: [1, NaN] }),
      'NON_FINITE_GRADIENT: gradient dw is NaN at w[1]; analytic gradients must be finite.',
    ],
  ])('refuses gradients that return %s', (_, gradients, message) => {
    expect(messageOf(() => checkGradients(model(gradients), null, null))).toBe(message);
  });

  describe('shapes', () => {
    const matrix = () => {
      const M = { data: new Float64Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] };
      return (gradient: unknown): GradientModel => ({
        parameters: { M },
        loss: () => M.data.reduce((s, v) => s + v * v, 0),
        gradients: () => ({ M: typeof gradient === 'function' ? gradient(M.data) : gradient }),
      });
    };

    it('refuses a matrix gradient of the transposed shape', () => {
      const m = matrix()((d: Float64Array) => ({ data: d.map((v) => 2 * v), shape: [3, 2] }));
      expect(messageOf(() => checkGradients(m, null, null))).toBe(
        "SHAPE_MISMATCH: gradient M has shape 3×2 but parameter M has shape 2×3; a gradient must have its parameter's shape.",
      );
    });

    it('accepts a matrix gradient of a flat parameter of its size, read in row-major order', () => {
      const v = new Float64Array([1, 2, 3, 4, 5, 6]);
      const flat: GradientModel = {
        parameters: { v },
        loss: () => v.reduce((s, x, i) => s + (i + 1) * x * x, 0),
        gradients: () => ({ v: { data: v.map((x, i) => 2 * (i + 1) * x), shape: [2, 3] } }),
      };
      expect(checkGradients(flat, null, null).passed).toBe(true);
    });

    it('accepts a flat gradient of a matrix in row-major order', () => {
      expect(
        checkGradients(
          matrix()((d: Float64Array) => Array.from(d, (v) => 2 * v)),
          null,
          null,
        ).passed,
      ).toBe(true);
    });
  });
});

describe('reading one entry of the gradients (the kink and bend tests at a perturbed point)', () => {
  // Two parameters: W (2×2 matrix as { data, shape }) and b (3 entries).
  const parameters = ParameterSet.from({
    W: { data: new Float64Array([1, 2, 3, 4]), shape: [2, 2] },
    b: new Float64Array([5, 6, 7]),
  });
  const [W, b] = parameters.tensors as [(typeof parameters.tensors)[0], (typeof parameters.tensors)[0]];
  const gradients = (db: number[] = [0.5, -0.25, 2]) => ({
    dW: { data: new Float64Array([0.1, 0.2, 0.3, 0.4]), shape: [2, 2] },
    db: Float64Array.from(db),
  });

  it('reads the entry readGradients reads, from an object or a Map, under name or d + name', () => {
    const all = readGradients(parameters, gradients());
    for (const [tensor, size] of [
      [W, 4],
      [b, 3],
    ] as const)
      for (let i = 0; i < size; i++) {
        expect(readGradient(parameters, gradients(), tensor, i)).toBe(all[tensor.offset + i]);
        expect(readGradient(parameters, new Map(Object.entries(gradients())), tensor, i)).toBe(all[tensor.offset + i]);
      }
    expect(readGradient(parameters, { W: [1, 2, 3, 4], b: [8, 9, 10] }, b, 2)).toBe(10);
  });

  it('refuses what readGradients refuses about the structure, with the same message', () => {
    const { dW, db } = gradients();
    for (const wrong of [{ db }, { dW, db: [1, 2] }, { dW, db, dX: [1] }, 7]) {
      const message = messageOf(() => readGradients(parameters, wrong));
      expect(message).not.toBe('no error');
      expect(messageOf(() => readGradient(parameters, wrong, b, 0))).toBe(message);
    }
  });

  it('requires only the entry read to be finite, and names it as readGradients does', () => {
    expect(messageOf(() => readGradient(parameters, gradients([0.5, NaN, 2]), b, 1))).toBe(
      messageOf(() => readGradients(parameters, gradients([0.5, NaN, 2]))),
    );
    expect(messageOf(() => readGradient(parameters, gradients([0.5, NaN, 2]), b, 1))).toBe(
      'NON_FINITE_GRADIENT: gradient db is NaN at b[1]; analytic gradients must be finite.',
    );
    expect(readGradient(parameters, gradients([0.5, NaN, 2]), b, 2)).toBe(2);
    expect(readGradient(parameters, gradients([Infinity, 1, 2]), W, 3)).toBe(0.4);
  });
});
