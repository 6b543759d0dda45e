/**
 * Where a model throws at a point the estimator perturbed, the error says which entry was moved,
 * by which step and to what value (perturbed.ts builds those texts only when they are needed); and
 * perturbed.ts's reading of the analytic gradient that stops the widening for noise, on one-entry
 * models whose gradient is a chosen function of the entry.
 */
import { describe, expect, it } from 'vitest';
import {
  checkGradients,
  checkGradientsAsync,
  GradcheckError,
  type CheckOptionsInput,
  type GradientModel,
} from '../src/index.js';
import { errorOf } from './caught.js';
import { runSync } from '../src/evaluation.js';
import { normaliseModel } from '../src/model.js';
import { bendsWithin, bendsWithinStep, lossesAt } from '../src/perturbed.js';
import { gradientJumpsBeyondHalf, kinkInGradient } from '../src/gradient-kink.js';
import type { ParameterTensor } from '../src/parameters.js';
import { CheckSession } from '../src/session.js';

const THETA = [0.75, -0.5];

/**
 * ½‖w‖² with the gradient of w[0] 50 % too large (so that entry is refined at h/2 and its kink
 * test asks for gradients at θ ± h/2); `throwsAt` decides, from w, where the model throws.
 */
function model(throwsAt: { loss?: (w: Float64Array) => boolean; gradients?: (w: Float64Array) => boolean }) {
  const w = Float64Array.from(THETA);
  const m: GradientModel = {
    parameters: { w },
    loss: () => {
      if (throwsAt.loss?.(w)) throw new Error('loss refused');
      return 0.5 * (w[0]! ** 2 + w[1]! ** 2);
    },
    gradients: () => {
      if (throwsAt.gradients?.(w)) throw new Error('gradients refused');
      return { w: [1.5 * w[0]!, w[1]!] };
    },
  };
  return { m, w };
}

/** Only w[0] moved from θ, by a positive amount. */
const onlyFirstUp = (w: Float64Array): boolean => w[1] === THETA[1] && w[0]! > THETA[0]!;

describe('what a model error at a perturbed point says', () => {
  it('names the entry, θ + h with its stored value, and θ − h', () => {
    const { m } = model({ loss: onlyFirstUp });
    const error = errorOf(() => checkGradients(m, null, null));
    expect(error.code).toBe('MODEL_THREW');
    expect(error.message).toMatch(/with w\[0\] = θ \+ h = 0\.75\d+ \(θ = 0\.75\)/);
    const below = model({ loss: (w) => w[1] === THETA[1] && w[0]! < THETA[0]! });
    expect(errorOf(() => checkGradients(below.m, null, null)).message).toMatch(
      /with w\[0\] = θ − h = 0\.74\d+ \(θ = 0\.75\)/,
    );
  });

  it('says the same in an async check (evaluated through the generator, not in place)', async () => {
    const above = model({ loss: onlyFirstUp });
    const error = await checkGradientsAsync(above.m, null, null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GradcheckError);
    expect((error as GradcheckError).message).toMatch(/with w\[0\] = θ \+ h = 0\.75\d+ \(θ = 0\.75\)/);
    const below = model({ loss: (w) => w[1] === THETA[1] && w[0]! < THETA[0]! });
    const second = await checkGradientsAsync(below.m, null, null).catch((e: unknown) => e);
    expect((second as GradcheckError).message).toMatch(/with w\[0\] = θ − h = 0\.74\d+ \(θ = 0\.75\)/);
    expect(Array.from(above.w)).toEqual(THETA);
  });

  it('says h/2 at the refinement, and restores θ', () => {
    let first = 0;
    const { m, w } = model({
      loss: (w) => {
        if (!onlyFirstUp(w)) return false;
        const d = w[0]! - THETA[0]!;
        if (first === 0) first = d;
        return d < first;
      },
    });
    const error = errorOf(() => checkGradients(m, null, null));
    expect(error.message).toMatch(/with w\[0\] = θ \+ h\/2 = 0\.75\d+ \(θ = 0\.75\)/);
    expect(Array.from(w)).toEqual(THETA);
  });

  it('says 2h at twice a step (the look at a kink a widened step shows: smooth-parting.ts)', () => {
    let w: Float64Array = new Float64Array();
    const refusing = (at: Float64Array): number => {
      w = at;
      if (at[1] !== 0) throw new Error('loss refused');
      return 0;
    };
    const read = (session: CheckSession, tensor: ParameterTensor) => lossesAt(session, tensor, 1, 0.25, 2);
    expect(errorOf(() => onEntry(() => 0, read, {}, refusing)).message).toMatch(
      /with w\[1\] = θ \+ 2h = 0\.5 \(θ = 0\)/,
    );
    expect(Array.from(w)).toEqual([0, 0]);
  });

  it('says where the gradients were asked for to look for a kink, and restores θ', () => {
    const { m, w } = model({ gradients: (w) => w[0] !== THETA[0] });
    const error = errorOf(() => checkGradients(m, null, null));
    expect(error.code).toBe('MODEL_THREW');
    expect(error.message).toMatch(/with w\[0\] = 0\.75\d+ \(θ = 0\.75\), to look for a kink/);
    expect(Array.from(w)).toEqual(THETA);
  });
});

