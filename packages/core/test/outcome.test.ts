// What a check's result carries beside the verdict (outcome.ts): the Taylor test as a second opinion
// (skipped when the budget has no room for it, run when it has exactly that room, always run with
// `taylor: true`, and its warning when every entry agreed but the Taylor test did not), the notes on
// widened steps (one entry and several), the finding for a tensor the loss never reads, the diagnosis
// of a tensor that is not the first, a directional tensor that failed as a whole with no entry
// localised, and the time a check took.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkGradients, type GradientModel } from '../src/index.js';
import { linearData, linearModel, numbers } from './models.js';

const { X, Y } = linearData(6, 5);
const wrongEntry = (): GradientModel<number[][], number[]> =>
  linearModel(new Float64Array(numbers(6)), [0.3], 'one-entry');
const skipped = 'the Taylor test was skipped: the budget has no room for its 10 loss evaluations.';

describe('the Taylor test after a failing check, and the budget', () => {
  // The full check of this 7-entry model spends 60 loss evaluations (37, 19 that confirm the noise
  // before the wrong entry fails, and 4 at 16 times its step); the Taylor test needs 10 more.
  it('is skipped, with a note, when fewer than its 10 evaluations are left', () => {
    const result = checkGradients(wrongEntry(), X, Y, { budget: { evaluations: 69 } });
    expect(result.passed).toBe(false);
    expect(result.mode).toBe('full');
    expect(result.evaluations.loss).toBe(60);
    expect(result.taylor).toBeUndefined();
    expect(result.warnings).toEqual([skipped]);
  });

  it('runs when exactly its 10 evaluations are left, and spends them', () => {
    const result = checkGradients(wrongEntry(), X, Y, { budget: { evaluations: 70 } });
    expect(result.taylor?.verdict).toBe('wrong');
    expect(result.evaluations.loss).toBe(70);
    expect(result.warnings).toEqual([]);
  });

  it('runs with taylor: true whatever the budget left', () => {
    const result = checkGradients(wrongEntry(), X, Y, { taylor: true, budget: { evaluations: 16 } });
    expect(result.taylor?.verdict).toBe('wrong');
    expect(result.warnings).not.toContain(skipped);
  });

  it('is not run after a pass by default, nor with taylor: false after a failure', () => {
    const pass = checkGradients(linearModel(new Float64Array(numbers(6)), [0.3]), X, Y);
    expect(pass.passed).toBe(true);
    expect(pass.taylor).toBeUndefined();
    const fail = checkGradients(wrongEntry(), X, Y, { taylor: false });
    expect(fail.taylor).toBeUndefined();
    expect(fail.warnings).toEqual([]);
  });
});

describe('the Taylor test disagreeing with a pass', () => {
  // |w0| at w0 = 0 with the subgradient 0: every entry agrees (the central difference of |w0| is 0
  // too), but along a random direction the remainder |t·d0| shrinks like t.
  const w = [0, 0.5, -0.3];
  const kinked: GradientModel = {
    parameters: { w },
    loss: () => Math.abs(w[0]!) + w[1]! ** 2 + w[2]! ** 2,
    gradients: () => ({ w: [0, 2 * w[1]!, 2 * w[2]!] }),
  };

  it('keeps the pass and says why the two may differ', () => {
    const result = checkGradients(kinked, null, null, { taylor: true });
    expect(result.passed).toBe(true);
    expect(result.taylor?.verdict).toBe('wrong');
    expect(result.warnings).toEqual([
      'every entry agreed, but the Taylor test found the remainder shrinking like t along a random direction: ' +
        'a kink along that direction can do this; so can a gradient wrong only in combination (check the loss is the one differentiated).',
    ]);
  });

  it('adds nothing when the Taylor test agrees with the pass', () => {
    const result = checkGradients(linearModel(new Float64Array(numbers(6)), [0.3]), X, Y, { taylor: true });
    expect(result.passed).toBe(true);
    expect(result.taylor?.verdict).toBe('correct');
    expect(result.warnings).toEqual([]);
  });

  it('adds no such warning after a failure the Taylor test confirms', () => {
    const result = checkGradients(wrongEntry(), X, Y, { taylor: true });
    expect(result.taylor?.verdict).toBe('wrong');
    expect(result.warnings).toEqual([]);
  });
});

describe('the note on widened steps', () => {
  it('counts one entry as "1 entry"', () => {
    // One parameter b of a least-squares loss: at tolerance 1e-12 its step is widened.
    const b = [0.3];
    const x = [0.4, -0.7, 1.1],
      y = [0.1, 0.2, -0.5];
    const model: GradientModel<number[], number[]> = {
      parameters: { b },
      loss: (X, Y) => X.reduce((s, xk, k) => s + (0.3 * xk + b[0]! - Y[k]!) ** 2, 0) / X.length,
      gradients: (X, Y) => ({ b: [X.reduce((s, xk, k) => s + 2 * (0.3 * xk + b[0]! - Y[k]!), 0) / X.length] }),
    };
    const result = checkGradients(model, x, y, { tolerance: 1e-12 });
    expect(result.passed).toBe(true);
    expect(result.warnings.at(-1)).toBe(
      "the step was widened for 1 entry where the loss's own rounding noise, not truncation, decided the error at the default step (judged at the wider step).",
    );
  });

  it('gives no note when no step was widened', () => {
    const result = checkGradients(linearModel(new Float64Array(numbers(6)), [0.3]), X, Y);
    expect(result.warnings).toEqual([]);
  });
});

