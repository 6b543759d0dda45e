/**
 * One entry perturbed in place and restored bit for bit: the losses at θ ± s·h with the values the
 * tensor stored, and the analytic derivative at chosen values (the estimator's kink and bend tests).
 */
import { perturb, type StepTaken } from './difference.js';
import { gradientBends } from './entry-rules.js';
import { isFarFailure } from './errors.js';
import type { ParameterTensor } from './parameters.js';
import type { CheckSession, Steps } from './session.js';

/**
 * The losses with entry `index` of `tensor` at θ + s·h and θ − s·h (in that order), and the
 * values the tensor stored there; θ's exact value is restored afterwards.
 */
export function* lossesAt(
  session: CheckSession,
  tensor: ParameterTensor,
  index: number,
  h: number,
  s: number,
): Steps<[StepTaken, number, number]> {
  const { view } = tensor;
  const theta = session.snapshot[tensor.offset + index]!;
  const label = (): string => session.parameters.label(tensor, index);
  try {
    const plus = perturb(view, index, theta + s * h);
    const step = (): string => (s === 1 ? 'h' : s > 1 ? `${s}h` : `h/${1 / s}`);
    const lossPlus = yield* session.lossAt(() => `with ${label()} = θ + ${step()} = ${plus} (θ = ${theta})`);
    const minus = perturb(view, index, theta - s * h);
    const lossMinus = yield* session.lossAt(() => `with ${label()} = θ − ${step()} = ${minus} (θ = ${theta})`);
    return [{ plus, minus }, lossPlus, lossMinus];
  } finally {
    view.set(index, theta);
  }
}

/**
 * What `steps` return, or `undefined` where they met an error that only ends a look at a wider step
 * ({@link isFarFailure}: the loss or a gradient not finite there, and where `thrown`, the model
 * throwing there). The entry is restored by the steps themselves (every evaluation restores θ as it
 * leaves). A model that throws ends the check (MODEL_THREW) everywhere but where `thrown` says: a
 * model failing at its n-th call, whatever the value, must not pass for one undefined far from θ.
 */
export function* unlessFar<T>(steps: Steps<T>, thrown = false): Steps<T | undefined> {
  try {
    return yield* steps;
  } catch (error) {
    if (!isFarFailure(error, thrown)) throw error;
    return undefined;
  }
}

/**
 * The analytic derivative with respect to entry `index` of `tensor` with that entry set to each
 * of `values` in turn (restored to θ afterwards).
 */
export function* gradientsAt(
  session: CheckSession,
  tensor: ParameterTensor,
  index: number,
  values: readonly number[],
): Steps<number[]> {
  const theta = session.snapshot[tensor.offset + index]!;
  const label = (): string => session.parameters.label(tensor, index);
  const derivatives: number[] = [];
  try {
    for (const value of values) {
      tensor.view.set(index, value);
      const where = (): string => `with ${label()} = ${value} (θ = ${theta}), to look for a kink`;
      derivatives.push(yield* session.gradientAt(where, tensor, index));
    }
  } finally {
    tensor.view.set(index, theta);
  }
  return derivatives;
}

/**
 * The analytic derivative of entry `index` of `tensor` at θ + h/2, θ − h/2, θ + h and θ − h, in that
 * order (the four samples entry-rules.ts's `gradientBends` reads).
 */
export function* gradientsAroundStep(
  session: CheckSession,
  tensor: ParameterTensor,
  index: number,
  h: number,
): Steps<number[]> {
  const theta = session.snapshot[tensor.offset + index]!;
  return yield* gradientsAt(session, tensor, index, [theta + h / 2, theta - h / 2, theta + h, theta - h]);
}

/**
 * Whether the analytic gradient bends within θ ± `half` by more than `allowed` (a kink, or
 * curvature a wider step would misjudge): a reason to stop widening. The analytic gradient only
 * chooses the step here; it never excuses an entry.
 */
export function* bendsWithin(
  session: CheckSession,
  tensor: ParameterTensor,
  index: number,
  half: number,
  allowed: number,
): Steps<boolean> {
  const theta = session.snapshot[tensor.offset + index]!;
  const analytic = session.analytic[tensor.offset + index]!;
  const [plus, minus] = yield* gradientsAt(session, tensor, index, [theta + half, theta - half]);
  return Math.abs(plus! - 2 * analytic + minus!) > allowed;
}

/**
 * Whether the widening for noise should stop short of step `h`: the analytic gradient, read at θ ± h/2 and
 * θ ± h, bends within θ ± h/2 by more than `allowed` (the error of the step before, as
 * {@link bendsWithin} reads it), or its bend over θ ± h departs by more than that from four times
 * its bend over θ ± h/2, which is what a smooth gradient's bend grows to (h²·g″ against (h/2)²·g″):
 * kinks between h/2 and h whose jumps the bend over θ ± h/2 does not see. Property seed 1554025036
 * (GC_SEED=26), a correct float32 b1[2] widened from 2⁻⁶ (error 2.35e-5) to 2⁻⁴: its gradient jumps
 * at four places within 2⁻⁴ of θ, its bend over θ ± 2⁻⁵ read 2.3e-6 and the departure 2.6e-5, and at
 * 2⁻⁴ a quotient off by 1.37e-5 failed it. The analytic gradient only chooses the step here; it never
 * excuses an entry.
 */
export function* bendsWithinStep(
  session: CheckSession,
  tensor: ParameterTensor,
  index: number,
  h: number,
  allowed: number,
): Steps<boolean> {
  const samples = yield* gradientsAroundStep(session, tensor, index, h);
  const { half, fourfold } = gradientBends(samples, session.analytic[tensor.offset + index]!);
  return Math.abs(half) > allowed || Math.abs(fourfold) > allowed;
}
