/**
 * An entry's estimate at steps narrower than the one it was first judged at (estimate.ts): around a
 * kink that step showed, until the kink falls outside the step or shows at more than one, and below
 * a kink that the widening for noise read as noise. Each takes the estimator's estimate at a step
 * as a function, and only evaluates through it.
 */
import { allowedError, type EntryEstimate } from './difference.js';
import {
  judgeNarrower,
  kinkConfirmed,
  kinkReaches,
  kinkShown,
  NARROWING,
  NARROWINGS,
  sidesExcludeKink,
  type FiveLosses,
  type OneSided,
} from './entry-rules.js';
import { entryExcess } from './pass-rule.js';
import type { Steps } from './session.js';

/**
 * An entry's estimate at step h, whether the loss stood still within it, and its one-sided slopes and
 * five losses where read.
 */
export type NarrowerAt = (h: number) => Steps<readonly [EntryEstimate, boolean, OneSided?, FiveLosses?]>;

/**
 * How many narrower steps an entry seen at a kink at step `h` may be read at: {@link NARROWINGS}
 * below `from`, the step its widening for noise started from (the default step, or the step a loss
 * coarser than that moved at), to the nearest whole {@link NARROWING}. Counted from `h`, an entry
 * widened for noise 16-fold stopped 16 × short of the steps where a narrow bend at θ is resolved: a
 * steep softplus at w = 0 (kinks.test.ts; a tensor of zeros, scaled by 1 since stop 36) widened to
 * 6.1e-5 read the bend as a kink at 3.8e-6, 2.4e-7 and 1.5e-8, was left out as one, and passed a
 * gradient 1.4 × the c/2 that 9.3e-10 measures.
 */
export function narrowingsBelow(h: number, from: number): number {
  return NARROWINGS + Math.max(0, Math.round(Math.log(h / from) / Math.log(NARROWING)));
}

/**
 * Whether the analytic gradient of the entry jumps between h/2 and h of step h but not within h/2,
 * where it differs from the loss's slope by `mismatch` (gradient-kink.ts, `gradientJumpsBeyondHalf`).
 */
export type JumpsBeyondHalf = (h: number, mismatch: number) => Steps<boolean>;

/** What {@link narrowedAroundKink} may know of an entry besides its estimate at the step it saw a kink at. */
export interface AroundKink {
  /** The first reading of the same losses, where the widening for noise went back to that step. */
  readonly first?: EntryEstimate | undefined;
  /** Whether the analytic gradient jumps between h/2 and h of step h but not within h/2. */
  readonly jumpsBeyondHalf?: JumpsBeyondHalf | undefined;
  /** The step the widening for noise started from, where that step is one it widened to. */
  readonly from?: number | undefined;
  /** One rounding of the loss at θ, ε·|L|: what {@link jumpsAtTheta} measures a jump in (none where absent). */
  readonly rounding?: number | undefined;
}

/**
 * The estimate of an entry first seen at a kink (`estimate`, at step `h`), at narrower steps (`at`)
 * down to {@link NARROWINGS} below `from`: a kink beside θ falls outside one of them. It is left
 * out as a kink only where the loss shows one at more than one step. Of {@link AroundKink}: `first`,
 * the first reading of the same losses, where the widening for noise went back to `h` (its slopes
 * read against the modelled noise only, so a kink it showed counts as shown there); `from`, the step
 * the widening for noise started from, where `h` is one it widened to (else `h`; {@link narrowingsBelow}).
 * An agreement at a narrower step may be read again at half of it ({@link halvedBesideJump}, with
 * `jumpsBeyondHalf`). A narrower step at which the loss still steps at θ as it did one narrowing wider
 * ({@link jumpsAtTheta}, with `rounding`) counts as a step that showed a kink the gradient may be right at.
 */
