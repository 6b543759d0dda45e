/**
 * The verdict's numerics one by one: the step per precision and magnitude, Richardson and its
 * error estimate, precision-aware tolerances and their warning, kinks, a loss coarser than its
 * magnitude, the diagnosis and the number of examples, and the Taylor test.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Matrix } from 'ml-matrix';
import { checkGradients, formatReport, GradcheckError, type CheckOptions, type GradientModel } from '@gradcheck/core';
import { ReferenceNetwork, referenceMatrices, type ReferenceCase } from '@gradcheck/reference-network';

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/reference-case.json', import.meta.url), 'utf8'),
) as ReferenceCase;

function reference(broken: boolean, options?: CheckOptions | number) {
  const { X, Y, parameters } = referenceMatrices(fixture);
  return checkGradients(new ReferenceNetwork(parameters, { broken }), X, Y, options);
}

/** loss = Σ f(w_i), gradient f′(w_i) (times `bug`). */
function separable(
  w: Float64Array | Float32Array,
  f: (x: number) => number,
  df: (x: number) => number,
  bug = 1,
): GradientModel {
  return {
    parameters: { w },
    loss: () => Array.from(w).reduce((s, x) => s + f(x), 0),
    gradients: () => ({ w: Float64Array.from(w, (x) => df(x) * bug) }),
  };
}

describe('the step', () => {
  it('is ε^(1/3)·max(1, |θ|) rounded down to a power of two, per entry and per storage precision', () => {
    const w64 = new Float64Array([0.5, 1000]);
    const r64 = checkGradients(separable(w64, Math.sin, Math.cos), null, null);
    expect(r64.stepRange).toEqual([2 ** -18, 2 ** -8]); // 6.1e-6 → 2^-18; 6.1e-3 → 2^-8
    // (One tensor each: a sum of the two would be noise for the small one's slope and widen its step.)
    const small32 = checkGradients(separable(new Float32Array([0.5]), Math.sin, Math.cos), null, null);
    expect(small32.stepRange).toEqual([2 ** -8, 2 ** -8]); // 4.9e-3 → 2^-8
    const square = (x: number): number => (x * x) / 2;
    const large32 = checkGradients(
      separable(new Float32Array([1000]), square, (x) => x),
      null,
      null,
    );
    expect(large32.stepRange).toEqual([2 ** 2, 2 ** 2]); // 4.9 → 2^2
    expect(small32.passed && large32.passed).toBe(true);
  });

  it('is judged below a default step whose truncation reads as a kink: a float32 sin at θ = 1000', () => {
    // At h = 4 the central difference of sin is cos θ · sin(4)/4, −0.106 against cos(1000) = 0.562. The
    // widening falls back to that step, where this truncation had let a sign-flipped gradient agree; the
    // first narrower step without a kink, 0.25, judges it (narrowing.ts: sharperBelowKink).
    const w = (): Float32Array => new Float32Array([0.5, 1000]);
    const flipped = (bugged: boolean): GradientModel => {
      const model = separable(w(), Math.sin, Math.cos);
      const { w: data } = model.parameters as { w: Float32Array };
      return {
        ...model,
        gradients: () => ({ w: Float64Array.from(data, (x, i) => Math.cos(x) * (bugged && i === 1 ? -1 : 1)) }),
      };
    };
    const correct = checkGradients(flipped(false), null, null);
    expect(correct.passed).toBe(true);
    expect(correct.stepRange).toEqual([2 ** -8, 2 ** -2]);
    const wrong = checkGradients(flipped(true), null, null);
    expect(wrong.passed).toBe(false);
    expect(wrong.worst[0]).toMatchObject({ label: 'w[1]' });
    expect(wrong.worst[0]!.excess).toBeGreaterThan(10);
  });

  it('keeps the classic meaning of a bare eps: step = tolerance = eps', () => {
    const result = reference(true, 1e-7);
    expect(result).toMatchObject({ step: 1e-7, tolerance: 1e-7, scheme: 'central' });
    // The step taken is what θ ± 1e-7 rounds to, halved.
    for (const taken of result.stepRange) expect(Math.abs(taken - 1e-7) / 1e-7).toBeLessThan(1e-8);
  });
});

