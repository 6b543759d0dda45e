/**
 * The decisions of one entry's estimate (entry-rules.ts), as tables: each row is a situation the
 * estimator meets and what the rule must decide there. Losses are exact where the steps are powers
 * of two, so most expected values are exact.
 */
import { describe, expect, it } from 'vitest';
import { allowedError, lossNoise, type EntryEstimate, type StepTaken } from '../src/difference.js';
import {
  agrees,
  agreesBesideKink,
  agreesWithin,
  centralEstimate,
  centralSettles,
  CLEAR_MISMATCH,
  CONFIRMATIONS,
  contradictsStillness,
  failsOutright,
  flatReach,
  gradientJumps,
  gradientJumpsBeyondCurvature,
  gradientBends,
  isFlat,
  judgedEstimate,
  judgeNarrower,
  sidesExcludeKink,
  oneSidedSlopes,
  readNoise,
  refinedEstimate,
  truncationFromCurvature,
  widenedTooFar,
  widenedStep,
  widensBeyond,
  widerHelps,
  widerScaleAgrees,
  type FiveLosses,
} from '../src/entry-rules.js';
import {
  judgedAlongPath,
  jumpsBeyondHalf,
  jumpsBetweenSamples,
  withCurvatureTruncation,
} from '../src/gradient-kink.js';
import { opposedBends } from '../src/opposed-bends.js';
import { entryExcess } from '../src/pass-rule.js';

const h = 2 ** -10;
const at = (theta: number, step: number): StepTaken => ({ plus: theta + step, minus: theta - step });
/** L at θ − h, θ − h/2, θ, θ + h/2, θ + h. */
const five = (L: (x: number) => number, theta = 0): FiveLosses => [
  L(theta - h),
  L(theta - h / 2),
  L(theta),
  L(theta + h / 2),
  L(theta + h),
];
const estimate = (numeric: number, floor = 0, errorEstimate = 0): EntryEstimate => ({
  numeric,
  floor,
  step: h,
  errorEstimate,
});

describe('centralEstimate', () => {
  it.each([
    ['L = θ² at θ = 1', (x: number) => x * x, 1, 2],
    ['L = 3θ at θ = 0.5', (x: number) => 3 * x, 0.5, 3],
    ['L = θ³ at θ = 0 (truncation h²)', (x: number) => x ** 3, 0, h * h],
  ])('%s', (_, L, theta, numeric) => {
    const noise = 3e-15;
    const e = centralEstimate(at(theta, h), L(theta + h), L(theta - h), noise);
    expect(e.numeric).toBe(numeric);
    expect(e.step).toBe(h);
    expect(e.errorEstimate).toBe(0);
    // Each of the two losses off by up to `noise`, over the step taken 2h.
    expect(e.floor).toBe((2 * noise) / (2 * h));
  });
});

describe('centralSettles', () => {
  it.each([
    ['central, agreeing', 'central', 2, 0, true],
    ['central, off, tensor not yet confirmed wrong', 'central', 2.1, 0, false],
    ['central, off, tensor confirmed wrong enough times', 'central', 2.1, CONFIRMATIONS, true],
    ['richardson always refines, even agreeing', 'richardson', 2, 0, false],
  ] as const)('%s', (_, scheme, analytic, confirmed, settles) => {
    expect(centralSettles(scheme, analytic, estimate(2, 1e-12), 1e-6, confirmed)).toBe(settles);
  });

  // Tolerance 1e-6 around 2 allows an error of 4e-6 (relative to |g| + |ĝ|), and one step settles
  // within half of it: agreement counts only where the error plus the estimate's floor stays inside
  // 2e-6 (issue 9: luck is not evidence; the other half is room for the truncation one step cannot see).
  it.each([
    ['error 0.5e-6 with floor 1.4e-6: inside together', 2 + 0.5e-6, 1.4e-6, true],
    ['error 0.5e-6 with floor 1.6e-6: the floor reaches beyond the window', 2 + 0.5e-6, 1.6e-6, false],
    ['no error, a floor as wide as the window', 2, 2.1e-6, false],
    ['error 3e-6, no floor: within the tolerance, beyond its half', 2 + 3e-6, 0, false],
    ['error 1.9e-6, no floor: within its half', 2 + 1.9e-6, 0, true],
  ] as const)('%s', (_, analytic, floor, settles) => {
    expect(centralSettles('central', analytic, estimate(2, floor), 1e-6, 0)).toBe(settles);
  });
});

describe('isFlat', () => {
  it.each([
    ['all five equal', [1, 1, 1, 1, 1], true],
    ['one loss one ulp off', [1, 1, 1, 1, 1 + 2 ** -52], false],
    ['centre differs', [1, 1, 1 + 2 ** -52, 1, 1], false],
  ] as const)('%s', (_, losses, flat) => {
    expect(isFlat(losses)).toBe(flat);
  });
});

describe('flatReach', () => {
  it.each([
    // float64's default step at |θ| ≤ 1 is 2⁻¹⁸: three widenings reach 2⁻⁶, one unit of θ is wider.
    ['float64, θ = 0', 0, 2 ** -18, 1],
    ['float64, θ = −0.3', -0.3, 2 ** -18, 1],
    // The unit is the power of two at most |θ|.
    ['float64, θ = 100', 100, 2 ** -11, 64],
    // float32's default step 2⁻⁸: three widenings (2⁴) are wider than the unit.
    ['float32, θ = 0.5', 0.5, 2 ** -8, 16],
    ['float32, θ = 40', 40, 2 ** -3, 512],
  ] as const)('%s: %s', (_, theta, h, reach) => {
    expect(flatReach(theta, h)).toBe(reach);
  });
});

