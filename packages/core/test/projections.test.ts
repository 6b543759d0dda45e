// The directional check's projections (modes/projections.ts) in numbers a user reads off the result:
// the estimated classic difference at its edges (no residual; a residual with nothing to weigh it;
// a sign-flipped gradient, where the analytic and numeric sides weigh the same), the error norm in
// gradient units (an error in one entry, read along Rademacher directions, is exactly that error,
// whatever the number of directions), the noise norm (a mean over directions, not a sum), the
// step range over a tensor whose entries' steps differ, the move widened where the loss's rounding
// noise decides (as far as the entries' scale allows, and the steps reported widened), the modelled
// noise of a projection, the entries a model's error names when it throws along a direction, and the progress the projections report.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultStep } from '../src/difference.js';
import { checkGradients, GradcheckError, type CheckProgress, type GradientModel } from '../src/index.js';
import { projectedDifference } from '../src/modes/projections.js';

describe('projectedDifference: the classic difference from mean squares', () => {
  it('is 0 without a residual, even with nothing to weigh it', () => {
    expect(projectedDifference(0, 0, 0)).toBe(0);
    expect(projectedDifference(0, 4, 9)).toBe(0);
  });

  it('is infinite for a residual where the analytic and numeric sides weigh nothing', () => {
    expect(projectedDifference(1e-20, 0, 0)).toBe(Infinity);
  });

  it('is ‖e‖ / (‖g‖ + ‖ĝ‖), also where the two sides weigh the same (a flipped sign: 1)', () => {
    expect(projectedDifference(4, 1, 1)).toBe(1);
    expect(projectedDifference(1, 4, 9)).toBeCloseTo(1 / 5, 15);
  });
});

/** A linear loss ⟨a, w⟩ + 3b (w of up to 4 entries; central differences exact up to rounding); `bug` added to ∂L/∂w₂. */
function linear(w: number[], bug = 0, sign = 1, b = [0.3]): GradientModel {
  const a = [0.5, -1.5, 2, 0.25];
  return {
    parameters: { w, b },
    loss: () => w.reduce((s, wi, i) => s + a[i]! * wi, 0) + 3 * b[0]!,
    gradients: () => ({ w: w.map((_, i) => sign * (i === 2 ? a[i]! + bug : a[i]!)), b: [sign * 3] }),
  };
}

const directional = { mode: 'directional', distribution: 'rademacher', localise: 0, taylor: false } as const;

describe('a directional check of a linear loss', () => {
  it('reads an error in one entry as exactly that error in gradient units, for 1 or 3 directions', () => {
    for (const directions of [1, 3]) {
      const result = checkGradients(linear([0.5, -0.25, 0.75, 0.125], 0.01), null, null, {
        ...directional,
        directions,
      });
      const w = result.tensors[0]!;
      expect(w.name).toBe('w');
      expect(w.passed).toBe(false);
      expect(Math.abs(w.errorNorm - 0.01)).toBeLessThan(1e-7);
      const b = result.tensors[1]!;
      expect(b.passed).toBe(true);
    }
  });

  it('estimates the classic difference of a sign-flipped gradient as 1 and of one of the wrong size by |m − 1| / (|m| + 1)', () => {
    for (const directions of [1, 3]) {
      const flipped = checkGradients(linear([0.5], 0, -1), null, null, { ...directional, directions });
      expect(flipped.tensors.map((t) => t.difference)).toEqual([1, 1].map((d) => expect.closeTo(d, 9)));
      const doubled = checkGradients(linear([0.5], 0, 2), null, null, { ...directional, directions });
      expect(doubled.tensors.map((t) => t.difference)).toEqual([1 / 3, 1 / 3].map((d) => expect.closeTo(d, 9)));
    }
  });

  it('averages the noise over the directions: the noise norm of a tensor of one entry does not grow with them', () => {
    const one = checkGradients(linear([0.5]), null, null, { ...directional, directions: 1 });
    const four = checkGradients(linear([0.5]), null, null, { ...directional, directions: 4 });
    expect(one.passed).toBe(true);
    expect(one.tensors[0]!.noiseNorm).toBeGreaterThan(0);
    expect(four.tensors[0]!.noiseNorm / one.tensors[0]!.noiseNorm).toBeCloseTo(1, 9);
    expect(four.tensors[1]!.noiseNorm / one.tensors[1]!.noiseNorm).toBeCloseTo(1, 9);
  });

  it('reports the smallest and the largest step of the entries it moved', () => {
    // Steps 2⁻¹⁸ (|θ| ≤ 1), 2⁻¹⁴ (16), 2⁻¹⁶ (4); b's 2⁻¹⁵ (8): neither the smallest nor the largest.
    const result = checkGradients(linear([0.5, 16, -4], 0, 1, [8]), null, null, directional);
    expect(result.passed).toBe(true);
    expect([0.5, 16, -4, 8].map((t) => Math.log2(defaultStep(t, 'float64')))).toEqual([-18, -14, -16, -15]);
    expect(result.stepRange).toEqual([defaultStep(0.5, 'float64'), defaultStep(16, 'float64')]);
  });
});