describe('Richardson extrapolation', () => {
  const w = (): Float64Array => new Float64Array([0.3, 1.1, 2.0]);
  const f = (x: number): number => Math.exp(3 * x),
    df = (x: number): number => 3 * Math.exp(3 * x);

  it('is far more accurate than central differences at the same step, for four evaluations per entry', () => {
    const step = 1e-3;
    const error = (scheme: 'central' | 'richardson'): number => {
      const r = checkGradients(separable(w(), f, df), null, null, {
        scheme,
        step,
        tolerance: 1,
        includeGradients: true,
      });
      return Math.max(...r.tensors[0]!.numeric!.map((v, i) => Math.abs(v - df(w()[i]!)) / df(w()[i]!)));
    };
    expect(error('central')).toBeGreaterThan(1e-6);
    expect(error('richardson')).toBeLessThan(1e-11);
    const result = checkGradients(separable(w(), f, df), null, null, { scheme: 'richardson' });
    expect(result.passed).toBe(true);
    expect(result.scheme).toBe('richardson');
    expect(result.evaluations.loss).toBe(4 * 3 + 2);
  });

  it('lets the estimated truncation error excuse a coarse step, but not a 1 % bug', () => {
    // Step 0.02 on exp(3x): the central quotient is off by ≈ h²·9/6 ≈ 6e-4 relative, over tolerance.
    const options = { step: 0.02, tolerance: 1e-5 };
    expect(
      checkGradients(separable(w(), f, df), null, null, { ...options, includeGradients: true }).tensors[0]!.difference,
    ).toBeGreaterThan(1e-4);
    expect(checkGradients(separable(w(), f, df), null, null, options).passed).toBe(true);
    expect(checkGradients(separable(w(), f, df, 1.01), null, null, options).passed).toBe(false);
    expect(checkGradients(separable(w(), f, df), null, null, { ...options, scheme: 'richardson' }).passed).toBe(true);
  });
});

describe('precision-aware tolerances', () => {
  it('passes a correct float32 model and fails a 1 % error in it', () => {
    const w = new Float32Array([0.3, -1.2, 2.5, 0.01]);
    expect(checkGradients(separable(w, Math.sin, Math.cos), null, null)).toMatchObject({
      passed: true,
      precision: 'float32',
      tolerance: 1e-3,
    });
    expect(checkGradients(separable(w, Math.sin, Math.cos, 1.01), null, null).passed).toBe(false);
  });

  it('says when a tolerance is below what the precision can reach, and what it can reach', () => {
    const w = new Float32Array([0.3, -1.2]);
    const result = checkGradients(separable(w, Math.sin, Math.cos), null, null, { tolerance: 1e-7 });
    // (At a tolerance that low, the step widens where the loss's rounding decides the error: a note too.)
    expect(result.warnings).toContainEqual(
      expect.stringMatching(
        /tolerance 1e-7 is below what central differences can reach with float32 parameters \(about 2e-5 relative\).*at least 2e-5/,
      ),
    );
    expect(formatReport(result)).toMatch(/note: tolerance 1e-7 is below/);
    expect(checkGradients(separable(w, Math.sin, Math.cos), null, null).warnings).toEqual([]);
    const w64 = new Float64Array([0.3]);
    expect(checkGradients(separable(w64, Math.sin, Math.cos), null, null, { tolerance: 1e-12 }).warnings[0]).toMatch(
      /float64.*about 4e-11.*'richardson' reaches about 3e-13/,
    );
  });
});

