/**
 * An entry about to fail, estimated again at wider steps: a loss whose rounding stays on one
 * plateau for a whole step shows no noise in the five losses there, and a slope without the
 * plateau's jumps (see {@link widerScaleAgrees}). Evaluates only; the decisions are entry-rules.ts's.
 */
import { allowedError, centralQuotient, withFields, type EntryEstimate } from './difference.js';
import { isFlat, oneSidedSlopes, readNoise, refinedEstimate, WIDENING, widerScaleAgrees } from './entry-rules.js';
import type { EntrySteps } from './entry-steps.js';
import type { LossNoise } from './noise.js';
import { bendsWithin, lossesAt, unlessFar } from './perturbed.js';
import type { CheckSession, Steps } from './session.js';

/** The wider steps of one check's failing entries (see the module's comment). */
export class WiderScale {
  constructor(
    private readonly session: CheckSession,
    private readonly steps: EntrySteps,
    private readonly noise: LossNoise,
  ) {}

  /**
   * Entry `index` of tensor number `tensorIndex`, about to fail with `estimate`, estimated again at
   * {@link WIDENING} and {@link WIDENING}² times its step, within its widest step, from five losses
   * at each: the wider estimate where it `agrees` ({@link widerScaleAgrees}) and the analytic
   * gradient does not bend within that step by more than its error ({@link bendsWithin}: the
   * one-sided slopes are read against the noise the two steps' disagreement implies, and a kink can
   * hide in it; the analytic gradient only blocks the wider step, it never excuses an entry); else
   * `undefined`. The next step is tried where the loss showed a kink at this one, or the reading
   * was too `coarse`; none where the loss stood still. Never where the step is the user's, or the
   * loss stood still at the entry's own step. (Once CONFIRMATIONS (entry-rules.ts) entries of a tensor
   * disagreed, the estimator settles its other entries at their first step, and none comes here.)
   */
  *agreed(
    tensorIndex: number,
    index: number,
    analytic: number,
    estimate: EntryEstimate,
  ): Steps<EntryEstimate | undefined> {
    const { options } = this.session;
    if (options.step !== undefined || estimate.flat) return undefined;
    // A loss or gradient undefined this far from θ, or a model that throws there, only ends the look.
    // (Only for an entry about to fail: a throw there keeps the failure.)
    return yield* unlessFar(this.judgedWider(tensorIndex, index, analytic, estimate), true);
  }

  /** {@link WiderScale.agreed}'s steps, in turn. */
  private *judgedWider(
    tensorIndex: number,
    index: number,
    analytic: number,
    estimate: EntryEstimate,
  ): Steps<EntryEstimate | undefined> {
    const { options, parameters } = this.session;
    const widest = this.steps.widest(tensorIndex, index);
    for (let factor = WIDENING; factor <= WIDENING ** 2 && factor * estimate.step <= widest; factor *= WIDENING) {
      const wide = yield* this.smoothAt(tensorIndex, index, factor * estimate.step, estimate);
      if (wide === undefined) continue;
      if (wide === null) return undefined;
      const verdict = widerScaleAgrees(analytic, estimate, wide, options.tolerance);
      if (verdict === 'coarse') continue;
      // A kink within the wider step can read as the noise it is allowed: where the analytic
      // gradient bends there by more than that step's error, the step is not judged (bendsWithin).
      const tensor = parameters.tensors[tensorIndex]!;
      if (verdict === 'stands' || (yield* bendsWithin(this.session, tensor, index, wide.step, allowedError(wide))))
        return undefined;
      return withFields(wide, { widened: (estimate.widened ?? 1) * factor });
    }
    return undefined;
  }

  /**
   * The estimate from the five losses at θ, θ ± h/2 and θ ± h: `undefined` where they show a kink,
   * `null` where the loss stood still. The noise allowed them is at least what the `narrow`
   * estimate's distance from the central quotient at h makes of it: a slope off by Δ at step s is
   * a rounding of Δ·s per loss there.
   */
  private *smoothAt(
    tensorIndex: number,
    index: number,
    h: number,
    narrow: EntryEstimate,
  ): Steps<EntryEstimate | null | undefined> {
    const { parameters, snapshot, options, loss } = this.session;
    const tensor = parameters.tensors[tensorIndex]!;
    const [coarse, lossPlus, lossMinus] = yield* lossesAt(this.session, tensor, index, h, 1);
    const [fine, lossPlusHalf, lossMinusHalf] = yield* lossesAt(this.session, tensor, index, h, 0.5);
    const losses = [lossMinus, lossMinusHalf, loss, lossPlusHalf, lossPlus] as const;
    if (isFlat(losses)) return null;
    const implied = Math.abs(centralQuotient(lossPlus, lossMinus, coarse) - narrow.numeric) * narrow.step;
    const allowance = Math.max(this.noise.allowance(Math.max(...losses.map(Math.abs)), 0), implied);
    const { modelled, noise } = readNoise(losses, allowance, false);
    const theta = snapshot[tensor.offset + index]!;
    if (oneSidedSlopes(theta, coarse, fine, losses, modelled, options.tolerance).shown) return undefined;
    return refinedEstimate(options.scheme, coarse, fine, losses, noise);
  }
}