describe('a move widened where the loss’s rounding noise decides', () => {
  // A loss of 1e8 + ⟨a, w⟩: its rounding noise hides an error of 0.01 in ∂L/∂w₂ at the default move,
  // so the move widens ×4 at a time, as far as each entry's scale lets it: the larger of |θ| and
  // the tensor's root mean square (here 20 steps: θ = (0, 0, 0, 40 steps)). Along a Rademacher
  // direction of 4 entries each entry moves by a half of the move, so the room is 40: ×16, not ×64.
  const h = defaultStep(0, 'float64');
  const noisy = (w: number[]): GradientModel => {
    const a = [0.5, -1.5, 2, 0.25];
    return {
      parameters: { w },
      loss: () => 1e8 + w.reduce((s, wi, i) => s + a[i]! * wi, 0),
      gradients: () => ({ w: w.map((_, i) => a[i]! + (i === 2 ? 0.01 : 0)) }),
    };
  };
  const note = (widening: number): string =>
    `the directional move along w was widened ×${widening} where the loss's own rounding noise, not truncation, ` +
    'decided the projection at the default move (judged at the wider move).';

  it('widens as far as the tensor’s scale allows, and reports the widened steps', () => {
    const result = checkGradients(noisy([0, 0, 0, 40 * h]), null, null, directional);
    expect(result.passed).toBe(false);
    expect(result.warnings).toEqual([note(16)]);
    expect(result.stepRange).toEqual([16 * h, 16 * h]);
  });

  it('widens the most it may (×64) where every entry’s scale leaves room', () => {
    const result = checkGradients(noisy([0.5, -0.25, 0.75, 0.125]), null, null, directional);
    expect(result.passed).toBe(false);
    expect(result.warnings).toEqual([note(64)]);
    expect(result.stepRange).toEqual([64 * h, 64 * h]);
  });
});

describe('a projection’s modelled noise and its place in a model’s error', () => {
  it('takes the modelled rounding noise at the larger of the two losses (32·ε·|L| when one of them is 0)', () => {
    // L = 3·(w − 0.5 − h) at w = 0.5: one of L(w ± h) is exactly 0, the other −6h.
    const h = defaultStep(0.5, 'float64');
    const w = [0.5];
    const model: GradientModel = {
      parameters: { w },
      loss: () => 3 * (w[0]! - 0.5 - h),
      gradients: () => ({ w: [3] }),
    };
    const result = checkGradients(model, null, null, directional);
    expect(result.passed).toBe(true);
    expect(result.tensors[0]!.noiseNorm / (32 * Number.EPSILON * 6)).toBeCloseTo(1, 9);
  });

  it('names the entries it moved when the model throws along a direction', () => {
    const w = [0.5, -0.25, 0.75, 0.125];
    const model: GradientModel = {
      parameters: { w },
      loss: () => {
        if (w[0] !== 0.5) throw new Error('device lost');
        return w.reduce((s, wi) => s + wi, 0);
      },
      gradients: () => ({ w: [1, 1, 1, 1] }),
    };
    const error = (() => {
      try {
        checkGradients(model, null, null, directional);
      } catch (e) {
        return e as GradcheckError;
      }
    })();
    expect(error).toBeInstanceOf(GradcheckError);
    expect(error?.code).toBe('MODEL_THREW');
    expect(error?.message).toContain(
      'threw with entries 0…3 (flat) of w moved along a random direction (+): device lost',
    );
    expect(w).toEqual([0.5, -0.25, 0.75, 0.125]);
  });
});

describe('the progress of the projections', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts the directions done of every tensor’s directions (a fake clock, 300 ms a loss)', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    vi.advanceTimersByTime(10_000);
    const model = linear([0.5, -0.25]);
    const loss = model.loss;
    model.loss = (x, y) => {
      vi.advanceTimersByTime(300);
      return loss(x, y);
    };
    const seen: CheckProgress[] = [];
    checkGradients(model, null, null, { ...directional, directions: 2, onProgress: (p) => seen.push(p) });
    const directions = seen.filter((p) => p.phase === 'directions' && p.mode === 'directional');
    expect(directions.map((p) => [p.checked, p.total])).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
      [4, 4], // the final report, repeated when the check ends
    ]);
  });
});
