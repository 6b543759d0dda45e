/**
 * The decisions of one entry's estimate, as pure functions of the losses (and gradients) the
 * estimator evaluated (estimate.ts): the central estimate and whether it settles the entry, the
 * noise read from five losses, the refinement at h/2 (Richardson or an error estimate for the
 * central quotient), the kink test, and the verdicts that widen or narrow the step.
 */
import {
  allowedError,
  centralQuotient,
  ESTIMATE_SAFETY,
  oneSidedDerivative,
  sidesNoise,
  powerOfTwoAtMost,
  richardson,
  type EntryEstimate,
  type Scheme,
  type StepTaken,
} from './difference.js';
import { opposedBends } from './opposed-bends.js';
import { entryExcess } from './pass-rule.js';

/**
 * How many entries of a tensor the estimator confirms as off in a smooth region before it stops
 * refining that tensor's disagreeing entries (central scheme) and asking for gradients at
 * perturbed points (both schemes): by then the tensor fails whatever the rest show.
 */
export const CONFIRMATIONS = 8;

/**
 * Where the loss stays bitwise the same at θ, θ ± h/2 and θ ± h, the default step grows by
 * {@link WIDENING} until the loss moves, up to {@link flatReach}.
 */
export const WIDENING = 16;

/**
 * The widest step a loss that stood still at the default step `h` of θ is widened to: three
 * widenings, or as far as one unit of θ's own scale (the power of two at most max(1, |θ|)) where
 * that is wider. A float64 loss can be coarser than 16³ default steps: a saturated cross-entropy
 * written as max(z, 0) + log1p(e^−|z|) − t·z cancels at logits near 34, so that its value moves
 * in steps of ulp(34) = 7.1e-15 while its gradient there is about 1e-15. A bias of such a network
 * moved the loss only at h = 2⁻¹, where the default step is 2⁻¹⁸ (property test, seeds 8 and 26:
 * "never moved the loss" failed correct models at 2⁻⁶).
 */
export function flatReach(theta: number, h: number): number {
  return Math.max(h * WIDENING ** 3, powerOfTwoAtMost(Math.max(1, Math.abs(theta))));
}

/**
 * Where the error of a default step's estimate is the loss's noise rather than truncation and
 * exceeds what the tolerance allows, the step grows by {@link NOISE_WIDENING} up to
 * {@link NOISE_WIDENINGS} times (×1024), never beyond {@link WIDEST_SHARE} of the entry's scale:
 * noise/h shrinks, truncation h² grows, and the estimate of both at each step says when to stop (see
 * {@link widerHelps}). Measured (real-code property test, float32 weights 1e-2 / 1e-3, bugs ≥ 3× the
 * FD error missed of 200, seeds 0/1/2): 0/3/0 and 4/5/4 at 3 widenings (×64), 0/1/0 and 2/1/1 at 5;
 * ×2 widenings up to ×1024 missed 0/1/1 and 0/1/3 (a ×2 step lands on more kinks).
 */
export const NOISE_WIDENING = 4;
export const NOISE_WIDENINGS = 5;

/**
 * Whether the widening for noise may go on beyond step `h` of an entry that it started from step
 * `from` (the default step, or the step a loss that stood still there first moved at): up to
 * {@link NOISE_WIDENINGS} times, never beyond the entry's `widest` step.
 */
export const widensBeyond = (h: number, from: number, widest: number): boolean =>
  widenedStep(h, from, widest) !== undefined;

/**
 * The step the widening for noise takes after step `h` (see {@link widensBeyond}): {@link NOISE_WIDENING}
 * times `h`, or the entry's `widest` step where that is beyond it but at least twice `h` (a step that
 * stops short of the widest leaves up to 4 times the noise it could remove: issue 9, a float32 weight
 * off by 3.6 times the FD error passed at a quarter of its widest step); `undefined` where it stops.
 */
