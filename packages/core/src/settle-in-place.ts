/**
 * The common entry of a synchronous check, evaluated in place: the central difference at the
 * entry's first step (its default step, or the one its tensor learned: entry-steps.ts), which
 * settles most entries ({@link settlesAt}). No generator, closure, array or estimate object per
 * entry: a cheap model's check waits for this path more than for its own losses. Where the entry
 * does not settle here, estimate.ts continues from the two losses evaluated here.
 */
import { entryStep, type EntryEstimate, type StepTaken } from './difference.js';
import { settlesAt } from './entry-rules.js';
import type { EntrySteps } from './entry-steps.js';
import type { LossNoise } from './noise.js';
import type { ParameterTensor } from './parameters.js';
import type { CheckSession } from './session.js';
import { flatArrayOf, placeEntry } from './tensors.js';

/** Where θ and the value θ ± h being evaluated are kept (doubles in a Float64Array: no number boxed per entry). */
const THETA = 0,
  VALUE = 1;

/** The points θ ± h taken and the losses there: what a central difference evaluates. */
export type FirstDifference = [StepTaken, number, number];

/** An {@link EntryEstimate} written in place, every field present (one shape for every entry). */
interface SettledEstimate extends EntryEstimate {
  numeric: number;
  floor: number;
  step: number;
  flat: true | undefined;
  widened: number | undefined;
}

/** Settles entries in place for one check session (see the module's comment). */
export class SettledInPlace {
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
  /** What the loss evaluated in place is evaluated at, for {@link SettledInPlace.whereNow} (θ and θ ± h in `at`). */
  private readonly now = { tensor: undefined as unknown as ParameterTensor, index: 0, sign: '+' };
  private readonly at = new Float64Array(2);
  /** The `where` of every loss evaluated in place: one function, its text built only for an error. */
  private readonly whereNow = (): string => {
    const { tensor, index, sign } = this.now;
    const { [THETA]: theta, [VALUE]: value } = this.at;
    return `with ${this.session.parameters.label(tensor, index)} = θ ${sign} h = ${value} (θ = ${theta})`;
  };

  /**
   * @param confirmed - Per tensor, entries found off in a smooth region (the estimator's count,
   *   shared: see {@link settlesAt}).
   */
  constructor(
    private readonly session: CheckSession,
    private readonly steps: EntrySteps,
    private readonly noise: LossNoise,
    private readonly confirmed: readonly number[],
  ) {}

  /**
   * In a synchronous check, evaluates entry `index` of tensor number `tensorIndex` at θ ± h (its
   * first step) in place and returns true when that settles it, its estimate (what estimate.ts
   * would return) then in {@link SettledInPlace.estimate}. False when it does not: nothing is
   * evaluated where the check is not in place; else {@link SettledInPlace.first} holds the losses.
   */
  settle(tensorIndex: number, index: number): boolean {
    const { session, noise } = this;
    this.first = undefined;
    if (!session.inPlace) return false;
    const { options, parameters, snapshot } = session;
    const tensor = parameters.tensors[tensorIndex]!;
    const { view } = tensor;
    // A built-in view's own array, written and read as view.set and view.get would.
    const array = flatArrayOf(view);
    const theta = snapshot[tensor.offset + index]!;
    const initial = entryStep(theta, view.precision, options);
    const h = this.steps.first(tensorIndex, index, initial);
    const { now, at } = this;
    now.tensor = tensor;
    now.index = index;
    at[THETA] = theta;
    let plus: number, minus: number, lossPlus: number, lossMinus: number;
    try {
      now.sign = '+';
      plus = at[VALUE] = placeEntry(array, view, index, theta + h);
      lossPlus = session.lossNow(this.whereNow);
      now.sign = '−';
      minus = at[VALUE] = placeEntry(array, view, index, theta - h);
      lossMinus = session.lossNow(this.whereNow);
    } finally {
      placeEntry(array, view, index, theta);
    }
    // The central estimate (entry-rules.ts: centralEstimate), without its object.
    const numeric = (lossPlus - lossMinus) / (plus - minus);
    const floor = (2 * noise.allowance(lossPlus, lossMinus, true)) / Math.abs(plus - minus);
    const analytic = session.analytic[tensor.offset + index]!;
    if (
      plus === minus ||
      !settlesAt(options.scheme, analytic, numeric, floor, options.tolerance, this.confirmed[tensorIndex]!)
    ) {
      this.first = [{ plus, minus }, lossPlus, lossMinus];
      return false;
    }
    // As the comparison gets it: with the floor of the allowance its tensor's verdict counts (not
    // the single rounding it was settled with), and `flat` where neither loss moved from the loss at θ.
    const step = (plus - minus) / 2;
    const estimate = this.estimate;
    estimate.numeric = numeric;
    estimate.step = step;
    estimate.floor = (2 * noise.allowance(lossPlus, lossMinus)) / (2 * step);
    estimate.flat = lossPlus === session.loss && lossMinus === session.loss ? true : undefined;
    estimate.widened = h > initial ? h / initial : undefined;
    return true;
  }
}
