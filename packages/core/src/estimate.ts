/**
 * The numeric estimate of one entry's derivative: central differences at a step fitted to the
 * entry, refined at h/2 where they disagree with the analytic derivative (or always, for
 * Richardson), with the error that rounding and truncation leave in it, kinks told apart from
 * bugs, and the step adapted where the loss is coarser than its magnitude or kinked beside θ.
 */
import { entryExcess } from './compare.js';
import {
  centralQuotient,
  defaultStep,
  ESTIMATE_SAFETY,
  lossNoise,
  noiseFloor,
  oneSidedDerivative,
  oneSidedNoise,
  perturb,
  richardson,
  type EntryEstimate,
} from './difference.js';
import { GradcheckError } from './errors.js';
import { evaluate, type Request } from './evaluation.js';
import { readGradients } from './model.js';
import type { ResolvedOptions } from './options.js';
import type { ParameterSet, ParameterTensor } from './parameters.js';
import type { TensorView } from './tensors.js';

type Steps<T> = Generator<Request, T, unknown>;

/**
 * How many entries of a tensor the estimator confirms as off in a smooth region before it stops
 * refining that tensor's disagreeing entries (central scheme) and asking for gradients at
 * perturbed points (both schemes): by then the tensor fails whatever the rest show.
 */
const CONFIRMATIONS = 8;

/**
 * Where the loss stays bitwise the same at θ, θ ± h/2 and θ ± h, the default step grows by
 * {@link WIDENING} up to {@link WIDENINGS} times until the loss moves.
 */
const WIDENING = 16;
const WIDENINGS = 3;

/**
 * Where the one-sided derivatives disagree within the default step, the step shrinks by
 * {@link NARROWING} up to {@link NARROWINGS} times: a kink beside θ falls outside a narrower
 * step; one at θ stays inside every step.
 */
const NARROWING = 16;
const NARROWINGS = 3;

/**
 * The fourth difference of five loss values carrying independent rounding errors of size σ
 * has a spread of √70·σ ≈ 8.4σ; dividing by 8 reads σ off it.
 */
const FOURTH_DIFFERENCE_SPREAD = 8;

/** What the estimator needs of a check session. */
export interface EstimationSubject {
  readonly parameters: ParameterSet;
  readonly options: ResolvedOptions;
  /** Every parameter's original value, in flat order. */
  readonly snapshot: Float64Array;
  /** The analytic gradient in flat order. */
  readonly analytic: Float64Array;
  /** The loss at the original parameters. */
  readonly loss: number;
  gradientEvaluations: number;
  /** Evaluates the loss at the current parameters; `where()` names the perturbation for errors. */
  lossAt(where: () => string): Steps<number>;
}

/** Estimates entries' derivatives for one check session (see {@link EntryEstimator.estimate}). */
export class EntryEstimator {
  /** Per tensor, entries found off in a smooth region: after {@link CONFIRMATIONS}, the kink test stops asking for gradients. */
  private readonly confirmed: number[];

  constructor(private readonly session: EstimationSubject) {
    this.confirmed = session.parameters.tensors.map(() => 0);
  }

  /**
   * Evaluates the loss with entry `index` of `view` set to θ + s·h for each s of `multiples`,
   * restoring its exact original value `theta` afterwards; returns the stored values and losses.
   */
  private *lossesAlong(
    view: TensorView,
    index: number,
    theta: number,
    h: number,
    label: () => string,
    multiples: readonly number[],
  ): Steps<[number[], number[]]> {
    const stored: number[] = [],
      losses: number[] = [];
    try {
      for (const s of multiples) {
        const at = perturb(view, index, theta + s * h);
        stored.push(at);
        const offset = `${s > 0 ? '+' : '−'} ${Math.abs(s) === 1 ? 'h' : `h/${1 / Math.abs(s)}`}`;
        losses.push(yield* this.session.lossAt(() => `with ${label()} = θ ${offset} = ${at} (θ = ${theta})`));
      }
    } finally {
      view.set(index, theta);
    }
    return [stored, losses];
  }

