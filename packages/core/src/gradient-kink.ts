/**
 * Whether the analytic gradient jumps within the step or only bends (docs/verdict.md, "Kinks"): where
 * its four samples at θ ± h/2 and θ ± h seem to jump ({@link gradientJumps}), seventeen across the
 * step decide, and an entry whose gradient only bends is judged at that step, its central quotient
 * allowed the truncation the bend predicts; where the four see nothing, seventeen may see steps
 * between them, and the quotient is judged against the gradient's mean along the step. Evaluates only
 * the analytic gradient; the decisions are pure functions here.
 */
import { withFields, type EntryEstimate, type StepTaken } from './difference.js';
import { gradientBends, gradientJumps } from './entry-rules.js';
import type { ParameterTensor } from './parameters.js';
import { gradientsAroundStep, gradientsAt } from './perturbed.js';
import type { CheckSession, Steps } from './session.js';

/** The samples of the analytic gradient {@link jumpsBetweenSamples} reads: θ + k·h/8, k = −8 … 8. */
export const SAMPLES_PER_STEP = 8;

/**
 * The share of the mismatch a fifth difference of {@link jumpsBetweenSamples} must reach: a corner
 * (a jump of the gradient's slope, its loss's second derivative) at any distance within the step
 * leaves at least 0.58 of the mismatch it can make, a jump at least 12 times it.
 */
export const JUMP_SHARE = 1 / 8;

/**
 * Whether the analytic gradient sampled at equal spacings across the step (`gradients`, in order)
 * jumps or turns a corner between two samples: some fifth difference reaches {@link JUMP_SHARE} of
 * the `mismatch`. A polynomial of degree four leaves none, a smooth gradient over spacings of h/8
 * hardly more. {@link gradientJumps}, from four samples, cannot tell a jump from a third derivative:
 * a float32 bias at h = 2⁻⁴ rose by 2.4e-5 more over θ ± h than twice over θ ± h/2, above half its
 * mismatch of 3.8e-5 (a planted bug), and read as a kink, the narrowing judged it at h/16, where the
 * loss's rounding covered the bug. A dead ReLU unit's bias whose gradient rises from 0 a third of a
 * spacing right of θ (property seed 1527649513) leaves 1.4e-10 against a mismatch of 3.9e-10.
 */
export function jumpsBetweenSamples(gradients: readonly number[], mismatch: number): boolean {
  for (let i = 0; i + 5 < gradients.length; i++) {
    const [a, b, c, d, e, f] = gradients.slice(i, i + 6) as [number, number, number, number, number, number];
    if (Math.abs(f - 5 * e + 10 * d - 10 * c + 5 * b - a) >= JUMP_SHARE * mismatch) return true;
  }
  return false;
}

/** How many times the truncation its curvature predicts an entry's central quotient is allowed. */
export const CURVATURE_MARGIN = 2;

/**
 * `estimate` allowed {@link CURVATURE_MARGIN} times the truncation of its central quotient that the
 * analytic gradient's curvature predicts: D(h) − g = h²·L‴/6 for a smooth loss, with h²·L‴ read as
 * the gradient's bend g(θ + h) − 2g(θ) + g(θ − h) (`gradients` as for {@link gradientJumps}), where
 * {@link jumpsBetweenSamples} found no jump. The loss's own reading of it, D(h) − D(h/2), is as noisy
 * as D(h/2): a loss rounded to 1e-4 read a truncation of 2.2e-3 at h = 2⁻⁴ as far less. A wrong
 * gradient moves its bend only by what it moves across the step: an offset not at all, a factor by
 * that factor of an allowance that is a small part of the mismatch it makes.
 */
export function withCurvatureTruncation(
  estimate: EntryEstimate,
  gradients: readonly number[],
  analytic: number,
): EntryEstimate {
  const truncation = (CURVATURE_MARGIN * Math.abs(gradientBends(gradients, analytic).full)) / 6;
  return truncation > estimate.errorEstimate ? withFields(estimate, { errorEstimate: truncation }) : estimate;
}

/**
 * `estimate`, a central quotient at h, judged against the mean of the analytic gradient over θ ± h
 * instead of its value at θ, where the seventeen samples `gradients` (θ + k·h/8 in order) jump but the
 * four {@link gradientJumps} reads see nothing: steps of the gradient that fall between those four and
 * whose jumps cancel there (property GC_SEED=16, 1494519843, and 22, 463707: a correct float32 bias
 * whose gradient doubles and halves again within the step as its ReLU unit switches for examples of
 * opposite sign, failed at 1.67 and 1.41 × its allowance). The loss's difference over θ ± h is the
 * gradient's integral along the line, so the quotient is moved by g(θ) − mean (the samples'
 * trapezoid) and allowed that mean's error: a quarter of a spacing's worth of each step of the
 * samples beyond their trend (Σ|Δg − trend|/4n over n spacings, the mean error of a jump anywhere in
 * its spacing; at most twice that). A wrong gradient moves the mean as it moves g(θ). Where that
 * error exceeds the estimate's floor the samples say too little (a gradient that differs from call
 * to call steps everywhere: real-code GC_SEED=29, a dropout in the backward only passed), and the
 * estimate stands.
 */