export function* narrowedAroundKink(
  at: NarrowerAt,
  analytic: number,
  tolerance: number,
  estimate: EntryEstimate,
  h: number,
  { first, jumpsBeyondHalf, from = h, rounding = 0 }: AroundKink = {},
): Steps<EntryEstimate> {
  const narrowings = narrowingsBelow(h, from);
  let disagreeing: EntryEstimate | undefined;
  // Whether the one-sided slopes of the disagreeing estimate exclude a kink at θ as its mismatch's cause.
  let sharp = false;
  let kinkSteps = kinkShown(estimate);
  let reached = kinkReaches(analytic, estimate);
  // No kink the loss showed at any step so far could make the analytic value right: then a disagreement
  // is as sharp as one whose slopes exclude a kink at θ (judgeNarrower).
  let beyond = !reached && !(first !== undefined && kinkReaches(analytic, first));
  // The reading one narrowing wider than the current one (jumpsAtTheta).
  let previous = estimate;
  // Whether the narrowest step so far showed the kink (narrowsFurther).
  let shown = false;
  for (let narrowed = 0; estimate.kink && narrowsFurther(narrowed, narrowings, shown, reached); narrowed++) {
    h /= NARROWING;
    const [narrower, narrowFlat, sides] = yield* stepMoving(at, h);
    shown = kinkShown(narrower) > 0;
    const jump = rounding > 0 && jumpsAtTheta(previous, narrower, rounding);
    previous = narrower;
    // A loss that steps at θ on the scale of both steps shows a kink there that any gradient may be right at.
    if (jump) {
      kinkSteps++;
      reached = true;
      beyond = false;
      disagreeing = undefined;
      continue;
    }
    // A loss that does not move at all within the narrower step says nothing there.
    if (narrower.kink || narrowFlat) {
      kinkSteps += kinkShown(narrower);
      // Whether the kink could make the analytic value right is read at the narrowest step where the
      // loss still shows it: a kink's one-sided slopes stay apart as the step shrinks, a smooth
      // bend's meet at its slope.
      if (narrower.kink?.shown) {
        reached = kinkReaches(analytic, narrower);
        beyond &&= !reached;
      }
      disagreeing = undefined;
      continue;
    }
    const reading = judgeNarrower(analytic, narrower, disagreeing, tolerance, sharp || beyond);
    if (reading === 'disagrees') {
      disagreeing = narrower;
      sharp = sides !== undefined && sidesExcludeKink(analytic, narrower.numeric, sides);
    } else if (reading === 'inconclusive') {
      // A narrower step is noisier still: the sharper disagreement is the entry's estimate.
      estimate = disagreeing!;
      break;
    } else {
      estimate = jumpsBeyondHalf
        ? yield* halvedBesideJump(at, analytic, tolerance, narrower, jumpsBeyondHalf)
        : narrower;
    }
  }
  return kinkConfirmed(estimate, kinkSteps, true, reached);
}

/**
 * Whether the narrowing reads a step narrower, `narrowed` of its `narrowings` spent; once they are
 * spent, one more where the narrowest step still showed the kink (`shown`) and no kink shown so far
 * could make the analytic value right (`reached` false): the entry is about to be judged as if no
 * kink were there. A float64 net of weights 1e-3 whose deep bias sits between kinks 1e-9 from θ
 * (property GC_SEED=78, 1139062359: b3[0], gradient −7.13e-4) read slopes of −9.7e-4 and −8.6e-4 at
 * 9.3e-10, the third narrowing, and failed at its widest step (−4.39e-4); at 5.8e-11 it reads
 * −7.59e-4 within 9.2e-5. A loss whose rounding hides the narrower step's slopes shows no kink
 * there, and the entry is judged as before.
 */
export function narrowsFurther(narrowed: number, narrowings: number, shown: boolean, reached: boolean): boolean {
  return narrowed < narrowings || (narrowed === narrowings && shown && !reached);
}

/** How many roundings of the loss at θ a step of the loss at θ must exceed to be told from rounding ({@link jumpsAtTheta}). */
export const JUMP_ROUNDINGS = 64;