describe('readNoise', () => {
  const allowance = lossNoise(1, 'float64');
  const modelledOf = (_losses: FiveLosses): number => allowance;
  it.each([
    ['a smooth loss: the modelled rounding', five((x) => 1 + x * x), false, (l: FiveLosses) => modelledOf(l)],
    [
      'one loss jittered by 1e-9: the fourth difference / 8',
      [1, 1, 1 + 1e-9, 1, 1] as FiveLosses,
      false,
      (l: FiveLosses) => Math.abs(l[0] - 4 * l[1] + 6 * l[2] - 4 * l[3] + l[4]) / 8,
    ],
  ])('%s', (_, losses, widened, noise) => {
    const reading = readNoise(losses, allowance, widened);
    expect(reading.modelled).toBe(modelledOf(losses));
    expect(reading.noise).toBe(noise(losses));
  });

  it.each([
    ['not widened: the allowance only', false, lossNoise(1, 'float64')],
    ['widened: the smallest change the loss shows', true, 2 ** -30],
  ])('a coarse loss, %s', (_, widened, modelled) => {
    const losses: FiveLosses = [1 + 2 ** -30, 1, 1, 1, 1 + 2 ** -30];
    expect(readNoise(losses, lossNoise(1, 'float64'), widened).modelled).toBe(modelled);
  });
});

describe('refinedEstimate', () => {
  const cubic = five((x) => x ** 3);
  it.each([
    // L = θ³ at 0: central h², at h/2 h²/4; Richardson removes the h² term exactly.
    ['central: the quotient at h, its error from h/2', 'central', 0, cubic, h * h, 2 * (h * h)],
    ['richardson: extrapolated to the derivative', 'richardson', 0, cubic, 0, 2 * ((0.75 * h * h) / 3)],
    ['central on a quadratic: no truncation', 'central', 1, five((x) => x * x, 1), 2, 0],
  ] as const)('%s', (_, scheme, theta, losses, numeric, leading) => {
    const e = refinedEstimate(scheme, at(theta, h), at(theta, h / 2), losses, 0);
    expect(e.numeric).toBe(numeric);
    expect(e.step).toBe(h);
    expect(e.errorEstimate).toBe(Math.max(leading, e.floor));
  });

  it('divides the noise by the step: the floor of the central quotient', () => {
    expect(
      refinedEstimate(
        'central',
        at(0, h),
        at(0, h / 2),
        five((x) => x),
        1e-12,
      ).floor,
    ).toBe(1e-12 / h);
  });

  it('carries the noise it was read with', () => {
    expect(
      refinedEstimate(
        'central',
        at(0, h),
        at(0, h / 2),
        five((x) => x),
        3e-12,
      ).noise,
    ).toBe(3e-12);
    expect(
      refinedEstimate(
        'richardson',
        at(0, h),
        at(0, h / 2),
        five((x) => x),
        0,
      ).noise,
    ).toBe(0);
  });
});

describe('widenedStep and widensBeyond', () => {
  // From step `from`, up to NOISE_WIDENINGS widenings by NOISE_WIDENING (×1024), ×4 while that stays
  // within `widest`, then the widest itself where it is at least 2h; widensBeyond where there is a next step.
  it.each([
    ['at the first step, with room', 1, 1, 100, 4],
    ['one widening short of ×1024', 256, 1, 1e6, 1024],
    ['at ×1024: no further', 1024, 1, 1e6, undefined],
    ['at ×1024 from the start: none, however wide the widest', 1024, 1, 1e9, undefined],
    ['beyond ×1024', 2048, 1, 1e6, undefined],
    ['the next step would pass the widest, which is twice the step or more', 1, 1, 3.9, 3.9],
    ['×4 would pass it: the widest', 1, 1, 3.41, 3.41],
    ['the widest exactly twice the step', 1, 1, 2, 2],
    ['the widest is under twice the step', 1, 1, 1.9, undefined],
    ['the widest under twice the step: none', 1, 1, 1.99, undefined],
    ['the next step lands on the widest', 1, 1, 4, 4],
    ['at the widest already: none', 3.41, 1, 3.41, undefined],
    ['counted from a wider start', 512, 2, 1e6, 2048],
  ] as const)('%s', (_, step, from, widest, next) => {
    expect(widenedStep(step, from, widest)).toBe(next);
    expect(widensBeyond(step, from, widest)).toBe(next !== undefined);
  });
});

describe('agrees', () => {
  it.each([
    ['exact', 2, estimate(2), true],
    ['off by 1e-7 relative, tolerance 1e-6', 2, estimate(2 + 4e-7), true],
    ['off by 1e-3 relative', 2, estimate(2.004), false],
    ['off, but within the estimated error', 2, estimate(2.004, 0, 0.01), true],
  ])('%s', (_, analytic, e, expected) => {
    expect(agrees(analytic, e, 1e-6)).toBe(expected);
  });
});

describe('failsOutright', () => {
  const kinked: EntryEstimate = { ...estimate(2.004), kink: { left: 1, right: 3 } };
  it.each([
    ['off by 1e-3 relative', 2, estimate(2.004), true],
    ['off, but within the estimated error', 2, estimate(2.004, 0, 0.01), false],
    ['off, but within the floor', 2, estimate(2.004, 0.01), false],
    // An excess of exactly 1 passes: 0.5 off, its floor 0.5.
    ['off by exactly its floor', 2, estimate(2.5, 0.5), false],
    ['a kink, however far off', 2, kinked, false],
    // A derivative below the smallest normal number is no evidence: 1e-310 against 0 passes.
    ['subnormal, against 0', 0, estimate(1e-310), false],
    ['the smallest normal itself, against 0', 0, estimate(2 ** -1021), true],
  ])('%s', (_, analytic, e, fails) => {
    expect(failsOutright(analytic, e, 2 ** -1022, 1e-6)).toBe(fails);
  });
});

