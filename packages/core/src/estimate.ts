/**
 * The numeric estimate of one entry's derivative, as a generator that only evaluates: losses at
 * θ ± h (and θ ± h/2 where the central estimate does not settle the entry), gradients at θ ± h/2
 * for the kink test, at a step widened where the loss did not move and narrowed where a kink lies
 * within it. Every decision is a pure function in entry-rules.ts.
 */
import { entryStep, perturb, type EntryEstimate, type StepTaken } from './difference.js';
import {
  agrees,
  centralEstimate,
  centralSettles,
  CONFIRMATIONS,
  gradientJumps,
  isFlat,
  judgeNarrower,
  kinkConfirmed,
  NARROWING,
  NARROWINGS,
  NOISE_WIDENING,
  NOISE_WIDENINGS,
  widerHelps,
  WIDEST_SHARE,
  oneSidedSlopes,
  readNoise,
  refinedEstimate,
  WIDENING,
  WIDENINGS,
} from './entry-rules.js';
import { GradcheckError } from './errors.js';
import type { ParameterTensor } from './parameters.js';
import type { CheckSession, Steps } from './session.js';

/** Estimates entries' derivatives for one check session (see {@link EntryEstimator.estimate}). */
export class EntryEstimator {
  /** Per tensor, entries found off in a smooth region: after {@link CONFIRMATIONS}, the kink test stops asking for gradients. */
  private readonly confirmed: number[];
  /** Per tensor, the root mean square of its entries (computed when first needed). */
  private readonly rms: (number | undefined)[] = [];

  constructor(private readonly session: CheckSession) {
    this.confirmed = session.parameters.tensors.map(() => 0);
  }

  /**
   * Estimates the derivative with respect to entry `index` of tensor number `tensorIndex`,
   * perturbing it in place and restoring its exact value. Where the loss did not move at all
   * within a default step, the step grows until it does; where it has a kink within a default
   * step, the step shrinks until the kink falls outside it, or reports the kink.
   */
  *estimate(tensorIndex: number, index: number): Steps<EntryEstimate> {
    const { options, parameters, snapshot, analytic } = this.session;
    const tensor = parameters.tensors[tensorIndex]!;
    const adaptable = options.step === undefined;
    const initial = entryStep(snapshot[tensor.offset + index]!, tensor.view.precision, options);
    let h = initial;
    const widest = WIDEST_SHARE * this.scaleOf(tensorIndex, index);
    let noisy = adaptable && h * NOISE_WIDENING <= widest;
    let [estimate, flat] = yield* this.estimateAt(tensorIndex, index, h, { noisy });
    let coarse = false;
    for (let widened = 0; flat && widened < WIDENINGS && adaptable; widened++) {
      coarse = true;
      h *= WIDENING;
      noisy = h * NOISE_WIDENING <= widest;
      [estimate, flat] = yield* this.estimateAt(tensorIndex, index, h, { widened: true, noisy });
    }
    // Where the loss's own noise, not truncation, decides the error at this step, a wider step
    // balances the two better: widen until truncation shows, the entry agrees, or the widenings run out.
    // The noise is read where the step is smallest (at a wider step the losses' fourth difference
    // shows curvature too) and carried to the wider steps.
    const noise = estimate.noise;
    for (let widened = 0; estimate.noisy && !flat; widened++) {
      const previous = estimate;
      noisy = widened + 1 < NOISE_WIDENINGS && h * NOISE_WIDENING ** 2 <= widest;
      h *= NOISE_WIDENING;
      [estimate, flat] = yield* this.estimateAt(tensorIndex, index, h, { noisy, noise });
      if (
        (estimate.errorEstimate > previous.errorEstimate && !agrees(analytic[tensor.offset + index]!, estimate, 0)) ||
        (yield* this.bendsWithin(tensor, index, h / 2, previous.errorEstimate))
      ) {
        // Truncation grew faster than the noise fell: judge at the step before.
        h /= NOISE_WIDENING;
        [estimate, flat] = yield* this.estimateAt(tensorIndex, index, h, { noise });
      }
    }
    if (h > initial) estimate = { ...estimate, widened: h / initial };
    // A kink within the step may lie beside θ rather than at it: a narrower step leaves it out.
    // An entry is left out as a kink only where the loss shows one at more than one step.
    let disagreeing: EntryEstimate | undefined;
    let kinkSteps = estimate.kink ? 1 : 0;
    for (let narrowed = 0; estimate.kink && narrowed < NARROWINGS && adaptable; narrowed++) {
      h /= NARROWING;
      // (A loss coarser than its magnitude stays so at the narrower steps.)
      const [narrower, narrowFlat] = yield* this.estimateAt(tensorIndex, index, h, { widened: coarse });
      // A loss that does not move at all within the narrower step says nothing there.
      if (narrower.kink || narrowFlat) {
        if (narrower.kink) kinkSteps++;
        disagreeing = undefined;
        continue;
      }
      const reading = judgeNarrower(analytic[tensor.offset + index]!, narrower, disagreeing, options.tolerance);
      if (reading === 'disagrees') disagreeing = narrower;
      else estimate = narrower;
    }
    return kinkConfirmed(estimate, kinkSteps, adaptable);
  }

