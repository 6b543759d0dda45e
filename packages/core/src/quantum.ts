/**
 * A loss that stood still within an entry's step where its analytic gradient says it would have
 * moved beyond the measured noise (entry-rules.ts, `contradictsStillness`), read once more at a
 * wider step (or, below a kink read as noise, at the step the entry was widened to): a loss kept to a
 * quantum coarser than its own rounding moves there in whole quanta. Decided by {@link quantumExplains}.
 * And the quantum other entries of the check showed, for an entry whose loss stands still up to the
 * widest step it may take ({@link ShownQuantum}).
 */
import { withFields, type EntryEstimate } from './difference.js';
import { contradictsStillness, WIDENING } from './entry-rules.js';
import type { ParameterTensor } from './parameters.js';
import { lossesAt } from './perturbed.js';
import type { CheckSession, Steps } from './session.js';

/**
 * Whether the `changes` of the loss from its value at θ, read at θ + H, θ + H/2 (L(θ ± s) − L(θ))
 * and θ − H, θ − H/2 (L(θ) − L(θ ∓ s)), explain that it stood still within step `h` against the
 * `analytic` gradient g: every change has g's sign (the loss moves with the gradient on both sides,
 * as a ReLU unit revived on one side does not), and the smallest, the loss's quantum along the entry
 * or more, exceeds |g|·h, the move the gradient makes on either side of the still step. Property
 * GC_SEED=55, 1932839027, and 47, 152794709: correct float64 biases of saturated softmax nets, g =
 * −4.1e-13 and −4.9e-14, whose losses (1.12 and 0.30) move in quanta of 3.6e-15 and 8.9e-16 (14 and
 * 16 of their roundings: logits near 30 and 8 round first) and stood still where the measured noise
 * (4.98e-16 and 2.4e-16 per loss) said the gradient would show.
 */
export function quantumExplains(changes: readonly number[], analytic: number, h: number): boolean {
  return changes.every((c) => c * analytic > 0) && Math.min(...changes.map(Math.abs)) > Math.abs(analytic) * h;
}

/**
 * {@link quantumExplains} for entry `index` of `tensor`, still within step `h`, from the losses at
 * step `wide` ({@link WIDENING} times h unless given) and half of it (four evaluations).
 */
export function* stillWithinQuantum(
  session: CheckSession,
  tensor: ParameterTensor,
  index: number,
  h: number,
  analytic: number,
  wide = h * WIDENING,
): Steps<boolean> {
  const [, plus, minus] = yield* lossesAt(session, tensor, index, wide, 1);
  const [, plusHalf, minusHalf] = yield* lossesAt(session, tensor, index, wide, 0.5);
  const { loss } = session;
  return quantumExplains([plus - loss, plusHalf - loss, loss - minus, loss - minusHalf], analytic, h);
}

/**
 * Whether the loss, still within step `h` of entry `index` of `tensor` (`still`, the estimate read
 * there), would fail the `analytic` gradient by its stillness ({@link contradictsStillness} against
 * its floor) where the losses at the step `wide` the entry was judged at show that stillness to be the
 * loss's quantum ({@link stillWithinQuantum} read there): a still loss that must not judge the entry.
 * (Where they do not, as where the loss is flat on one side of θ, the stillness judges it.)
 */
export function* stillSaysNothing(
  session: CheckSession,
  tensor: ParameterTensor,
  index: number,
  h: number,
  analytic: number,
  still: EntryEstimate,
  wide: number,
): Steps<boolean> {
  return (
    contradictsStillness(analytic, still) && (yield* stillWithinQuantum(session, tensor, index, h, analytic, wide))
  );
}

/**
 * The loss's quantum as one check's entries showed it: the smallest noise that an entry whose loss
 * stood still at its first step showed at the wider step it moved at, where it agreed there (its
 * smallest change of the loss, or more: entry-rules.ts, `readNoise`); 0 until an entry showed one.
 */
export class ShownQuantum {
  private quantum = 0;

  /** Records `noise`, what an entry's losses showed (see the class's comment). */
  saw(noise: number): void {
    if (noise > 0 && (this.quantum === 0 || noise < this.quantum)) this.quantum = noise;
  }

  /**
   * `still`, the estimate of an entry whose loss stood still up to the widest step it may take, with
   * at least the floor the quantum sets there: a slope that moves the loss by less than one quantum
   * over the step is one the loss cannot show. A loss computed to far less than its own rounding
   * cancels so (a saturated cross-entropy, max(z, 0) + log1p(e^−|z|) − t·z at z near 34, is 0 at θ and
   * moves in steps of ulp(34) = 7.1e-15): property GC_SEED=94, 210010393, a one-layer float64 net whose
   * W1[0,3] (gradient 6.1e-16, its input −0.27) left the loss at 0 up to step 1, where the entries
   * before it moved it by one quantum, and failed against a floor of 0. (Only after an entry showed
   * the quantum: where none did yet, the stillness judges as before.)
   */
  stillWithin(still: EntryEstimate): EntryEstimate {
    const floor = this.quantum / still.step;
    return floor > still.floor ? withFields(still, { floor }) : still;
  }
}
