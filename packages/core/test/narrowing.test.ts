/**
 * The narrowings of narrowing.ts: below a kink read as noise (when it applies, and which estimate it
 * returns), and around a kink (which reading stands). The estimator's estimate at a step is a stub
 * here; the whole paths are pinned on the property test's draws (test/property.test.ts, GC_SEED=8
 * and 25; GC_SEED=8's sign flip; and below, GC_SEED=54's loss that steps at θ, and GC_SEED=78's deep bias
 * between kinks 1e-9 from θ).
 */
import { describe, expect, it } from 'vitest';
import type { EntryEstimate } from '../src/difference.js';
import type { OneSided } from '../src/entry-rules.js';
import { checkGradients } from '../src/index.js';
import {
  BETWEEN,
  JUMP_ROUNDINGS,
  jumpsAtTheta,
  halvedBesideJump,
  narrowedAroundKink,
  narrowingsBelow,
  narrowsFurther,
  sharperBelowKink,
  widenedOverKink,
} from '../src/narrowing.js';
import type { Steps } from '../src/session.js';
import { buildNet, modelOf } from '../../../test/helpers/mlp.js';

const kink = { left: 2e-4, right: -3e-6, shown: true };
const estimate = (numeric: number, error: number, withKink = false): EntryEstimate =>
  withKink
    ? { numeric, floor: error, step: 1, errorEstimate: error, kink }
    : { numeric, floor: error, step: 1, errorEstimate: error };

/** Runs a generator that evaluates nothing (its `at` is a stub) to its value. */
function run<T>(steps: Steps<T>): T {
  const next = steps.next();
  if (!next.done) throw new Error('the stub evaluates nothing');
  return next.value;
}

describe('widenedOverKink', () => {
  const first = { estimate: estimate(9.5e-5, 2.6e-4, true), h: 2 ** -18 };
  it.each([
    ['widened past the first step, no kink there', 2 ** -16, estimate(1e-4, 1e-4), false, true],
    ['back at the first step, the kink hidden by its own noise', 2 ** -18, estimate(9.5e-5, 2.6e-4), false, true],
    ['back at the first step, the kink still shown', 2 ** -18, estimate(9.5e-5, 2.6e-4, true), false, false],
    ['a loss that stood still at the widened step', 2 ** -16, estimate(0, 1e-4), true, false],
    ['below the first step', 2 ** -20, estimate(9.5e-5, 2.6e-4), false, false],
  ])('%s', (_, h, widened, flat, expected) => {
    expect(widenedOverKink(first, h, widened, flat)).toBe(expected);
  });

  it('is false where the first step showed no kink', () => {
    expect(widenedOverKink({ estimate: estimate(9.5e-5, 2.6e-4), h: 1 }, 1, estimate(9.5e-5, 2.6e-4), false)).toBe(
      false,
    );
  });
});