/**
 * `read` run on entry w[1] of a model over v = [0] and w = [0, 0] whose gradient is `g(w[1])` there (and 1 at
 * v[0] and w[0], entries no reading may take for it) and whose loss is `loss(w)` (0 unless given), in a
 * session opened with `options`; with the session's gradient evaluations.
 */
function onEntry<T>(
  g: (w: number) => number,
  read: (session: CheckSession, tensor: ParameterTensor) => Generator<any, T, unknown>,
  options: CheckOptionsInput = {},
  loss: (w: Float64Array) => number = () => 0,
): [T, number] {
  const v = Float64Array.from([0]),
    w = Float64Array.from([0, 0]);
  const model: GradientModel = {
    parameters: { v, w },
    loss: () => loss(w),
    gradients: () => ({ v: [1], w: [1, g(w[1]!)] }),
  };
  const normalised = normaliseModel(model);
  const session = new CheckSession(normalised, options);
  function* run(): Generator<any, T, unknown> {
    try {
      yield* session.open();
      return yield* read(session, session.parameters.tensors[1]!);
    } finally {
      session.close();
    }
  }
  return [runSync(run(), normalised, null, null), session.gradientEvaluations];
}

/** bendsWithinStep (or `read`) at step `h`, allowed `allowed`, of entry w[1] ({@link onEntry}). */
function bends(g: (w: number) => number, h: number, allowed: number, read = bendsWithinStep): boolean {
  return onEntry(g, (session, tensor) => read(session, tensor, 1, h, allowed))[0];
}

describe('bendsWithinStep', () => {
  it('lets a smooth gradient pass whose bend over θ ± h/2 is within the allowance, however it bends over θ ± h', () => {
    // g = 0.15·w²: bends 0.075 over θ ± 1/2 and 0.3 over θ ± 1, four times as much, as a smooth gradient does.
    expect(bends((w) => 0.15 * w * w, 1, 0.1)).toBe(false);
  });

  it('stops where the gradient bends over θ ± h/2 beyond the allowance, not at exactly the allowance', () => {
    expect(bends((w) => 0.5 * w * w, 1, 0.1)).toBe(true);
    expect(bends((w) => 0.5 * w * w, 0.25, 0.1)).toBe(false);
    // g = 0.5·w²: its bend over θ ± 1/2 is 0.25, over θ ± 1 four times that.
    expect(bends((w) => 0.5 * w * w, 1, 0.25)).toBe(false);
  });

  it('bendsWithin, over θ ± its half step alone, reads the bend beyond the allowance, not at exactly it', () => {
    expect(bends((w) => 0.5 * w * w, 0.5, 0.25, bendsWithin)).toBe(false);
    expect(bends((w) => 0.5 * w * w, 0.5, 0.24, bendsWithin)).toBe(true);
  });

  it('stops where the gradient jumps between h/2 and h, which its bend over θ ± h/2 does not see', () => {
    const jump = (size: number) => (w: number) => (w > 0.75 ? size : 0);
    expect(bends(jump(0.2), 1, 0.1)).toBe(true);
    // A jump of exactly the allowance is within it; one beyond θ ± h is not read.
    expect(bends(jump(0.1), 1, 0.1)).toBe(false);
    expect(bends(jump(0.2), 0.7, 0.1)).toBe(false);
  });

  it('stops where jumps on either side of θ cancel in the bend over θ ± h/2 but not beyond', () => {
    // Jumps of 0.2 at −0.3 and +0.3 that make an odd step cancel in the bend over θ ± 1/2; a third, at 0.8, shows over θ ± 1.
    const odd = (w: number): number => (w > 0.3 ? 0.2 : w < -0.3 ? -0.2 : 0) + (w > 0.8 ? 0.3 : 0);
    expect(bends(odd, 1, 0.1)).toBe(true);
    expect(bends((w) => (w > 0.3 ? 0.2 : w < -0.3 ? -0.2 : 0), 1, 0.1)).toBe(false);
  });
});