  /**
   * Estimates the derivative with respect to entry `index` of tensor number `tensorIndex`,
   * perturbing it in place and restoring its exact value. Central differences at step h; with
   * `scheme: 'richardson'`, and for a central estimate that disagrees with the analytic
   * derivative, also at h/2: that gives an estimate of the finite-difference error and the two
   * one-sided derivatives, whose disagreement reveals a kink within the step. Where the loss did
   * not move at all within a default step (a loss computed by cancellation is coarser than its
   * magnitude suggests), the step grows until it does; where it has a kink within a default
   * step, the step shrinks until the kink falls outside it, or reports the kink.
   */
  *estimate(tensorIndex: number, index: number): Steps<EntryEstimate> {
    const tensor = this.session.parameters.tensors[tensorIndex]!;
    const theta = this.session.snapshot[tensor.offset + index]!;
    let h = this.session.options.step ?? defaultStep(theta, tensor.view.precision, this.session.options.scheme);
    let [estimate, flat] = yield* this.estimateAt(tensorIndex, index, h);
    for (let widened = 0; flat && widened < WIDENINGS && this.session.options.step === undefined; widened++) {
      h *= WIDENING;
      [estimate, flat] = yield* this.estimateAt(tensorIndex, index, h, true);
    }
    // A kink within the step may lie beside θ rather than at it: a narrower step leaves it out.
    // An entry that then agrees is fine; one that disagrees must disagree alike at two narrower
    // steps (a bug beside a kink), since a cluster of kinks can fool a single step.
    let disagreeing: EntryEstimate | undefined;
    for (
      let narrowed = 0;
      estimate.kink && narrowed < NARROWINGS && this.session.options.step === undefined;
      narrowed++
    ) {
      h /= NARROWING;
      const [narrower, narrowFlat] = yield* this.estimateAt(tensorIndex, index, h);
      // A loss that does not move at all within the narrower step says nothing there.
      if (narrower.kink || narrowFlat) {
        disagreeing = undefined;
        continue;
      }
      const analytic = this.session.analytic[tensor.offset + index]!;
      const allowed = (e: EntryEstimate): number => Math.max(e.floor, e.errorEstimate);
      if (entryExcess(analytic, narrower.numeric, allowed(narrower), this.session.options.tolerance) <= 1) {
        estimate = narrower;
      } else if (
        disagreeing &&
        entryExcess(
          disagreeing.numeric,
          narrower.numeric,
          allowed(disagreeing) + allowed(narrower),
          this.session.options.tolerance,
        ) <= 1
      ) {
        estimate = narrower;
      } else {
        disagreeing = narrower;
      }
    }
    return estimate;
  }

