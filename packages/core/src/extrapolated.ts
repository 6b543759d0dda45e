/**
 * The truncation's sign (docs/verdict.md): the central quotient's error estimate from h and h/2 is
 * symmetric, though D(h) − D(h/2) says on which side of D(h) the derivative lies. Where an entry
 * agrees with D(h) only within that estimate, Richardson's value from the same losses judges it as
 * well, where the truncation is the loss's smooth curvature. Evaluates only the analytic gradient
 * at θ ± h/2 and θ ± h; the decisions are pure functions in entry-rules.ts.
 */
import { centralQuotient, type EntryEstimate, type Scheme, type StepTaken } from './difference.js';
import {
  CONFIRMATIONS,
  gradientJumpsBeyondCurvature,
  judgedEstimate,
  refinedEstimate,
  truncationFromCurvature,
  type FiveLosses,
} from './entry-rules.js';
import { gradientsAt } from './perturbed.js';
import type { CheckSession, Steps } from './session.js';

/** The losses an entry was judged from at one step, with the noise each may carry. */
export interface JudgedSteps {
  readonly coarse: StepTaken;
  readonly fine: StepTaken;
  readonly losses: FiveLosses;
  readonly noise: number;
}

/**
 * Richardson's estimate from the losses (`steps`) of a central `estimate` that agrees with
 * `analytic` only within its truncation estimate, where that estimate disagrees
 * ({@link judgedEstimate}); else `undefined` (and always with the Richardson scheme, whose estimate
 * is already that value).
 */
function extrapolatedDisagreement(
  scheme: Scheme,
  analytic: number,
  estimate: EntryEstimate,
  steps: JudgedSteps,
  tolerance: number,
): EntryEstimate | undefined {
  if (scheme !== 'central') return undefined;
  const { coarse, fine, losses, noise } = steps;
  const extrapolated = refinedEstimate('richardson', coarse, fine, losses, noise);
  const judged = judgedEstimate(analytic, estimate, extrapolated, tolerance);
  return judged === estimate ? undefined : judged;
}

/**
 * `extrapolated` ({@link extrapolatedDisagreement}) where the truncation of the central `estimate`
 * is the loss's smooth curvature: the analytic gradient of entry `index` of tensor `tensorIndex`
 * (`analytic` at θ) at θ ± h/2 and θ ± h shows no kink net of its curvature
 * ({@link gradientJumpsBeyondCurvature}) and its bend accounts for the change of the quotient from h
 * to h/2 ({@link truncationFromCurvature}); else `estimate`. The loss's one-sided slopes must have
 * shown no kink (the caller's test). An entry found off so counts among its tensor's `confirmed`
 * entries; once they are {@link CONFIRMATIONS}, the tensor fails anyway and `estimate` is returned
 * without evaluating anything.
 */
function* extrapolatedWhereSmooth(
  session: CheckSession,
  confirmed: number[],
  tensorIndex: number,
  index: number,
  analytic: number,
  estimate: EntryEstimate,
  extrapolated: EntryEstimate,
  steps: JudgedSteps,
): Steps<EntryEstimate> {
  if (confirmed[tensorIndex]! >= CONFIRMATIONS) return estimate;
  const { coarse, fine, losses } = steps;
  const tensor = session.parameters.tensors[tensorIndex]!;
  const gradients = yield* gradientsAt(session, tensor, index, [fine.plus, fine.minus, coarse.plus, coarse.minus]);
  const change = centralQuotient(losses[4], losses[0], coarse) - centralQuotient(losses[3], losses[1], fine);
  const smooth =
    !gradientJumpsBeyondCurvature(gradients, analytic, Math.abs(analytic - extrapolated.numeric)) &&
    truncationFromCurvature(gradients, analytic, change);
  if (!smooth) return estimate;
  confirmed[tensorIndex]!++;
  return extrapolated;
}

/**
 * For a central `estimate` of entry `index` of tensor `tensorIndex` that agrees with its analytic
 * derivative, the judgement of it where its step is final: {@link extrapolatedWhereSmooth} where
 * Richardson's value disagrees ({@link extrapolatedDisagreement}), else `undefined` (it agrees).
 */
export function extrapolatedJudgement(
  session: CheckSession,
  confirmed: number[],
  tensorIndex: number,
  index: number,
  estimate: EntryEstimate,
  steps: JudgedSteps,
): (() => Steps<EntryEstimate>) | undefined {
  const { scheme, tolerance } = session.options;
  const analytic = session.analytic[session.parameters.tensors[tensorIndex]!.offset + index]!;
  const extrapolated = extrapolatedDisagreement(scheme, analytic, estimate, steps, tolerance);
  if (!extrapolated) return undefined;
  return () => extrapolatedWhereSmooth(session, confirmed, tensorIndex, index, analytic, estimate, extrapolated, steps);
}
