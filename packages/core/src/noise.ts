/**
 * The loss's own rounding noise, measured rather than modelled: Moré and Wild's ECnoise (“Estimating
 * computational noise”, SIAM J. Sci. Comput. 33(3), 2011) over losses at equally spaced points along
 * one direction that moves every checked entry. The noise of a loss is a property of how it is
 * computed (float32 arithmetic, a sum of many terms, a log(1 − a) that cancels), not of the entry
 * perturbed, so one measurement serves every entry of a check; it is made only when an entry's
 * verdict depends on it (the first entry the tolerance alone does not settle).
 */
import { lossNoise, MACHINE_EPSILON, withFields, type EntryEstimate } from './difference.js';
import { NOISE_SIGMAS } from './entry-rules.js';
import { GradcheckError } from './errors.js';
import { ShownQuantum } from './quantum.js';
import { movesOf, placeAlong, probeLine, type EntryLine, type ProbeLine } from './probe-line.js';
import type { EntrySteps } from './entry-steps.js';
import type { CheckSession, Steps } from './session.js';
import type { Precision } from './tensors.js';

/** What {@link noiseOf} read off a table of losses. */
export type NoiseReading =
  | { readonly verdict: 'measured'; readonly sigma: number }
  /** Half the losses or more are equal: the points are too close for the loss to tell them apart. */
  | { readonly verdict: 'too close' }
  /** The losses vary too much, or no difference order shows noise alone: the points are too far apart. */
  | { readonly verdict: 'too far' };

/** The orders of differences read, and the one whose level is the reading. */
const ORDERS = [3, 4, 5] as const;
const READ_ORDER = 4;
/**
 * Per order k, the root mean square of the smallest n − k − 1 of the n = 20 − k magnitudes of k-th
 * differences of unit normal noise (Monte Carlo, 200 000 draws): what the trimmed reading of
 * {@link noiseOf} divides by.
 */
const TRIMMED_RMS: Readonly<Record<number, number>> = { 3: 0.654, 4: 0.579, 5: 0.504 };

/**
 * The deviation σ of the noise in `losses`, evaluated at equally spaced points: ECnoise's reading
 * (Moré and Wild, 2011) made robust. The k-th differences of a smooth function shrink with k; those
 * of noise of deviation σ have a deviation of σ·√C(2k, k). Where the orders 3, 4 and 5 agree within a
 * factor of 4 and the 4th differences change sign, noise alone shows, and σ is read off the 4th
 * differences' mean square without their k + 1 largest: a kink the points straddle (a ReLU input
 * at 0) disturbs only the k + 1 differences around it, which that leaves out, where a plain mean
 * square would read the kink as noise and let wrong gradients pass within it.
 */
export function noiseOf(losses: readonly number[]): NoiseReading {
  const largest = Math.max(...losses.map(Math.abs));
  if (largest > 0 && (Math.max(...losses) - Math.min(...losses)) / largest > 0.1) return { verdict: 'too far' };
  const levels = new Map<number, number>();
  let differences = [...losses];
  let signChange = false;
  const orders: number[][] = [];
  for (let k = 1; k <= ORDERS[ORDERS.length - 1]!; k++) {
    differences = differencesOf(differences);
    if (k === 1 && differences.filter((d) => d === 0).length >= differences.length / 2) return { verdict: 'too close' };
    orders.push(differences);
    if (k === READ_ORDER) signChange = Math.min(...differences) * Math.max(...differences) < 0;
    if ((ORDERS as readonly number[]).includes(k))
      levels.set(k, trimmedRms(differences, k + 1) / (TRIMMED_RMS[k]! * Math.sqrt(binomial(2 * k, k))));
  }
  const read = [...levels.values()];
  // Differences at or below one rounding of the losses: noise no larger than that (an exact loss).
  if (levels.get(READ_ORDER)! <= MACHINE_EPSILON.float64 * largest)
    return { verdict: 'measured', sigma: levels.get(READ_ORDER)! };
  const unit = largest * MACHINE_EPSILON[losses.every(isFloat32) ? 'float32' : 'float64'];
  if (!signChange || Math.max(...read) > 4 * Math.min(...read) || !noiseShaped(orders, levels.get(READ_ORDER)!, unit))
    return { verdict: 'too far' };
  return { verdict: 'measured', sigma: levels.get(READ_ORDER)! };
}

