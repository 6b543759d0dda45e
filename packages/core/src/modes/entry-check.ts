/**
 * Elementwise checking, shared by the modes: an entry's estimate (estimate.ts) compared with its
 * analytic derivative and recorded in one {@link Comparison}, with the range of steps taken.
 */
import { Comparison } from '../compare.js';
import type { EntryEstimate } from '../difference.js';
import { EntryEstimator } from '../estimate.js';
import type { CheckSession, Steps } from '../session.js';

/** The entries one mode checks elementwise. */
export class EntryCheck {
  readonly comparison: Comparison;
  /** Entries checked so far. */
  checked = 0;
  private readonly estimator: EntryEstimator;
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
    const excess = this.checkedInPlace(tensorIndex, index);
    return excess >= 0 ? excess : this.record(tensorIndex, index, yield* this.estimate(tensorIndex, index));
  }

  /**
   * In a synchronous check, entry `index` of tensor number `tensorIndex` checked and recorded in
   * place where its first central difference settles it (settle-in-place.ts: no generator and no
   * estimate object, which a loop over every entry of a cheap model feels): its excess then, else
   * −1, and `record(k, i, yield* estimate(k, i))` checks it, continuing from the losses evaluated
   * here. `checkedInPlace(k, i) >= 0 || record(…)` is {@link EntryCheck.check} without a generator.
   */
  checkedInPlace(tensorIndex: number, index: number): number {
    const { inPlace } = this.estimator;
    if (!inPlace.settle(tensorIndex, index)) return -1;
    const { numeric, floor, errorEstimate, step, flat, widened } = inPlace.estimate;
    this.count(step);
    const analytic = this.session.analytic[this.session.parameters.tensors[tensorIndex]!.offset + index]!;
    const allowed = Math.max(floor, errorEstimate);
    return this.comparison.addValues(
      tensorIndex,
      index,
      analytic,
      numeric,
      allowed,
      step,
      false,
      flat === true,
      widened !== undefined,
    );
  }

  /**
   * Checks entries `from` to `to` − 1 of tensor number `tensorIndex` in place while they settle
   * ({@link EntryCheck.checkedInPlace}), reporting progress of `total` after each, and returns the
   * first that did not settle (`to` where all did): a plain loop, which V8 compiles while it runs,
   * where a loop in a mode's generator runs in the interpreter until the generator gets hot.
   */
  settleRun(tensorIndex: number, from: number, to: number, total: number): number {
    for (let i = from; i < to; i++) {
      if (this.checkedInPlace(tensorIndex, i) < 0) return i;
      this.session.progress(this.checked, total);
    }
    return to;
  }

  /**
   * The estimate of entry `index` of tensor number `tensorIndex`, for {@link EntryCheck.record},
   * after {@link EntryCheck.checkedInPlace} did not settle it (in a synchronous check it continues
   * from the losses evaluated there).
   */
  estimate(tensorIndex: number, index: number): Steps<EntryEstimate> {
    return this.estimator.estimate(tensorIndex, index);
  }

  /** Records an entry's estimate and returns its excess (above 1: the entry's gradient is wrong). */
  record(tensorIndex: number, index: number, estimate: EntryEstimate): number {
    this.count(estimate.step);
    const analytic = this.session.analytic[this.session.parameters.tensors[tensorIndex]!.offset + index]!;
    return this.comparison.add(tensorIndex, index, analytic, estimate);
  }

  /** Counts an entry checked at step `step`. */
  private count(step: number): void {
    if (step < this.stepMin) this.stepMin = step;
    if (step > this.stepMax) this.stepMax = step;
    this.checked++;
  }

  /** The smallest and largest step taken (`[Infinity, 0]` before any). */
  stepRange(): [number, number] {
    return [this.stepMin, this.stepMax];
  }
}
