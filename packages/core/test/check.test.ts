import { describe, expect, it } from 'vitest';
import { Matrix } from 'ml-matrix';
import {
  checkGradients,
  checkGradientsAsync,
  GradcheckError,
  type GradcheckErrorCode,
  type GradientModel,
} from '../src/index.js';
import { linearData, linearModel, numbers } from './models.js';
import { errorOf } from './caught.js';

const { X, Y } = linearData(6, 5);

function codeOf(run: () => unknown): GradcheckErrorCode | 'no error' | 'other error' {
  try {
    run();
    return 'no error';
  } catch (error) {
    return error instanceof GradcheckError ? error.code : 'other error';
  }
}

describe('checkGradients: verdicts', () => {
  it('passes a correct gradient with defaults and with a classic eps', () => {
    const model = linearModel(new Float64Array(numbers(6)), [0.3]);
    expect(checkGradients(model, X, Y).passed).toBe(true);
    expect(checkGradients(model, X, Y, 1e-7).passed).toBe(true);
  });

  it.each(['bias-sum', 'one-entry', 'scale'] as const)('fails the planted bug %s and names the tensor', (bug) => {
    const result = checkGradients(linearModel(new Float64Array(numbers(6)), [0.3], bug), X, Y);
    expect(result.passed).toBe(false);
    const wrong = bug === 'bias-sum' ? 'b' : 'w';
    expect(result.tensors.find((t) => t.name === wrong)!.passed).toBe(false);
    expect(result.worst[0]!.tensor).toBe(wrong);
    if (bug === 'one-entry') expect(result.worst[0]!.label).toBe('w[3]');
  });

  it('fails a wrong 5-entry bias beside a correct 100 000-entry weight', () => {
    const n = 100_000,
      m = 5;
    const W = new Float64Array(numbers(n, 11).map((v) => v * 0.01));
    const b = new Float64Array(numbers(m, 12));
    const x = new Float64Array(numbers(n, 13));
    // loss = Σ_j (b_j + Σ_i W_i x_i / n)²  — a linear layer with a shared pre-activation
    const pre = (): number => {
      let s = 0;
      for (let i = 0; i < n; i++) s += W[i]! * x[i]!;
      return s / n;
    };
    const model: GradientModel = {
      parameters: { W, b },
      loss: () => {
        const p = pre();
        let s = 0;
        for (const bj of b) s += (bj + p) ** 2;
        return s;
      },
      gradients: () => {
        const p = pre();
        const db = Array.from(b, (bj) => 2 * (bj + p));
        const total = db.reduce((a, c) => a + c, 0);
        db[2] = db[2]! * 1.3; // the bug: one bias entry 30 % off
        return { W: Float64Array.from(x, (xi) => (total * xi) / n), b: db };
      },
    };
    const result = checkGradients(model, null, null);
    expect(result.passed).toBe(false);
    expect(result.tensors.map((t) => [t.name, t.passed])).toEqual([
      ['W', true],
      ['b', false],
    ]);
    expect(result.worst[0]!.label).toBe('b[2]');
  });

  it('does not fail a tensor whose true gradient is zero (dead units) on finite-difference noise', () => {
    const live = new Float64Array(numbers(4, 5));
    const dead = new Float64Array(numbers(3, 6)); // enters the loss only through relu(−|…|) ≡ 0 … plus rounding
    const model: GradientModel = {
      parameters: { live, dead },
      loss: () => {
        let s = 0;
        for (const v of live) s += Math.sin(v) * 1e3;
        for (const d of dead) s += Math.max(0, -Math.abs(d) - 1) + 1e-300 * d;
        return s;
      },
      gradients: () => ({ live: Array.from(live, (v) => Math.cos(v) * 1e3), dead: [0, 0, 0] }),
    };
    const result = checkGradients(model, null, null);
    expect(result.passed).toBe(true);
  });

  it('returns plain data that survives JSON', () => {
    const result = checkGradients(linearModel(new Float64Array(numbers(6)), [0.3], 'scale'), X, Y);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('ranks worst entries by excess and labels them in their own shape', () => {
    const W = new Matrix([
      [0.5, -0.2, 0.1],
      [0.3, 0.7, -0.4],
    ]);
    const model: GradientModel = {
      parameters: { W },
      loss: () => W.to1DArray().reduce((s, v) => s + v ** 3, 0),
      gradients: () => {
        const g = W.clone().apply(function (this: Matrix, i: number, j: number) {
          this.set(i, j, 3 * W.get(i, j) ** 2);
        });
        g.set(1, 2, g.get(1, 2) + 1);
        return { dW: g };
      },
    };
    const result = checkGradients(model, null, null, { worst: 2 });
    expect(result.worst.map((e) => e.label)).toEqual(['W[1,2]', expect.any(String)]);
    expect(result.worst[0]!.index).toEqual([1, 2]);
    expect(result.worst[0]!.excess).toBeGreaterThan(1);
    expect(result.worst[1]!.excess).toBeLessThan(1);
  });
});

describe('checkGradients: nothing lost', () => {
  const bits = (a: ArrayLike<number>): string => Buffer.from(Float64Array.from(a).buffer).toString('hex');

  it('restores every parameter bit for bit and leaves X and Y alone', () => {
    const w = new Float64Array(numbers(6).map((v) => v * 1e4 + 1 / 3));
    w[0] = -0;
    const b = [0.1 + 0.2];
    const before = bits([...w, ...b]);
    const data = linearData(6, 5);
    const dataBefore = JSON.stringify(data);
    checkGradients(linearModel(w, b), data.X, data.Y);
    expect(bits([...w, ...b])).toBe(before);
    expect(Object.is(w[0], -0)).toBe(true);
    expect(JSON.stringify(data)).toBe(dataBefore);
  });

  it('restores the parameters when the model throws midway, and says where', () => {
    const w = new Float64Array(numbers(6));
    const b = [0.3];
    const before = bits([...w, ...b]);
    const model = linearModel(w, b);
    let calls = 0;
    const throwing: GradientModel = {
      ...model,
      loss: (x, y) => {
        if (++calls === 9) throw new Error('out of memory');
        return model.loss(x, y);
      },
    };
    const error = errorOf(() => checkGradients(throwing, X, Y));
    expect(error.code).toBe('MODEL_THREW');
    expect(error.message).toMatch(/loss\(X, Y\) threw with w\[3\] = θ \+ h = .*: out of memory/);
    expect((error.cause as Error).message).toBe('out of memory');
    expect(bits([...w, ...b])).toBe(before);
  });

  it('restores Float32Array parameters exactly', () => {
    const w = new Float32Array(numbers(6));
    const before = Buffer.from(w.buffer).toString('hex');
    const result = checkGradients(linearModel(w, [0.3]), X, Y);
    expect(result.passed).toBe(true);
    expect(result.precision).toBe('float32');
    expect(Buffer.from(w.buffer).toString('hex')).toBe(before);
  });

  it('restores and reports a model that changes its own parameters', () => {
    const w = new Float64Array(numbers(6));
    const model = linearModel(w, [0.3]);
    const updating: GradientModel = {
      ...model,
      gradients: (x, y) => {
        const g = model.gradients(x, y);
        w[1] = 42;
        return g;
      },
    };
    const before = bits(w);
    expect(codeOf(() => checkGradients(updating, X, Y))).toBe('PARAMETERS_CHANGED');
    expect(bits(w)).toBe(before);
  });
});

describe('checkGradients: bad input is explained', () => {
  const good = (): GradientModel => linearModel(new Float64Array(numbers(6)), [0.3]);

  it.each([
    ['not a model', () => checkGradients(42 as never, X, Y), 'NOT_A_MODEL', /received 42/],
    [
      'a model without gradients',
      () => checkGradients({ parameters: {}, loss: () => 1 } as never, X, Y),
      'NOT_A_MODEL',
      /without gradients/,
    ],
    [
      'no parameters',
      () => checkGradients({ parameters: {}, loss: () => 1, gradients: () => ({}) }, X, Y),
      'NO_PARAMETERS',
      /empty/,
    ],
    [
      'a missing gradient',
      () => checkGradients({ ...good(), gradients: () => ({ dw: new Float64Array(6) }) }, X, Y),
      'MISSING_GRADIENT',
      /parameter b/,
    ],
    [
      'an extra gradient',
      () => checkGradients({ ...good(), gradients: () => ({ dw: new Float64Array(6), db: [0], dc: [1] }) }, X, Y),
      'EXTRA_GRADIENT',
      /"dc"/,
    ],
    [
      'a shape mismatch',
      () => checkGradients({ ...good(), gradients: () => ({ dw: new Float64Array(5), db: [0] }) }, X, Y),
      'SHAPE_MISMATCH',
      /gradient dw has shape 5 but parameter w has shape 6/,
    ],
    [
      'a NaN parameter',
      () => checkGradients(linearModel(new Float64Array([1, 2, NaN, 4, 5, 6]), [0]), X, Y),
      'NON_FINITE_PARAMETER',
      /w\[2\] is NaN/,
    ],
    [
      'a NaN gradient',
      () => checkGradients({ ...good(), gradients: () => ({ dw: [0, 0, 0, Infinity, 0, 0], db: [0] }) }, X, Y),
      'NON_FINITE_GRADIENT',
      /Infinity at w\[3\]/,
    ],
    [
      'a NaN loss',
      () => checkGradients({ ...good(), loss: () => NaN }, X, Y),
      'NON_FINITE_LOSS',
      /NaN at the unperturbed/,
    ],
    [
      'a loss that is not a number',
      () => checkGradients({ ...good(), loss: () => '1.5' as never }, X, Y),
      'LOSS_NOT_A_NUMBER',
      /returned "1.5"/,
    ],
    [
      'a matrix loss',
      () => checkGradients({ ...good(), loss: () => new Matrix([[1]]) as never }, X, Y),
      'LOSS_NOT_A_NUMBER',
      /Matrix 1×1.*m\.get\(0, 0\)/,
    ],
    [
      'eps ≤ 0',
      () => checkGradients(good(), X, Y, 0),
      'INVALID_OPTION',
      /eps must be a positive finite number, received 0/,
    ],
    ['eps NaN', () => checkGradients(good(), X, Y, NaN), 'INVALID_OPTION', /received NaN/],
    ['eps Infinity', () => checkGradients(good(), X, Y, Infinity), 'INVALID_OPTION', /received Infinity/],
    [
      'an unknown option',
      () => checkGradients(good(), X, Y, { tol: 1e-3 } as never),
      'INVALID_OPTION',
      /unknown option "tol" — did you mean "tolerance"\? Known options: step, /,
    ],
    [
      'a misspelt option',
      () => checkGradients(good(), X, Y, { tolerence: 1e-3 } as never),
      'INVALID_OPTION',
      /^unknown option "tolerence" — did you mean "tolerance"\? Known options: .*distribution.*\.$/,
    ],
    [
      'an option name nothing is near',
      () => checkGradients(good(), X, Y, { xyzzyqux: 1 } as never),
      'INVALID_OPTION',
      /^unknown option "xyzzyqux"\. Known options: /,
    ],
    [
      'the option renamed in 0.2.0',
      () => checkGradients(good(), X, Y, { direction: 'rademacher' } as never),
      'INVALID_OPTION',
      /option "direction" was renamed to "distribution" in 0\.2\.0/,
    ],
    [
      'an unsupported tensor',
      () => checkGradients({ ...good(), parameters: { w: new Int32Array(6), b: [0] } }, X, Y),
      'UNSUPPORTED_TENSOR',
      /parameter w is Int32Array/,
    ],
    [
      'a ragged array',
      () => checkGradients({ ...good(), parameters: { w: [[1, 2], [3]], b: [0] } }, X, Y),
      'UNSUPPORTED_TENSOR',
      /row \[1\] has length 1, expected 2/,
    ],
    [
      'a plain number parameter',
      () => checkGradients({ ...good(), parameters: { w: 3 } }, X, Y),
      'UNSUPPORTED_TENSOR',
      /plain number/,
    ],
  ])('%s', (_, run, code, message) => {
    const error = errorOf(run);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('a loss that changes at the same point (dropout left on)', () => {
    let flip = 0;
    const error = errorOf(() =>
      checkGradients({ ...good(), loss: (x, y) => (good().loss(x, y) as number) + (flip++ % 2) * 1e-3 }, X, Y),
    );
    expect(error.code).toBe('NONDETERMINISTIC_LOSS');
    expect(error.message).toMatch(/dropout/);
  });

  it('a step below float32 resolution', () => {
    const error = errorOf(() => checkGradients(linearModel(new Float32Array([100, 1, 1, 1, 1, 1]), [0]), X, Y, 1e-7));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toMatch(/step 1e-7 is below the resolution of w\[0\] \(float32, value 100\)/);
  });
});

describe('sync and async', () => {
  const asyncModel = (model: GradientModel): GradientModel => ({
    parameters: model.parameters,
    loss: async (x, y) => model.loss(x, y),
    gradients: async (x, y) => model.gradients(x, y),
  });

  it('checks a synchronous model synchronously', () => {
    const result = checkGradients(linearModel(new Float64Array(numbers(6)), [0.3]), X, Y);
    expect(result).not.toBeInstanceOf(Promise);
    expect(result.passed).toBe(true);
  });

  it('checks an async model through checkGradientsAsync, with the same result', async () => {
    const sync = checkGradients(linearModel(new Float64Array(numbers(6)), [0.3], 'scale'), X, Y);
    const viaAsync = await checkGradientsAsync(
      asyncModel(linearModel(new Float64Array(numbers(6)), [0.3], 'scale')),
      X,
      Y,
    );
    expect({ ...viaAsync, elapsedMs: 0 }).toEqual({ ...sync, elapsedMs: 0 });
  });

  it('refuses an async model in the sync check, says what to use, and restores parameters', () => {
    const w = new Float64Array(numbers(6));
    const before = Array.from(w);
    const model = linearModel(w, [0.3]);
    let calls = 0;
    const lateAsync: GradientModel = {
      ...model,
      loss: (x, y) => (++calls > 5 ? Promise.resolve(model.loss(x, y)) : model.loss(x, y)) as number,
    };
    const error = errorOf(() => checkGradients(lateAsync, X, Y));
    expect(error.code).toBe('ASYNC_MODEL');
    expect(error.message).toMatch(/checkGradientsAsync.*toPassGradientCheckAsync/);
    expect(Array.from(w)).toEqual(before);
  });

  it('restores parameters when an async model rejects', async () => {
    const w = new Float64Array(numbers(6));
    const before = Array.from(w);
    const model = asyncModel(linearModel(w, [0.3]));
    let calls = 0;
    const rejecting: GradientModel = {
      ...model,
      loss: async (x, y) => {
        if (++calls === 7) throw new Error('GPU lost');
        return model.loss(x, y);
      },
    };
    await expect(checkGradientsAsync(rejecting, X, Y)).rejects.toMatchObject({
      code: 'MODEL_THREW',
      message: expect.stringMatching(/GPU lost/),
    });
    expect(Array.from(w)).toEqual(before);
  });
});
