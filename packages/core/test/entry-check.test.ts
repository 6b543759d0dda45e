/**
 * A full check's entries in a synchronous check: each entry settled in place is counted and
 * evaluated once (modes/entry-check.ts: checkedInPlace, else the estimator), even where its
 * numeric derivative agrees exactly (an excess of 0).
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, checkGradientsAsync, GradcheckError, type GradientModel } from '../src/index.js';

/** Loss Σ aᵢ·wᵢ with dyadic aᵢ and wᵢ: every central difference is exact, every excess 0. */
function exact(): GradientModel {
  const a = [0.5, -0.25, 0.75, 1.5];
  const w = Float64Array.from([0.5, -1, 0.25, 2]);
  return {
    parameters: { w },
    loss: () => a.reduce((s, ai, i) => s + ai * w[i]!, 0),
    gradients: () => ({ w: a }),
  };
}

describe('entries that agree exactly', () => {
  it('are checked once each: 2 losses an entry, 2 at θ, in the synchronous and the asynchronous check', async () => {
    for (const result of [
      checkGradients(exact(), null, null, { mode: 'full' }),
      await checkGradientsAsync(exact(), null, null, { mode: 'full' }),
    ]) {
      expect(result.passed).toBe(true);
      expect(result.checked).toBe(4);
      expect(result.tensors[0]!.checked).toBe(4);
      expect(result.worst.every((e) => e.excess === 0)).toBe(true);
      expect(result.evaluations.loss).toBe(2 + 2 * 4);
    }
  });
});

describe('a model that changes a parameter during a full check', () => {
  it('is caught after the entries even where the entry it changed was checked before (PARAMETERS_CHANGED), and restored', () => {
    const w = Float64Array.from([0.5, -0.25]);
    let calls = 0;
    const model: GradientModel = {
      parameters: { w },
      loss: () => {
        const loss = w[0]! ** 2 + w[1]! ** 2;
        // The last loss (the second entry's θ − h) moves the first entry, checked already, after
        // computing its value: every entry settles, and only the check after them can see it.
        if (++calls === 6) w[0] = 9;
        return loss;
      },
      gradients: () => ({ w: [2 * w[0]!, 2 * w[1]!] }),
    };
    let error: unknown;
    try {
      checkGradients(model, null, null, { mode: 'full' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GradcheckError);
    expect((error as GradcheckError).code).toBe('PARAMETERS_CHANGED');
    expect((error as GradcheckError).message).toMatch(/changed parameter w\[0\]/);
    expect(Array.from(w)).toEqual([0.5, -0.25]);
  });
});

describe('an entry that disagrees at its first step', () => {
  it('is measured again (θ ± h/2) before it fails, in a second tensor too, whatever another entry’s gradient', () => {
    // Loss a/2 + b₀/4 + b₁/2, every difference exact; b₁'s gradient says 3/4 (its slope is 1/2, the
    // same as a's gradient: settling b₁ against any gradient but its own would settle it).
    const a = Float64Array.from([0.5]),
      b = Float64Array.from([0.25, -0.5]);
    const model: GradientModel = {
      parameters: { a, b },
      loss: () => 0.5 * a[0]! + 0.25 * b[0]! + 0.5 * b[1]!,
      gradients: () => ({ a: [0.5], b: [0.25, 0.75] }),
    };
    const result = checkGradients(model, null, null, { mode: 'full', taylor: false });
    expect(result.passed).toBe(false);
    expect(result.tensors.map((t) => t.failing)).toEqual([0, 1]);
    // 2 at θ, 2 per entry at θ ± h, and more for b₁ (θ ± h/2 at least).
    expect(result.evaluations.loss).toBeGreaterThanOrEqual(2 + 2 * 3 + 2);
  });
});
