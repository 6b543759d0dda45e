/**
 * The loss's noise as noise.ts reads it (issue 9, item 4): the robust ECnoise reading off a table of
 * losses, and the probe a check runs once, along a random direction, when an entry's verdict
 * depends on it.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, type GradientModel } from '../src/index.js';
import { noiseOf, steadySlope } from '../src/noise.js';
import { seededRandom } from '../src/random.js';

/** 20 losses of a smooth function at spacing `s`, each with normal noise of deviation `sigma`. */
function table(f: (x: number) => number, s: number, sigma: number, seed = 1): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: 20 }, (_, i) => f((i - 9) * s) + sigma * random.gaussian());
}

describe('noiseOf', () => {
  it.each([1, 2, 3, 4, 5])('reads normal noise of deviation 1e-9 on a smooth loss to within 2× (seed %i)', (seed) => {
    const reading = noiseOf(table((x) => 3 + Math.sin(x), 1e-4, 1e-9, seed));
    expect(reading.verdict).toBe('measured');
    if (reading.verdict !== 'measured') return;
    expect(reading.sigma).toBeGreaterThan(0.5e-9);
    expect(reading.sigma).toBeLessThan(2e-9);
  });

  it('is not fooled by a kink the points straddle: a ReLU-like loss reads the noise, not the kink', () => {
    const reading = noiseOf(table((x) => 3 + Math.max(0, x), 1e-4, 1e-12));
    expect(reading.verdict).toBe('measured');
    if (reading.verdict !== 'measured') return;
    // The kink alone changes the slope by 1 over a spacing of 1e-4: a plain mean square reads ~1e-5.
    expect(reading.sigma).toBeLessThan(3e-12);
  });

  // Losses a probe read in the property test (GC_SEED=1), each taken for noise before.
  it('says too far where the line crosses kinks with exact linear pieces between them, not noise', () => {
    // A float64 cross-entropy net at weights 2e-3 (ReLU units switching at t = 3/4 and 11/12): read as
    // σ = 1.6e-13, 1 000× the loss's rounding, within which a sign-flipped b1 passed.
    const losses = [
      0.6931472630513715, 0.6931472630509288, 0.693147263050486, 0.6931472630500433, 0.6931472630476214,
      0.6931472630474291, 0.6931472630472368, 0.6931472630470445, 0.6931472630468524, 0.6931472630466602,
      0.6931472630464679, 0.6931472630462756, 0.6931472630474821, 0.6931472630476381, 0.693147263047794,
      0.6931472630479499, 0.6931472630481059, 0.693147263048262, 0.6931472630484179, 0.6931472630485738,
    ];
    expect(noiseOf(losses)).toEqual({ verdict: 'too far' });
  });

  it('says too far where one half of the line is exact and the other crosses kink after kink: noise is the same all along', () => {
    // A float64 cross-entropy net at weights 1.5e3, loss 3.3e5: read as σ = 0.14 (2e9 roundings),
    // within which a bias gradient 7× too large passed.
    const losses = [
      331515.116779898, 331500.44805793924, 331485.77933577786, 331471.11061341414, 331456.4418908477,
      331441.77316807874, 331427.1044451213, 331412.4357255205, 331397.7680784623, 331383.7914221572, 331385.0496339014,
      331395.405318656, 331409.9519304211, 331424.5523184523, 331440.305035627, 331456.50012009236, 331474.05439561896,
      331492.38497701666, 331510.93899097195, 331529.4954826695,
    ];
    expect(noiseOf(losses)).toEqual({ verdict: 'too far' });
  });

  it('says too far where kinks lie every few points: second differences exact between them, not noise', () => {
    // A float64 cross-entropy net at weights 5e-3 (GC_SEED=2): 18 ReLU kinks along the line, read as
    // σ = 7e-11 (1.5e5 roundings), within which an entry was widened across a kink and failed.
    const losses = [
      2.080105250719525, 2.0801052494545105, 2.080105248055877, 2.0801052466572445, 2.0801052452586135,
      2.080105243859983, 2.080105243107895, 2.0801052424805575, 2.080105241853221, 2.0801052412258856,
      2.0801052405444294, 2.080105240196766, 2.080105239969549, 2.080105239875815, 2.080105238880378,
      2.0801052378271314, 2.0801052374799744, 2.0801052371197906, 2.080105236725954, 2.0801052364818537,
    ];
    expect(noiseOf(losses)).toEqual({ verdict: 'too far' });
  });

  it('reads a loss whose rounding jumps now and then as noise: exact between the jumps, but its slope stays', () => {
    // A float64 naive binary cross-entropy (log(1 − a), a = 1 − 7e-10, GC_SEED=1 of the real-code test):
    // 1 − a rounds to one of a few values, so the loss jumps by 2e-9 where that changes. That noise
    // needs a wider step, and exact pieces between its jumps must not hide it.
    const losses = [
      8.525320728059478, 8.525322968996175, 8.525325207728683, 8.52532744867887, 8.525329689635804, 8.525331930599476,
      8.525334171569892, 8.52533641254705, 8.525338653530953, 8.525340894521596, 8.525343135518984, 8.525345374312234,
      8.525347615323112, 8.525349856340728, 8.525352097365094, 8.525354338396198, 8.525356579434044, 8.525358820478633,
      8.525361061529967, 8.525363300377215,
    ];
    expect(noiseOf(losses).verdict).toBe('measured');
  });

  it('still reads noise far above the rounding where it is noise (no exact pieces, the same level in both halves)', () => {
    const reading = noiseOf(table((x) => 0.7 + 4e-11 * x, 1e-2, 1e-12, 7));
    expect(reading.verdict).toBe('measured');
  });

  it('says the points are too close where the loss does not move between most of them', () => {
    expect(noiseOf(Array.from({ length: 20 }, (_, i) => (i % 7 === 0 ? 1 + 2 ** -52 : 1)))).toEqual({
      verdict: 'too close',
    });
  });

  it('says the points are too far where curvature, not noise, shows in every order read', () => {
    expect(noiseOf(table((x) => 1 + Math.exp(x), 0.05, 0))).toEqual({ verdict: 'too far' });
  });

  it('says too far where the losses vary by more than a tenth of their size', () => {
    expect(noiseOf(table((x) => 1 + x, 0.02, 1e-9))).toEqual({ verdict: 'too far' });
  });
});