  /**
   * {@link EntryEstimator.estimate} at step `h`; also says whether the loss stayed bitwise flat
   * (reported only for an entry that disagrees). `widened`: the loss did not move at all within
   * a smaller step, so its resolution is coarser than ε·|L|. `noisy`: a disagreement whose error
   * at this step is the loss's noise rather than truncation returns marked `noisy`, before the
   * kink test, so that the caller can widen the step.
   */
  private *estimateAt(
    tensorIndex: number,
    index: number,
    h: number,
    at: { readonly widened?: boolean; readonly noisy?: boolean; readonly noise?: number | undefined },
  ): Steps<[EntryEstimate, boolean]> {
    const { parameters, snapshot, options, loss } = this.session;
    const tensor = parameters.tensors[tensorIndex]!;
    const theta = snapshot[tensor.offset + index]!;
    const analytic = this.session.analytic[tensor.offset + index]!;
    const [coarse, lossPlus, lossMinus] = yield* this.lossesAt(tensor, index, h, 1);
    if (coarse.plus === coarse.minus) {
      throw new GradcheckError(
        'INVALID_OPTION',
        `step ${h} is below the resolution of ${parameters.label(tensor, index)} ` +
          `(${tensor.view.precision}, value ${theta}): θ ± h rounds to θ. Use a larger step, or omit it for one fitted to each entry.`,
      );
    }
    const central = centralEstimate(coarse, lossPlus, lossMinus, parameters.precision);
    const settles = centralSettles(
      options.scheme,
      analytic,
      central,
      options.tolerance,
      this.confirmed[tensorIndex]!,
      options.step !== undefined,
    );
    if (settles) return [lossPlus === loss && lossMinus === loss ? { ...central, flat: true } : central, false];
    const [fine, lossPlusHalf, lossMinusHalf] = yield* this.lossesAt(tensor, index, h, 0.5);
    const losses = [lossMinus, lossMinusHalf, loss, lossPlusHalf, lossPlus] as const;
    const flat = isFlat(losses);
    const read = readNoise(losses, parameters.precision, at.widened === true);
    const { modelled } = read;
    const noise = at.noise === undefined ? read.noise : Math.max(modelled, at.noise);
    const estimate = {
      ...refinedEstimate(options.scheme, coarse, fine, losses, noise),
      noise,
      ...(flat ? { flat } : {}),
    };
    // Agreement within an error that a wider step would shrink is no agreement yet.
    if (at.noisy && !flat && widerHelps(analytic, estimate, options.tolerance, coarse, fine, losses, noise))
      return [{ ...estimate, noisy: true }, false];
    if (agrees(analytic, estimate, options.tolerance)) return [estimate, false];
    const sides = oneSidedSlopes(theta, coarse, fine, losses, modelled, options.tolerance);
    let kinked = sides.kinked;
    if (!kinked && !flat && this.confirmed[tensorIndex]! < CONFIRMATIONS) {
      const [gradientPlus, gradientMinus] = yield* this.gradientsAt(tensor, index, [fine.plus, fine.minus]);
      kinked = gradientJumps(gradientPlus!, analytic, gradientMinus!, Math.abs(analytic - estimate.numeric));
    }
    if (!kinked && !flat) this.confirmed[tensorIndex]!++;
    return [{ ...estimate, ...(kinked ? { kink: { left: sides.left, right: sides.right } } : {}) }, flat];
  }