describe('widerScaleAgrees', () => {
  // Errors of 3/1024 and 4/1024 combine to exactly 5/1024.
  const u = 1 / 1024;
  it.each([
    [
      'apart, agreeing, and sharp enough to tell the two apart',
      2,
      estimate(2 + 9 * u, 0, 3 * u),
      estimate(2, 0, 4 * u),
      'agrees',
    ],
    [
      'apart by exactly both errors combined',
      2 - 2 * u,
      estimate(2 + 5 * u, 0, 4 * u),
      estimate(2, 0, 3 * u),
      'stands',
    ],
    ['apart by just more', 2 - 2 * u, estimate(2 + 6 * u, 0, 4 * u), estimate(2, 0, 3 * u), 'agrees'],
    ['within both floors (no estimated error)', 2, estimate(2 + 4 * u, 3 * u), estimate(2, 4 * u), 'stands'],
    // The wider error 4u against a mismatch of 8u: exactly half, no better than a guess between them.
    ['the wider error half the mismatch', 2, estimate(2 + 8 * u, 0, 3 * u), estimate(2, 0, 4 * u), 'coarse'],
    ['within both errors', 2, estimate(2 + 4 * u, 0, 3 * u), estimate(2, 0, 4 * u), 'stands'],
    [
      'apart, but disagreeing at the wider step too',
      2.1,
      estimate(2 + 9 * u, 0, 3 * u),
      estimate(2, 0, 4 * u),
      'stands',
    ],
    // The real-code draw (GC_SEED=24, 1561495001): a naive log(1 − a) on a plateau at 2⁻¹⁸, and at 2⁻¹⁴.
    [
      'a rounding plateau at the narrow step',
      0.325345,
      estimate(0.325525, 9.6e-10, 9.6e-10),
      estimate(0.325357, 1.05e-5, 6.4e-5),
      'agrees',
    ],
    // A float32 bias with a wrong gradient (property seed 28, 662360199): 341.8 ± 33.7 at 2⁻⁶, −151.9 ± 208.6 at 2⁻².
    [
      'a wider reading as coarse as the mismatch',
      30.347,
      estimate(341.78, 33.74),
      estimate(-151.92, 30.86, 208.64),
      'coarse',
    ],
  ] as const)('%s', (_, analytic, narrow, wide, verdict) => {
    expect(widerScaleAgrees(analytic, narrow, wide, 1e-6)).toBe(verdict);
  });
});

describe('oneSidedSlopes at the boundary', () => {
  it('shows no kink where the two slopes differ by exactly the tolerance (1 and 3 at 0.5), one just past it', () => {
    // A kink at θ = 0: slope 1 on the left, 3 on the right; every point and loss dyadic, no noise.
    const coarse = { plus: 0.25, minus: -0.25 },
      fine = { plus: 0.125, minus: -0.125 };
    const losses = [-0.25, -0.125, 0, 0.375, 0.75] as const;
    const at = oneSidedSlopes(0, coarse, fine, losses, 0, 0.5);
    expect(at).toEqual({ left: 1, right: 3, shown: false });
    expect(oneSidedSlopes(0, coarse, fine, losses, 0, 0.5 - 2 ** -53).shown).toBe(true);
  });
});

describe('agreesBesideKink', () => {
  // Analytic 1, numeric 1.25 (dyadic): off by 0.25, within an error estimate of 0.5.
  it.each([
    [false, 0.125, 0.5, true], // no kink shown: the error estimate decides
    [true, 0.125, 0.5, false], // a kink shown: only the rounding floor
    [true, 0.25, 0.5, true], // exactly the floor: an excess of 1
    [true, 0.25 - 2 ** -40, 0.5, false],
  ])('kink shown %s, floor %s, error %s: agrees %s', (shown, floor, errorEstimate, agreed) => {
    expect(agreesBesideKink(1, estimate(1.25, floor, errorEstimate), shown, 1e-9)).toBe(agreed);
  });
});

describe('opposedBends: two kinks within half the step, read from the loss', () => {
  // θ = 0, steps ±0.25 and ±0.125: secants 0 | 0.5 on the left, 0.25 | −1 on the right (dyadic, exact).
  const coarse = { plus: 0.25, minus: -0.25 },
    fine = { plus: 0.125, minus: -0.125 };
  const bump: FiveLosses = [0, 0, 0.0625, 0.09375, -0.03125];
  const dip = bump.map((v) => -v) as unknown as FiveLosses;
  // The left bend 0.5 against its noise σ·hypot(8, 16, 8) (the right bend, 1.25, is larger).
  const atLeftBend = 0.5 / Math.hypot(8, 16, 8);
  it.each([
    ['up on the left, down on the right: at least the larger inner secant', bump, 0, { above: true, bound: 0.5 }],
    ['down, then up: at most the smaller', dip, 0, { above: false, bound: -0.5 }],
    [
      'just beyond the noise, the bound loosened by an inner secant’s noise √2·σ·8',
      bump,
      atLeftBend * (1 - 1e-9),
      { above: true, bound: 0.5 - Math.SQRT2 * 8 * atLeftBend * (1 - 1e-9) },
    ],
    [
      'the same, mirrored',
      dip,
      atLeftBend * (1 - 1e-9),
      { above: false, bound: -0.5 + Math.SQRT2 * 8 * atLeftBend * (1 - 1e-9) },
    ],
    ['a left bend within its noise', bump, atLeftBend * (1 + 1e-9), undefined],
    [
      'a right bend within its noise (−0.125 against 0.2; the left one, 4, beyond it)',
      [0, 0, 0.5, 0.75, 0.984375] as FiveLosses,
      0.2 / Math.hypot(8, 16, 8),
      undefined,
    ],
    ['convex on both sides (|θ|): no bound', [0.25, 0.125, 0, 0.125, 0.25] as FiveLosses, 0, undefined],
    [
      'bent the same way on both sides (θ², a softplus narrower than the step)',
      [0.0625, 0.015625, 0, 0.015625, 0.0625] as FiveLosses,
      0,
      undefined,
    ],
    ['straight on one side', [0, 0, 0.0625, 0.125, 0.1875] as FiveLosses, 0, undefined],
  ])('%s', (_, losses, modelled, expected) => {
    const between = opposedBends(0, coarse, fine, losses, modelled);
    if (expected === undefined) expect(between).toBeUndefined();
    else {
      expect(between!.above).toBe(expected.above);
      expect(between!.bound).toBeCloseTo(expected.bound, 12);
    }
  });

  it.each([
    // θ = 1, halves of 0.125: the right bend −0.125 against σ·hypot(8, 16, 8), the left one (4) far beyond.
    [1 - 1e-9, true],
    [1 + 1e-9, false],
  ])('θ = 1: a right bend at %s × its noise is shown: %s', (factor, shown) => {
    const at1 = { plus: 1.25, minus: 0.75 },
      half1 = { plus: 1.125, minus: 0.875 };
    const losses: FiveLosses = [0, 0, 0.5, 0.75, 0.984375];
    const modelled = (factor * 0.125) / Math.hypot(8, 16, 8);
    expect(opposedBends(1, at1, half1, losses, modelled) !== undefined).toBe(shown);
  });

  it.each([
    // Inner halves 0.125 on the left and 0.25 on the right, then the other way: the slack is √2·σ over the narrower.
    [{ plus: 1.5, minus: 0.75 }, { plus: 1.25, minus: 0.875 }, [0, 0, 0.25, 0.75, 0.625] as FiveLosses, 2],
    [{ plus: 1.25, minus: 0.5 }, { plus: 1.125, minus: 0.75 }, [0, 0, 0.5, 0.75, 0.5] as FiveLosses, 2],
  ])(
    'θ = 1, uneven inner halves: the bound is the larger inner secant less √2·σ/(narrower half)',
    (at1, half1, losses, larger) => {
      const sigma = 2 ** -20;
      expect(opposedBends(1, at1, half1, losses, sigma)).toEqual({
        above: true,
        bound: larger - Math.SQRT2 * sigma * 8,
      });
    },
  );

  it.each([
    [
      'left straight, right bent up: no bound (and no tie let through)',
      [-0.125, -0.0625, 0, 0.125, 0.375] as FiveLosses,
    ],
  ])('%s', (_, losses) => {
    expect(opposedBends(0, coarse, fine, losses, 0)).toBeUndefined();
  });

  it('reads the right bend as the outer secant less the inner one (inner 1, outer 0.5: down)', () => {
    expect(opposedBends(0, coarse, fine, [0, 0, 0.25, 0.375, 0.4375], 0)).toEqual({ above: true, bound: 2 });
  });

  it('reads the secants over the steps as stored (θ ≠ 0, uneven halves)', () => {
    const at = { plus: 1.5, minus: 0.25 },
      half = { plus: 1.25, minus: 0.75 };
    // Secants 0 | 0.5 on the left over widths 0.5 and 0.25, 0.25 | −1 on the right over 0.25 each.
    const losses: FiveLosses = [2, 2, 2.125, 2.1875, 1.9375];
    expect(opposedBends(1, at, half, losses, 0)).toEqual({ above: true, bound: 0.5 });
  });

  it('is what oneSidedSlopes records with the kink, and only where there is such a bend', () => {
    expect(oneSidedSlopes(0, coarse, fine, bump, 0, 1e-6).between).toEqual({ above: true, bound: 0.5 });
    expect(oneSidedSlopes(0, coarse, fine, [0.25, 0.125, 0, 0.125, 0.25], 0, 1e-6)).not.toHaveProperty('between');
  });
});