describe('noiseOf, rule by rule (tables that tell each rule from a near miss)', () => {
  const sine = (x: number): number => 3 + Math.sin(x);
  const float32Line = (x: number): number => Math.fround(1 + x);
  const float32Sine = (x: number): number => Math.fround(30 + Math.sin(x));

  it('reads a float64 loss exact but for its rounding as that rounding (ulp/√12 at 3)', () => {
    const reading = noiseOf(table(sine, 1e-4, 0));
    expect(reading).toEqual({ verdict: 'measured', sigma: expect.any(Number) });
    if (reading.verdict !== 'measured') return;
    expect(reading.sigma).toBeGreaterThan(2 ** -51 / Math.sqrt(12) / 2);
    expect(reading.sigma).toBeLessThan((2 * 2 ** -51) / Math.sqrt(12));
  });

  it.each([
    [1e-6, 0, 1],
    [1e-5, 1e-16, 1],
    [1e-4, 1e-16, 3],
  ])('reads a float32 line rounded at 1 (spacing %d, noise %d) as a float32 rounding, ulp/√12', (s, sigma, seed) => {
    const reading = noiseOf(table(float32Line, s, sigma, seed));
    expect(reading.verdict).toBe('measured');
    if (reading.verdict !== 'measured') return;
    // 2⁻²³ above 1, 2⁻²⁴ below it.
    expect(reading.sigma).toBeGreaterThan(2 ** -24 / Math.sqrt(12) / 2);
    expect(reading.sigma).toBeLessThan((2 * 2 ** -23) / Math.sqrt(12));
  });

  it('reads noise of 1e-16 on a smooth loss near 3 (the size of its rounding) as measured, below 1e-15', () => {
    for (const [s, seed] of [
      [1e-3, 2],
      [1e-6, 4],
    ] as const) {
      const reading = noiseOf(table(sine, s, 1e-14 * (s === 1e-6 ? 1 : 0.01), seed));
      expect(reading.verdict).toBe('measured');
      if (reading.verdict === 'measured') expect(reading.sigma).toBeLessThan(s === 1e-6 ? 4e-14 : 1e-15);
    }
  });

  it.each([
    ['sin at spacing 1e-4, noise 1e-14: its third differences (1e-12) are above the noise', sine, 1e-4, 1e-14, 1],
    ['a cubic at spacing 1e-4, noise 1e-12: the orders 3 to 5 disagree', (x: number) => 1 + x ** 3, 1e-4, 1e-12, 8],
    ['a kink of |x| between two points, noise 1e-14', (x: number) => 2 + Math.abs(x - 2.5e-4), 1e-4, 1e-14, 1],
    ['float32 rounding of 30 + sin at spacing 0.01: exact pieces, slope changing', float32Sine, 0.01, 1e-14, 8],
    ['float32 rounding of 1 + x, noise 1e-16, at spacing 1e-6', float32Line, 1e-6, 1e-16, 1],
  ])('says too far: %s', (_, f, s, sigma, seed) => {
    expect(noiseOf(table(f, s, sigma, seed))).toEqual({ verdict: 'too far' });
  });

  /**
   * 1 + u + x/5 + 3x² (u a seeded uniform draw) at spacing 1e-5, with normal noise of deviation 1e-9
   * on one half of the line only: exact there, noisy on the other half, but its slope (less the
   * curvature's trend, taken at each third's centre) the same all along: noise, not a kink.
   */
  function halfNoisy(noisy: 'first' | 'second', seed: number): number[] {
    const random = seededRandom(seed);
    const c = 1 + random.uniform();
    return Array.from({ length: 20 }, (_, i) => {
      const x = (i - 9) * 1e-5;
      return c + 0.2 * x + 3 * x * x + (i >= 10 === (noisy === 'second') ? 1e-9 * random.gaussian() : 0);
    });
  }

  it.each([
    ['first', 13],
    ['second', 66],
  ] as const)(
    'reads a loss exact on one half of the line and noisy on the %s, its slope steady, as noise',
    (noisy, seed) => {
      const reading = noiseOf(halfNoisy(noisy, seed));
      expect(reading.verdict).toBe('measured');
      if (reading.verdict === 'measured') expect(reading.sigma).toBeLessThan(1e-9);
    },
  );

  it('says too close, not too far, where the losses vary by exactly a tenth of the largest (10 and 9) but most are equal', () => {
    expect(noiseOf([9, ...Array<number>(19).fill(10)])).toEqual({ verdict: 'too close' });
  });

  it('says too close where exactly half the first differences are 0 (21 losses)', () => {
    expect(noiseOf(Array.from({ length: 21 }, (_, i) => 1 + Math.floor(i / 2) * 2 ** -40))).toEqual({
      verdict: 'too close',
    });
  });
});