describe('sharperBelowKink', () => {
  const first = { estimate: estimate(9.5e-5, 2.6e-4, true), h: 2 ** -18 };
  const at = (byStep: Map<number, EntryEstimate>, asked: number[]) =>
    function* (h: number): Steps<EntryEstimate> {
      asked.push(h);
      return byStep.get(h)!;
    };
  // A still reading that always judges the entry (quantum.ts reads it as a quantum only where the wider losses show one).
  const judges = function* (): Steps<boolean> {
    return false;
  };

  it('judges a fallback to the first step at the first narrower step without a kink', () => {
    const asked: number[] = [];
    const sharp = estimate(-2.906e-6, 1.8e-9);
    const byStep = new Map([
      [2 ** -22, estimate(1e-5, 1e-6, true)],
      [2 ** -26, sharp],
    ]);
    const result = run(sharperBelowKink(at(byStep, asked), first, 2 ** -18, estimate(9.5e-5, 2.6e-4), false, judges));
    expect(result).toBe(sharp);
    expect(asked).toEqual([2 ** -22, 2 ** -26]);
  });

  it('keeps the estimate where the narrower step is no sharper, or every narrower step shows a kink', () => {
    const coarser = new Map([[2 ** -22, estimate(-2.9e-6, 1e-3)]]);
    expect(
      run(sharperBelowKink(at(coarser, []), first, 2 ** -18, estimate(9.5e-5, 2.6e-4), false, judges)),
    ).toBeUndefined();
    const kinks = new Map([2 ** -22, 2 ** -26, 2 ** -30].map((h) => [h, estimate(0, 1e-9, true)] as const));
    const asked: number[] = [];
    expect(
      run(sharperBelowKink(at(kinks, asked), first, 2 ** -18, estimate(9.5e-5, 2.6e-4), false, judges)),
    ).toBeUndefined();
    expect(asked).toHaveLength(3);
  });

  it('gives up where the first narrower step stands still and that stillness says nothing of the gradient', () => {
    const still = { ...estimate(0, 1e-15), flat: true };
    const byStep = new Map([[2 ** -22, still]]);
    const said: number[] = [];
    const saysNothing = (says: boolean) =>
      function* (reading: EntryEstimate, step: number): Steps<boolean> {
        expect(reading).toBe(still);
        said.push(step);
        return says;
      };
    const widened = estimate(9.5e-5, 2.6e-4);
    expect(run(sharperBelowKink(at(byStep, []), first, 2 ** -18, widened, false, saysNothing(true)))).toBeUndefined();
    // Where it says something (a stillness that contradicts the gradient), it judges the entry.
    expect(run(sharperBelowKink(at(byStep, []), first, 2 ** -18, widened, false, saysNothing(false)))).toBe(still);
    expect(said).toEqual([2 ** -22, 2 ** -22]);
    // A reading that moved is not asked about.
    const moved = new Map([[2 ** -22, estimate(-2.9e-6, 1e-9)]]);
    expect(run(sharperBelowKink(at(moved, []), first, 2 ** -18, widened, false, saysNothing(true)))).toBe(
      moved.get(2 ** -22),
    );
    expect(said).toHaveLength(2);
  });

  it('asks for nothing where the fallback still shows the kink (the narrowing around it decides)', () => {
    const asked: number[] = [];
    const result = run(
      sharperBelowKink(at(new Map(), asked), first, 2 ** -18, estimate(9.5e-5, 2.6e-4, true), false, judges),
    );
    expect(result).toBeUndefined();
    expect(asked).toEqual([]);
  });
});

describe('narrowedAroundKink', () => {
  // Property seed 8's sign-flipped float32 b2[1] (1530457556, gradient 1.39e-3, analytic −1.39e-3), as
  // its estimates read: marked a kink at h (by its analytic gradient; the loss's slopes do not show it),
  // off at h/16, and agreeing at h/256 only within a floor 12 times the gradient.
  const h = 2 ** -8;
  const first = (left: number, right: number): EntryEstimate => ({
    numeric: 9.77e-4,
    floor: 6.7e-5,
    step: h,
    errorEstimate: 6.5e-4,
    kink: { left, right, shown: false },
  });
  const sixteenth = { numeric: 1.709e-3, floor: 1.07e-3, step: h / 16, errorEstimate: 1.07e-3 };
  const noisiest = { numeric: 3.906e-3, floor: 1.72e-2, step: h / 256, errorEstimate: 1.72e-2 };
  const at = function* (step: number): Steps<readonly [EntryEstimate, boolean, OneSided]> {
    if (step === h / 16) return [sixteenth, false, { left: -9.77e-4, right: 3.42e-3, shown: false }];
    return [noisiest, false, { left: 0, right: 2.34e-2, shown: false }];
  };

  it('keeps the disagreement where no kink the loss showed could make the analytic value right', () => {
    // Slopes 1.56e-3 and 1.37e-3 at h: −1.39e-3 lies beyond them.
    expect(run(narrowedAroundKink(at, -1.389e-3, 1e-3, first(1.556e-3, 1.373e-3), h))).toBe(sixteenth);
  });

  it('takes the narrowest agreement where such a kink could (the analytic value within the slopes widened by their jump)', () => {
    expect(run(narrowedAroundKink(at, -1.389e-3, 1e-3, first(-2e-3, 1.5e-3), h))).toBe(noisiest);
  });

  it('takes it too where a narrower step shows a kink whose slopes reach the analytic value', () => {
    // h/16 shows a kink reaching −1.39e-3; h/256 disagrees, h/4096 agrees within a wider floor.
    const reaching = {
      numeric: 0,
      floor: 1e-4,
      step: h / 16,
      errorEstimate: 1e-4,
      kink: { left: -2e-3, right: 1.5e-3, shown: true },
    };
    const through = function* (step: number): Steps<readonly [EntryEstimate, boolean, OneSided]> {
      if (step === h / 16) return [reaching, false, { ...reaching.kink }];
      if (step === h / 256) return [sixteenth, false, { left: -9.77e-4, right: 3.42e-3, shown: false }];
      return [noisiest, false, { left: 0, right: 2.34e-2, shown: false }];
    };
    expect(run(narrowedAroundKink(through, -1.389e-3, 1e-3, first(1.556e-3, 1.373e-3), h))).toBe(noisiest);
  });

  it("takes it too where the step's first reading showed such a kink (before a widening went back to it)", () => {
    // Read against the modelled noise only, the same losses showed slopes that reach the analytic value.
    const reading = { ...first(-2e-3, 1.5e-3), kink: { left: -2e-3, right: 1.5e-3, shown: true } };
    expect(run(narrowedAroundKink(at, -1.389e-3, 1e-3, first(1.556e-3, 1.373e-3), h, { first: reading }))).toBe(
      noisiest,
    );
  });
});