/** How far apart, as a share, the loss's change across θ may read at two steps and still be one step ({@link jumpsAtTheta}). */
export const JUMP_AGREEMENT = 1 / 8;

/**
 * Whether the loss steps at θ on the scale of two steps (the `wider` reading and the `narrower` one,
 * {@link NARROWING} times narrower): its change across θ, D·h = (L(θ + h) − L(θ − h))/2, is the same
 * at both (within {@link JUMP_AGREEMENT} of it) and beyond {@link JUMP_ROUNDINGS} roundings of the
 * loss (`rounding`, ε·|L|). A slope gives a change that shrinks with the step, a kink beside θ one
 * that shrinks as well; only a jump at θ keeps it, and the quotients then grow without bound as the
 * step narrows, so no gradient can be told wrong there. The loss's own staircase (a quantum of up to
 * 16 roundings, quantum.ts) stays below the rounding bound. Property GC_SEED=54, 431948883: a correct
 * float64 b3[0] at θ = 0, its gradient 2.45e-4 holding within 1e-10 of θ, beyond which the loss is
 * flat: it changes by 3.2e-14 and 9.1e-15 on the two sides at every step from 2⁻³¹ to 2⁻¹⁸ (D·h =
 * 2.03e-14, 264 roundings), and the narrowing failed the entry at D = 5.4e-9.
 */
export function jumpsAtTheta(wider: EntryEstimate, narrower: EntryEstimate, rounding: number): boolean {
  const across = wider.numeric * wider.step,
    narrowAcross = narrower.numeric * narrower.step;
  return (
    2 * Math.abs(narrowAcross) >= JUMP_ROUNDINGS * rounding &&
    Math.abs(across - narrowAcross) <= JUMP_AGREEMENT * Math.abs(across)
  );
}

/**
 * Between a step at which the loss stood still and the step {@link NARROWING} times wider, the one
 * {@link BETWEEN} times wider than the still one is read where the loss stands still at h.
 */
export const BETWEEN = 4;

/**
 * The narrower step's reading (`at` step h) for {@link narrowedAroundKink}: where the loss stood still
 * within h (whether or not that agreed: a still loss agrees with any gradient its floor covers), the
 * reading at {@link BETWEEN}·h instead, unless it shows a kink or stands still there too and disagrees
 * (`at` says a still loss only with a disagreement). A narrowing by 16
 * can pass from a step that crosses the kink to one at which the loss cannot move: property
 * GC_SEED=32, 1223685002, a float32 b2[0] with a kink 2.0e-4 left of θ, read at 2⁻¹² (across it) and
 * then still at 2⁻¹⁶, where a wrong gradient of 1.64e-3 (the loss's slope is −6.9e-4) agreed within
 * a floor of 5.9e-3; at 2⁻¹⁴ the loss reads −7.3e-4 within 1.5e-3.
 */
function* stepMoving(at: NarrowerAt, h: number): ReturnType<NarrowerAt> {
  const reading = yield* at(h);
  if (!reading[1] && !reading[0].flat) return reading;
  const between = yield* at(h * BETWEEN);
  return between[1] || between[0].kink ? reading : between;
}

/**
 * The agreement a narrowing ended on (`estimate`, at step h), read again at h/2 (`at`) where it
 * agrees only within its truncation estimate, beyond its floor, and the analytic gradient jumps
 * between h/2 and h but not within h/2 (`jumpsBeyondHalf`): such a jump makes D(h) − D(h/2), the
 * truncation estimate, and the quotient at h/2 leaves it out. The loss there judges the entry (unless
 * it shows a kink or stands still there too); the gradient only chose the step. Property seed
 * 2102080803 (GC_SEED=26): a float32 b1[0] whose gradient, 5.56e-4, jumps by 1.6e-2 at 2.0e-4 right of
 * θ, narrowed to h = 2⁻¹² after its loss showed the kink at 2⁻⁸; a wrong 4.87e-3 agreed with
 * D(h) = 1.83e-3 within 4.2e-3, and fails at h/2 (D = 2.4e-4 within 1.95e-3), where the correct
 * gradient agrees.
 */