describe('steadySlope', () => {
  // The probe's 20 losses, t = −9 … 10 (θ at t = 0, index 9): a line over noise of 1e-12, its slope
  // growing by 1e-6 a point beyond t = bend.
  const line = (bend?: number): number[] => {
    const random = seededRandom(7);
    return Array.from({ length: 20 }, (_, i) => {
      const t = i - 9;
      return 3 + 1e-3 * t + (bend === undefined ? 0 : 1e-6 * Math.max(0, t - bend)) + 1e-12 * random.gaussian();
    });
  };

  it('reads a line without a bend as steady', () => {
    expect(steadySlope(line(), false, 1e-12)).toBe(true);
  });

  it('reads a line bent at θ as steady: its slope stays on each side, and every line through θ bends there', () => {
    expect(steadySlope(line(0), false, 1e-12)).toBe(true);
  });

  it.each([2.5, -1.5, -5.5])('reads a line bent at t = %d, one side of θ, as unsteady', (bend) => {
    expect(steadySlope(line(bend), false, 1e-12)).toBe(false);
  });
});

describe('the probe in a check', () => {
  /** A float32 model with a float64 loss: the modelled ε₃₂·|L| floor is far above its real rounding. */
  function sine(bug: number): GradientModel {
    const w = new Float32Array([0.3, -1.2, 2.5, 0.01]);
    return {
      parameters: { w },
      loss: () => 30 + Array.from(w).reduce((s, x) => s + Math.sin(x), 0),
      gradients: () => ({ w: Array.from(w, (x) => Math.cos(x) * (1 + bug)) }),
    };
  }

  it('measures the noise once, and only when a verdict depends on it', () => {
    const quadratic = (): GradientModel => {
      const w = Float64Array.from([0.5, -0.25, 1.5]);
      return {
        parameters: { w },
        loss: () => w.reduce((s, x) => s + x * x, 0),
        gradients: () => ({ w: w.map((x) => 2 * x) }),
      };
    };
    // Settled at once by the tolerance: no probe (2 per entry + 2 at θ).
    expect(checkGradients(quadratic(), null, null).evaluations.loss).toBe(2 * 3 + 2);
    // A float32 loss whose modelled floor is above the tolerance window: one probe of 19 losses.
    const result = checkGradients(sine(0), null, null);
    expect(result.passed).toBe(true);
    expect(result.evaluations.loss).toBeGreaterThanOrEqual(19);
  });

  it('fails a 1 % bug in that model with a fixed step, where the modelled floor let it pass', () => {
    expect(checkGradients(sine(0), null, null, { step: 1e-3 }).passed).toBe(true);
    expect(checkGradients(sine(0.01), null, null, { step: 1e-3 }).passed).toBe(false);
  });

  it('leaves every parameter bit for bit, and falls back to the modelled floor where the loss is not finite beside θ', () => {
    const w = new Float32Array([0.25, 0.5]);
    const model: GradientModel = {
      parameters: { w },
      // Defined wherever at most one entry moved: the entries' differences, never the probe's points.
      loss: () => (w[0] !== 0.25 && w[1] !== 0.5 ? NaN : 30 + Math.sin(w[0]!) + Math.sin(w[1]!)),
      gradients: () => ({ w: Array.from(w, Math.cos) }),
    };
    const result = checkGradients(model, null, null);
    expect(result.passed).toBe(true);
    expect(Array.from(w)).toEqual([0.25, 0.5]);
  });
});