  /**
   * {@link EntryEstimator.estimate} at step `h`; also says whether the loss stayed bitwise
   * flat. `widened`: the loss did not move at all within a smaller step, so its resolution is
   * coarser than ε·|L|: take the smallest change it shows here as its rounding.
   */
  private *estimateAt(tensorIndex: number, index: number, h: number, widened = false): Steps<[EntryEstimate, boolean]> {
    const tensor = this.session.parameters.tensors[tensorIndex]!;
    const { view } = tensor;
    const { scheme, tolerance } = this.session.options;
    const precision = this.session.parameters.precision;
    const theta = this.session.snapshot[tensor.offset + index]!;
    const analytic = this.session.analytic[tensor.offset + index]!;
    const label = (): string => this.session.parameters.label(tensor, index);
    const [[plus, minus], [lossPlus, lossMinus]] = yield* this.lossesAlong(view, index, theta, h, label, [1, -1]);
    if (plus === minus) {
      throw new GradcheckError(
        'INVALID_OPTION',
        `step ${h} is below the resolution of ${label()} ` +
          `(${view.precision}, value ${theta}): θ ± h rounds to θ. Use a larger step, or omit it for one fitted to each entry.`,
      );
    }
    const coarse = { plus: plus!, minus: minus! };
    const step = (coarse.plus - coarse.minus) / 2;
    const central = centralQuotient(lossPlus!, lossMinus!, coarse);
    const centralFloor = noiseFloor(Math.max(Math.abs(lossPlus!), Math.abs(lossMinus!)), coarse, precision);
    // Central differences that agree need nothing more; nor do those that disagree in a tensor
    // already confirmed wrong {@link CONFIRMATIONS} times: it fails whatever the rest show.
    if (
      scheme === 'central' &&
      (entryExcess(analytic, central, centralFloor, tolerance) <= 1 || this.confirmed[tensorIndex]! >= CONFIRMATIONS)
    ) {
      return [{ numeric: central, floor: centralFloor, step, errorEstimate: 0 }, false];
    }
    const [[plusHalf, minusHalf], [lossPlusHalf, lossMinusHalf]] = yield* this.lossesAlong(
      view,
      index,
      theta,
      h,
      label,
      [0.5, -0.5],
    );
    const fine = { plus: plusHalf!, minus: minusHalf! };
    const losses = [lossMinus!, lossMinusHalf!, this.session.loss, lossPlusHalf!, lossPlus!];
    const flat = losses.every((l) => l === this.session.loss);
    // Rounding noise: as modelled from ε·|L|, or as the five losses show it. For a smooth loss
    // their fourth difference is (h/2)⁴·L⁗, far below rounding, and at most 16 times the noise.
    const fourth = Math.abs(losses[0]! - 4 * losses[1]! + 6 * losses[2]! - 4 * losses[3]! + losses[4]!);
    const changes = losses.map((l) => Math.abs(l - this.session.loss)).filter((d) => d > 0);
    const modelled = Math.max(
      lossNoise(Math.max(...losses.map(Math.abs)), precision),
      widened && changes.length ? Math.min(...changes) : 0,
    );
    const noise = Math.max(modelled, fourth / FOURTH_DIFFERENCE_SPREAD);
    const halfStep = (fine.plus - fine.minus) / 2;
    const refined = centralQuotient(lossPlusHalf!, lossMinusHalf!, fine);
    const coarseFloor = noise / step,
      fineFloor = noise / halfStep;
    const r2 = (step / halfStep) ** 2;
    // Richardson: the extrapolated value's error is below that of the finer quotient, which is
    // (fine − coarse)/(r² − 1); the central quotient's own error is r² times that.
    const [numeric, floor, leading] =
      scheme === 'richardson'
        ? [
            richardson(central, step, refined, halfStep),
            (r2 * fineFloor + coarseFloor) / (r2 - 1),
            Math.abs(refined - central) / (r2 - 1),
          ]
        : [central, coarseFloor, (Math.abs(refined - central) * r2) / (r2 - 1)];
    const errorEstimate = Math.max(ESTIMATE_SAFETY * leading, floor);
    if (entryExcess(analytic, numeric, errorEstimate, tolerance) <= 1)
      return [{ numeric, floor, step, errorEstimate }, false];
    const right = oneSidedDerivative(
      this.session.loss,
      fine.plus - theta,
      lossPlusHalf!,
      coarse.plus - theta,
      lossPlus!,
    );
    const left = oneSidedDerivative(
      this.session.loss,
      fine.minus - theta,
      lossMinusHalf!,
      coarse.minus - theta,
      lossMinus!,
    );
    // (Against the modelled noise only: a kink inflates the fourth difference as noise does.)
    const sidesNoise =
      oneSidedNoise(fine.plus - theta, coarse.plus - theta, modelled) +
      oneSidedNoise(fine.minus - theta, coarse.minus - theta, modelled);
    const mismatch = Math.abs(analytic - numeric);
    // A kink: the one-sided derivatives disagree beyond their noise.
    let kinked = entryExcess(left, right, sidesNoise, tolerance) > 1;
    if (!kinked && !flat && this.confirmed[tensorIndex]! < CONFIRMATIONS) {
      // A kink closer to θ than the loss can resolve (float32) shows in the analytic gradient
      // itself: it jumps within the step instead of varying linearly across it.
      const [gradientPlus, gradientMinus] = yield* this.gradientsAlong(
        tensor,
        index,
        theta,
        [fine.plus, fine.minus],
        label,
      );
      kinked = Math.abs(gradientPlus! - 2 * analytic + gradientMinus!) >= mismatch / 2;
    }
    if (!kinked && !flat) this.confirmed[tensorIndex]!++;
    return [{ numeric, floor, step, errorEstimate, ...(kinked ? { kink: { left, right } } : {}) }, flat];
  }

  /**
   * The analytic derivative with respect to entry `index` of `tensor` with that entry set to each
   * of `values` in turn (restored to `theta` afterwards).
   */
  private *gradientsAlong(
    tensor: ParameterTensor,
    index: number,
    theta: number,
    values: readonly number[],
    label: () => string,
  ): Steps<number[]> {
    const derivatives: number[] = [];
    try {
      for (const value of values) {
        tensor.view.set(index, value);
        this.session.gradientEvaluations++;
        const answer = yield* evaluate(
          'gradients',
          () => `with ${label()} = ${value} (θ = ${theta}), to look for a kink`,
        );
        derivatives.push(readGradients(this.session.parameters, answer)[tensor.offset + index]!);
      }
    } finally {
      tensor.view.set(index, theta);
    }
    return derivatives;
  }
}
