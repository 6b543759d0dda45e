/**
 * The narrowings of narrowing.ts: below a kink read as noise (when it applies, and which estimate it
 * returns), and around a kink (which reading stands). The estimator's estimate at a step is a stub
 * here; the whole paths are pinned on the property test's draws (test/property.test.ts, GC_SEED=8
 * and 25; GC_SEED=8's sign flip).
 */
import { describe, expect, it } from 'vitest';
import type { EntryEstimate } from '../src/difference.js';
import type { OneSided } from '../src/entry-rules.js';
import { narrowedAroundKink, sharperBelowKink, widenedOverKink } from '../src/narrowing.js';
import type { Steps } from '../src/session.js';

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

  it('judges a fallback to the first step at the first narrower step without a kink', () => {
    const asked: number[] = [];
    const sharp = estimate(-2.906e-6, 1.8e-9);
    const byStep = new Map([
      [2 ** -22, estimate(1e-5, 1e-6, true)],
      [2 ** -26, sharp],
    ]);
    const result = run(sharperBelowKink(at(byStep, asked), first, 2 ** -18, estimate(9.5e-5, 2.6e-4), false));
    expect(result).toBe(sharp);
    expect(asked).toEqual([2 ** -22, 2 ** -26]);
  });

  it('keeps the estimate where the narrower step is no sharper, or every narrower step shows a kink', () => {
    const coarser = new Map([[2 ** -22, estimate(-2.9e-6, 1e-3)]]);
    expect(run(sharperBelowKink(at(coarser, []), first, 2 ** -18, estimate(9.5e-5, 2.6e-4), false))).toBeUndefined();
    const kinks = new Map([2 ** -22, 2 ** -26, 2 ** -30].map((h) => [h, estimate(0, 1e-9, true)] as const));
    const asked: number[] = [];
    expect(run(sharperBelowKink(at(kinks, asked), first, 2 ** -18, estimate(9.5e-5, 2.6e-4), false))).toBeUndefined();
    expect(asked).toHaveLength(3);
  });

  it('asks for nothing where the fallback still shows the kink (the narrowing around it decides)', () => {
    const asked: number[] = [];
    const result = run(sharperBelowKink(at(new Map(), asked), first, 2 ** -18, estimate(9.5e-5, 2.6e-4, true), false));
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
    expect(run(narrowedAroundKink(at, -1.389e-3, 1e-3, first(1.556e-3, 1.373e-3), h, reading))).toBe(noisiest);
  });
});