export function* halvedBesideJump(
  at: NarrowerAt,
  analytic: number,
  tolerance: number,
  estimate: EntryEstimate,
  jumpsBeyondHalf: JumpsBeyondHalf,
): Steps<EntryEstimate> {
  if (entryExcess(analytic, estimate.numeric, estimate.floor, tolerance) <= 1) return estimate;
  if (!(yield* jumpsBeyondHalf(estimate.step, Math.abs(analytic - estimate.numeric)))) return estimate;
  const [half, flat] = yield* at(estimate.step / 2);
  return half.kink || flat ? estimate : half;
}

/**
 * Whether an entry's step was widened for noise (from `before.h` to `h`) that the losses of its
 * first step showed as a kink (their one-sided slopes disagreed beyond the modelled noise: a kink's
 * fourth difference reads as noise), and the `widened` estimate shows none and moved the loss.
 * Also where the widening went back to the first step (`h` = `before.h`): judged there again against
 * the noise its own losses read, the kink they showed no longer shows. (A float64 b2 entry, property
 * seed 25, 162736587: a kink 2.9e-6 beside θ at h = 3.8e-6 read as noise 9.3e-11, and a gradient of
 * 3.1e-5 where the loss's slope is −2.9e-6 agreed within 2.6e-4; at h/16 it fails.)
 */
export function widenedOverKink(
  before: { readonly estimate: EntryEstimate; readonly h: number },
  h: number,
  widened: EntryEstimate,
  flat: boolean,
): boolean {
  return h >= before.h && before.estimate.kink !== undefined && !widened.kink && !flat;
}

/**
 * The estimate of an entry {@link widenedOverKink} (from `before` to `h`) in place of the `widened`
 * one: at up to {@link NARROWINGS} steps narrower than its first step (`at`, as judged there), the
 * first without a kink, where its allowance is below the widened estimate's; else `undefined` (the
 * widened estimate stands, as it does for every other entry). A float32 W1 entry with gradient 0, 0.068 from a kink beyond which the
 * loss fell by 96, read that fall as noise at h = 0.25 and was judged at h = 256, where the fall and
 * a farther kink made a numeric 0.28 (a wrong gradient 0.5 would have agreed within that noise); at
 * h = 2⁻⁶ the loss stands still. A narrower step at which the loss stands still does not judge the
 * entry where that stillness says nothing of its gradient (`saysNothing`; estimate.ts reads it as
 * quantum.ts's stillSaysNothing: the losses at the widened step move with the gradient on both sides,
 * in quanta beyond what it moves the loss over the still step): property GC_SEED=63, 1562266064, a
 * correct float32 W3[0,0] with gradient −5.3e-13, agreed at h = 2⁻⁴ within 3.8e-14, and its loss,
 * 8.3e-14, moves in quanta of 1.8e-15 and stands still at 2⁻¹⁴, where it failed as "never moved the
 * loss" (and GC_SEED=65, 1182182641, a float64 b2[2] still at 1.9e-6 likewise).
 */
export function* sharperBelowKink(
  at: (h: number) => Steps<EntryEstimate>,
  before: { readonly estimate: EntryEstimate; readonly h: number },
  h: number,
  widened: EntryEstimate,
  flat: boolean,
  saysNothing: (still: EntryEstimate, h: number) => Steps<boolean>,
): Steps<EntryEstimate | undefined> {
  if (!widenedOverKink(before, h, widened, flat)) return undefined;
  h = before.h;
  for (let narrowed = 0; narrowed < NARROWINGS; narrowed++) {
    h /= NARROWING;
    const narrower = yield* at(h);
    if (narrower.kink) continue;
    // (Narrower steps stand still too.)
    if (narrower.flat && (yield* saysNothing(narrower, h))) return undefined;
    return allowedError(narrower) < allowedError(widened) ? narrower : undefined;
  }
  return undefined;
}