describe('kinks', () => {
  const relu = (w: Float64Array): GradientModel =>
    separable(
      w,
      (x) => Math.max(0, x),
      (x) => (x > 0 ? 1 : 0),
    );

  it('excludes an entry at a kink and counts it, or fails it on request', () => {
    const result = checkGradients(relu(new Float64Array([0, 1, -2])), null, null);
    expect(result.passed).toBe(true);
    expect(result.kinks).toEqual({ count: 1, disagreeing: 1, policy: 'exclude', entries: ['w[0]'] });
    expect(result.tensors[0]!.kinks).toBe(1);
    expect(formatReport(result)).toMatch(
      /1 entry not differentiable here \(one-sided slopes disagree within the step\), excluded: w\[0\]/,
    );
    const strict = checkGradients(relu(new Float64Array([0, 1, -2])), null, null, { kinks: 'fail' });
    expect(strict.passed).toBe(false);
    expect(strict.worst[0]).toMatchObject({ label: 'w[0]', kink: true });
  });

  it('narrows the step around a kink beside θ, so that the entry is checked after all', () => {
    const relu = (x: number): number => Math.max(0, x - 1e-7);
    const correct = checkGradients(
      separable(new Float64Array([0.5, 0]), relu, (x) => (x > 1e-7 ? 1 : 0)),
      null,
      null,
    );
    expect(correct).toMatchObject({ passed: true, kinks: { count: 0 } });
    // The same kink beside a wrong derivative: still a failure, not an excuse.
    const wrong = checkGradients(
      separable(
        new Float64Array([0.5, 0]),
        (x) => relu(x) + 2 * x,
        (x) => (x > 1e-7 ? 1 : 0) + 3,
      ),
      null,
      null,
    );
    expect(wrong.passed).toBe(false);
    expect(wrong.kinks.count).toBe(0);
  });
});

describe('a loss coarser than its magnitude', () => {
  it('widens the step where a loss computed by cancellation does not move at all', () => {
    // (1000 + 1e-10·w) − 1000: a tiny loss whose rounding is that of 1000.
    const w = new Float64Array([0.3, -0.7]);
    const model: GradientModel = {
      parameters: { w },
      loss: () => w.reduce((s, x) => s + (1000 + 1e-10 * x - 1000), 0),
      gradients: () => ({ w: [1e-10, 1e-10] }),
    };
    const result = checkGradients(model, null, null);
    expect(result.passed).toBe(true);
    expect(result.stepRange[1]).toBeGreaterThan(1e-4); // from 3.8e-6, widened until the loss moved
    expect(checkGradients({ ...model, gradients: () => ({ w: [1e-9, 1e-10] }) }, null, null).passed).toBe(false);
  });
});