describe('oneSidedSlopes', () => {
  const noise = lossNoise(1, 'float64');
  it.each([
    ['|θ| at 0: a kink', (x: number) => Math.abs(x), 0, -1, 1, true],
    ['ReLU at 0: a kink', (x: number) => Math.max(0, x), 0, 0, 1, true],
    ['θ² at 0.5: smooth', (x: number) => x * x, 0.5, 1, 1, false],
  ])('%s', (_, L, theta, left, right, kinked) => {
    const sides = oneSidedSlopes(theta, at(theta, h), at(theta, h / 2), five(L, theta), noise, 1e-6);
    expect(sides.left).toBeCloseTo(left, 9);
    expect(sides.right).toBeCloseTo(right, 9);
    expect(sides.shown).toBe(kinked);
  });
});

describe('gradientJumps', () => {
  // gradients at [θ + h/2, θ − h/2, θ + h, θ − h]
  it.each([
    ['a gradient that varies linearly across the step', [1.1, 0.9, 1.2, 0.8], 1, 0.5, false],
    ['a ReLU gradient stepping from 0 to 1 inside the step', [1, 0, 1, 0], 0, 0.5, true],
    ['a jump far below the mismatch (a bug, not a kink)', [1.001, 1, 1.001, 1], 1, 1, false],
    // Recorded (property test GC_SEED=2, seed 1103073778, b2[0] at h = 2⁻⁸): a unit off at θ − 2⁻¹⁰,
    // another on at θ + 2⁻⁹; the rises over θ ± h/2 cancel in the first test (7e-5 < 9e-5).
    ['two kinks whose jumps cancel at θ ± h/2', [7.4856e-4, 0, 3.3739e-4, 0], 4.1117e-4, 1.8e-4, true],
    ['a smooth gradient whose third derivative is small', [1.5025, 0.5025, 2.01, 0.01], 1.0025, 0.01, false],
    // Recorded (property test GC_SEED=28, seed 1082038392, a correct float32 b1[2] at h = 2⁻⁸): the gradient
    // the same at θ and θ ± h/2, 0 at θ ± h (kinks between h/2 and h on both sides, jumps of one sign).
    [
      'two kinks beyond h/2 whose jumps have one sign',
      [-6.253391038626432e-4, -6.253558094613254e-4, 1.8968909998307026e-8, 0],
      -6.253483006730676e-4,
      2.0573160145431757e-4,
      true,
    ],
  ])('%s', (_, gradients, analytic, mismatch, jumps) => {
    expect(gradientJumps(gradients, analytic, mismatch)).toBe(jumps);
  });
});

// Recorded (real-code property test GC_SEED=1, float32 weights 1e-2, seed 156337596: W1[1,0] off by
// −3.73e-4, 28× the finite-difference error, judged at h = 2⁻⁶): the central quotient's truncation
// (−1.4e-4) has the bug's sign, so the mismatch 2.35e-4 lies within its symmetric error 3.66e-4;
// Richardson's value from the same losses is 4.18e-4 from the analytic value, beyond its error 3.21e-4.
const recorded = {
  analytic: 0.04563319683074951,
  central: {
    numeric: 0.045867917187934086,
    floor: 1.0704499339859457e-4,
    step: 2 ** -6,
    errorEstimate: 3.662036178876626e-4,
  },
  extrapolated: {
    numeric: 0.04605101899687792,
    floor: 3.2113498019578526e-4,
    step: 2 ** -6,
    errorEstimate: 3.2113498019578526e-4,
  },
  // The analytic gradient at [θ + h/2, θ − h/2, θ + h, θ − h], and D(h) − D(h/2).
  gradients: [0.05457821488380432, 0.036463141441345215, 0.06327936053276062, 0.027087628841400146],
  change: 0.045867917187934086 - 0.0460052435391851,
};