export function widenedStep(h: number, from: number, widest: number): number | undefined {
  if (!(h < from * WIDEST_NOISE_FACTOR)) return undefined;
  const next = h * NOISE_WIDENING;
  return next <= widest ? next : widest >= 2 * h ? widest : undefined;
}

/** How far the noise widenings may take a step: {@link NOISE_WIDENING} ** {@link NOISE_WIDENINGS} (computed once). */
const WIDEST_NOISE_FACTOR = NOISE_WIDENING ** NOISE_WIDENINGS;
/**
 * A step widened for noise moves an entry by at most this share of its scale (the larger of |θ|
 * and its tensor's root mean square): a wider move crosses the nonlinearities (and ReLU kinks)
 * of a tensor of that scale, which the truncation estimate from h and h/2 may not see. Measured
 * (real-code property test, float32 weights 1e-2 / 1e-3, bugs missed of 200): 27 / 35 at 1/4,
 * 24 / 29 at 1/2, 20 / 23 at 1, with no false alarm in the property tests at any of them. Later, on
 * today's estimator (seeds 0–6, 1 400 bugs per scale): 1 / 3 missed at 4, 0 / 1 at 8, the same false
 * alarms (none in the float32 classes nor the property tests of seeds 0–2). The misses at 4 were
 * entries whose loss is nearly quadratic along them (an output layer's weights under MSE), judged
 * at their widest step, where the noise of the quotient at h/2 read as truncation covered the bug.
 * The widening's last step lands on the widest step itself where ×4 would pass it ({@link widenedStep}).
 * Over seeds 0–29 of both tests (about 150 000 checks, stop 34): 8 → 32 caught a float32 weight off
 * by 13 × its best octave's error (real-code GC_SEED=27, 1557077243, judged at 2⁻² instead of 2⁻⁴)
 * and cleared an innocent bias blamed beside a bug (property GC_SEED=13), 10 → 8 wrong, with a
 * widening that reaches a kink the noise hid stopped there (still-side.ts); without that stop, a
 * correct float32 bias exactly at a kink failed (stop 33: 11 wrong).
 */
export const WIDEST_SHARE = 32;

/**
 * How many deviations of the loss's measured rounding noise one loss evaluation may be off by
 * (noise.ts): the floor of a central quotient, 2·{@link NOISE_SIGMAS}·σ / 2h, then stands at about
 * 5.7 standard deviations of the quotient's noise (√2·σ / 2h): 8/√2.
 */
export const NOISE_SIGMAS = 4;

/**
 * Where the one-sided derivatives disagree within the default step, the step shrinks by
 * {@link NARROWING} up to {@link NARROWINGS} times: a kink beside θ falls outside a narrower
 * step; one at θ stays inside every step.
 */
export const NARROWING = 16;
export const NARROWINGS = 3;

/**
 * The fourth difference of five loss values carrying independent rounding errors of size σ
 * has a spread of √70·σ ≈ 8.4σ; dividing by 8 reads σ off it.
 */
const FOURTH_DIFFERENCE_SPREAD = 8;

/** The losses at θ − h, θ − h/2, θ, θ + h/2 and θ + h, in that order. */
export type FiveLosses = readonly [number, number, number, number, number];

/**
 * The central estimate at step h, with the floor that rounding of its two losses leaves in it when
 * each may be off by `noise` (loss units).
 */
export function centralEstimate(coarse: StepTaken, lossPlus: number, lossMinus: number, noise: number): EntryEstimate {
  return {
    numeric: centralQuotient(lossPlus, lossMinus, coarse),
    floor: (2 * noise) / Math.abs(coarse.plus - coarse.minus),
    step: (coarse.plus - coarse.minus) / 2,
    errorEstimate: 0,
  };
}