describe('narrowedAroundKink below a step widened for noise', () => {
  // A bend at θ whose slopes, 0 and 2, reach the analytic 1.4 at every step down to 16⁻² of the default
  // step h (a kink that could make it right), and whose slopes at h/4096, 0.9 and 1.1, no longer do.
  const h = 2 ** -20;
  const wide = { left: 0, right: 2, shown: true };
  const resolved = { left: 0.9, right: 1.1, shown: true };
  const bend = (step: number, kink: OneSided): EntryEstimate => ({ ...estimate(1, 1e-9), step, kink });
  const asked: number[] = [];
  const at = function* (step: number): Steps<readonly [EntryEstimate, boolean, OneSided]> {
    asked.push(step);
    const kink = step > h / 4096 ? wide : resolved;
    return [bend(step, kink), false, kink];
  };

  it('counts NARROWINGS below the step the widening started from, to the nearest whole NARROWING', () => {
    expect(narrowingsBelow(h, h)).toBe(3);
    expect(narrowingsBelow(16 * h, h)).toBe(4);
    expect(narrowingsBelow(4 * h, h)).toBe(4);
    expect(narrowingsBelow(2 * h, h)).toBe(3);
    expect(narrowingsBelow(64 * h, h)).toBe(5);
  });

  it('reaches h/4096 from a step widened 16-fold, where the bend no longer excuses the gradient', () => {
    asked.length = 0;
    const result = run(narrowedAroundKink(at, 1.4, 1e-3, bend(16 * h, wide), 16 * h, { from: h }));
    // (And one more, h/65536: the bend still shown at h/4096, and not reaching 1.4; narrowsFurther.)
    expect(asked).toEqual([h, h / 16, h / 256, h / 4096, h / 65536]);
    expect(result.kink).toBeUndefined();
  });

  it('stops 16 × short of it counted from the widened step, and leaves the entry out as a kink', () => {
    asked.length = 0;
    const result = run(narrowedAroundKink(at, 1.4, 1e-3, bend(16 * h, wide), 16 * h));
    expect(asked).toEqual([h, h / 16, h / 256]);
    expect(result.kink).toEqual(wide);
  });
});