describe('judgedEstimate', () => {
  const { analytic, central, extrapolated } = recorded;
  it.each([
    [
      'agreeing only within the truncation estimate, off the extrapolated value: the extrapolated',
      analytic,
      extrapolated,
    ],
    // The correct value, 0.0460064, lies on the side the truncation points to.
    ['the correct value, on the truncation’s side of the quotient', 0.04600644111633301, central],
    [
      'within the quotient’s floor: the truncation estimate is not needed',
      central.numeric - central.floor / 2,
      central,
    ],
    ['beyond the truncation estimate: it disagrees either way', central.numeric - 2 * central.errorEstimate, central],
  ])('%s', (_, g, judged) => {
    expect(judgedEstimate(g, central, extrapolated, 1e-3)).toBe(judged);
  });

  it('the recorded entry agrees with the central quotient and not with the extrapolated value', () => {
    expect(agrees(analytic, central, 1e-3)).toBe(true);
    expect(agrees(analytic, extrapolated, 1e-3)).toBe(false);
  });
});

describe('gradientBends', () => {
  // gradients at [θ + h/2, θ − h/2, θ + h, θ − h]
  it('reads a cubic gradient: the bends grow fourfold, the odd part is h³·g‴/4 off twice the half rise', () => {
    // g(θ + s) = 1 + s + 3s² + 4s³ at h = 1/2: exact in binary.
    const g = (s: number): number => 1 + s + 3 * s * s + 4 * s ** 3;
    const bends = gradientBends([g(0.25), g(-0.25), g(0.5), g(-0.5)], g(0));
    expect(bends).toEqual({ half: 6 * 0.0625, full: 6 * 0.25, odd: 8 * (0.125 - 2 * 0.015625), fourfold: 0 });
  });

  it('reads jumps between h/2 and h as a departure from the fourfold, signed', () => {
    expect(gradientBends([0, 0, 1, 0.5], 0)).toEqual({ half: 0, full: 1.5, odd: 0.5, fourfold: 1.5 });
    expect(gradientBends([1, 1, 0, 0], 0).fourfold).toBe(-8);
  });
});

describe('gradientJumpsBeyondCurvature', () => {
  // gradients at [θ + h/2, θ − h/2, θ + h, θ − h]
  it.each([
    // Its bend over θ ± h/2 (−2.25e-4) is above half the mismatch, and a quarter of the bend over θ ± h.
    ['the recorded smooth gradient', recorded.gradients, recorded.analytic, 4.18e-4, false],
    ['a ReLU gradient stepping from 0 to 1 inside the step', [1, 0, 1, 0], 0, 0.5, true],
    ['a jump between h/2 and h', [0, 0, 1, 0], 0, 0.5, true],
    ['a quadratic gradient: pure curvature', [1 + 0.25, 1 + 0.25, 1 + 1, 1 + 1], 1, 0.01, false],
  ])('%s', (_, gradients, analytic, mismatch, jumps) => {
    expect(gradientJumpsBeyondCurvature(gradients, analytic, mismatch)).toBe(jumps);
  });

  it('gradientJumps reads the recorded curvature as a jump', () => {
    expect(gradientJumps(recorded.gradients, recorded.analytic, 4.18e-4)).toBe(true);
  });
});

describe('truncationFromCurvature', () => {
  it.each([
    [
      'the recorded entry: the gradient’s bend predicts −1.12e-4 of the −1.37e-4',
      recorded.gradients,
      recorded.analytic,
      recorded.change,
      true,
    ],
    // L = θ³ at 0: g = 3θ², D(h) − D(h/2) = h² − h²/4, S(h) = 6h², S(h/2) = 1.5h²: (6 + 3)/12 = 0.75.
    ['L = θ³: exactly', [0.75 * h * h, 0.75 * h * h, 3 * h * h, 3 * h * h], 0, 0.75 * h * h, true],
    // Recorded (property test GC_SEED=0, seed 292487675, W1[2,3] at h = 1/4, float32 ReLU net): the
    // loss is flat from θ + h/2 to θ + h, the gradient 0 there; the bend predicts 1.1e-6 of 1.12e-5.
    [
      'a kink the gradient samples miss',
      [0, -4.058561899000779e-6, 0, -3.4990696349268546e-6],
      -4.058553258801112e-6,
      1.1205673906999912e-5,
      false,
    ],
    [
      'a change of the other sign than the curvature',
      [0.75 * h * h, 0.75 * h * h, 3 * h * h, 3 * h * h],
      0,
      -0.75 * h * h,
      false,
    ],
  ])('%s', (_, gradients, analytic, change, smooth) => {
    expect(truncationFromCurvature(gradients, analytic, change)).toBe(smooth);
  });
});

describe('jumpsBeyondHalf', () => {
  // gradients at [θ + h/2, θ − h/2, θ + h, θ − h]
  it.each([
    // Recorded (property GC_SEED=26, seed 2102080803, the correct float32 b1[0] at h = 2⁻¹²): the gradient
    // jumps by 1.6e-2 at 2.0e-4 right of θ; the quotient at h is off by 1.27e-3.
    [
      'the recorded bias',
      [5.569523200392723e-4, 5.557173280976713e-4, 1.6889013350009918e-2, 5.550998612307012e-4],
      5.563348531723022e-4,
      1.2747198343276978e-3,
      true,
    ],
    // g = 1 + w + 0.01·w² at h = 1: bends of 0.005 and 0.02, a departure of rounding only.
    ['a smooth gradient, its bends growing fourfold', [1.5025, 0.5025, 2.01, 0.01], 1, 0.05, false],
    ['a jump within h/2', [1, 0, 1, 0], 0, 0.5, false],
    ['a jump between h/2 and h of exactly the mismatch', [0, 0, 0.5, 0], 0, 0.5, true],
    ['a jump between h/2 and h below the mismatch', [0, 0, 0.49, 0], 0, 0.5, false],
    ['a bend over θ ± h/2 of exactly half the mismatch, beside a jump beyond', [0.25, 0, 2, 0], 0, 0.5, false],
    ['a bend over θ ± h/2 just below half the mismatch, beside a jump beyond', [0.24, 0, 2, 0], 0, 0.5, true],
  ] as const)('%s', (_, gradients, analytic, mismatch, jumps) => {
    expect(jumpsBeyondHalf(gradients, analytic, mismatch)).toBe(jumps);
  });
});