/**
 * Whether the central estimate settles an entry without the losses at h/2: with the central
 * scheme, when it agrees with the analytic derivative within half the tolerance even if it is off
 * by its whole noise floor (agreement inside a window narrower than the estimate's own noise is
 * luck, not evidence: issue 9), or when the entry's tensor is already confirmed wrong
 * {@link CONFIRMATIONS} times (it fails whatever the rest show). The other half is room for the
 * truncation that one step cannot measure: a float32 W1 entry judged at the step its tensor learned,
 * 2⁻⁴ (4.4 × its scale), read −0.035328 against a true −0.035568, its truncation pulling the
 * quotient towards a bug of +2.97e-4 (9.5 × the error of a typical step), which then agreed within
 * the tolerance (8.1e-4 relative); now it fails at 2⁻⁶. Measured over seeds 0–29 of both property tests: that miss
 * caught, no false alarm, a few more loss evaluations (the demo's first check 163 → 167).
 */
export function centralSettles(
  scheme: Scheme,
  analytic: number,
  central: EntryEstimate,
  tolerance: number,
  confirmed: number,
): boolean {
  return settlesAt(scheme, analytic, central.numeric, central.floor, tolerance, confirmed);
}

/** {@link centralSettles} for a central estimate `numeric` with its floor `floor`, given without an object. */
export function settlesAt(
  scheme: Scheme,
  analytic: number,
  numeric: number,
  floor: number,
  tolerance: number,
  confirmed: number,
): boolean {
  if (scheme !== 'central') return false;
  return confirmed >= CONFIRMATIONS || agreesWithin(analytic, numeric, floor, tolerance / 2);
}

/**
 * True when `numeric`, off by up to `floor`, is within the tolerance of `analytic`, or equal to it
 * (a derivative of exactly 0 where the loss did not move at all).
 */
export function agreesWithin(analytic: number, numeric: number, floor: number, tolerance: number): boolean {
  if (analytic === 0 && numeric === 0) return true;
  return Math.abs(analytic - numeric) + floor <= tolerance * (Math.abs(analytic) + Math.abs(numeric));
}

/**
 * A mismatch this many times the estimate's error is no noise a wider step could remove: the entry
 * is judged at its step (a wider one would cross kinks and curvature for nothing).
 */
export const CLEAR_MISMATCH = 16;

/**
 * Whether a wider step would judge an entry better: its estimated error exceeds what the
 * tolerance allows, the mismatch is within {@link CLEAR_MISMATCH} times that error, and the error
 * is the losses' noise rather than truncation (the change from h to h/2 is within twice what the
 * noise alone can make of it).
 */
export function widerHelps(
  analytic: number,
  estimate: EntryEstimate,
  tolerance: number,
  coarse: StepTaken,
  fine: StepTaken,
  losses: FiveLosses,
  noise: number,
): boolean {
  if (estimate.errorEstimate <= tolerance * (Math.abs(analytic) + Math.abs(estimate.numeric))) return false;
  // A mismatch beyond what the error can make of it: a wider step only shrinks that error.
  if (Math.abs(analytic - estimate.numeric) > CLEAR_MISMATCH * estimate.errorEstimate) return false;
  return quotientsWithinNoise(coarse, fine, losses, noise);
}

/**
 * Whether the central quotients at h (`coarse`) and h/2 (`fine`) differ by no more than the loss's
 * `noise` can make them: neither truncation nor a kink between the two steps shows.
 */
export function quotientsWithinNoise(coarse: StepTaken, fine: StepTaken, losses: FiveLosses, noise: number): boolean {
  const step = (coarse.plus - coarse.minus) / 2,
    halfStep = (fine.plus - fine.minus) / 2;
  const change = Math.abs(centralQuotient(losses[3], losses[1], fine) - centralQuotient(losses[4], losses[0], coarse));
  return change <= 2 * (noise / halfStep + noise / step);
}