/**
 * Noise of a loss is the same all along the short line the probe walks; kinks and curvature are not.
 * The median magnitude of the first and of the second half of the fourth differences (at least one
 * rounding of the losses) differ by more than this factor with a probability below 1e-5 where noise
 * alone makes them (≥ 4 of 8 values below 1/{@link STEADY} of their spread).
 */
const STEADY = 30;
/**
 * Noise of deviation σ puts a k-th difference within {@link EXACT_ROUNDINGS} roundings u of 0 with a
 * probability of about 5·u/(√C(2k, k)·σ): below 0.009 for the second differences and 0.003 for the
 * fourth where σ reads above {@link EXACT_LEVEL}·u. {@link EXACT_COUNT} or more such differences of
 * one order (a chance below 1e-4) are exact pieces of the loss, not noise of that deviation.
 */
const EXACT_ROUNDINGS = 8;
const EXACT_LEVEL = 300;
const EXACT_COUNT = 4;

/**
 * Whether the differences look like noise of deviation `sigma` (losses rounded to `unit`). Two
 * losses pass ECnoise's other tests without being noise: one exact between kinks (ReLU units
 * switching along the line) and one exact on one half of the line and kinked on the other. Both
 * show as fourth differences of a different level in the two halves, or as several exact second
 * or fourth differences where σ is far above a rounding; and both change slope along the line
 * ({@link slopeShifts}). A loss whose rounding jumps now and then (a `log(1 − a)` that cancels,
 * exact between its jumps) shows the first two as well, but its slope stays: it is noise.
 */
function noiseShaped(differences: readonly (readonly number[])[], sigma: number, unit: number): boolean {
  const [first, second, , fourth] = differences as [number[], number[], number[], number[]];
  const half = fourth.length >> 1;
  const level = (part: readonly number[]): number => Math.max(unit, median(part.map(Math.abs)));
  const [a, b] = [level(fourth.slice(0, half)), level(fourth.slice(half))];
  const exact = (d: readonly number[]): number => d.filter((x) => Math.abs(x) <= EXACT_ROUNDINGS * unit).length;
  const unsteady = Math.max(a, b) > STEADY * Math.min(a, b);
  const exactPieces = sigma > EXACT_LEVEL * unit && Math.max(exact(second), exact(fourth)) >= EXACT_COUNT;
  return !((unsteady || exactPieces) && slopeShifts(first, second, unit));
}

/**
 * Whether the slope of the losses changes along the line beyond their curvature: the median first
 * difference of each third of the line, less the trend of the median second difference, differ by
 * more than {@link EXACT_ROUNDINGS} roundings, two steps of that trend and {@link STEADY_SIGMAS}
 * deviations `sigma` of the losses' noise (0 where the losses are read as exact pieces). Medians, so
 * that jumps of the loss's value (single first differences far off) do not move them; a kink moves
 * every first difference after it.
 */
function slopeShifts(first: readonly number[], second: readonly number[], unit: number, sigma = 0): boolean {
  const trend = median(second);
  const third = Math.floor(first.length / 3);
  const parts = [0, third, first.length - third].map((start, k) => {
    const part = first.slice(start, k === 1 ? first.length - third : start + third);
    return median(part) - trend * (start + (part.length - 1) / 2);
  });
  return Math.max(...parts) - Math.min(...parts) > EXACT_ROUNDINGS * unit + 2 * Math.abs(trend) + STEADY_SIGMAS * sigma;
}

/**
 * Deviations of a noise reading that the slopes of a line's thirds may differ by and still be one
 * slope ({@link steadySlope}). Noise alone moves the median of six first differences by about 0.7σ
 * (heavy-tailed jumps, read low by the trimmed reading, by more): the naive cross-entropies of issue 9
 * spread 0.8σ to 7.3σ at 2⁻¹⁸; a ReLU net's float32 line over five kinks 19.7σ.
 */
const STEADY_SIGMAS = 10;