  /** The scale of an entry: the larger of |θ| and its tensor's root mean square. */
  private scaleOf(tensorIndex: number, index: number): number {
    const { parameters, snapshot } = this.session;
    const tensor = parameters.tensors[tensorIndex]!;
    let rms = this.rms[tensorIndex];
    if (rms === undefined) {
      let sum = 0;
      for (let i = 0; i < tensor.view.size; i++) sum += snapshot[tensor.offset + i]! ** 2;
      rms = this.rms[tensorIndex] = Math.sqrt(sum / Math.max(1, tensor.view.size));
    }
    return Math.max(Math.abs(snapshot[tensor.offset + index]!), rms);
  }

  /**
   * Whether the analytic gradient bends within θ ± `half` by more than `allowed` (a kink, or
   * curvature a wider step would misjudge): a reason to stop widening. The analytic gradient only
   * chooses the step here; it never excuses an entry.
   */
  private *bendsWithin(tensor: ParameterTensor, index: number, half: number, allowed: number): Steps<boolean> {
    const theta = this.session.snapshot[tensor.offset + index]!;
    const analytic = this.session.analytic[tensor.offset + index]!;
    const [plus, minus] = yield* this.gradientsAt(tensor, index, [theta + half, theta - half]);
    return Math.abs(plus! - 2 * analytic + minus!) > allowed;
  }

  /**
   * The losses with entry `index` of `tensor` at θ + s·h and θ − s·h (in that order), and the
   * values the tensor stored there; θ's exact value is restored afterwards.
   */
  private *lossesAt(tensor: ParameterTensor, index: number, h: number, s: number): Steps<[StepTaken, number, number]> {
    const { view } = tensor;
    const theta = this.session.snapshot[tensor.offset + index]!;
    const label = (): string => this.session.parameters.label(tensor, index);
    try {
      const plus = perturb(view, index, theta + s * h);
      const step = s === 1 ? 'h' : `h/${1 / s}`;
      const lossPlus = yield* this.session.lossAt(() => `with ${label()} = θ + ${step} = ${plus} (θ = ${theta})`);
      const minus = perturb(view, index, theta - s * h);
      const lossMinus = yield* this.session.lossAt(() => `with ${label()} = θ − ${step} = ${minus} (θ = ${theta})`);
      return [{ plus, minus }, lossPlus, lossMinus];
    } finally {
      view.set(index, theta);
    }
  }

  /**
   * The analytic derivative with respect to entry `index` of `tensor` with that entry set to each
   * of `values` in turn (restored to θ afterwards).
   */
  private *gradientsAt(tensor: ParameterTensor, index: number, values: readonly number[]): Steps<number[]> {
    const theta = this.session.snapshot[tensor.offset + index]!;
    const label = (): string => this.session.parameters.label(tensor, index);
    const derivatives: number[] = [];
    try {
      for (const value of values) {
        tensor.view.set(index, value);
        const at = yield* this.session.gradientsAt(
          () => `with ${label()} = ${value} (θ = ${theta}), to look for a kink`,
        );
        derivatives.push(at[tensor.offset + index]!);
      }
    } finally {
      tensor.view.set(index, theta);
    }
    return derivatives;
  }
}