describe('gradientJumpsBeyondHalf', () => {
  // The gradient of w[1] at θ = 0 is g(0) = 0; `allowed` is the mismatch.
  const beyondHalf: typeof bendsWithinStep = gradientJumpsBeyondHalf;
  const jump = (at: number) => (w: number) => (w > at ? 1 : 0);

  it('reads the entry’s own gradient at θ ± h/2 and θ ± h: a jump between them, not one within h/2 or beyond h', () => {
    expect(bends(jump(0.75), 1, 0.5, beyondHalf)).toBe(true);
    expect(bends(jump(0.25), 1, 0.5, beyondHalf)).toBe(false);
    expect(bends(jump(0.75), 0.7, 0.5, beyondHalf)).toBe(false);
  });

  it('reads each of the four points: a slope beside the jump, jumps of opposite sign on the two sides', () => {
    // g = w + a jump of 1 at 0.75: bends 0 over θ ± 1/2 and 1 over θ ± 1 (a slope read at a wrong point bends).
    expect(bends((w) => w + (w > 0.75 ? 1 : 0), 1, 0.5, beyondHalf)).toBe(true);
    // Jumps of +1 at 0.75 and −1 at −0.75 bend nothing (an odd step: the central quotient does not see it either).
    expect(bends((w) => (w > 0.75 ? 1 : w < -0.75 ? -1 : 0), 1, 0.5, beyondHalf)).toBe(false);
  });

  it('reads the entry at its own θ, not at the value of the entry its tensor offset would give', () => {
    // w[1] = 2 in a tensor after v = [0]: the jump lies 0.75 from w[1]'s θ, 2.75 from 0.
    const v = Float64Array.from([0]),
      w = Float64Array.from([5, 2]);
    const model: GradientModel = {
      parameters: { v, w },
      loss: () => 0,
      gradients: () => ({ v: [1], w: [1, w[1]! > 2.75 ? 1 : 0] }),
    };
    const normalised = normaliseModel(model);
    const session = new CheckSession(normalised, {});
    function* run(): Generator<any, boolean, unknown> {
      try {
        yield* session.open();
        return yield* gradientJumpsBeyondHalf(session, session.parameters.tensors[1]!, 1, 1, 0.5);
      } finally {
        session.close();
      }
    }
    expect(runSync(run(), normalised, null, null)).toBe(true);
  });
});

describe('kinkInGradient where the four samples show no jump', () => {
  // Entry w[1] at θ = 0, h = 1, a central quotient −1.1 with a floor of 0.05: its gradient −1 doubles on
  // (0.1, 0.3), between θ and θ + h/2, where two of the seventeen samples fall and none of the four.
  const windowed = (w: number): number => -1 + (w > 0.1 && w < 0.3 ? -1 : 0);
  const estimate = { numeric: -1.1, floor: 0.05, step: 1, errorEstimate: 1e-3 };
  const steps = { coarse: { plus: 1, minus: -1 }, fine: { plus: 0.5, minus: -0.5 }, h: 1 };
  function read(g: (w: number) => number, scheme: 'central' | 'richardson'): [boolean, typeof estimate, number] {
    const [[kinked, judged], evaluations] = onEntry(
      g,
      (session, tensor) => kinkInGradient(session, tensor, 1, steps, g(0), estimate),
      { scheme },
    );
    return [kinked, judged as typeof estimate, evaluations];
  }

  it('judges the quotient by the seventeen samples’ mean where they step (central scheme), as no kink', () => {
    const [kinked, judged, evaluations] = read(windowed, 'central');
    expect(kinked).toBe(false);
    expect(judged.numeric).toBeCloseTo(-0.975, 15);
    expect(judged.errorEstimate).toBe(2 / 64);
    // (The session's two readings at θ, its purity test, then the four and the twelve.)
    expect(evaluations).toBe(2 + 4 + 12);
  });

  it('keeps the estimate where the seventeen do not step, or with Richardson’s scheme (the four alone)', () => {
    const [smooth, kept] = read((w) => -1 + w / 8, 'central');
    expect([smooth, kept]).toEqual([false, estimate]);
    const [kinked, judged, evaluations] = read(windowed, 'richardson');
    expect([kinked, judged, evaluations]).toEqual([false, estimate, 2 + 4]);
  });
});