/**
 * Whether a step widened for noise went too far, so that the entry is judged at the step before:
 * truncation grew faster than the noise fell (the estimated error grew, where the wider estimate
 * does not agree, or where the narrower one agreed already: an agreement is not traded for a step
 * whose error grew, from which the widening would go on across what made it grow), or the estimate
 * moved by more than the two steps' errors combined (the narrower step's error bar was honest, so
 * the wider one met a kink or curvature that its own error, read between h and h/2 beyond that
 * kink, does not show). The errors combine as independent ones, the root of the sum of their
 * squares: the widening is for noise, and two steps' roundings are independent. Property
 * GC_SEED=59, 1780307503: a correct float32 W2[1,1] of a loss of 21 968 agreed at h = 8 (0.009155
 * against 0.009160 within 1.5e-3); at 32 a kink grew the error to 4.8e-3, within which it agreed,
 * and the widening went on to 128, where it read 0.00782 within 1.2e-3 and failed.
 */
export function widenedTooFar(analytic: number, previous: EntryEstimate, widened: EntryEstimate): boolean {
  const grew = widened.errorEstimate > previous.errorEstimate;
  if (grew && (!agrees(analytic, widened, 0) || agrees(analytic, previous, 0))) return true;
  return Math.abs(widened.numeric - previous.numeric) > Math.hypot(previous.errorEstimate, widened.errorEstimate);
}

/**
 * Whether a loss that stayed bitwise the same over the step contradicts the analytic derivative:
 * over θ ± h it would have moved by |g|·2h, more than the estimate's floor allows the quotient to hide
 * (the same floor the entry is judged with). Then the stillness itself is the evidence that g is
 * wrong; where it does not contradict g, the loss is coarser than the step and a wider one is tried.
 */
export function contradictsStillness(analytic: number, estimate: EntryEstimate): boolean {
  return Math.abs(analytic) > allowedError(estimate);
}

/** True when the loss stayed bitwise the same at all five points. */
export function isFlat(losses: FiveLosses): boolean {
  return losses.every((l) => l === losses[2]);
}

/**
 * The rounding noise of the five losses: `modelled`, the check's noise allowance per loss (or,
 * once the step was `widened` because the loss did not move, the smallest change it showed, if
 * larger), and `noise`, at least the modelled noise and as large as their fourth difference shows
 * (for a smooth loss that is (h/2)⁴·L⁗, far below rounding).
 */
export function readNoise(
  losses: FiveLosses,
  allowance: number,
  widened: boolean,
): { readonly modelled: number; readonly noise: number } {
  const fourth = Math.abs(losses[0] - 4 * losses[1] + 6 * losses[2] - 4 * losses[3] + losses[4]);
  const changes = losses.map((l) => Math.abs(l - losses[2])).filter((d) => d > 0);
  const modelled = Math.max(allowance, widened && changes.length ? Math.min(...changes) : 0);
  return { modelled, noise: Math.max(modelled, fourth / FOURTH_DIFFERENCE_SPREAD) };
}

/**
 * The estimate from the quotients at h (`coarse`) and h/2 (`fine`): Richardson's extrapolation,
 * or (central) the quotient at h, each with its floor and an estimate of its finite-difference
 * error, and the `noise` per loss they were read with. The extrapolated value's error is below
 * that of the finer quotient, which is (fine − coarse)/(r² − 1); the central quotient's own error
 * is r² times that.
 */
export function refinedEstimate(
  scheme: Scheme,
  coarse: StepTaken,
  fine: StepTaken,
  losses: FiveLosses,
  noise: number,
): EntryEstimate {
  const step = (coarse.plus - coarse.minus) / 2;
  const central = centralQuotient(losses[4], losses[0], coarse);
  const halfStep = (fine.plus - fine.minus) / 2;
  const refined = centralQuotient(losses[3], losses[1], fine);
  const coarseFloor = noise / step,
    fineFloor = noise / halfStep;
  const r2 = (step / halfStep) ** 2;
  const [numeric, floor, leading] =
    scheme === 'richardson'
      ? [
          richardson(central, step, refined, halfStep),
          (r2 * fineFloor + coarseFloor) / (r2 - 1),
          Math.abs(refined - central) / (r2 - 1),
        ]
      : [central, coarseFloor, (Math.abs(refined - central) * r2) / (r2 - 1)];
  return { numeric, floor, step, errorEstimate: Math.max(ESTIMATE_SAFETY * leading, floor), noise };
}

