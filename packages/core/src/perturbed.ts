/**
 * One entry perturbed in place and restored bit for bit: the losses at θ ± s·h with the values the
 * tensor stored, and the analytic derivative at chosen values (the estimator's kink and bend tests).
 */
import { perturb, type StepTaken } from './difference.js';
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
    const step = (): string => (s === 1 ? 'h' : `h/${1 / s}`);
    const lossPlus = yield* session.lossAt(() => `with ${label()} = θ + ${step()} = ${plus} (θ = ${theta})`);
    const minus = perturb(view, index, theta - s * h);
    const lossMinus = yield* session.lossAt(() => `with ${label()} = θ − ${step()} = ${minus} (θ = ${theta})`);
    return [{ plus, minus }, lossPlus, lossMinus];
  } finally {
    view.set(index, theta);
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
