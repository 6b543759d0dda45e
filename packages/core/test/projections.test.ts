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

describe('one direction of one tensor (modes/tensor-direction.ts)', () => {
  // A loss of 1e8 + ⟨a, w⟩ with a rounding noise of 8·ε·1e8 per evaluation: an error of 0.08 to
  // 0.12 in ∂L/∂w₀ lies between the tolerance and the modelled rounding allowance, so the noise is
  // measured, the gradient's bend read, and the move widened where that helps.
  const h = defaultStep(0.5, 'float64');
  const floor = 8 * Number.EPSILON * 1e8;
  const theta = [0.5, -0.25, 0.75, 0.125];
  const a = [2, -1.5, 0.5, 0.25];
  /** `extra(d)` is added to ∂L/∂w₀ at a move d of w₀ (the analytic gradient at θ is a₀ + bug). */
  const noisy = (n: number, bug: number, extra: (d: number) => number = () => 0): GradientModel => {
    const w = theta.slice(0, n);
    return {
      parameters: { w },
      loss: () => 1e8 + w.reduce((s, wi, i) => s + a[i]! * wi, 0),
      gradients: () => ({ w: w.map((wi, i) => a[i]! + (i === 0 ? bug + extra(wi - theta[0]!) : 0)) }),
    };
  };

  it('widens ×64 and reads the projection’s noise at the widest move: the noise floor over 64 steps', () => {
    const result = checkGradients(noisy(1, 0.08), null, null, directional);
    expect(result.passed).toBe(false);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain('widened ×64');
    expect(result.tensors[0]!.noiseNorm / (floor / (64 * h))).toBeCloseTo(1, 6);
    expect(result.evaluations).toEqual({ loss: 18, gradients: 10 });
  });

  it('never widens a step the user chose', () => {
    const result = checkGradients(noisy(1, 0.08), null, null, { ...directional, step: h });
    expect(result.passed).toBe(false);
    expect(result.warnings).toEqual([]);
    expect(result.stepRange).toEqual([h, h]);
    expect(result.evaluations.loss).toBe(6);
  });

  it('counts the gradient’s bend along the move as error: (s/2)² times its curvature, the slope’s change cancelling', () => {
    // ∂L/∂w₀ grows by K·d² + M·d at a move d: over ±half the move (h/4 along 4 entries of a
    // Rademacher direction) the bend is 2·K·(h/4)²·h; M·d cancels between the two sides.
    const K = 8e10;
    const result = checkGradients(
      noisy(4, 0.12, (d) => K * d * d + 1e5 * d),
      null,
      null,
      directional,
    );
    const w = result.tensors[0]!;
    expect(w.errorNorm).toBeCloseTo(0.12, 9);
    expect(w.noiseNorm / ((K * h * h) / 8)).toBeCloseTo(1, 9);
    expect(w.passed).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it('keeps the default move where a wider one bends as much (a jump of the gradient at any move)', () => {
    // ∂L/∂w₀ jumps by 0.05 wherever w₀ moves: the bend 2·0.05·h at every move, so widening gains nothing.
    const result = checkGradients(
      noisy(1, 0.08, (d) => (d === 0 ? 0 : 0.05)),
      null,
      null,
      directional,
    );
    expect(result.warnings).toEqual([]);
    expect(result.tensors[0]!.noiseNorm).toBeCloseTo(0.1, 9);
    expect(result.passed).toBe(true);
  });

  /** 1e8 + 2·w₀ + C·(w₀ − ½)³, its gradient 2.08 at w₀ = ½: truncation that grows with the move squared. */
  const cubic = (C: number): GradientModel => {
    const w = [0.5];
    return {
      parameters: { w },
      loss: () => 1e8 + 2 * w[0]! + C * (w[0]! - 0.5) ** 3,
      gradients: () => ({ w: [2.08] }),
    };
  };

  it('refuses a wider move whose truncation grows, without reading the gradient there', () => {
    // C = 1e8: the truncation, invisible at the default move, is 16 times larger at ×4: 2 gradient
    // evaluations for the bend at the default move, none at ×4.
    const result = checkGradients(cubic(1e8), null, null, directional);
    expect(result.passed).toBe(false);
    expect(result.warnings).toEqual([]);
    expect(result.evaluations).toEqual({ loss: 10, gradients: 4 });
  });

  it('reads a wider move’s truncation between it and half of it: C = 1e6 widens ×16, not further', () => {
    const result = checkGradients(cubic(1e6), null, null, directional);
    expect(result.passed).toBe(false);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain('widened ×16');
  });

  it('widens up to exactly the room the entries’ scale leaves (×16 for a room of 16)', () => {
    // θ = (0, 0, 0, 16 steps): the first three entries' scale is the RMS, 8 steps; each entry
    // moves half the move (4 entries): room 16, so ×4 and then ×16, not ×64.
    const h0 = defaultStep(0, 'float64');
    const u = [0, 0, 0, 16 * h0];
    const model: GradientModel = {
      parameters: { u },
      loss: () => 1e8 + u.reduce((s, ui, i) => s + a[i]! * ui, 0),
      gradients: () => ({ u: u.map((_, i) => a[i]! + (i === 2 ? 0.01 : 0)) }),
    };
    const result = checkGradients(model, null, null, directional);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain('widened ×16');
    expect(result.stepRange).toEqual([16 * h0, 16 * h0]);
  });

  it('moves no entry of an empty tensor and leaves the whole verdict to the others', () => {
    const w = [0.5, -0.25];
    const result = checkGradients(
      { parameters: { w, e: [] }, loss: () => 2 * w[0]! + w[1]!, gradients: () => ({ w: [2.5, 1], e: [] }) },
      null,
      null,
      directional,
    );
    expect(result.evaluations).toEqual({ loss: 4, gradients: 2 });
    expect(result.tensors[1]!.passed).toBe(true);
    expect(result.difference).toBeGreaterThan(0.05);
    expect(result.difference).toBe(result.tensors[0]!.difference);
  });

  it('localises a wrong entry at the widened move, its ranges’ noise read along the whole tensor', () => {
    const theta8 = [0.5, -0.25, 0.75, 0.125, 0.3, -0.6, 0.9, 0.2];
    const x = [...theta8];
    const model: GradientModel = {
      parameters: { x },
      loss: () => 1e8 + x.reduce((s, xi, i) => s + (i + 1) * xi, 0),
      gradients: () => ({ x: x.map((_, i) => i + 1 + (i === 5 ? 0.01 : 0)) }),
    };
    const result = checkGradients(model, null, null, { ...directional, localise: 3 });
    expect(result.warnings[0]).toContain('widened ×64');
    expect(result.checked).toBe(1);
    expect(result.worst.map((e) => e.label)).toEqual(['x[5]']);
  });

  it('leaves a range alone once a wrong entry is found unless it exceeds its allowance 4 times', () => {
    // y₇ off by 1e-4 (7.5 tolerances as an entry) lies in a range that exceeds its allowance less than
    // 4 times: not followed; off by 1.2e-4 it is.
    const run = (e7: number) => {
      const y = [0.5, -0.25, 0.75, 0.125, 0.3, -0.6, 0.9, 0.2];
      const model: GradientModel = {
        parameters: { y },
        loss: () => y.reduce((s, yi, i) => s + (i + 1) * yi, 0),
        gradients: () => ({ y: y.map((_, i) => i + 1 + (i === 5 ? 0.01 : 0) + (i === 7 ? e7 : 0)) }),
      };
      return checkGradients(model, null, null, { ...directional, localise: 3 });
    };
    expect(run(1e-4).worst.map((e) => e.label)).toEqual(['y[5]']);
    expect(run(1.2e-4).worst.map((e) => e.label)).toEqual(['y[5]', 'y[7]']);
  });

  it('names the side of the move in the model’s error: the loss along −, the gradient along + or −', () => {
    // The loss notes which side of w₀ the first move (+) went; then it or gradients throws on one side.
    const failing = (where: 'loss' | 'gradients', side: 1 | -1): string => {
      const w = [0.5];
      let plus = 0;
      const moved = (): number => Math.sign(w[0]! - 0.5);
      const model: GradientModel = {
        parameters: { w },
        loss: () => {
          if (plus === 0) plus = moved();
          if (where === 'loss' && moved() !== 0 && moved() === -plus) throw new Error('lost');
          return 1e8 + 2 * w[0]!;
        },
        gradients: () => {
          if (where === 'gradients' && moved() !== 0 && moved() === side * plus) throw new Error('lost');
          return { w: [2.08] };
        },
      };
      try {
        checkGradients(model, null, null, directional);
      } catch (e) {
        expect(w).toEqual([0.5]);
        return (e as GradcheckError).message;
      }
      return 'no error';
    };
    expect(failing('loss', -1)).toContain(
      'threw with entries 0…0 (flat) of w moved along a random direction (−): lost',
    );
    expect(failing('gradients', 1)).toContain(
      'threw with w moved along a random direction (+), to see whether its gradient bends: lost',
    );
    expect(failing('gradients', -1)).toContain(
      'threw with w moved along a random direction (−), to see whether its gradient bends: lost',
    );
  });
});