describe('jumpsAtTheta', () => {
  // Property seed 54's b3[0]: D·h = 2.03e-14 at 2⁻¹⁸ and 2⁻²², the loss 0.693 (a rounding 1.5e-16).
  const rounding = 2 ** -52 * 0.693;
  const across = (numeric: number, step: number): EntryEstimate => ({ ...estimate(numeric, 1e-9), step });
  it('is true where the change across θ is the same at both steps and beyond 64 roundings', () => {
    expect(jumpsAtTheta(across(2.03e-14 / 2 ** -18, 2 ** -18), across(2.03e-14 / 2 ** -22, 2 ** -22), rounding)).toBe(
      true,
    );
    expect(JUMP_ROUNDINGS).toBe(64);
    const bound = (JUMP_ROUNDINGS * rounding) / 2;
    expect(jumpsAtTheta(across(bound, 1), across(bound * 16, 1 / 16), rounding)).toBe(true);
    expect(jumpsAtTheta(across(bound * 0.99, 1), across(bound * 0.99 * 16, 1 / 16), rounding)).toBe(false);
  });

  it('is false for a slope, a kink beside θ, or changes more than an eighth apart', () => {
    // A slope: the change shrinks 16-fold with the step.
    expect(jumpsAtTheta(across(1e-3, 2 ** -8), across(1e-3, 2 ** -12), rounding)).toBe(false);
    // A kink beside θ: D moves, but D·h shrinks.
    expect(jumpsAtTheta(across(2e-3, 2 ** -8), across(1e-3, 2 ** -12), rounding)).toBe(false);
    expect(jumpsAtTheta(across(1, 1), across(16 * (1 - 1 / 8), 1 / 16), rounding)).toBe(true);
    expect(jumpsAtTheta(across(1, 1), across(16 * (1 - 1 / 7), 1 / 16), rounding)).toBe(false);
  });
});

describe('narrowedAroundKink where the loss steps at θ', () => {
  // A jump of 4e-14 at θ: every step reads D = 2e-14/h, with a kink only the gradient showed.
  const h = 2 ** -18;
  const jump = (step: number): EntryEstimate => ({
    numeric: 2e-14 / step,
    floor: 1e-15 / step,
    step,
    errorEstimate: 2.7e-14 / step,
    kink: { left: 1e-14 / step, right: 3e-14 / step, shown: false },
  });
  const at = function* (step: number): Steps<readonly [EntryEstimate, boolean, OneSided]> {
    return [jump(step), false, { left: 1e-14 / step, right: 3e-14 / step, shown: false }];
  };

  it('leaves the entry out as a kink (two narrower steps showed the jump), whatever its gradient', () => {
    const result = run(narrowedAroundKink(at, 2.45e-4, 1e-6, jump(h), h, { rounding: 1.5e-16 }));
    expect(result.kink).toBeDefined();
    expect(run(narrowedAroundKink(at, -1, 1e-6, jump(h), h, { rounding: 1.5e-16 })).kink).toBeDefined();
  });

  it('judges it as before where the jump is within 64 roundings, or no rounding is given', () => {
    expect(run(narrowedAroundKink(at, 2.45e-4, 1e-6, jump(h), h, { rounding: 1e-15 })).kink).toBeUndefined();
    expect(run(narrowedAroundKink(at, 2.45e-4, 1e-6, jump(h), h)).kink).toBeUndefined();
  });

  it('passes the correct float64 net of property GC_SEED=54 (431948883), its b3[0] left out as a kink', () => {
    // b3[0] = 0 with gradient 2.45e-4, which holds within 1e-10 of θ; beyond, the loss is flat on both sides.
    const net = buildNet({
      sizes: [3, 4, 6, 4, 2],
      loss: 'softmax-l2',
      examples: 2,
      lambda: 0.055016978239903556,
      precision: 'float64',
      scale: 0.0014323126781306042,
      zeroExample: true,
      deadUnit: true,
      seed: 431948883,
    });
    const result = checkGradients(modelOf(net), net.X, net.Y);
    expect(result.passed).toBe(true);
    expect(result.kinks.entries).toContain('b3[0]');
  });
});