describe('jumpsBetweenSamples', () => {
  const h4 = 2 ** -4;
  // Recorded (real-code GC_SEED=12, seed 952456124, b1[0] at h = 2⁻⁴, float32, a planted bug of 4.3e-5
  // off by 3.8e-5): the gradient at θ + k·h/8, k = −8 … 8. gradientJumps reads its third derivative
  // as a jump; its fifth differences are below 1e-9.
  const bias = [
    -0.0002431142347631976, 0.00013088628475088626, 0.0005057808593846858, 0.0008813795284368098, 0.0012574997963383794,
    0.0016339627327397466, 0.0020105894654989243, 0.002387186512351036, 0.0027635563164949417, 0.0031395237892866135,
    0.0035149212926626205, 0.0038895439356565475, 0.00426320917904377, 0.004635727033019066, 0.005006929859519005,
    0.005376635119318962, 0.005744652822613716,
  ];
  const at = (f: (x: number) => number): number[] => Array.from({ length: 17 }, (_, i) => f((i - 8) / 8));
  it.each([
    ['the recorded bias', bias, 3.8e-5, false],
    [
      'a polynomial of degree four, against a mismatch of 1e-12',
      at((x) => 1 + x - 2 * x ** 2 + 3 * x ** 3 - x ** 4),
      1e-12,
      false,
    ],
    ['tanh over ±1/2, against 1e-3', at((x) => Math.tanh(x / 2)), 1e-3, false],
    ['a ReLU gradient stepping from 0 to 1 at θ', at((x) => (x > 0 ? 1 : 0)), 0.5, true],
    ['a step of 1 between the last two samples', at((x) => (x > 0.9 ? 1 : 0)), 0.5, true],
    ['a slope with a step of 1e-3 at 0.3, against a mismatch of 5e-4', at((x) => x + (x > 0.3 ? 1e-3 : 0)), 5e-4, true],
    // Recorded (property GC_SEED=2, seed 1527649513, b3[3] at h = 2⁻¹⁰, float64): a dead unit's bias
    // whose gradient turns a corner a third of a spacing right of θ; the central quotient is off by 3.9e-10.
    [
      'the recorded corner',
      [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 6.248522930266583e-11, 1.724311073699608e-10, 2.8237699450841397e-10,
        3.923228904289047e-10, 5.022687953482735e-10, 6.122147090135399e-10, 7.221606318222445e-10,
        8.321065634129867e-10,
      ],
      3.9108272176235914e-10,
      true,
    ],
    ['a fifth difference of exactly an eighth of the mismatch', [...new Array<number>(16).fill(0), 1], 8, true],
    // The worst place for a corner: its fifth differences reach 0.58 of the mismatch it makes.
    [
      'a corner 0.05 of the step right of θ, against 1.7 times its mismatch',
      at((x) => Math.max(0, x - 0.05)),
      1.7 * 0.225625,
      true,
    ],
  ] as const)('%s', (_, gradients, mismatch, jumps) => {
    expect(jumpsBetweenSamples(gradients, mismatch)).toBe(jumps);
  });

  it('allows a central quotient twice the truncation the bend predicts, where that is more than its estimate', () => {
    // L = θ + θ³ at 0, h = 2⁻⁴: g(θ ± h) = 1 + 3h², a bend of 6h², D(h) − g = h² (the whole truncation).
    const g = [1 + 0.75 * h4 * h4, 1 + 0.75 * h4 * h4, 1 + 3 * h4 * h4, 1 + 3 * h4 * h4];
    expect(withCurvatureTruncation(estimate(1 + h4 * h4, 1e-9, 1e-4), g, 1).errorEstimate).toBeCloseTo(2 * h4 * h4, 15);
    // An estimate already larger keeps it, and the object.
    const wide = estimate(1 + h4 * h4, 1e-9, 0.1);
    expect(withCurvatureTruncation(wide, g, 1)).toBe(wide);
  });

  describe('judgedAlongPath', () => {
    // A gradient of −1 that doubles on (0.1, 0.3) of a step of 1: two of its seventeen samples (at 0.125 and
    // 0.25) fall in the window, none of the four at ±1/2 and ±1. The loss's difference over ±1 is its
    // integral, so its central quotient is −1.1; the samples' trapezoid reads a mean of −1.125.
    const windowed = (offset: number): number[] => at((x) => offset - 1 + (x > 0.1 && x < 0.3 ? -1 : 0));

    it('moves the quotient by g(θ) − the samples’ mean and allows the mean’s error', () => {
      const judged = judgedAlongPath(estimate(-1.1, 0.05, 1e-3), windowed(0), -1);
      expect(judged.numeric).toBeCloseTo(-0.975, 15);
      // Two steps of 1 beyond the trend, a quarter of a spacing's worth each: 2 / (4 · 16).
      expect(judged.errorEstimate).toBe(2 / 64);
      expect([judged.floor, judged.step]).toEqual([0.05, h]);
      expect(entryExcess(-1, judged.numeric, allowedError(judged), 1e-6)).toBeLessThan(1);
      // At θ the quotient is off by 0.1, twice its floor.
      expect(entryExcess(-1, -1.1, 0.05, 1e-6)).toBeGreaterThan(1);
    });

    it('leaves a wrong gradient as wrong: an offset moves the mean as it moves g(θ)', () => {
      const judged = judgedAlongPath(estimate(-1.1, 0.05, 1e-3), windowed(0.2), -0.8);
      expect(judged.numeric).toBeCloseTo(-0.975, 15);
      expect(entryExcess(-0.8, judged.numeric, allowedError(judged), 1e-6)).toBeCloseTo(3.5, 12);
    });

    it('keeps the estimate where the mean’s error exceeds its floor (or equals it, moved)', () => {
      const kept = estimate(-1.1, 0.03, 1e-3);
      expect(judgedAlongPath(kept, windowed(0), -1)).toBe(kept);
      // A gradient that differs from call to call steps everywhere.
      const noisy = at((x) => -1 + (Math.round(x * 8) % 2 ? 0.5 : -0.5));
      const sharp = estimate(-1.1, 0.2, 1e-3);
      expect(judgedAlongPath(sharp, noisy, -1)).toBe(sharp);
      expect(judgedAlongPath(estimate(-1.1, 2 / 64), windowed(0), -1).numeric).toBeCloseTo(-0.975, 15);
    });

    it('changes nothing where the samples are linear: a trapezoid is exact there, and their trend is no step', () => {
      const judged = judgedAlongPath(
        estimate(2, 0.01, 1e-3),
        at((x) => 2 + 3 * x),
        2,
      );
      expect(judged.numeric).toBeCloseTo(2, 15);
      expect(judged.errorEstimate).toBe(1e-3);
      // The window on a slope of 1/2: the same mean's error, the window's two steps.
      const sloped = judgedAlongPath(
        estimate(-1.1, 0.05, 1e-3),
        at((x) => -1 + x / 2 + (x > 0.1 && x < 0.3 ? -1 : 0)),
        -1,
      );
      expect(sloped.errorEstimate).toBe(2 / 64);
      expect(sloped.numeric).toBeCloseTo(-0.975, 15);
    });
  });

  it('gradientJumps reads the recorded bias as a jump', () => {
    expect(gradientJumps([bias[12]!, bias[4]!, bias[16]!, bias[0]!], bias[8]!, 3.8e-5)).toBe(true);
  });
});

