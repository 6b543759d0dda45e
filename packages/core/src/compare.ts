import { AppendedNumbers } from './appended-numbers.js';
import { allowedError, attainableTolerance, SMALLEST_NORMAL, type EntryEstimate, type Scheme } from './difference.js';
import type { ParameterSet, ParameterTensor } from './parameters.js';
import { classicDifference, entryExcess, withinTolerance } from './pass-rule.js';
import type { EntryResult, TensorResult } from './result.js';
import { unravelIndex, type Precision } from './tensors.js';

/** The entries of one tensor that took part in the verdict (kinks left out), for the diagnosis. */
export interface RecordedEntries {
  /** Flat indices in the tensor. */
  readonly indices: number[];
  readonly analytic: number[];
  readonly numeric: number[];
  /** The flat index of the failing entry with the largest excess, where one failed (what "only … is off" names). */
  readonly worstFailing?: number;
}

interface TensorTally {
  /** The entries recorded, as {@link RecordedEntries} holds them. */
  readonly indices: AppendedNumbers;
  readonly analytic: AppendedNumbers;
  readonly numeric: AppendedNumbers;
  checked: number;
  kinks: number;
  /** Kinks whose analytic derivative disagrees with the central difference across them. */
  kinksOff: number;
  error2: number;
  analytic2: number;
  numeric2: number;
  noise2: number;
  failing: number;
  /** The flat index of the failing entry with the largest excess (−1 before one), and that excess. */
  worstFailing: number;
  worstFailingExcess: number;
  /** Entries whose perturbation never moved the loss at all, and how many of those failed. */
  flat: number;
  flatFailing: number;
  /** Entries whose step was widened because the loss's noise dominated. */
  widened: number;
  /** The smallest normal number of the tensor's precision: every entry's floor is at least this. */
  readonly smallest: number;
}

interface Candidate {
  tensor: ParameterTensor;
  index: number;
  analytic: number;
  numeric: number;
  excess: number;
  step: number;
  rank: number;
  kink: boolean;
}

/**
 * Entries are ranked by excess in buckets of about 5 %, and within a bucket by absolute error:
 * a wrong factor gives many entries the same relative error, and then the largest errors matter.
 */
function rankOf(excess: number): number {
  return excess === 0 ? -Infinity : Math.floor(Math.log10(excess) * 50);
}

/**
 * A little below the smallest excess of rank `rank`'s bucket: an excess under it has a lower rank
 * (the margin covers the rounding of the power and of the logarithm in {@link rankOf}).
 */
function bucketFloor(rank: number): number {
  return rank === -Infinity ? 0 : 10 ** (rank / 50) * (1 - 1e-9);
}

function ranksAbove(rank: number, absError: number, other: Candidate): boolean {
  return rank > other.rank || (rank === other.rank && absError > Math.abs(other.analytic - other.numeric));
}

/** The verdicts a comparison reaches. */
export interface Verdict {
  readonly passed: boolean;
  readonly difference: number;
  readonly tensors: TensorResult[];
  readonly worst: EntryResult[];
  /** Entries where the loss is not differentiable within the step. */
  readonly kinks: number;
  /** How many of them disagree with the central difference across them (would fail if compared). */
  readonly kinksOff: number;
  /** Labels of the first of them. */
  readonly kinkLabels: string[];
}

/**
 * A tensor the loss does not read: every entry compared left the loss bitwise unchanged, at every
 * step tried, and some of them failed (their analytic gradient is not 0 beyond the noise).
 */
function unread(tally: TensorTally): boolean {
  return tally.indices.length > 0 && tally.flat === tally.indices.length && tally.flatFailing > 0;
}

/**
 * Tallies analytic vs numeric derivatives entry by entry and reaches the verdicts: per entry
 * (error within tolerance, or within the estimate's noise and estimated error), per tensor (so
 * that a wrong small tensor is not drowned by a large correct one) and overall. It keeps the K
 * worst entries and each compared entry's values (for the diagnosis; O(entries checked)).
 */