/**
 * The estimate a central entry refined at h/2 is judged by (`central`: the quotient at h with its
 * error; `extrapolated`: Richardson's value from the same losses, with the error the Richardson
 * scheme gives it). Where the central quotient agrees with `analytic` only because its truncation
 * estimate covers the mismatch (beyond the tolerance and the noise floor), that estimate is
 * symmetric, though D(h) − D(h/2) tells the truncation's sign: the entry must then agree with the
 * extrapolated value, which removes that truncation, within its own error as well. Else the
 * extrapolated estimate is returned, and the entry disagrees. (A float32 W1 entry off by 3.7e-4,
 * 28× the finite-difference error, passed at h = 2⁻⁶ whose truncation, −1.4e-4, has the bug's sign.)
 */
export function judgedEstimate(
  analytic: number,
  central: EntryEstimate,
  extrapolated: EntryEstimate,
  tolerance: number,
): EntryEstimate {
  if (entryExcess(analytic, central.numeric, central.floor, tolerance) <= 1) return central;
  if (!agrees(analytic, central, tolerance) || agrees(analytic, extrapolated, tolerance)) return central;
  return extrapolated;
}

/** True when the estimate agrees with the analytic derivative within its estimated error. */
export function agrees(analytic: number, estimate: EntryEstimate, tolerance: number): boolean {
  return entryExcess(analytic, estimate.numeric, estimate.errorEstimate, tolerance) <= 1;
}

/**
 * True where `estimate` fails an entry with analytic derivative `analytic` outright (not as a
 * kink): beyond its allowed error, and never within `smallest`, the smallest normal number of the
 * tensor's precision (a derivative below it is no evidence).
 */
export function failsOutright(analytic: number, estimate: EntryEstimate, smallest: number, tolerance: number): boolean {
  const floor = Math.max(allowedError(estimate), smallest);
  return !estimate.kink && entryExcess(analytic, estimate.numeric, floor, tolerance) > 1;
}

/**
 * What an entry about to fail at its step reads at a wider one: `agrees` where the two readings
 * differ by more than their errors combined (the root of the sum of their squares: a loss smooth at
 * both steps gives the same slope at both, within them), the entry agrees at the wider step, and
 * that agreement tells the two readings apart (the wider step's error under half the distance
 * between the analytic value and the narrow reading); `coarse` where only that last fails (a still
 * wider step may tell: its rounding error is smaller); else `stands` (the narrow reading's verdict).
 * An estimate as coarse as the mismatch it is to settle says nothing of it: a float32 bias read
 * 341.8 ± 33.7 at 2⁻⁶ and −151.9 ± 208.6 at 2⁻², where its wrong gradient was 30.3. A loss whose
 * rounding stays on one plateau for a whole step shows no noise in its five losses and a slope
 * without the plateau's jumps: a naive `log(1 − a)` at a saturated sigmoid read 0.325525 at every
 * step from 2⁻²⁰ to 2⁻¹⁸, its fourth difference at ε·|L|, against a gradient of 0.325345; at 2⁻¹⁴
 * it reads 0.325357 ± 6.4e-5 (real-code test, `GC_SEED=24`, 1561495001).
 */
export function widerScaleAgrees(
  analytic: number,
  narrow: EntryEstimate,
  wide: EntryEstimate,
  tolerance: number,
): 'agrees' | 'coarse' | 'stands' {
  const apart = Math.abs(wide.numeric - narrow.numeric) > Math.hypot(allowedError(narrow), allowedError(wide));
  if (!apart || !agrees(analytic, wide, tolerance)) return 'stands';
  return allowedError(wide) < Math.abs(analytic - narrow.numeric) / 2 ? 'agrees' : 'coarse';
}