describe('judgeNarrower', () => {
  it.each([
    ['the narrower step agrees with the analytic derivative', estimate(2), undefined, 'agrees'],
    ['it disagrees, with nothing before it', estimate(3), undefined, 'disagrees'],
    ['it disagrees alike with the previous narrower step', estimate(3), estimate(3 + 1e-9), 'confirms'],
    ['it disagrees, differently from the previous one', estimate(3), estimate(5), 'disagrees'],
    [
      'it agrees only within a noise that covers the sharper disagreement before it',
      estimate(3, 2),
      estimate(3, 0.5),
      'inconclusive',
    ],
    ['it agrees within a noise no wider than the disagreement before it', estimate(3, 2), estimate(3, 2), 'agrees'],
    ['it agrees, and does not fit the disagreement before it', estimate(2.5, 1), estimate(7, 0.5), 'agrees'],
  ] as const)('%s', (_, narrower, disagreeing, reading) => {
    expect(judgeNarrower(2, narrower, disagreeing, 1e-6, true)).toBe(reading);
  });

  it('lets a noisy agreement stand where the disagreement before it may be a kink at θ (not sharp)', () => {
    expect(judgeNarrower(2, estimate(3, 2), estimate(3, 0.5), 1e-6, false)).toBe('agrees');
    expect(judgeNarrower(2, estimate(3, 2), estimate(3, 0.5), 1e-6)).toBe('agrees');
  });
});

