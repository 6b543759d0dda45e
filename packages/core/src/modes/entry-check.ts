/**
 * Elementwise checking, shared by the modes: an entry's estimate (estimate.ts) compared with its
 * analytic derivative and recorded in one {@link Comparison}, with the range of steps taken.
 */
import { Comparison } from '../compare.js';
import type { EntryEstimate } from '../difference.js';
import { EntryEstimator } from '../estimate.js';
import { Answered } from '../evaluation.js';
import type { CheckSession, Steps } from '../session.js';

/** The entries one mode checks elementwise. */
export class EntryCheck {
  readonly comparison: Comparison;
  /** Entries checked so far. */
  checked = 0;
  private readonly estimator: EntryEstimator;
  /** An estimate settled in place, handed to `yield*` (see {@link Answered}). */
  private readonly settled = new Answered<EntryEstimate>();
  private stepMin = Infinity;
  private stepMax = 0;

  constructor(private readonly session: CheckSession) {
    const { options } = session;
    this.comparison = new Comparison(
      session.parameters,
      options.tolerance,
      options.worst,
      options.includeGradients,
      options.kinks,
    );
    this.estimator = new EntryEstimator(session);
  }

  /**
   * Checks entry `index` of tensor number `tensorIndex`, records it, and returns its excess
   * (above 1: the entry's gradient is wrong).
   */
  *check(tensorIndex: number, index: number): Steps<number> {
    return this.record(tensorIndex, index, yield* this.estimate(tensorIndex, index));
  }

  /**
   * The estimate of entry `index` of tensor number `tensorIndex`, for {@link EntryCheck.record}:
   * `entries.record(k, i, yield* entries.estimate(k, i))` is {@link EntryCheck.check} with one
   * generator fewer per entry (a loop over every entry of a cheap model feels each one).
   */
  estimate(tensorIndex: number, index: number): Steps<EntryEstimate> {
    // Most entries of a synchronous check settle at their first central difference: that one is
    // evaluated in place, without a generator (the estimator continues from it where it does not).
    // The estimate settled in place is one record rewritten per entry: record it before the next.
    const { inPlace } = this.estimator;
    return inPlace.settle(tensorIndex, index)
      ? this.settled.with(inPlace.estimate)
      : this.estimator.estimate(tensorIndex, index);
  }

  /** Records an entry's estimate and returns its excess (above 1: the entry's gradient is wrong). */
  record(tensorIndex: number, index: number, estimate: EntryEstimate): number {
    if (estimate.step < this.stepMin) this.stepMin = estimate.step;
    if (estimate.step > this.stepMax) this.stepMax = estimate.step;
    this.checked++;
    const analytic = this.session.analytic[this.session.parameters.tensors[tensorIndex]!.offset + index]!;
    return this.comparison.add(tensorIndex, index, analytic, estimate);
  }

  /** The smallest and largest step taken (`[Infinity, 0]` before any). */
  stepRange(): [number, number] {
    return [this.stepMin, this.stepMax];
  }
}