/**
 * {@link agrees}, where the loss showed a kink within the step (`shown`, see {@link oneSidedSlopes})
 * only within the rounding floor: beside a kink, D(h) − D(h/2) is the kink's doing, not the smooth
 * truncation the error estimate reads it as. (A float64 ReLU net, property seed 3, 1994100633: a
 * b2 entry 1 % off agreed within 6.8e-7 at h = 3.8e-6, a kink 1e-6 from θ; at h/16 the quotient is
 * right to 5e-10.) Not agreeing, the entry is marked a kink and the step narrowed.
 */
export function agreesBesideKink(
  analytic: number,
  estimate: EntryEstimate,
  shown: boolean,
  tolerance: number,
): boolean {
  return entryExcess(analytic, estimate.numeric, shown ? estimate.floor : estimate.errorEstimate, tolerance) <= 1;
}

/**
 * The one-sided derivatives from the left and from the right (second order, from θ, θ ± h/2 and
 * θ ± h as stored), and whether they disagree beyond the `modelled` noise (`shown`: the loss shows a kink within the step).
 * (Against the modelled noise only: a kink inflates the fourth difference as noise does.)
 */
export function oneSidedSlopes(
  theta: number,
  coarse: StepTaken,
  fine: StepTaken,
  losses: FiveLosses,
  modelled: number,
  tolerance: number,
): NonNullable<EntryEstimate['kink']> & { readonly shown: boolean } {
  const centre = losses[2];
  const right = oneSidedDerivative(centre, fine.plus - theta, losses[3], coarse.plus - theta, losses[4]);
  const left = oneSidedDerivative(centre, fine.minus - theta, losses[1], coarse.minus - theta, losses[0]);
  const shown = entryExcess(left, right, sidesNoise(theta, fine, coarse, modelled), tolerance) > 1;
  const between = opposedBends(theta, coarse, fine, losses, modelled);
  // (No spread: Node 20 copies one on a slow path, bench/results.md round 9.)
  return between ? { left, right, shown, between } : { left, right, shown };
}

/**
 * A kink closer to θ than the loss can resolve (float32) shows in the analytic gradient itself,
 * read at θ ± h/2 and θ ± h (`gradients`: [θ + h/2, θ − h/2, θ + h, θ − h]): between θ − h/2 and
 * θ + h/2 it jumps by at least half the mismatch instead of varying linearly, or the rise over
 * θ ± h differs by that much from twice the rise over θ ± h/2 (two kinks, one on each side, whose
 * jumps cancel in the first test: a smooth gradient's two rises differ by h³·g‴/6 only), or the bend
 * over θ ± h differs by twice the mismatch from four times the bend over θ ± h/2 (two kinks between
 * h/2 and h, one on each side, whose jumps J₁ and J₂ have the same sign: neither test above sees
 * them, and they move the central quotient by at most (J₁ + J₂)/4; a smooth gradient's two bends
 * differ by h⁴·g⁗/16 only). Property seed 1082038392 (GC_SEED=28), a correct float32 b1[2]: the
 * gradient −6.25e-4 at θ and θ ± h/2, 0 at θ ± h, failed at h = 2⁻⁸ by 2.1e-4 and was never narrowed.
 */
export function gradientJumps(gradients: readonly number[], analytic: number, mismatch: number): boolean {
  const { half, odd, fourfold } = gradientBends(gradients, analytic);
  return Math.max(Math.abs(half), Math.abs(odd)) >= mismatch / 2 || Math.abs(fourfold) >= 2 * mismatch;
}

/** The readings of {@link gradientBends}. */
type Bend = 'half' | 'full' | 'odd' | 'fourfold';