describe('a tensor the loss never reads', () => {
  it('fails the check with a finding that names it (its gradient computed from a copy)', () => {
    const w = new Float64Array(numbers(3, 4)),
      unused = [0.5, -0.25];
    const model: GradientModel = {
      parameters: { w, unused },
      loss: () => w.reduce((s, v) => s + v ** 2, 0),
      gradients: () => ({ w: Array.from(w, (v) => 2 * v), unused: [1, -2] }),
    };
    const result = checkGradients(model, null, null);
    expect(result.passed).toBe(false);
    expect(result.tensors.map((t) => [t.name, t.passed])).toEqual([
      ['w', true],
      ['unused', false],
    ]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings![0]).toMatch(/^perturbing unused never moved the loss/);
  });

  it('has no findings key when there is nothing to find, and no examples key without examples', () => {
    const result = checkGradients(linearModel(new Float64Array(numbers(6)), [0.3]), X, Y);
    expect(result.passed).toBe(true);
    expect(result.examples).toBe(5);
    expect(Object.keys(result)).not.toContain('findings');
    const w = [0.5, -1.5];
    const noData = checkGradients(
      { parameters: { w }, loss: () => w[0]! * w[1]!, gradients: () => ({ w: [w[1]!, w[0]!] }) },
      null,
      null,
    );
    expect(noData.passed).toBe(true);
    expect(Object.keys(noData)).not.toContain('examples');
  });
});

describe('the diagnosis of a tensor after the first (its entries read at its own offset)', () => {
  // loss = Σ a² + Σᵢⱼ Wᵢⱼ·Mᵢⱼ + λ/2 Σ W², W a 2×3 matrix after a 3-entry tensor a.
  const a = [0.9, -1.7, 2.3];
  const W = new Float64Array(numbers(6, 21));
  const M = numbers(6, 22);
  const lambda = 0.5;
  const loss = (): number =>
    a.reduce((s, v) => s + v * v, 0) + W.reduce((s, v, i) => s + v * M[i]! + (lambda / 2) * v * v, 0);
  const dW = (): number[] => Array.from(W, (v, i) => M[i]! + lambda * v);

  it('names a transposed W', () => {
    const model: GradientModel = {
      parameters: { a, W: { data: W, shape: [2, 3] } },
      loss,
      gradients: () => {
        const g = dW(); // g[i·3 + j] written as the 3×2 transpose t[j·2 + i]
        const t = new Array<number>(6);
        for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) t[j * 2 + i] = g[i * 3 + j]!;
        return { a: a.map((v) => 2 * v), W: t };
      },
    };
    const result = checkGradients(model, null, null);
    expect(result.passed).toBe(false);
    const w = result.tensors.find((t) => t.name === 'W')!;
    expect(w.diagnosis?.text).toBe('analytic holds the numeric gradient transposed');
  });

  it('names a missing L2 term of W and its λ', () => {
    const model: GradientModel = {
      parameters: { a, W: { data: W, shape: [2, 3] } },
      loss,
      gradients: () => ({ a: a.map((v) => 2 * v), W: Array.from(W, (_, i) => M[i]!) }),
    };
    const result = checkGradients(model, null, null);
    expect(result.passed).toBe(false);
    const w = result.tensors.find((t) => t.name === 'W')!;
    expect(w.diagnosis?.text).toBe('numeric − analytic ≈ 0.500 × θ: a missing or wrong L2 term');
  });
});

describe('directional: a tensor failing as a whole', () => {
  it('fails even when no entry was localised (localise: 0)', () => {
    const result = checkGradients(wrongEntry(), X, Y, { mode: 'directional', localise: 0, taylor: false });
    expect(result.passed).toBe(false);
    expect(result.tensors.map((t) => [t.name, t.passed, t.failing])).toEqual([
      ['w', false, 0],
      ['b', true, 0],
    ]);
  });
});

describe('the time a check took', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts from the start of the check to its end, Taylor test included (a fake clock, 10 ms a loss)', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    vi.advanceTimersByTime(10_000); // the check starts well after the clock's origin
    const model = wrongEntry();
    const loss = model.loss;
    model.loss = (x, y) => {
      vi.advanceTimersByTime(10);
      return loss(x, y);
    };
    const result = checkGradients(model, X, Y);
    expect(result.taylor?.verdict).toBe('wrong');
    expect(result.elapsedMs).toBe(10 * result.evaluations.loss);
  });
});
