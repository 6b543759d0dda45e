/**
 * The common entry of a synchronous check, evaluated in place: the central difference at the
 * entry's first step (its default step, or the one its tensor learned: entry-steps.ts), which
 * settles most entries ({@link settlesAt}). No generator, closure, array or estimate object per
 * entry: a cheap model's check waits for this path more than for its own losses. Where that
 * difference at a learned step does not settle an entry and the loss's noise is measured, the
 * losses at θ ± h/2 are evaluated here too and the entry judged as learned-step.ts judges it
 * ({@link judgedAtLearned}: a large, noisy sum's small gradients). Where the entry does not settle
 * here, estimate.ts continues from the losses evaluated here.
 */
import { entryStep, type EntryEstimate, type StepTaken } from './difference.js';
import { centralEstimate, centralSettles, settlesAt, widensBeyond } from './entry-rules.js';
import type { EntrySteps } from './entry-steps.js';
import { isFarFailure } from './errors.js';
import { bendsAtLearned, judgedAtLearned, type LearnedContext } from './learned-step.js';
import type { LossNoise } from './noise.js';
import type { ParameterTensor } from './parameters.js';
import type { CheckSession, Steps } from './session.js';
import { flatArrayOf, placeEntry } from './tensors.js';

/** Where θ and the value θ ± h being evaluated are kept (doubles in a Float64Array: no number boxed per entry). */
const THETA = 0,
  VALUE = 1;
/** Where {@link SettledInPlace.evaluate} keeps θ + s·h and θ − s·h as stored and the losses there. */
const PLUS = 0,
  MINUS = 1,
  LOSS_PLUS = 2,
  LOSS_MINUS = 3;

/** The points θ ± h taken and the losses there: what a central difference evaluates. */
export type FirstDifference = [StepTaken, number, number];

/** An {@link EntryEstimate} written in place, every field present (one shape for every entry). */
interface SettledEstimate extends EntryEstimate {
  numeric: number;
  floor: number;
  step: number;
  errorEstimate: number;
  flat: true | undefined;
  widened: number | undefined;
}

/**
 * Settles entries in place for one check session (see the module's comment); its session, noise and
 * confirmations are what a judgement at a learned step reads ({@link LearnedContext}).
 */
export class SettledInPlace implements LearnedContext {
  /**
   * The estimate of the entry {@link SettledInPlace.settle} settled last: one record, rewritten for
   * every entry, so it must be read (recorded) before the next entry is settled.
   */
  readonly estimate: SettledEstimate = {
    numeric: 0,
    floor: 0,
    step: 0,
    errorEstimate: 0,
    kink: undefined,
    flat: undefined,
    widened: undefined,
    noise: undefined,
    noisy: undefined,
  };
  /**
   * θ ± h and the losses there for the entry {@link SettledInPlace.settle} evaluated but did not
   * settle, for the estimator to continue from; `undefined` after one it settled.
   */
  first: FirstDifference | undefined;
  /**
   * θ ± h/2 and the losses there where {@link SettledInPlace.settle} evaluated them (at a learned
   * step) but did not settle the entry, beside {@link SettledInPlace.first}; else `undefined`.
   */
  half: FirstDifference | undefined;
  /** What the loss evaluated in place is evaluated at, for {@link SettledInPlace.whereNow} (θ and θ ± s·h in `at`). */
  private readonly now = { tensor: undefined as unknown as ParameterTensor, index: 0, sign: '+', step: 'h' };
  private readonly at = new Float64Array(2);
  /** θ ± s·h as stored and the losses there, as {@link SettledInPlace.evaluate} left them. */
  private readonly pair = new Float64Array(4);
  /** The `where` of every loss evaluated in place: one function, its text built only for an error. */
  private readonly whereNow = (): string => {
    const { tensor, index, sign, step } = this.now;
    const { [THETA]: theta, [VALUE]: value } = this.at;
    return `with ${this.session.parameters.label(tensor, index)} = θ ${sign} ${step} = ${value} (θ = ${theta})`;
  };

  /**
   * @param confirmed - Per tensor, entries found off in a smooth region (the estimator's count,
   *   shared: see {@link settlesAt}).
   */
  constructor(
    readonly session: CheckSession,
    private readonly steps: EntrySteps,
    readonly noise: LossNoise,
    readonly confirmed: number[],
  ) {}