/**
 * What the analytic gradient read at θ ± h/2 and θ ± h (`gradients` as for {@link gradientJumps},
 * `analytic` at θ) says of its shape: its second differences over θ ± h/2 (`half`) and over θ ± h
 * (`full`), how far its rise over θ ± h is from twice its rise over θ ± h/2 (`odd`), and how far
 * its bend over θ ± h is from four times its bend over θ ± h/2 (`fourfold`: what a smooth gradient's
 * bend grows to, h²·g″ against (h/2)²·g″; kinks between h/2 and h break it).
 */
export function gradientBends(gradients: readonly number[], analytic: number): Readonly<Record<Bend, number>> {
  const [plusHalf, minusHalf, plus, minus] = gradients as [number, number, number, number];
  const half = plusHalf - 2 * analytic + minusHalf,
    full = plus - 2 * analytic + minus;
  return { half, full, odd: plus - minus - 2 * (plusHalf - minusHalf), fourfold: full - 4 * half };
}

/**
 * {@link gradientJumps} for an entry judged at a step where the gradient's curvature shows (one
 * that disagrees only with the extrapolated value, see {@link judgedEstimate}): a smooth gradient's
 * second difference over θ ± h/2 is a quarter of that over θ ± h, a jump's is as large, so the
 * bend is read as what is left of the first after a quarter of the second is taken off (the odd
 * test is {@link gradientJumps}'s). A float32 W1 entry at h = 2⁻⁶ bent by 2.3e-4 over θ ± h/2,
 * above half its mismatch, of which 1.9e-7 was left: no kink, and the narrowing it started judged
 * the entry at h/16, where the loss's noise covered its bug.
 */
export function gradientJumpsBeyondCurvature(
  gradients: readonly number[],
  analytic: number,
  mismatch: number,
): boolean {
  // (|half − full/4| ≥ mismatch/2, times four: the departure from the fourfold; the scaling is exact.)
  const { odd, fourfold } = gradientBends(gradients, analytic);
  return Math.abs(fourfold) >= 2 * mismatch || Math.abs(odd) >= mismatch / 2;
}

/**
 * Whether the analytic gradient's bend over the step accounts for the truncation the loss shows
 * between h and h/2 (`change`: D(h) − D(h/2)), within half of it. The gradient read at θ ± h/2 and
 * θ ± h (`gradients` as for {@link gradientJumps}) integrates (Simpson) to D(h) − D(h/2) ≈
 * (S(h) + 2·S(h/2))/12, with S(s) = g(θ + s) − 2g(θ) + g(θ − s): for a smooth loss both are h²·L‴/8,
 * and a gradient off by a constant leaves the sum unchanged. Where they differ, a kink that the
 * gradient samples miss, or the loss's noise, made the change, and it tells nothing of the truncation's sign.
 */
export function truncationFromCurvature(gradients: readonly number[], analytic: number, change: number): boolean {
  const { half, full } = gradientBends(gradients, analytic);
  const predicted = (full + 2 * half) / 12;
  return Math.abs(change - predicted) <= Math.abs(change) / 2;
}

/**
 * An estimate still marked as a kink after the narrowing, kept as one only where the loss's
 * one-sided slopes showed the kink (`kinkSteps`: steps where they did, not steps where only the
 * analytic gradient jumped, which is the thing under test) at more than one step, or at its one
 * step where no narrower step could be tried (a fixed step): a single step's one-sided slopes can
 * disagree by rounding alone, and only where the slopes at one of those steps could make the
 * analytic value right (`reached`, {@link kinkReaches}). Otherwise the estimate is judged as any
 * other (it fails where it disagrees).
 */
export function kinkConfirmed(
  estimate: EntryEstimate,
  kinkSteps: number,
  narrowed: boolean,
  reached: boolean,
): EntryEstimate {
  if (!estimate.kink || (kinkSteps >= (narrowed ? 2 : 1) && reached)) return estimate;
  const { kink: _kink, ...judged } = estimate;
  return judged;
}