describe('the diagnosis', () => {
  it('names the classic bug: analytic = 3 × numeric, 3 being the examples in X', () => {
    const result = reference(true);
    const wrong = result.tensors.filter((t) => !t.passed);
    expect(wrong.map((t) => [t.name, t.diagnosis?.kind, t.diagnosis?.examples])).toEqual([
      ['W1', 'scale', 3],
      ['W2', 'scale', 3],
    ]);
    expect(wrong[0]!.diagnosis!.factor).toBeCloseTo(3, 6);
    expect(result.examples).toBe(3);
    expect(formatReport(result)).toMatch(
      /W1 +5×4 +20 +5\.0e-1 +✗ 16 of 20 entries off +analytic ≈ 3\.00 × numeric \(3 = examples in X: a missing 1\/m\)/,
    );
    expect(reference(false).tensors.every((t) => t.diagnosis === undefined)).toBe(true);
  });

  it('takes the number of examples from the options before X', () => {
    expect(reference(true, { examples: 5 }).tensors[0]!.diagnosis).toMatchObject({
      kind: 'scale',
      text: 'analytic ≈ 3.00 × numeric',
    });
  });

  it('infers the number of examples from the size X and Y share, on either axis, and only when unambiguous', () => {
    const w = new Float64Array([0.2, -0.4, 0.6]);
    const rows = [
      [1, 2, 3],
      [0.5, -1, 2],
      [2, 0, 1],
      [-1, 1, 1],
    ]; // 4 examples × 3 features
    const targets = [1, 0, 2, -1];
    const model = (scale: number): GradientModel<number[][], number[]> => ({
      parameters: { w },
      loss: (X, Y) => X.reduce((s, x, k) => s + (x.reduce((a, v, i) => a + v * w[i]!, 0) - Y[k]!) ** 2, 0) / X.length,
      gradients: (X, Y) => ({
        w: Array.from(
          w,
          (_, i) =>
            (scale * X.reduce((s, x, k) => s + 2 * (x.reduce((a, v, j) => a + v * w[j]!, 0) - Y[k]!) * x[i]!, 0)) /
            X.length,
        ),
      }),
    });
    const result = checkGradients(model(4), rows, targets);
    expect(result.examples).toBe(4);
    expect(result.tensors[0]!.diagnosis).toMatchObject({ kind: 'scale', examples: 4 });
    expect(checkGradients(model(-1), rows, targets).tensors[0]!.diagnosis?.kind).toBe('sign');
    const any = separable(new Float64Array([0.1]), Math.sin, Math.cos);
    const examples = (X: unknown, Y: unknown): number | undefined => checkGradients(any, X, Y).examples;
    expect(examples(new Matrix(rows).transpose(), [targets])).toBe(4); // features × examples, the classic layout
    expect(examples(rows, new Matrix([targets]).transpose())).toBe(4); // examples × features, as TF.js has them
    expect(
      examples(
        rows.map((x) => ({ x })),
        null,
      ),
    ).toBe(4); // a plain array of examples says it alone
    expect(examples({ features: rows, weights: [1, 1, 1, 1] }, targets)).toBe(4); // a record sharing the axis
    expect(examples(rows, rows)).toBeUndefined(); // 4 or 3: ambiguous, so the factor is given alone
    expect(examples(new Matrix(rows).transpose(), null)).toBeUndefined(); // rows or columns? X alone cannot say
    expect(examples(null, null)).toBeUndefined();
  });
});

describe('the Taylor test', () => {
  it('confirms a failure: the remainder shrinks like t, and says so with the seed', () => {
    const result = reference(true);
    expect(result.taylor).toMatchObject({ verdict: 'wrong' });
    expect(result.taylor!.slope).toBeCloseTo(1, 1);
    expect(formatReport(result)).toMatch(
      /Taylor test along a random direction \(seed 20240229\): the remainder shrinks like t\^1\.0\d: the gradient is wrong along it/,
    );
  });

  it('runs on a passing check only when asked, and then finds slope 2', () => {
    expect(reference(false).taylor).toBeUndefined();
    const asked = reference(false, { taylor: true });
    expect(asked.taylor).toMatchObject({ verdict: 'correct' });
    expect(asked.taylor!.slope).toBeCloseTo(2, 1);
    expect(asked.evaluations.loss).toBe(2 * 47 + 2 + asked.taylor!.evaluations);
    expect(reference(true, { taylor: false }).taylor).toBeUndefined();
  });

  it('draws its direction from the seed', () => {
    const a = reference(true, { seed: 1 }).taylor!,
      b = reference(true, { seed: 1 }).taylor!,
      c = reference(true, { seed: 2 }).taylor!;
    expect(a.points).toEqual(b.points);
    expect(a.points).not.toEqual(c.points);
  });
});

describe('options', () => {
  it.each([
    [{ scheme: 'forward' }, /scheme must be 'central' or 'richardson', received "forward"/],
    [{ kinks: 'ignore' }, /kinks must be 'exclude' or 'fail'/],
    [{ taylor: 'yes' }, /taylor must be true or false/],
    [{ examples: 0 }, /examples must be a whole number ≥ 1, received 0/],
    [{ examples: 2.5 }, /examples must be a whole number ≥ 1/],
  ])('rejects %o', (options, message) => {
    const w = new Float64Array([1]);
    const run = (): unknown => checkGradients(separable(w, Math.sin, Math.cos), null, null, options as never);
    expect(run).toThrow(GradcheckError);
    expect(run).toThrow(message);
  });
});