  /**
   * In a synchronous check, evaluates entry `index` of tensor number `tensorIndex` at θ ± h (its
   * first step) in place and returns true when that settles it, its estimate (what estimate.ts
   * would return) then in {@link SettledInPlace.estimate}. False when it does not: nothing is
   * evaluated where the check is not in place; else {@link SettledInPlace.first} holds the losses.
   */
  settle(tensorIndex: number, index: number): boolean {
    const { session, noise } = this;
    this.first = this.half = undefined;
    if (!session.inPlace) return false;
    const { options, parameters, snapshot } = session;
    const tensor = parameters.tensors[tensorIndex]!;
    // A built-in view's own array, written and read as view.set and view.get would.
    const array = flatArrayOf(tensor.view);
    const theta = snapshot[tensor.offset + index]!;
    const initial = entryStep(theta, tensor.view.precision, options);
    const h = this.steps.first(tensorIndex, index, initial);
    const { pair } = this;
    try {
      this.evaluate(tensor, array, index, theta, h, 1);
    } catch (error) {
      // Not finite at the learned step: the entry starts from its default step.
      if (h === initial || !isFarFailure(error)) throw error;
      this.steps.learn(tensorIndex, 1);
      return this.settle(tensorIndex, index);
    }
    const plus = pair[PLUS]!,
      minus = pair[MINUS]!,
      lossPlus = pair[LOSS_PLUS]!,
      lossMinus = pair[LOSS_MINUS]!;
    // The central estimate (entry-rules.ts: centralEstimate), without its object.
    const numeric = (lossPlus - lossMinus) / (plus - minus);
    const floor = (2 * noise.allowance(lossPlus, lossMinus, true)) / Math.abs(plus - minus);
    const analytic = session.analytic[tensor.offset + index]!;
    if (
      plus === minus ||
      !settlesAt(options.scheme, analytic, numeric, floor, options.tolerance, this.confirmed[tensorIndex]!) ||
      // (At a learned step, only where the loss is straight across it: learned-step.ts.)
      (h > initial && bendsAtLearned(this, tensorIndex, analytic, plus, minus, lossPlus, lossMinus))
    ) {
      this.first = [{ plus, minus }, lossPlus, lossMinus];
      // (estimate.ts: at a learned step, agreedAtLearned once the noise is measured.)
      return plus !== minus && h > initial && noise.measured && this.settledAtLearned(tensorIndex, index, h, initial);
    }
    // As the comparison gets it: with the floor of the allowance its tensor's verdict counts (not
    // the single rounding it was settled with), and `flat` where neither loss moved from the loss at θ.
    const step = (plus - minus) / 2;
    const estimate = this.estimate;
    estimate.numeric = numeric;
    estimate.step = step;
    estimate.floor = (2 * noise.allowance(lossPlus, lossMinus)) / (2 * step);
    estimate.errorEstimate = 0;
    estimate.flat = lossPlus === session.loss && lossMinus === session.loss ? true : undefined;
    estimate.widened = h > initial ? h / initial : undefined;
    return true;
  }

  /**
   * Entry `index` of tensor number `tensorIndex`, whose central difference at `h`, the step its
   * tensor learned (`initial` its default step), did not settle it ({@link SettledInPlace.first}),
   * with the noise measured: the losses at θ ± h/2 evaluated in place and the entry judged from
   * them as estimate.ts's agreedAtLearned judges it ({@link judgedAtLearned}). True where it agreed
   * there (its estimate in {@link SettledInPlace.estimate}); else false, with the losses at h/2 in
   * {@link SettledInPlace.half} for the estimator (which evaluates nothing again).
   */
  private settledAtLearned(tensorIndex: number, index: number, h: number, initial: number): boolean {
    const { session, pair } = this;
    const tensor = session.parameters.tensors[tensorIndex]!;
    const theta = session.snapshot[tensor.offset + index]!;
    this.evaluate(tensor, flatArrayOf(tensor.view), index, theta, h, 0.5);
    const half: FirstDifference = [{ plus: pair[PLUS]!, minus: pair[MINUS]! }, pair[LOSS_PLUS]!, pair[LOSS_MINUS]!];
    this.half = half;
    const widens = widensBeyond(h, initial, this.steps.widest(tensorIndex, index));
    const judged = judgedAtLearned(this, { tensorIndex, index, h, first: this.first!, half, widens });
    // (A judgement that evaluates gradients, extrapolated.ts, is the estimator's.)
    if (judged === undefined || typeof judged === 'function') return false;
    const estimate = this.estimate;
    estimate.numeric = judged.numeric;
    estimate.step = judged.step;
    estimate.floor = judged.floor;
    estimate.errorEstimate = judged.errorEstimate;
    estimate.flat = undefined;
    estimate.widened = h / initial;
    this.first = this.half = undefined;
    return true;
  }

  /**
   * Evaluates the loss with entry `index` of `tensor` (its built-in `array`, if any) at θ + s·h and
   * at θ − s·h, as perturbed.ts's lossesAt does, and restores θ: the values stored and the losses
   * there in {@link SettledInPlace.pair}.
   */
  private evaluate(
    tensor: ParameterTensor,
    array: ReturnType<typeof flatArrayOf>,
    index: number,
    theta: number,
    h: number,
    s: 1 | 0.5,
  ): void {
    const { session, now, at, pair } = this;
    const { view } = tensor;
    now.tensor = tensor;
    now.index = index;
    now.step = s === 1 ? 'h' : 'h/2';
    at[THETA] = theta;
    try {
      now.sign = '+';
      pair[PLUS] = at[VALUE] = placeEntry(array, view, index, theta + s * h);
      pair[LOSS_PLUS] = session.lossNow(this.whereNow);
      now.sign = '−';
      pair[MINUS] = at[VALUE] = placeEntry(array, view, index, theta - s * h);
      pair[LOSS_MINUS] = session.lossNow(this.whereNow);
    } finally {
      placeEntry(array, view, index, theta);
    }
  }

  /**
   * The central estimate from the losses at θ ± h where it settles the entry ({@link centralSettles}),
   * else `undefined`. The modelled floor is a worst case: before an entry is refined because of it,
   * the loss's noise is measured (once per check) and the entry judged again. (Through the estimator's
   * steps, where the entry was not settled in place.)
   */
  *settledAt(
    tensorIndex: number,
    analytic: number,
    coarse: StepTaken,
    lossPlus: number,
    lossMinus: number,
  ): Steps<EntryEstimate | undefined> {
    const { options } = this.session;
    const confirmed = this.confirmed[tensorIndex]!;
    let central = centralEstimate(coarse, lossPlus, lossMinus, this.noise.allowance(lossPlus, lossMinus, true));
    let settles = centralSettles(options.scheme, analytic, central, options.tolerance, confirmed);
    if (!settles && this.noise.unmeasured && options.scheme === 'central') {
      yield* this.noise.measure();
      central = centralEstimate(coarse, lossPlus, lossMinus, this.noise.allowance(lossPlus, lossMinus, true));
      settles = centralSettles(options.scheme, analytic, central, options.tolerance, confirmed);
    }
    return settles ? this.noise.reported(central, lossPlus, lossMinus) : undefined;
  }
}