/**
 * Whether the kink an estimate shows could make `analytic` right (see {@link kinkConfirmed}'s
 * `reached`): the derivative of θ's own piece is the one-sided slope of its side, and the other
 * side's second-order slope reaches at most half the jump beyond the pieces' slopes (a kink within
 * it), so a correct value lies within the two slopes widened by the jump. Where the loss bent
 * opposite ways on the two sides of θ ({@link opposedBends}), θ may lie on a piece narrower than the
 * step, and a value beyond the bound its losses set is right too. A gradient beyond both at every
 * step (a missing 1/m that makes it 6× the slope of a softplus 1e-9 wide) is no kink's doing.
 */
export function kinkReaches(analytic: number, estimate: EntryEstimate): boolean {
  if (!estimate.kink) return false;
  const { left, right, between } = estimate.kink;
  const jump = Math.abs(right - left);
  if (between && (between.above ? analytic >= between.bound : analytic <= between.bound)) return true;
  return analytic >= Math.min(left, right) - jump && analytic <= Math.max(left, right) + jump;
}

/** 1 where the loss's own one-sided slopes showed the estimate's kink, else 0 (see {@link kinkConfirmed}). */
export function kinkShown(estimate: EntryEstimate): number {
  return estimate.kink?.shown ? 1 : 0;
}

/** The one-sided derivatives of an estimate ({@link oneSidedSlopes}). */
export type OneSided = ReturnType<typeof oneSidedSlopes>;

/**
 * Whether an estimate's one-sided slopes exclude a kink at θ as the cause of its mismatch with
 * `analytic`: a central quotient across a kink at θ lies halfway between one-sided slopes that
 * differ by twice its distance from either side's slope, so slopes closer together than the
 * mismatch leave no kink that could make the analytic value right. (A float64 bias at a kink at
 * θ, slopes 0 and 1.7e-8, whose gradient samples missed the jump, had its central quotient 8.4e-9
 * off its left slope 0 at h = 2⁻²², slopes within the noise there: no evidence against the kink.)
 */
export function sidesExcludeKink(analytic: number, numeric: number, sides: OneSided): boolean {
  return Math.abs(sides.left - sides.right) < Math.abs(analytic - numeric);
}

/** What an estimate at a narrower step says about an entry first seen at a kink. */
export type NarrowerReading = 'agrees' | 'confirms' | 'disagrees' | 'inconclusive';

/**
 * Judges the estimate at a narrower step: it `agrees` with the analytic derivative; it `confirms`
 * the previous narrower step's disagreeing estimate (two steps agreeing on a wrong value: a bug
 * beside a kink, since a cluster of kinks can fool a single step); or it `disagrees`. An agreement
 * only within an allowance wider than that of the previous narrower step's disagreeing estimate,
 * which it fits as well, is `inconclusive` where that estimate was `sharp` (its one-sided slopes
 * exclude a kink at θ as its mismatch's cause, {@link sidesExcludeKink}): the narrower step's noise
 * covers both readings, and the sharper one, the disagreement, stands (a float32 b3 entry 4.5e-4 from a kink disagreed by
 * −7.8e-3 against −3.5e-6 at h = 2⁻¹², kink-free, and then agreed at h = 2⁻¹⁶, where the loss moved
 * by two roundings and its floor was 2.2e-2).
 */
export function judgeNarrower(
  analytic: number,
  narrower: EntryEstimate,
  disagreeing: EntryEstimate | undefined,
  tolerance: number,
  sharp = false,
): NarrowerReading {
  const fitsPrevious =
    disagreeing !== undefined &&
    entryExcess(disagreeing.numeric, narrower.numeric, allowedError(disagreeing) + allowedError(narrower), tolerance) <=
      1;
  if (entryExcess(analytic, narrower.numeric, allowedError(narrower), tolerance) <= 1) {
    return sharp && fitsPrevious && allowedError(disagreeing!) < allowedError(narrower) ? 'inconclusive' : 'agrees';
  }
  return fitsPrevious ? 'confirms' : 'disagrees';
}
