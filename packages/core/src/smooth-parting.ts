/**
 * A kink that the loss's one-sided slopes first show at a step widened for noise, read again at twice
 * that step (estimate.ts): it may be the loss's fourth-order term. The one-sided slopes from θ, θ ± h/2
 * and θ ± h part by the losses' fourth difference over h (right − left = −δ⁴/h), and a smooth loss's
 * fourth difference grows as the fourth power of the step: its parting grows eightfold from h to 2h. A
 * kink at θ parts them by its jump at both steps. Evaluates only.
 */
import { centralQuotient, ESTIMATE_SAFETY, oneSidedDerivative, sidesNoise, type EntryEstimate } from './difference.js';
import type { ParameterTensor } from './parameters.js';
import { lossesAt, unlessFar } from './perturbed.js';
import type { CheckSession, Steps } from './session.js';
import type { FirstDifference } from './settle-in-place.js';

/** The losses at θ ± s·h, with the points taken ({@link lossesAt}). */
type Pair = Readonly<FirstDifference>;

/** How much the parting may grow from h to 2h and still be a smooth loss's (eightfold): from 4 to 16 times. */
export const SMOOTH_GROWTH: readonly [number, number] = [4, 16];

/**
 * The floor, in floors of the noise carried from the entry's first step, that an entry judged at a
 * step whose slopes parted smoothly is allowed: there the losses' fourth difference is the loss's,
 * not its noise, and the carried reading is the only one. Real-code float32 nets with biases 0, seeds
 * 0–9 (4 000 correct nets): at 1 floor and without the truncation at 2h, 13 of them failed, by up to
 * 1.16 × their allowance; with it, 1 of 3 600 (1.02 ×); at 2 floors, none. (The truncation is kept
 * with them: at 2 floors without it, a correct float32 property net failed, GC_SEED=20, 960494233.)
 */
export const PARTED_FLOOR = 2;

/**
 * The one-sided slopes' parting at θ (right slope − left slope, second order, from the losses at
 * `inner` and `outer` on each side and `centre` at θ), with the most the loss's `noise` per
 * evaluation can make of it.
 */
export function parting(
  theta: number,
  centre: number,
  [innerStep, innerPlus, innerMinus]: Pair,
  [outerStep, outerPlus, outerMinus]: Pair,
  noise: number,
): readonly [number, number] {
  const right = oneSidedDerivative(centre, innerStep.plus - theta, innerPlus, outerStep.plus - theta, outerPlus);
  const left = oneSidedDerivative(centre, innerStep.minus - theta, innerMinus, outerStep.minus - theta, outerMinus);
  return [right - left, sidesNoise(theta, innerStep, outerStep, noise)];
}

/**
 * Whether the partings at h and at 2h (each with its noise, {@link parting}) are a smooth loss's: the
 * narrower beyond its noise, and the wider {@link SMOOTH_GROWTH} times it (the same sign). (The wider is
 * then beyond its own noise too: from the same noise per loss, the parting at 2h carries half the
 * noise of the one at h.)
 */
export function partsSmoothly([atH, noiseAtH]: readonly [number, number], [at2H]: readonly [number, number]): boolean {
  const growth = at2H / atH;
  return Math.abs(atH) > noiseAtH && growth >= SMOOTH_GROWTH[0] && growth <= SMOOTH_GROWTH[1];
}

/**
 * Entry `index`'s `estimate` at step `h`, widened for noise, where its one-sided slopes showed a kink
 * there: read again with the losses at θ ± 2h. Where the slopes part smoothly ({@link partsSmoothly}),
 * the estimate without the kink, allowed {@link PARTED_FLOOR} floors and the truncation the quotients
 * at h and 2h show ((D(2h) − D(h))/3 is D(h)'s, with ESTIMATE_SAFETY): judged as any kink-free
 * reading, not narrowed 16-fold to a step whose noise covers a bug (real-code float32 nets with
 * biases 0: a tanh network's b1[0] with its sign flipped, 48 × the finite-difference error, read
 * 1.9e-6 against −2.0e-6 within 6.6e-7 at 2⁻², and passed at 2⁻⁶ within 1.1e-5). Else `estimate`
 * (also where the slopes showed no kink, or the loss is not finite at 2h).
 */
export function* judgedWhereSmooth(
  session: CheckSession,
  tensor: ParameterTensor,
  index: number,
  h: number,
  estimate: EntryEstimate,
): Steps<EntryEstimate> {
  if (!estimate.kink?.shown) return estimate;
  const read = yield* unlessFar(pairsAt(session, tensor, index, h));
  if (!read) return estimate;
  const [half, one, two] = read;
  const theta = session.snapshot[tensor.offset + index]!;
  const noise = estimate.noise ?? 0;
  const { loss } = session;
  if (!partsSmoothly(parting(theta, loss, half, one, noise), parting(theta, loss, one, two, noise))) return estimate;
  const truncation = (ESTIMATE_SAFETY * Math.abs(quotient(two) - quotient(one))) / 3;
  const { kink: _kink, ...judged } = estimate;
  const floor = PARTED_FLOOR * estimate.floor;
  return { ...judged, floor, errorEstimate: Math.max(estimate.errorEstimate, floor, truncation) };
}

/** The central quotient of a {@link Pair}. */
const quotient = ([taken, plus, minus]: Pair): number => centralQuotient(plus, minus, taken);

/** The losses at θ ± h/2, θ ± h and θ ± 2h. */
function* pairsAt(
  session: CheckSession,
  tensor: ParameterTensor,
  index: number,
  h: number,
): Steps<readonly [Pair, Pair, Pair]> {
  const half = yield* lossesAt(session, tensor, index, h, 0.5);
  const one = yield* lossesAt(session, tensor, index, h, 1);
  return [half, one, yield* lossesAt(session, tensor, index, h, 2)];
}