describe('halvedBesideJump', () => {
  // Property seed 26's float32 b1[0] (2102080803), a wrong gradient 4.87e-3 where the loss's slope is 5.56e-4,
  // as its estimates read at h = 2⁻¹² (its gradient jumps between h/2 and h) and at h/2.
  const h = 2 ** -12;
  const agreement: EntryEstimate = { numeric: 1.831e-3, floor: 7.5e-4, step: h, errorEstimate: 4.23e-3 };
  const half: EntryEstimate = { numeric: 2.44e-4, floor: 1.5e-3, step: h / 2, errorEstimate: 1.95e-3 };
  const reading = (at: EntryEstimate, flat = false) => {
    const asked: number[] = [],
      jumps: [number, number][] = [];
    return {
      asked,
      jumps,
      at: function* (step: number): Steps<readonly [EntryEstimate, boolean, OneSided?]> {
        asked.push(step);
        return [at, flat];
      },
      jumpsBeyondHalf: (jump: boolean) =>
        function* (step: number, mismatch: number): Steps<boolean> {
          jumps.push([step, mismatch]);
          return jump;
        },
    };
  };

  it('reads an agreement within its truncation estimate again at h/2 where the gradient jumps beyond h/2', () => {
    const r = reading(half);
    expect(run(halvedBesideJump(r.at, 4.87e-3, 1e-3, agreement, r.jumpsBeyondHalf(true)))).toBe(half);
    expect(r.jumps).toEqual([[h, 4.87e-3 - 1.831e-3]]);
    expect(r.asked).toEqual([h / 2]);
  });

  it('keeps it where the gradient does not jump beyond h/2, and reads no loss', () => {
    const r = reading(half);
    expect(run(halvedBesideJump(r.at, 4.87e-3, 1e-3, agreement, r.jumpsBeyondHalf(false)))).toBe(agreement);
    expect(r.asked).toEqual([]);
  });

  it('asks nothing where the estimate agrees within its floor (or the tolerance)', () => {
    const r = reading(half);
    // 2.581e-3 is exactly the floor from the numeric value; 2e-3 is within a tolerance of 0.1 (3.8e-4).
    expect(run(halvedBesideJump(r.at, 1.831e-3 + 7.5e-4, 1e-3, agreement, r.jumpsBeyondHalf(true)))).toBe(agreement);
    expect(run(halvedBesideJump(r.at, 2e-3, 0.1, agreement, r.jumpsBeyondHalf(true)))).toBe(agreement);
    expect(r.jumps).toEqual([]);
    expect(r.asked).toEqual([]);
  });

  it('keeps it where the loss at h/2 shows a kink or stands still', () => {
    const kinked = reading({ ...half, kink });
    expect(run(halvedBesideJump(kinked.at, 4.87e-3, 1e-3, agreement, kinked.jumpsBeyondHalf(true)))).toBe(agreement);
    const still = reading(half, true);
    expect(run(halvedBesideJump(still.at, 4.87e-3, 1e-3, agreement, still.jumpsBeyondHalf(true)))).toBe(agreement);
    expect([kinked.asked, still.asked]).toEqual([[h / 2], [h / 2]]);
  });

  it('is where a narrowing that ends on such an agreement takes it from', () => {
    const r = reading(half);
    const first: EntryEstimate = { ...agreement, step: 16 * h, kink: { left: 5.6e-4, right: 1.4e-2, shown: true } };
    const at = function* (step: number): Steps<readonly [EntryEstimate, boolean, OneSided?]> {
      if (step === h) return [agreement, false, { left: -4.9e-4, right: -2.2e-3, shown: false }];
      return yield* r.at(step);
    };
    expect(
      run(narrowedAroundKink(at, 4.87e-3, 1e-3, first, 16 * h, { jumpsBeyondHalf: r.jumpsBeyondHalf(true) })),
    ).toBe(half);
    expect(run(narrowedAroundKink(at, 4.87e-3, 1e-3, first, 16 * h))).toBe(agreement);
  });
});