export class Comparison {
  private readonly tallies: TensorTally[];
  private readonly worst: Candidate[] = [];
  /** Labels of the first entries found not differentiable within the step. */
  private readonly kinkLabels: string[] = [];
  /**
   * With the worst list full, an excess below this ranks below its last entry and cannot enter it,
   * so its rank (a logarithm) is not computed: most entries of a passing check stop here.
   */
  private admits = 0;

  constructor(
    private readonly parameters: ParameterSet,
    private readonly tolerance: number,
    private readonly keep: number,
    private readonly includeGradients: boolean,
    private readonly kinks: 'exclude' | 'fail' = 'exclude',
  ) {
    this.tallies = parameters.tensors.map(({ view }) => ({
      checked: 0,
      kinks: 0,
      kinksOff: 0,
      error2: 0,
      analytic2: 0,
      numeric2: 0,
      noise2: 0,
      failing: 0,
      worstFailing: -1,
      worstFailingExcess: 1,
      flat: 0,
      flatFailing: 0,
      widened: 0,
      smallest: SMALLEST_NORMAL[view.precision],
      indices: new AppendedNumbers(view.size),
      analytic: new AppendedNumbers(view.size),
      numeric: new AppendedNumbers(view.size),
    }));
  }

  /**
   * Records entry `index` of tensor number `tensorIndex`: its analytic derivative against the
   * estimate. An entry fails when its error exceeds the tolerance and the estimate's error (the
   * larger of its noise floor and its estimated finite-difference error). An entry at a kink is
   * left out of the verdict (`kinks: 'exclude'`) or fails (`kinks: 'fail'`). Returns the entry's
   * excess (0 for an excluded kink).
   */
  add(tensorIndex: number, index: number, analytic: number, estimate: EntryEstimate): number {
    const { numeric, step, kink, flat, widened } = estimate;
    const floor = allowedError(estimate);
    return this.addValues(
      tensorIndex,
      index,
      analytic,
      numeric,
      floor,
      step,
      kink !== undefined,
      flat === true,
      widened !== undefined,
    );
  }

  /**
   * {@link Comparison.add} with the estimate given as its values: `floor` the larger of its floor
   * and its estimated error, `kink`, `flat` and `widened` whether it has them.
   */
  addValues(
    tensorIndex: number,
    index: number,
    analytic: number,
    numeric: number,
    floor: number,
    step: number,
    kink: boolean,
    flat: boolean,
    widened: boolean,
  ): number {
    const tally = this.tallies[tensorIndex]!;
    if (floor < tally.smallest) floor = tally.smallest;
    tally.checked++;
    if (kink) {
      tally.kinks++;
      if (entryExcess(analytic, numeric, floor, this.tolerance) > 1) tally.kinksOff++;
      if (this.kinkLabels.length < this.keep)
        this.kinkLabels.push(this.parameters.label(this.parameters.tensors[tensorIndex]!, index));
      if (this.kinks === 'exclude') return 0;
    }
    const error = analytic - numeric;
    tally.error2 += error * error;
    tally.analytic2 += analytic * analytic;
    tally.numeric2 += numeric * numeric;
    tally.noise2 += floor * floor;
    tally.indices.push(index);
    tally.analytic.push(analytic);
    tally.numeric.push(numeric);
    const excess = kink
      ? Math.max(entryExcess(analytic, numeric, floor, this.tolerance), 1 + 1e-9)
      : entryExcess(analytic, numeric, floor, this.tolerance);
    if (excess > 1) tally.failing++;
    // (The excess to beat starts at 1: only a failing entry is recorded.)
    if (excess > tally.worstFailingExcess) [tally.worstFailing, tally.worstFailingExcess] = [index, excess];
    if (flat) {
      tally.flat++;
      if (excess > 1) tally.flatFailing++;
    }
    if (widened) tally.widened++;
    if (this.keep === 0 || excess < this.admits) return excess;
    const rank = rankOf(excess);
    const absError = Math.abs(error);
    if (this.worst.length < this.keep || ranksAbove(rank, absError, this.worst[this.worst.length - 1]!)) {
      let at = this.worst.length;
      while (at > 0 && ranksAbove(rank, absError, this.worst[at - 1]!)) at--;
      this.worst.splice(at, 0, {
        tensor: this.parameters.tensors[tensorIndex]!,
        index,
        analytic,
        numeric,
        excess,
        step,
        rank,
        kink,
      });
      if (this.worst.length > this.keep) this.worst.pop();
      if (this.worst.length === this.keep) this.admits = bucketFloor(this.worst[this.keep - 1]!.rank);
    }
    return excess;
  }