describe('widening for noise', () => {
  /**
   * A float32 loss near 0.6 whose slope along w[1] (3e-6) moves it by less than half an ulp over the
   * default float32 step (2⁻⁸): the losses at θ ± h and θ ± h/2 are bitwise the same, a stillness
   * that agrees with any gradient within that step's noise floor (≈ 2e-5) but not within the
   * tolerance. `bug` scales the gradient of w[1].
   */
  function shallow(bug: number): GradientModel {
    const slopes = [0.3, 3e-6, -0.7];
    const w = new Float32Array([0.5, -0.45, 0.6]);
    const f = Math.fround;
    return {
      parameters: { w },
      loss: () => f(0.6 + f(slopes.reduce((s, g, i) => f(s + f(g * w[i]!)), 0))),
      gradients: () => ({ w: slopes.map((g, i) => (i === 1 ? g * (1 + bug) : g)) }),
    };
  }

  it('widens a step where the loss stayed still within its noise, and so fails a 10 % bug there', () => {
    const correct = checkGradients(shallow(0), null, null);
    expect(correct.passed).toBe(true);
    expect(correct.tensors[0]!.widened).toBeGreaterThanOrEqual(1);
    // Judged where the loss stayed still, w[1] would be "ok" with a numeric derivative of 0.
    const bugged = checkGradients(shallow(0.1), null, null, { worst: 1 });
    expect(bugged.passed).toBe(false);
    expect(bugged.worst[0]!.label).toBe('w[1]');
    expect(bugged.worst[0]!.numeric).toBeCloseTo(3e-6, 7);
  });

  it('widens up to ×1024 (2⁻⁸ → 4) where the noise still decides: a 20 % bug of a gradient 1e-6 fails', () => {
    const w = new Float32Array([0.5, -0.45, 0.6]);
    const slopes = [0.3, 1e-6, -0.7];
    const f = Math.fround;
    const model = (bug: number): GradientModel => ({
      parameters: { w },
      loss: () => f(0.6 + f(slopes.reduce((s, g, i) => f(s + f(g * w[i]!)), 0))),
      gradients: () => ({ w: slopes.map((g, i) => (i === 1 ? g * (1 + bug) : g)) }),
    });
    expect(checkGradients(model(0), null, null).passed).toBe(true);
    expect(checkGradients(model(0.2), null, null).passed).toBe(false);
  });

  /**
   * Σ sin(cᵢwᵢ) + exp(wᵢ) (about 5) rounded to an absolute `quantum`, as a loss kept in a coarse
   * format is: still within the float64 default step, it moves only ×256 wider, and its noise is
   * the quantum. `bug` scales the gradient of w[entry].
   */
  function rounded(quantum: number, entry: number, bug: number): GradientModel {
    const w = new Float64Array([0.3, -0.7, 1.2, 0.05]);
    const c = [1, 2, -0.5, 1.5];
    return {
      parameters: { w },
      loss: () => Math.round(w.reduce((s, v, i) => s + Math.sin(c[i]! * v) + Math.exp(v), 0) / quantum) * quantum,
      gradients: () => ({
        w: [...w].map((v, i) => (c[i]! * Math.cos(c[i]! * v) + Math.exp(v)) * (i === entry ? bug : 1)),
      }),
    };
  }

  it.each([1e-3, 1e-4])(
    'widens a loss rounded to %s beyond ×1024 of the step it first moved at, and fails a 2 % bug of any entry',
    (quantum) => {
      // Stopped at ×1024 of the default step (3.9e-3), the quantum's noise there (0.26 in the
      // derivative) let every 10 % bug pass "within the finite-difference error"; at the wider steps
      // the one-sided slopes differ by the quantum over h, which is noise, not a kink.
      const correct = checkGradients(rounded(quantum, 0, 1), null, null);
      expect(correct.passed).toBe(true);
      for (let entry = 0; entry < 4; entry++)
        for (const bug of [1.1, 1.02]) {
          const result = checkGradients(rounded(quantum, entry, bug), null, null, { worst: 1 });
          expect(result.passed, `w[${entry}] × ${bug}`).toBe(false);
          expect(result.worst[0]!.label).toBe(`w[${entry}]`);
        }
    },
  );
});