describe('narrowedAroundKink, where a narrower step stands still', () => {
  // Property seed 32's b2[0] with the transposed W3 (1223685002, gradient −6.9e-4, analytic 1.64e-3), as its
  // estimates read: marked a kink at 2⁻¹² (its analytic gradient jumps within the step), still at 2⁻¹⁶ and below,
  // where the floor 5.9e-3 covers the mismatch, and −7.3e-4 within 1.47e-3 at 2⁻¹⁴.
  const h = 2 ** -12;
  const first: EntryEstimate = {
    numeric: -6.71e-4,
    floor: 3.67e-4,
    step: h,
    errorEstimate: 3.67e-4,
    kink: { left: -8.5e-4, right: -7.3e-4, shown: false },
  };
  const still = (step: number): EntryEstimate => ({
    numeric: 0,
    floor: 9e-8 / step,
    step,
    errorEstimate: 9e-8 / step,
    flat: true,
  });
  const between = { numeric: -7.3e-4, floor: 1.47e-3, step: h / 4, errorEstimate: 1.47e-3 };
  const sides = { left: -7.3e-4, right: -7.3e-4, shown: false };
  const at = (moving: EntryEstimate, flat = false) =>
    function* (step: number): Steps<readonly [EntryEstimate, boolean, OneSided]> {
      return step === h / 4 ? [moving, flat, sides] : [still(step), false, { left: 0, right: 0, shown: false }];
    };

  it('judges the entry BETWEEN × the still step wide, where the loss moves and shows no kink', () => {
    expect(BETWEEN).toBe(4);
    expect(run(narrowedAroundKink(at(between), 1.64e-3, 1e-3, first, h))).toBe(between);
  });

  it('keeps the still reading where the loss shows a kink at that step too, or stands still there and disagrees', () => {
    // (Each time the still reading at h/16 itself, not one from a narrower step.)
    const kinked = { ...between, kink: { left: -2e-3, right: 1e-3, shown: true } };
    const besideKink = run(narrowedAroundKink(at(kinked), 1.64e-3, 1e-3, first, h));
    expect([besideKink.flat, besideKink.step]).toEqual([true, h / 16]);
    const stillThere = run(narrowedAroundKink(at({ ...still(h / 4), numeric: 0 }, true), 1.64e-3, 1e-3, first, h));
    expect([stillThere.flat, stillThere.step]).toEqual([true, h / 16]);
  });
});

describe('narrowsFurther', () => {
  it.each([
    ['narrowings left', 2, 3, false, false, true],
    ['spent, the narrowest step showed the kink and nothing reached the analytic value', 3, 3, true, false, true],
    ['spent, the narrowest step showed no kink', 3, 3, false, false, false],
    ['spent, a kink reached the analytic value', 3, 3, true, true, false],
    ['the one more spent as well', 4, 3, true, false, false],
  ])('%s', (_, narrowed, narrowings, shown, reached, expected) => {
    expect(narrowsFurther(narrowed, narrowings, shown, reached)).toBe(expected);
  });

  // A float64 loss with a kink at 1e-9 from θ on each side, as the narrowing reads it: its slopes part at
  // every narrowing down to 9.3e-10, away from the analytic value; one step narrower, its quotient agrees.
  const h = 2 ** -18;
  const apart = (step: number): EntryEstimate => ({
    numeric: -4.4e-4,
    floor: 1e-5,
    step,
    errorEstimate: 1e-5,
    kink: { left: -9.7e-4, right: -8.6e-4, shown: true },
  });
  const agreeing = { numeric: -7.59e-4, floor: 1.4e-5, step: h / 16 ** 4, errorEstimate: 9.2e-5 };

  it('reads one step narrower than its narrowings where the narrowest still parted away from the analytic value', () => {
    const asked: number[] = [];
    const at = function* (step: number): Steps<readonly [EntryEstimate, boolean, OneSided]> {
      asked.push(step);
      if (step === h / 16 ** 4) return [agreeing, false, { left: -7.6e-4, right: -7.6e-4, shown: false }];
      return [apart(step), false, { left: -9.7e-4, right: -8.6e-4, shown: true }];
    };
    expect(run(narrowedAroundKink(at, -7.13e-4, 1e-6, apart(h), h))).toBe(agreeing);
    expect(asked).toEqual([h / 16, h / 256, h / 4096, h / 65536]);
  });

  it('passes the correct float64 net of property GC_SEED=78 (1139062359), and still fails a wrong entry of it', () => {
    // b3[0] = 0, gradient −7.13e-4: kinks 1e-9 from θ on each side; slopes −9.7e-4 and −8.6e-4 at 9.3e-10.
    const net = buildNet({
      sizes: [5, 6, 5, 2, 3],
      loss: 'mse',
      examples: 2,
      lambda: 0,
      precision: 'float64',
      scale: 0.001153529189814685,
      zeroExample: false,
      deadUnit: true,
      seed: 1139062359,
    });
    expect(checkGradients(modelOf(net), net.X, net.Y).passed).toBe(true);
    const wrong = checkGradients(modelOf(net, { kind: 'one-entry', tensor: 'W3', entry: 0 }), net.X, net.Y);
    expect(wrong.tensors.filter((t) => !t.passed).map((t) => t.name)).toEqual(['W3']);
  });
});