// Each rule at its boundary (values exact in binary): what is allowed exactly is allowed.
describe('the rules at their boundaries', () => {
  it('agreesWithin: a mismatch plus floor of exactly the tolerance agrees', () => {
    // |1 − 0.75| + 0.1875 = 0.4375 = 0.25 × (1 + 0.75)
    expect(agreesWithin(1, 0.75, 0.1875, 0.25)).toBe(true);
    expect(agreesWithin(1, 0.75, 0.1876, 0.25)).toBe(false);
  });

  it('agrees: an excess of exactly 1 agrees', () => {
    expect(agrees(2, estimate(2.5, 0, 0.5), 1e-9)).toBe(true);
    expect(agrees(2, estimate(2.5, 0, 0.4), 1e-9)).toBe(false);
  });

  describe('widerHelps', () => {
    // Flat losses: no change between h and h/2, so the noise decides wherever the first two rules let it.
    const flat: FiveLosses = [1, 1, 1, 1, 1];
    const helps = (analytic: number, e: EntryEstimate, tolerance: number, losses = flat, noise = 0): boolean =>
      widerHelps(analytic, e, tolerance, at(0, h), at(0, h / 2), losses, noise);

    it('not where the estimated error is exactly what the tolerance allows', () => {
      expect(helps(1, estimate(1, 0, 0.5), 0.25)).toBe(false);
      expect(helps(1, estimate(1, 0, 0.5 + 2 ** -20), 0.25)).toBe(true);
    });

    it(`where the mismatch is exactly ${CLEAR_MISMATCH} times the error, not beyond`, () => {
      expect(helps(1, estimate(2, 0, 1 / CLEAR_MISMATCH), 1e-9)).toBe(true);
      expect(helps(1, estimate(2 + 2 ** -20, 0, 1 / CLEAR_MISMATCH), 1e-9)).toBe(false);
    });

    it('where the change from h to h/2 is up to twice what the noise makes of it (6·noise/h here), not beyond', () => {
      // Quotient at h/2: 0; at h: (L₊ − L₋)/2h. The noise makes up to noise/(h/2) + noise/h of the change.
      const noise = 2 ** -40;
      const change = (c: number): FiveLosses => [1, 1, 1, 1, 1 + c * 2 * h];
      expect(helps(0, estimate(0, 0, 1), 1e-6, change((6 * noise) / h), noise)).toBe(true);
      expect(helps(0, estimate(0, 0, 1), 1e-6, change((12 * noise) / h), noise)).toBe(false);
    });
  });

  describe('widenedTooFar', () => {
    it('not where the error stayed the same and the estimate did not move', () => {
      expect(widenedTooFar(2, estimate(1.5, 0, 0.01), estimate(1.5, 0, 0.01))).toBe(false);
      expect(widenedTooFar(2, estimate(1.5, 0, 0.01), estimate(1.5, 0, 0.02))).toBe(true);
    });

    it('not where the estimate moved by exactly the two errors combined as independent ones (root of the sum of squares)', () => {
      // Errors 0.375 and 0.5: together sqrt(0.375² + 0.5²) = 0.625, not their sum 0.875.
      expect(widenedTooFar(1.625, estimate(1, 0, 0.375), estimate(1.625, 0, 0.5))).toBe(false);
      expect(widenedTooFar(1.625, estimate(1, 0, 0.375), estimate(1.625 + 2 ** -20, 0, 0.5))).toBe(true);
      expect(widenedTooFar(1.75, estimate(1, 0, 0.375), estimate(1.75, 0, 0.5))).toBe(true);
    });
  });

  it('contradictsStillness: only a gradient beyond both the floor and the error', () => {
    expect(contradictsStillness(1, estimate(0, 1, 0.5))).toBe(false);
    expect(contradictsStillness(1, estimate(0, 0.5, 1))).toBe(false);
    expect(contradictsStillness(1.25, estimate(0, 1, 0.5))).toBe(true);
    expect(contradictsStillness(-1.25, estimate(0, 0.5, 1))).toBe(true);
  });

  it('readNoise: a widened step takes the smallest change the loss shows', () => {
    const losses: FiveLosses = [1 + 2 ** -30, 1, 1, 1 + 2 ** -28, 1 + 2 ** -29];
    expect(readNoise(losses, lossNoise(1, 'float64'), true).modelled).toBe(2 ** -30);
  });

  it('refinedEstimate: the Richardson floor is (r²·noise/(h/2) + noise/h)/(r² − 1), 3·noise/h at r = 2', () => {
    const e = refinedEstimate(
      'richardson',
      at(0, h),
      at(0, h / 2),
      five((x) => x),
      1e-12,
    );
    expect((e.floor * h) / 1e-12).toBeCloseTo(3, 12);
  });

  it('oneSidedSlopes: off 0, the noise of each side is read at its offsets from θ (16·noise/h in all)', () => {
    // L = x + a·|x − 0.5| at θ = 0.5: the slopes 1 ∓ a differ by 2a = 14·noise/h, within the sides' noise.
    const noise = 2 ** -40;
    const a = (7 * noise) / h;
    const sides = (slope: number) =>
      oneSidedSlopes(
        0.5,
        at(0.5, h),
        at(0.5, h / 2),
        five((x) => x + slope * Math.abs(x - 0.5), 0.5),
        noise,
        1e-12,
      );
    expect(sides(a)).toEqual({ left: 1 - a, right: 1 + a, shown: false });
    expect(sides((9 * noise) / h).shown).toBe(true);
  });

  it('gradientJumps: a jump of exactly half the mismatch is one, in either test', () => {
    // [θ + h/2, θ − h/2, θ + h, θ − h]: a second difference of 1 over θ ± h/2, rises that agree…
    expect(gradientJumps([1, 0, 2, 0], 0, 2)).toBe(true);
    expect(gradientJumps([1, 0, 2, 0], 0, 2 + 2 ** -20)).toBe(false);
    // …and no second difference over θ ± h/2, a rise over θ ± h 1 more than twice that over θ ± h/2.
    expect(gradientJumps([0, 0, 1, 0], 0, 2)).toBe(true);
    expect(gradientJumps([0, 0, 1, 0], 0, 2 + 2 ** -20)).toBe(false);
    // …and neither, a bend over θ ± h 2 more than four times that over θ ± h/2: twice a mismatch of 1.
    expect(gradientJumps([0, 0, 1, 1], 0, 1)).toBe(true);
    expect(gradientJumps([0, 0, 1, 1], 0, 1 + 2 ** -20)).toBe(false);
  });

  describe('judgeNarrower', () => {
    it('allows the larger of an estimate’s floor and error, and an excess of exactly 1', () => {
      expect(judgeNarrower(2, estimate(3, 2, 0), undefined, 1e-9)).toBe('agrees');
      expect(judgeNarrower(2, estimate(3, 0, 2), undefined, 1e-9)).toBe('agrees');
      expect(judgeNarrower(2, estimate(3, 1, 0), undefined, 1e-9)).toBe('agrees');
      expect(judgeNarrower(2, estimate(3, 0.5, 0), undefined, 1e-9)).toBe('disagrees');
    });

    it('confirms where the two estimates differ by exactly their allowances together', () => {
      expect(judgeNarrower(2, estimate(3, 0.5, 0), estimate(4, 0.5, 0), 1e-9)).toBe('confirms');
      expect(judgeNarrower(2, estimate(3, 0.5, 0), estimate(4 + 2 ** -20, 0.5, 0), 1e-9)).toBe('disagrees');
    });

    it('is inconclusive only where the earlier disagreement is strictly sharper, and fits within both allowances', () => {
      // Agrees within 1; the earlier estimate 4.5 fits it within 0.5 + 1 exactly.
      expect(judgeNarrower(2, estimate(3, 1, 0), estimate(4.5, 0.5, 0), 1e-9, true)).toBe('inconclusive');
      expect(judgeNarrower(2, estimate(3, 1, 0), estimate(4.5 + 2 ** -20, 0.5, 0), 1e-9, true)).toBe('agrees');
      expect(judgeNarrower(2, estimate(3, 1, 0), estimate(4, 1, 0), 1e-9, true)).toBe('agrees');
    });

    it('sidesExcludeKink: slopes exactly as far apart as the mismatch leave the kink possible', () => {
      const sides = (left: number, right: number) => ({ left, right, shown: false });
      // A central quotient 8.4e-9 across a kink at θ with slopes 0 and 1.7e-8, against an analytic 0.
      expect(sidesExcludeKink(0, 8.4e-9, sides(0, 1.7e-8))).toBe(false);
      // Both slopes −7.8e-3 against an analytic −3.5e-6: no kink between them.
      expect(sidesExcludeKink(-3.5e-6, -7.8e-3, sides(-7.81e-3, -7.79e-3))).toBe(true);
      expect(sidesExcludeKink(0, 0.5, sides(0, 0.5))).toBe(false);
      expect(sidesExcludeKink(0, 0.5, sides(0, 0.5 - 2 ** -20))).toBe(true);
    });
  });
});
