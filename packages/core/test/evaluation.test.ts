import { describe, expect, it } from 'vitest';
import { Matrix } from 'ml-matrix';
import { checkGradients, checkGradientsAsync, GradcheckError, type GradientModel } from '../src/index.js';
import { runSync, type Request } from '../src/evaluation.js';
import { normaliseModel } from '../src/model.js';
import { errorOf, messageOf } from './caught.js';

/** A model of one parameter whose loss throws `error` (or returns `loss`) at its first call. */
function failing(loss: () => unknown): GradientModel<unknown, unknown> {
  const w = [0.5];
  return { parameters: { w }, loss: loss as () => number, gradients: () => ({ w: [2 * w[0]!] }) };
}
const boom = failing(() => {
  throw new Error('boom');
});

describe('what X and Y were, in the message of a model that threw', () => {
  class Batch {
    constructor(readonly size: number) {}
  }
  it.each<[string, unknown, string]>([
    ['a matrix', new Matrix(3, 5), '3×5'],
    ['a typed array', new Float64Array(4), '4'],
    ['a nested array', [[1], [2]], '2×1'],
    ['an array of records', [{ a: 1 }, { a: 2 }], '2 records'],
    ['an array of strings', ['a', 'b', 'c'], '3 strings'],
    ['an array of nulls', [null], '1 nulls'],
    ['an array of mixed values', [1, 'a'], '2 values'],
    ['an empty array', [], '0'],
    ['a number', 7, '7'],
    ['a string', 'abc', '"abc"'],
    ['undefined', undefined, 'undefined'],
    ['a Map', new Map(), 'a Map'],
    ['an integer typed array', new Int32Array(3), 'Int32Array of length 3'],
    ['an empty record', {}, 'an object'],
    ['a class instance with no members', new (class Empty {})(), 'a Empty'],
    ['a record of tensors', { features: new Matrix(4, 3), weights: [1, 2, 3, 4] }, '{ features 4×3, weights 4 }'],
    ['a record of a record', { batch: { x: [1] } }, '{ batch an object }'],
    ['a record of an array of records', { rows: [{ x: 1 }] }, '{ rows 1 records }'],
    ['a class instance', new Batch(3), '{ size 3 }'],
    ['a record of a Map and of a Float32Array', { m: new Map(), f: new Float32Array(2) }, '{ m a Map, f 2 }'],
    ['a record of four members', { a: 1, b: 2, c: 3, d: 4 }, '{ a 1, b 2, c 3, d 4 }'],
    ['a record of five members', { a: 1, b: 2, c: 3, d: 4, e: 5 }, '{ a 1, b 2, c 3, d 4, … }'],
  ])('X is %s', (_, X, described) => {
    expect(messageOf(() => checkGradients(boom, X, null))).toBe(
      `MODEL_THREW: loss(X, Y) threw at the unperturbed parameters: boom (called with X ${described}, Y null)`,
    );
  });

  it('a model’s message of several lines: the data go at the end of its first line', () => {
    const model = failing(() => {
      throw new Error('shapes do not match.\n  at layer 2\n  at layer 3');
    });
    expect(messageOf(() => checkGradients(model, [1, 2], [3]))).toBe(
      'MODEL_THREW: loss(X, Y) threw at the unperturbed parameters: shapes do not match (called with X 2, Y 1)\n' +
        '  at layer 2\n  at layer 3',
    );
  });

  it('a model that throws a string, and a non-finite loss (its sentence keeps its full stop)', () => {
    const thrower = failing(() => {
      throw 'plain string';
    });
    const error = errorOf(() => checkGradients(thrower, [1], [2]));
    expect(error.message).toBe('loss(X, Y) threw at the unperturbed parameters: plain string (called with X 1, Y 1)');
    expect(error.cause).toBe('plain string');
    expect(
      messageOf(() =>
        checkGradients(
          failing(() => Infinity),
          [1],
          [2],
        ),
      ),
    ).toBe('NON_FINITE_LOSS: loss(X, Y) is Infinity at the unperturbed parameters (called with X 1, Y 1).');
  });

  it('only a full stop at the end of the model’s message gives way to the data', () => {
    const model = failing(() => {
      throw new Error('rate 1.5 is too high.');
    });
    expect(messageOf(() => checkGradients(model, [1], [2]))).toBe(
      'MODEL_THREW: loss(X, Y) threw at the unperturbed parameters: rate 1.5 is too high (called with X 1, Y 1)',
    );
    expect(
      messageOf(() =>
        checkGradients(
          failing(() => 'a string'),
          [1],
          [2],
        ),
      ),
    ).toBe('LOSS_NOT_A_NUMBER: loss(X, Y) returned "a string" at the unperturbed parameters; it must return a number.');
  });

  it('keeps the cause of a model error, and other errors as they are', () => {
    const cause = new Error('boom');
    const error = errorOf(() =>
      checkGradients(
        failing(() => {
          throw cause;
        }),
        null,
        null,
      ),
    );
    expect(error.cause).toBe(cause);
    // A GradcheckError the model throws itself passes unchanged, without the data.
    const own = new GradcheckError('NO_PARAMETERS', 'from inside');
    expect(
      errorOf(() =>
        checkGradients(
          failing(() => {
            throw own;
          }),
          [1],
          [2],
        ),
      ),
    ).toBe(own);
    expect(
      messageOf(() =>
        checkGradients(
          failing(() => ({ value: 1 })),
          [1],
          [2],
        ),
      ),
    ).toBe(
      'LOSS_NOT_A_NUMBER: loss(X, Y) returned an object at the unperturbed parameters; it must return a number ' +
        '(for a 1×1 matrix, return m.get(0, 0)).',
    );
    expect(
      messageOf(() =>
        checkGradients(
          failing(() => null),
          [1],
          [2],
        ),
      ),
    ).toBe('LOSS_NOT_A_NUMBER: loss(X, Y) returned null at the unperturbed parameters; it must return a number.');
  });
});