export function judgedAlongPath(
  estimate: EntryEstimate,
  gradients: readonly number[],
  analytic: number,
): EntryEstimate {
  const n = gradients.length - 1;
  const trend = (gradients[n]! - gradients[0]!) / n;
  let sum = (gradients[0]! + gradients[n]!) / 2,
    steps = 0;
  for (let k = 1; k < n; k++) sum += gradients[k]!;
  for (let k = 0; k < n; k++) steps += Math.abs(gradients[k + 1]! - gradients[k]! - trend);
  const error = steps / (4 * n);
  if (error > estimate.floor) return estimate;
  return withFields(estimate, {
    numeric: estimate.numeric - (sum / n - analytic),
    errorEstimate: Math.max(estimate.errorEstimate, error),
  });
}

/**
 * The analytic derivative of entry `index` of `tensor` at θ + k·h/{@link SAMPLES_PER_STEP}, k = −8 … 8,
 * in order: `analytic` at θ and `known` at [θ + h/2, θ − h/2, θ + h, θ − h] (as for gradientJumps)
 * are taken, the twelve others evaluated.
 */
function* gradientsAcross(
  session: CheckSession,
  tensor: ParameterTensor,
  index: number,
  h: number,
  analytic: number,
  known: readonly number[],
): Steps<number[]> {
  const theta = session.snapshot[tensor.offset + index]!;
  const n = SAMPLES_PER_STEP;
  const at = new Map([
    [0, analytic],
    [n / 2, known[0]!],
    [-n / 2, known[1]!],
    [n, known[2]!],
    [-n, known[3]!],
  ]);
  const ks = Array.from({ length: 2 * n + 1 }, (_, i) => i - n);
  const missing = ks.filter((k) => !at.has(k));
  const evaluated = yield* gradientsAt(
    session,
    tensor,
    index,
    missing.map((k) => theta + (k * h) / n),
  );
  missing.forEach((k, i) => at.set(k, evaluated[i]!));
  return ks.map((k) => at.get(k)!);
}

/**
 * Whether the analytic gradient read at θ ± h/2 and θ ± h (`gradients` as for {@link gradientJumps},
 * `analytic` at θ) jumps between h/2 and h but not within h/2: its bend over θ ± h/2 stays below half
 * the `mismatch`, and its bend over θ ± h departs from four times that by at least the mismatch (a
 * smooth gradient's grows fourfold; a jump J between h/2 and h moves the quotient at h by at most
 * J/4, and the departure by J).
 */
export function jumpsBeyondHalf(gradients: readonly number[], analytic: number, mismatch: number): boolean {
  const { half, fourfold } = gradientBends(gradients, analytic);
  return Math.abs(half) < mismatch / 2 && Math.abs(fourfold) >= mismatch;
}

/**
 * {@link jumpsBeyondHalf} for entry `index` of `tensor` at step `h`: its analytic gradient
 * evaluated at θ ± h/2 and θ ± h, and read at θ from the session.
 */
export function* gradientJumpsBeyondHalf(
  session: CheckSession,
  tensor: ParameterTensor,
  index: number,
  h: number,
  mismatch: number,
): Steps<boolean> {
  const gradients = yield* gradientsAroundStep(session, tensor, index, h);
  return jumpsBeyondHalf(gradients, session.analytic[tensor.offset + index]!, mismatch);
}

/**
 * Whether entry `index` of `tensor`, whose `estimate` at step h (`coarse`, `fine` its points at h and
 * h/2) disagrees with `analytic` and whose loss showed no kink, has one that only its analytic
 * gradient shows; with it, the estimate to judge it by (allowed its bend's truncation where the
 * gradient only bends and the scheme is central: Richardson's value has none of that order). Where
 * the four samples show no jump, the central scheme reads the seventeen too, and judges an estimate
 * whose gradient steps between the four by the gradient's mean along the step ({@link judgedAlongPath}).
 */
export function* kinkInGradient(
  session: CheckSession,
  tensor: ParameterTensor,
  index: number,
  steps: { readonly coarse: StepTaken; readonly fine: StepTaken; readonly h: number },
  analytic: number,
  estimate: EntryEstimate,
): Steps<[boolean, EntryEstimate]> {
  const { coarse, fine, h } = steps;
  const known = yield* gradientsAt(session, tensor, index, [fine.plus, fine.minus, coarse.plus, coarse.minus]);
  const mismatch = Math.abs(analytic - estimate.numeric);
  const central = session.options.scheme === 'central';
  const jumps = gradientJumps(known, analytic, mismatch);
  if (!jumps && !central) return [false, estimate];
  // Four samples cannot tell a jump from curvature, nor see steps between them that cancel there: seventeen can.
  const samples = yield* gradientsAcross(session, tensor, index, h, analytic, known);
  const stepped = jumpsBetweenSamples(samples, mismatch);
  if (!jumps) return [false, stepped ? judgedAlongPath(estimate, samples, analytic) : estimate];
  if (stepped) return [true, estimate];
  return [false, central ? withCurvatureTruncation(estimate, known, analytic) : estimate];
}