/**
 * Whether the slope of `losses`, of noise `sigma`, stays the same along their line
 * ({@link slopeShifts}, at one rounding of a float32 loss or a float64 one): no kink among them
 * that the reading took for noise. Or on each side of θ: every line passes through θ, and a kink
 * at θ itself (a ReLU input exactly 0 there) bends every line, where the trimmed reading leaves out
 * the differences it disturbs (property seed 1076739260, GC_SEED=12: a cross-entropy rounding in
 * steps of 1.2e-15 read 2.8e-16 on a second line bent only at θ, and refused it, 6.1e-17 stood,
 * and correct entries failed).
 */
export function steadySlope(losses: readonly number[], float32: boolean, sigma: number): boolean {
  const unit = Math.max(...losses.map(Math.abs)) * MACHINE_EPSILON[float32 ? 'float32' : 'float64'];
  const steady = (part: readonly number[]): boolean => {
    const first = differencesOf(part);
    return !slopeShifts(first, differencesOf(first), unit, sigma);
  };
  return steady(losses) || (steady(losses.slice(0, CENTRE + 1)) && steady(losses.slice(CENTRE)));
}

/** The first differences of `values`, in order. */
function differencesOf(values: readonly number[]): number[] {
  return values.slice(1).map((v, i) => v - values[i]!);
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const isFloat32 = (x: number): boolean => Math.fround(x) === x;

/** The root mean square of `values` without the `drop` largest magnitudes. */
function trimmedRms(values: readonly number[], drop: number): number {
  const kept = values
    .map((v) => v * v)
    .sort((a, b) => a - b)
    .slice(0, values.length - drop);
  return Math.sqrt(kept.reduce((s, v) => s + v, 0) / kept.length);
}

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

/** Losses at this many equally spaced points (the unperturbed one among them): 16 fourth differences. */
const POINTS = 20;
/** The index of the unperturbed point θ among the probe's losses (t = 0, t from 1 − POINTS/2). */
const CENTRE = POINTS / 2 - 1;
/**
 * The first spacing, relative to each entry's scale, per precision: small enough that the third and
 * higher differences of a smooth loss fall below its rounding, large enough that every entry moves
 * by thousands of its units in the last place. A reading that says “too close” or “too far” retries
 * at a spacing {@link RESPACING} times larger or smaller, up to {@link RETRIES} times; once one spacing
 * read too close and another too far, halfway between them on a log scale. (Until stop 41 the third
 * attempt read the first spacing again: property GC_SEED=90, 823525408, a float64 cross-entropy net
 * whose loss, 1.5e-10, moves in quanta of 7.1e-15 (its logits near 60 cancel), read too far at 2⁻²⁰ and
 * too close at 2⁻²⁶, so that its noise went unmeasured and was modelled as one rounding of 1.5e-10; a
 * correct b2 entry, read one quantum off at 2⁻¹⁶, failed by 3.5 %. At 2⁻²³ it reads σ = 2.1e-15.)
 */
const FIRST_SPACING = { float64: 2 ** -20, float32: 2 ** -10 } as const;
const RESPACING = 2 ** 6;
const RETRIES = 2;
/** The spacing of the reading that confirms the noise before an entry fails ({@link LossNoise.confirm}), in first spacings. */
const CONFIRM_SPACING = 4;
/**
 * A staircase ({@link LossNoise.confirm}): a float64 loss read within {@link STAIRCASE_FIRST}
 * roundings of its value at the first spacing, and {@link STAIRCASE_RISE} times that or more at
 * the confirming one, is read again at {@link STAIRCASE_READINGS} wider spacings
 * ({@link CONFIRM_SPACING}² and ³ first spacings). Rounding noise reads about the same at every
 * spacing; a kink the wider line crossed is refused as a slope that changes (the confirming readings
 * are steady ones).
 */
const STAIRCASE_FIRST = 4;
const STAIRCASE_RISE = 1000;
const STAIRCASE_READINGS = 2;

/**
 * The deviation σ of the session's loss noise, measured by {@link noiseOf} along a seeded ±1
 * direction scaled per entry (a power of two of the entry's scale, so that every point is exactly
 * representable and the line is straight in the tensors' own precision); `undefined` when no
 * spacing tried shows the noise (a loss exact at every point, one too curved to read, or one
 * undefined beside θ). At least the rounding of the loss's own value ({@link roundingOf}). A reading
 * whose line changes slope ({@link steadySlope}: kinks read as noise) gives way to one along a closer
 * line that reads steady, and stands only where none does (a float64 net whose biases are exactly 0
 * crossed a unit's kink along the first line and read σ = 4.5e-11 for a loss computed to 1e-16, and a
 * 1 % bug passed within it: property seeds 11 and 22); with `steady`, it is no reading at all.
 * `along`: the line moves that one entry only (its flat index, and its label for messages), not every
 * entry. Every entry is restored afterwards.
 */
export function* measureNoise(
  session: CheckSession,
  steps: EntrySteps,
  spacing: number = FIRST_SPACING[session.parameters.precision],
  steady = false,
  along?: EntryLine,
): Steps<number | undefined> {
  const { parameters, snapshot, loss } = session;
  const line = probeLine(session, steps, along);
  // A first reading whose line changes slope (kinks it took for noise), kept only where no closer line reads steady.
  let unsteady: number | undefined;
  // The widest spacing read too close and the closest read too far (0 and ∞ until one was).
  let close = 0,
    far = Infinity;
  try {
    for (let attempt = 0; attempt <= RETRIES; attempt++) {
      const reading = yield* probe(session, line, spacing);
      if (reading === undefined) return unsteady;
      if (reading.verdict === 'measured') {
        if (steady && !reading.steady) return undefined;
        const sigma = Math.max(reading.sigma, roundingOf(loss, reading.float32));
        if (reading.steady) return sigma;
        unsteady ??= sigma;
      }
      // (Too close: wider; too far, or a line that changes slope: closer.)
      if (reading.verdict === 'too close') close = Math.max(close, spacing);
      else far = Math.min(far, spacing);
      // (Between a spacing too close and one too far, halfway on a log scale: not one read already.)
      spacing = far === Infinity ? close * RESPACING : close === 0 ? far / RESPACING : Math.sqrt(close * far);
    }
    return unsteady;
  } finally {
    parameters.restore(snapshot);
  }
}

/**
 * {@link noiseOf} the losses at θ + t·spacing·sign·scale (a power of two per entry), t from
 * −{@link POINTS}/2 + 1 to {@link POINTS}/2; `undefined` where the loss is not finite at one of them.
 */
function* probe(
  session: CheckSession,
  line: ProbeLine,
  spacing: number,
): Steps<(NoiseReading & { readonly float32: boolean; readonly steady: boolean }) | undefined> {
  const { parameters } = session;
  const losses: number[] = [];
  // Each entry's signed power of two, the same at every point: computed once, not once per point.
  const moves = movesOf(line, spacing);
  for (let t = 1 - POINTS / 2; t <= POINTS / 2; t++) {
    if (t === 0) {
      losses.push(session.loss);
      continue;
    }
    placeAlong(session, moves, t);
    try {
      losses.push(yield* session.lossAt(() => `at θ + ${t}·δ along ${line.name}, to measure the loss's noise`));
    } catch (error) {
      // A loss undefined beside θ along this direction says nothing of its noise: model it instead.
      if (error instanceof GradcheckError && error.code === 'NON_FINITE_LOSS') return undefined;
      throw error;
    }
  }
  // A float32 loss: float32 parameters and every loss a float32 (one dyadic value may be both).
  const float32 = parameters.precision === 'float32' && losses.every(isFloat32);
  // (Object.assign, not an object spread: see withFields in difference.ts.)
  const reading = noiseOf(losses);
  const steady = reading.verdict === 'measured' && steadySlope(losses, float32, reading.sigma);
  return Object.assign({}, reading, { float32, steady });
}

/**
 * The rounding of the loss's own value, half its unit in the last place: of a float32 where the
 * loss is one (a float32 loss's quantisation is noise the probe's trimmed reading can miss where
 * most of its differences are 0), else of a float64.
 */
function roundingOf(loss: number, float32: boolean): number {
  return (MACHINE_EPSILON[float32 ? 'float32' : 'float64'] / 2) * Math.abs(loss);
}

/**
 * An entry's own losses showing a noise this many times the measured allowance have the noise
 * measured again at that entry's step ({@link LossNoise.saw}): one reading of rounding noise off a
 * fourth difference exceeds 4 × 4σ with a chance below 1e-9, where a staircase the probe's points fell
 * within reads thousands of times its σ.
 */
const REMEASURE = 4;

/**
 * One check's allowance for the rounding of a loss evaluation: {@link NOISE_SIGMAS} deviations of
 * the noise {@link measureNoise} measured (once, when an entry first needs it); not measured yet, one
 * rounding ε·|L| where an entry is settling at its first step (one that agrees within the tolerance
 * by luck would need noise far above that; one that does not is refined, and the noise measured
 * then); not measurable, the modelled allowance of {@link lossNoise}.
 */
export class LossNoise {
  /** σ as measured: `undefined` until measured, `null` where no measurement showed it. */
  private sigma: number | null | undefined;
  /** The session's loss precision (a getter over every tensor: read once, not per entry). */
  private readonly precision: Precision;

  constructor(
    private readonly session: CheckSession,
    private readonly steps: EntrySteps,
  ) {
    this.precision = session.parameters.precision;
  }

  /** One rounding of the loss at θ, ε·|L| in the check's precision (the unit of the loss's own steps). */
  get rounding(): number {
    return MACHINE_EPSILON[this.precision] * Math.abs(this.session.loss);
  }

  /** True until {@link LossNoise.measure} ran. */
  get unmeasured(): boolean {
    return this.sigma === undefined;
  }

  /** True when the noise was measured (not merely modelled). */
  get measured(): boolean {
    return typeof this.sigma === 'number';
  }

  /** Measures the noise (see {@link measureNoise}). */
  *measure(): Steps<void> {
    this.sigma = (yield* measureNoise(this.session, this.steps)) ?? null;
  }

  /**
   * The largest noise that an entry widened for it showed at its first step, where it then agreed
   * (see {@link LossNoise.saw}): at least what every later entry is allowed.
   */
  private shown = 0;

  /** The loss's quantum as the check's entries showed it (quantum.ts). */
  readonly quantum = new ShownQuantum();

  /**
   * Records the noise (per loss) that the losses of an entry showed at its first step, where the
   * step was widened for that noise and the entry agreed at the wider step. A loss whose rounding
   * jumps now and then (a `log(1 − a)` that cancels) can read as exact to the probe's line, and the
   * five losses of one entry, sampled where its jumps fall evenly, as smooth: such an entry was
   * judged wrong at its first step by a slope the jumps made, where the entries before it had shown
   * the noise and agreed at a wider step. Where that noise is more than {@link REMEASURE} times the
   * allowance the probe measured, the probe missed the jumps at its spacing (a staircase wider than
   * its points): the noise is measured again once, at `spacing` (the entry's step over its scale),
   * and the larger deviation kept: one entry's five losses read the noise from a single fourth
   * difference, the probe from twenty losses (issue 9, seed 5: a naive cross-entropy read
   * σ = 1.6e-13 at the first spacing, 1e-9 to 3e-9 at its entries' steps, and a correct entry failed).
   */
  *saw(noise: number, spacing: number): Steps<void> {
    if (noise > this.shown) this.shown = noise;
    if (this.remeasured || typeof this.sigma !== 'number' || noise <= REMEASURE * NOISE_SIGMAS * this.sigma) return;
    this.remeasured = true;
    yield* this.measuredAgain(spacing, false);
  }

  /** True once {@link LossNoise.saw} measured the noise again (at most once a check). */
  private remeasured = false;

  /**
   * Before the first entry of a check fails on a measured noise, the noise is measured once more,
   * at {@link CONFIRM_SPACING} times the first spacing, and the larger deviation kept; true where it
   * grew (the entry is then judged again). A loss whose rounding jumps now and then (a `log(1 − a)`
   * that cancels) can fall evenly on the twenty points of one spacing and read far below its noise at
   * every other (issue 9: naive cross-entropies read σ = 7.5e-16, 1.9e-12 and 2.8e-14 at 2⁻²⁰, 1e-10
   * to 1e-8 at 2⁻¹⁸, where correct entries failed by the slope of a rounding plateau their steps sat
   * on). Rounding noise reads about the same at both spacings: a check whose loss is honest gains at
   * most a factor of the second reading's own scatter, and only where something already fails. The
   * wider line meets more kinks, which a reading can take for noise: a line whose slope changes
   * ({@link steadySlope}) confirms nothing (a float32 ReLU net's read 3.4e-5 against 1.2e-7, and let
   * its dropped L2 term pass). A staircase whose first spacing read it exact and whose second
   * read it thousands of times larger ({@link STAIRCASE_RISE}) is read at two wider spacings as well,
   * the largest steady reading kept: equally spaced points alias its jumps, the points of a spacing
   * falling on a ramp of it between two jumps, so that one reading can stay below its deviation
   * (real-code GC_SEED=33, 174483682: a float64 naive cross-entropy read σ = 3.3e-15 at 2⁻²⁰, then
   * 1.8e-10, 3.2e-10 and 6.2e-10 at 4, 16 and 64 times that, its deviation along one entry 6.0e-10;
   * against 4 × 1.8e-10, a correct entry failed at 2⁻¹² by a slope 4.1e-6 off). Not for every loss:
   * float32 lines at wider spacings read kinks as steady noise, and let planted bugs pass (4 property
   * and 1 real-code over seeds 30–44, where every confirmation went on to the wider spacings). Nor
   * in float32 at all: a float32 loss reads at least its own rounding at the first spacing, and the
   * second line's kinks can pass for steady noise there too (property GC_SEED=44, 451722728: a 2-2-1
   * cross-entropy net read σ = 8.9e-8, then 6.1e-7, and a sign-flipped b1 passed within it); without
   * it, seeds 0–44 caught that bug and 10 more bias bugs of float32 nets whose biases are 0, and
   * turned nothing wrong.
   */
  *confirm(): Steps<boolean> {
    if (this.confirmed || typeof this.sigma !== 'number' || this.precision === 'float32') return false;
    this.confirmed = true;
    const first = this.sigma;
    const spacing = CONFIRM_SPACING * FIRST_SPACING[this.precision];
    if (!(yield* this.measuredAgain(spacing, true))) return false;
    if (first <= STAIRCASE_FIRST * roundingOf(this.session.loss, false) && this.sigma >= STAIRCASE_RISE * first)
      for (let k = 1; k <= STAIRCASE_READINGS; k++) yield* this.measuredAgain(spacing * CONFIRM_SPACING ** k, true);
    return true;
  }

  /**
   * The noise measured again at `spacing` (`steady`: only on a line whose slope stays, see
   * {@link measureNoise}), and σ raised to it where it reads larger; true where it did.
   */
  private *measuredAgain(spacing: number, steady: boolean): Steps<boolean> {
    const sigma = yield* measureNoise(this.session, this.steps, spacing, steady);
    if (sigma === undefined || sigma <= this.sigma!) return false;
    this.sigma = sigma;
    return true;
  }

  /** True once {@link LossNoise.confirm} ran (at most once a check). */
  private confirmed = false;

  /** σ as measured, where it was (undefined before, or where no measurement showed it). */
  get deviation(): number | undefined {
    return typeof this.sigma === 'number' ? this.sigma : undefined;
  }

  /**
   * A deviation that stands for the check's while one entry is judged again against the noise of
   * its own line (own-line.ts); `undefined`: the check's.
   */
  entryDeviation: number | undefined;

  /**
   * A central estimate settled at its first step as the comparison gets it: with the floor of the
   * allowance its tensor's verdict counts (not the single rounding it was settled with), and `flat`
   * where neither loss moved from the loss at θ.
   */
  reported(central: EntryEstimate, lossPlus: number, lossMinus: number): EntryEstimate {
    const floor = (2 * this.allowance(lossPlus, lossMinus)) / (2 * central.step);
    const flat = lossPlus === this.session.loss && lossMinus === this.session.loss;
    return withFields(central, flat ? { floor, flat } : { floor });
  }

  /**
   * How far one loss of magnitude about that of `lossPlus` and `lossMinus` may be off by rounding
   * (4 × {@link LossNoise.entryDeviation} where that is set: one entry's noise alone).
   */
  allowance(lossPlus: number, lossMinus: number, settling = false): number {
    if (this.entryDeviation !== undefined) return NOISE_SIGMAS * this.entryDeviation;
    const magnitude = Math.max(Math.abs(lossPlus), Math.abs(lossMinus));
    if (settling && this.sigma === undefined) return MACHINE_EPSILON[this.precision] * magnitude;
    const allowed = typeof this.sigma === 'number' ? NOISE_SIGMAS * this.sigma : lossNoise(magnitude, this.precision);
    return Math.max(allowed, this.shown);
  }
}