describe('a Promise where a number was expected', () => {
  it('from gradients in a synchronous check: ASYNC_MODEL, naming the call', () => {
    const w = [0.5];
    const model: GradientModel = {
      parameters: { w },
      loss: () => w[0]! ** 2,
      gradients: () => Promise.resolve({ w: [2 * w[0]!] }),
    };
    expect(messageOf(() => checkGradients(model, null, null))).toBe(
      'ASYNC_MODEL: gradients(X, Y) returned a Promise: this code is asynchronous. Check it with ' +
        '`await checkGradientsAsync(model, X, Y)` or `await expect(model).toPassGradientCheckAsync(X, Y)`.',
    );
    expect(w).toEqual([0.5]);
  });

  it('a rejected Promise met by the synchronous check is not left unhandled', async () => {
    const unhandled: unknown[] = [];
    const listen = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', listen);
    try {
      const w = [0.5];
      const rejecting = (): Promise<never> => Promise.reject(new Error('async failure'));
      expect(messageOf(() => checkGradients(failing(rejecting), null, null))).toMatch(/^ASYNC_MODEL: loss\(X, Y\)/);
      const model: GradientModel = { parameters: { w }, loss: () => w[0]! ** 2, gradients: rejecting };
      expect(messageOf(() => checkGradients(model, null, null))).toMatch(/^ASYNC_MODEL: gradients\(X, Y\)/);
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', listen);
    }
    expect(unhandled).toEqual([]);
  });

  it('a rejected Promise met by runSync’s driver (a step that yields) is not left unhandled either', async () => {
    const unhandled: unknown[] = [];
    const listen = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', listen);
    try {
      const model = normaliseModel(failing(() => Promise.reject(new Error('async failure'))));
      function* oneLoss(): Generator<Request, unknown, unknown> {
        return yield 'loss';
      }
      expect(() => runSync(oneLoss(), model, null, null)).toThrow(/^loss\(X, Y\) returned a Promise/);
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', listen);
    }
    expect(unhandled).toEqual([]);
  });

  it('the async check awaits it, and names the data of an async model that threw', async () => {
    const w = [0.5];
    const model: GradientModel = {
      parameters: { w },
      loss: () => Promise.resolve(w[0]! ** 2),
      gradients: () => Promise.resolve({ w: [2 * w[0]!] }),
    };
    expect((await checkGradientsAsync(model, null, null)).passed).toBe(true);
    let error: unknown;
    try {
      await checkGradientsAsync({ ...model, loss: () => Promise.reject(new Error('down')) }, [[1, 2]], [3]);
    } catch (e) {
      error = e;
    }
    expect((error as GradcheckError).message).toBe(
      'loss(X, Y) threw at the unperturbed parameters: down (called with X 1×2, Y 1)',
    );
  });
});
