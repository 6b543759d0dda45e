/**
 * The judgement of an entry at the step its tensor learned (estimate.ts): where the central
 * difference there did not settle it only because its floor is too wide for the tolerance, the
 * losses at h/2 judge it as the widening would at its last step, with no walk from the default step.
 */
import type { EntryEstimate } from './difference.js';
import {
  agrees,
  CONFIRMATIONS,
  isFlat,
  oneSidedSlopes,
  quotientsWithinNoise,
  refinedEstimate,
  widerHelps,
} from './entry-rules.js';
import { extrapolatedJudgement } from './extrapolated.js';
import type { LossNoise } from './noise.js';
import { lossesAt } from './perturbed.js';
import type { FirstDifference } from './settle-in-place.js';
import type { CheckSession, Steps } from './session.js';

/**
 * The entry being estimated (entry `index` of tensor number `tensorIndex`) at the step `h` its tensor
 * learned, where that step did not settle it: the losses at θ ± h, at θ ± h/2 once
 * {@link agreedAtLearned} evaluated them (`half`), and whether the widening may go on beyond h
 * (`widens`; it would where a wider step helps).
 */
export interface KnownLosses {
  readonly tensorIndex: number;
  readonly index: number;
  readonly h: number;
  readonly first: FirstDifference;
  half: FirstDifference | undefined;
  readonly widens: boolean;
}

/**
 * What a judgement at a learned step reads beside the entry: the check's session, the loss's noise,
 * and per tensor the entries confirmed off.
 */
export interface LearnedContext {
  readonly session: CheckSession;
  readonly noise: LossNoise;
  readonly confirmed: number[];
}

/**
 * Whether the loss bends across the step h its tensor learned by more than the tolerance leaves the
 * central quotient there: |L(θ + h) − 2L(θ) + L(θ − h)| beyond the four roundings of `noise` it may
 * carry exceeds tolerance·(|g| + |D|)·h (`analytic` g, `numeric` D, the losses at θ + h, θ and θ − h).
 * Only where it does not may the central difference at a learned step settle an entry alone: a kink
 * within the step moves that quotient by half of what it bends the loss over h, and two losses show
 * neither the kink nor truncation. Property GC_SEED=34, 1125182570: a float32 W3 entry whose tensor learned h = 2, a kink
 * about 1 from θ, read D = −21.1828 there; a one-entry bug made its gradient −21.1785 (agreed within
 * 2e-4) where the loss's slope reads −15.1275 at every step from 2⁻¹⁴ to 2⁻¹. Its second difference,
 * 24.4, is 290 times what the tolerance allows.
 */
export function bendsAcross(
  analytic: number,
  numeric: number,
  plus: number,
  centre: number,
  minus: number,
  h: number,
  noise: number,
  tolerance: number,
): boolean {
  const bend = Math.abs(plus - 2 * centre + minus) - 4 * noise;
  return bend > tolerance * (Math.abs(analytic) + Math.abs(numeric)) * h;
}

/**
 * {@link bendsAcross} at the step tensor number `tensorIndex` learned, in `context`'s check, for an
 * entry with gradient `analytic`: from θ ± h as stored (`plus`, `minus`) and the losses there, against
 * the noise allowed them. False once the tensor is confirmed off ({@link settlesAt} then settles its
 * every entry).
 */
export function bendsAtLearned(
  context: LearnedContext,
  tensorIndex: number,
  analytic: number,
  plus: number,
  minus: number,
  lossPlus: number,
  lossMinus: number,
): boolean {
  if (context.confirmed[tensorIndex]! >= CONFIRMATIONS) return false;
  const { session, noise } = context;
  const numeric = (lossPlus - lossMinus) / (plus - minus);
  const allowed = noise.allowance(lossPlus, lossMinus, true);
  const { loss, options } = session;
  return bendsAcross(analytic, numeric, lossPlus, loss, lossMinus, (plus - minus) / 2, allowed, options.tolerance);
}

/**
 * Where the central difference at the learned step (`known`: the entry, the step and the losses
 * there) did not settle the entry only because its floor is too wide for the tolerance (a small
 * gradient of a large, noisy sum), the losses at h/2 judge it there as the widening would at its
 * last step: the estimate (with the `context`'s measured noise) agrees within its error, the loss
 * shows no kink within the step, the quotients at h and h/2 differ by no more than that noise, and
 * the widening would stop there too (`known.widens`: it may go on, and would where a wider step
 * helps); where it agrees only within its truncation estimate, Richardson's value judges it as well
 * (extrapolated.ts: it may then be returned, disagreeing). Else `undefined`: the entry walks the
 * widening from its default step, and its tensor learns its step afresh. The losses at h/2 are
 * evaluated here unless `known` holds them (settle-in-place.ts evaluated them).
 */
export function* agreedAtLearned(context: LearnedContext, known: KnownLosses): Steps<EntryEstimate | undefined> {
  const { session, noise } = context;
  if (!noise.measured) return undefined;
  const tensor = session.parameters.tensors[known.tensorIndex]!;
  known.half ??= yield* lossesAt(session, tensor, known.index, known.h, 0.5);
  const judgement = judgedAtLearned(context, known);
  return typeof judgement === 'function' ? yield* judgement() : judgement;
}

/**
 * {@link agreedAtLearned}'s judgement from the losses at h and h/2 (`known`, both present, the noise
 * measured), without evaluating anything: the estimate where the entry agreed there, `undefined`
 * where it did not, or, where Richardson's value must judge it as well, that judgement (which
 * evaluates the analytic gradient around θ: extrapolated.ts).
 */
export function judgedAtLearned(
  { session, noise: noiseOf, confirmed }: LearnedContext,
  known: KnownLosses,
): EntryEstimate | undefined | (() => Steps<EntryEstimate>) {
  const { parameters, snapshot, options, loss } = session;
  const {
    tensorIndex,
    index,
    widens,
    first: [coarse, lossPlus, lossMinus],
  } = known;
  const tensor = parameters.tensors[tensorIndex]!;
  const [fine, lossPlusHalf, lossMinusHalf] = known.half!;
  const losses = [lossMinus, lossMinusHalf, loss, lossPlusHalf, lossPlus] as const;
  const noise = noiseOf.allowance(lossPlus, lossMinus);
  const estimate = refinedEstimate(options.scheme, coarse, fine, losses, noise);
  const theta = snapshot[tensor.offset + index]!;
  const analytic = session.analytic[tensor.offset + index]!;
  const agreed =
    !isFlat(losses) &&
    agrees(analytic, estimate, options.tolerance) &&
    !(widens && widerHelps(analytic, estimate, options.tolerance, coarse, fine, losses, noise)) &&
    quotientsWithinNoise(coarse, fine, losses, noise) &&
    !oneSidedSlopes(theta, coarse, fine, losses, noise, options.tolerance).shown;
  if (!agreed) return undefined;
  const judged = extrapolatedJudgement(session, confirmed, tensorIndex, index, estimate, {
    coarse,
    fine,
    losses,
    noise,
  });
  return judged ?? estimate;
}