  /** The verdicts over everything added so far. */
  verdict(): Verdict {
    const within = (difference: number, error2: number, noise2: number): boolean =>
      withinTolerance(difference, error2, noise2, this.tolerance);
    let error2 = 0,
      analytic2 = 0,
      numeric2 = 0,
      noise2 = 0;
    const tensors = this.parameters.tensors.map((t, k): TensorResult => {
      const tally = this.tallies[k]!;
      error2 += tally.error2;
      analytic2 += tally.analytic2;
      numeric2 += tally.numeric2;
      noise2 += tally.noise2;
      const difference = classicDifference(
        Math.sqrt(tally.error2),
        Math.sqrt(tally.analytic2),
        Math.sqrt(tally.numeric2),
      );
      return {
        name: t.name,
        shape: t.view.shape,
        size: t.view.size,
        checked: tally.checked,
        precision: t.view.precision,
        difference,
        errorNorm: Math.sqrt(tally.error2),
        noiseNorm: Math.sqrt(tally.noise2),
        failing: tally.failing,
        kinks: tally.kinks,
        ...(unread(tally) ? { unread: true } : {}),
        ...(tally.widened ? { widened: tally.widened } : {}),
        passed: tally.failing === 0 && within(difference, tally.error2, tally.noise2),
        ...(this.includeGradients ? { analytic: tally.analytic.toArray(), numeric: tally.numeric.toArray() } : {}),
      };
    });
    const difference = classicDifference(Math.sqrt(error2), Math.sqrt(analytic2), Math.sqrt(numeric2));
    return {
      passed: tensors.every((t) => t.passed) && within(difference, error2, noise2),
      difference,
      tensors,
      kinks: this.tallies.reduce((n, t) => n + t.kinks, 0),
      kinksOff: this.tallies.reduce((n, t) => n + t.kinksOff, 0),
      kinkLabels: [...this.kinkLabels],
      worst: this.worst.map((c): EntryResult => {
        const absError = Math.abs(c.analytic - c.numeric);
        const scale = Math.abs(c.analytic) + Math.abs(c.numeric);
        return {
          label: this.parameters.label(c.tensor, c.index),
          tensor: c.tensor.name,
          index: unravelIndex(c.tensor.view.shape, c.index),
          analytic: c.analytic,
          numeric: c.numeric,
          absError,
          relError: scale === 0 ? 0 : absError / scale,
          excess: c.excess,
          step: c.step,
          ...(c.kink ? { kink: true } : {}),
        };
      }),
    };
  }

  /** The entries of tensor number `tensorIndex` that took part in the verdict. */
  recorded(tensorIndex: number): RecordedEntries {
    const { indices, analytic, numeric, worstFailing } = this.tallies[tensorIndex]!;
    const recorded = { indices: indices.toArray(), analytic: analytic.toArray(), numeric: numeric.toArray() };
    return worstFailing < 0 ? recorded : { ...recorded, worstFailing };
  }
}

/**
 * A warning when `tolerance` is below what finite differences can reach at the storage
 * precision with the scheme, saying what they can reach; `undefined` when it is reachable.
 */
export function toleranceWarning(tolerance: number, precision: Precision, scheme: Scheme): string | undefined {
  const reachable = attainableTolerance(precision, scheme);
  if (tolerance >= reachable) return undefined;
  const better =
    scheme === 'central' && tolerance >= attainableTolerance(precision, 'richardson')
      ? `; scheme 'richardson' reaches about ${attainableTolerance(precision, 'richardson').toExponential(0)}`
      : '';
  return (
    `tolerance ${tolerance.toExponential(0)} is below what ${scheme} differences can reach with ${precision} parameters ` +
    `(about ${reachable.toExponential(0)} relative): correct gradients may fail; use a tolerance of at least ${reachable.toExponential(0)}${better}.`
  );
}
