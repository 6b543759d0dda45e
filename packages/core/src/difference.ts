import type { Precision, TensorView } from './tensors.js';

/** Machine epsilon of each storage precision: the spacing of numbers just above 1. */
export const MACHINE_EPSILON: Readonly<Record<Precision, number>> = { float64: 2 ** -52, float32: 2 ** -23 };

/**
 * The smallest normal number of each precision. Below it numbers are subnormal and keep fewer
 * significant bits the smaller they are, down to one: a derivative there carries no relative
 * precision, and a difference below it is no evidence of a wrong gradient (a saturated network whose
 * loss underflows to 7.5e-321 has a numeric gradient of −8.9e-321 where its backward, a − y with a = 1,
 * gives exactly 0).
 */
export const SMALLEST_NORMAL: Readonly<Record<Precision, number>> = { float64: 2 ** -1022, float32: 2 ** -126 };

/**
 * A finite-difference scheme. `central`: (L(θ+h) − L(θ−h)) / 2h, error ∝ h². `richardson`:
 * central differences at h and h/2 extrapolated to h → 0, error ∝ h⁴, with a per-entry estimate
 * of the error that remains (two more loss evaluations per entry).
 */
export type Scheme = 'central' | 'richardson';

/**
 * The exponent p of the default step ε^p·max(1, |θ|): the step that balances truncation error
 * (∝ h² for central, h⁴ for Richardson) against rounding error (∝ ε/h).
 */
const STEP_EXPONENT: Readonly<Record<Scheme, number>> = { central: 1 / 3, richardson: 1 / 5 };

/** ε^p per precision and scheme, computed once: a power per entry was a tenth of a cheap model's check. */
const STEP_FACTOR: Readonly<Record<Precision, Readonly<Record<Scheme, number>>>> = {
  float64: {
    central: MACHINE_EPSILON.float64 ** STEP_EXPONENT.central,
    richardson: MACHINE_EPSILON.float64 ** STEP_EXPONENT.richardson,
  },
  float32: {
    central: MACHINE_EPSILON.float32 ** STEP_EXPONENT.central,
    richardson: MACHINE_EPSILON.float32 ** STEP_EXPONENT.richardson,
  },
};

/**
 * The default step for an entry of value `theta`: ε^(1/3)·max(1, |θ|) for central differences
 * (ε^(1/5)·max(1, |θ|) for Richardson), rounded down to a power of two so that it is exact in
 * binary and θ ± h, θ ± h/2 lose no bits where θ's exponent allows.
 */
export function defaultStep(theta: number, precision: Precision, scheme: Scheme = 'central'): number {
  // |θ| ≤ 1 (most weights): the step of |θ| = 1, computed once below by this same rule.
  if (Math.abs(theta) <= 1) return UNIT_STEP[precision][scheme];
  return powerOfTwoAtMost(STEP_FACTOR[precision][scheme] * Math.abs(theta));
}

/**
 * 2 ** k at index k + {@link POWER_OFFSET}, each computed when first asked for (0 until then): a
 * power per call was the noise probe's largest single cost (a pure cache, the same in every check).
 */
const POWERS_OF_TWO = new Float64Array(2200);
const POWER_OFFSET = 1100;

/** The largest power of 2 at most `x` (x > 0): `2 ** Math.floor(Math.log2(x))`, each power computed once. */
export function powerOfTwoAtMost(x: number): number {
  const k = Math.floor(Math.log2(x));
  const at = k + POWER_OFFSET;
  // (Beyond the table, k is ±Infinity or NaN, or 2 ** k is 0: the expression itself.)
  if (!(at >= 0 && at < POWERS_OF_TWO.length)) return 2 ** k;
  return POWERS_OF_TWO[at] || (POWERS_OF_TWO[at] = 2 ** k);
}

/** {@link defaultStep} at |θ| ≤ 1 (where max(1, |θ|) is 1), per precision and scheme. */
const UNIT_STEP: Readonly<Record<Precision, Readonly<Record<Scheme, number>>>> = {
  float64: {
    central: powerOfTwoAtMost(STEP_FACTOR.float64.central),
    richardson: powerOfTwoAtMost(STEP_FACTOR.float64.richardson),
  },
  float32: {
    central: powerOfTwoAtMost(STEP_FACTOR.float32.central),
    richardson: powerOfTwoAtMost(STEP_FACTOR.float32.richardson),
  },
};

/**
 * The step rule, in one place: the option's fixed step where one is given, else
 * {@link defaultStep} for the entry's value, its tensor's precision and the scheme.
 */
export function entryStep(
  theta: number,
  precision: Precision,
  options: { readonly step: number | undefined; readonly scheme: Scheme },
): number {
  return options.step ?? defaultStep(theta, precision, options.scheme);
}

/**
 * The relative accuracy a correct gradient can be checked to with a scheme at a precision:
 * about ε^(2/3) for central differences (2.4e-5 for float32, 3.7e-11 for float64) and ε^(4/5)
 * for Richardson. A tolerance below it cannot be met reliably.
 */
export function attainableTolerance(precision: Precision, scheme: Scheme): number {
  const eps = MACHINE_EPSILON[precision];
  return eps ** (scheme === 'central' ? 2 / 3 : 4 / 5);
}

/** A numeric estimate of one entry's derivative. */
export interface EntryEstimate {
  /** The finite-difference derivative. */
  readonly numeric: number;
  /** The error that rounding alone may put into `numeric`. */
  readonly floor: number;
  /** Half the step actually taken, (θ₊ − θ₋)/2. */
  readonly step: number;
  /**
   * The estimated finite-difference error of `numeric` (truncation and rounding, from the
   * estimates at h and h/2, with a safety factor), never below `floor`; 0 when the entry was
   * only evaluated at h (a central estimate that agreed at once).
   */
  readonly errorEstimate: number;
  /**
   * Present when the loss is not differentiable within the step at this entry: the one-sided
   * derivatives from the left and from the right disagree (a ReLU, max or abs kink).
   */
  readonly kink?: {
    readonly left: number;
    readonly right: number;
    /** True where the loss's one-sided slopes showed it; false where only the analytic gradient jumped. */
    readonly shown?: boolean;
    /**
     * Where the loss bends one way on one side of θ and the other way on the other (each beyond its
     * noise): two kinks within half the step, and the bound that the slope of the piece between them,
     * through θ, must pass (`above`: at least `bound`; else at most). See `kinkReaches`.
     */
    readonly between?: { readonly above: boolean; readonly bound: number };
  };
  /** True when the loss stayed bitwise the same at every point evaluated for this entry. */
  readonly flat?: boolean;
  /** The factor by which the step grew from the default because the loss's noise dominated. */
  readonly widened?: number;
  /** The rounding noise of one loss evaluation as read where the entry was refined (loss units). */
  readonly noise?: number;
  /** Internal: the error at this step is the loss's noise and above the tolerance; a wider step would judge better. */
  readonly noisy?: boolean;
}

/**
 * The error an estimate is judged within: the larger of its rounding floor and its estimated error
 * (an entry evaluated only at h has an error estimate of 0).
 */
export function allowedError(estimate: EntryEstimate): number {
  return Math.max(estimate.floor, estimate.errorEstimate);
}

/**
 * `estimate` with the fields of `extra` added or replaced: the object `{ ...estimate, ...extra }`
 * (the same fields in the same order), built by `Object.assign`. An object spread runs on a slow
 * path in Node 20's V8 (about 1.5 µs a copy against about 0.2 µs), and a refined entry made several.
 */
export function withFields(estimate: EntryEstimate, extra: Partial<EntryEstimate>): EntryEstimate {
  return Object.assign({}, estimate, extra);
}

/** Where an entry was actually evaluated: θ + h and θ − h as the tensor stored them. */
export interface StepTaken {
  /** The stored value of θ + h (after the tensor's own rounding). */
  readonly plus: number;
  /** The stored value of θ − h. */
  readonly minus: number;
}

/**
 * Writes `value` into entry `index` and returns what the tensor actually stored (a Float32Array
 * rounds it), so that the difference quotient divides by the step really taken.
 */
export function perturb(view: TensorView, index: number, value: number): number {
  view.set(index, value);
  return view.get(index);
}

/** The central difference quotient (L₊ − L₋) / (θ₊ − θ₋). */
export function centralQuotient(lossPlus: number, lossMinus: number, taken: StepTaken): number {
  return (lossPlus - lossMinus) / (taken.plus - taken.minus);
}

/**
 * How many rounding errors of size ε·|L| a loss evaluation may carry before its noise counts as
 * a disagreement. Losses are sums over examples and units, each term rounded; 8 leaves room for
 * that without hiding errors of a real bug, which are orders larger (an entry that disagrees is
 * measured again, and its noise read off the losses themselves: entry-rules.ts).
 */
export const ROUNDING_ALLOWANCE = 8;

/** The rounding error one loss evaluation of magnitude `lossMagnitude` may carry. */
export function lossNoise(lossMagnitude: number, precision: Precision): number {
  return ROUNDING_ALLOWANCE * MACHINE_EPSILON[precision] * lossMagnitude;
}

/**
 * The derivative at offset 0 of the parabola through (0, L0), (t1, L1), (t2, L2): a one-sided
 * second-order difference when t1 and t2 have the same sign. Its truncation error is
 * −t1·t2·L‴/6, the same on both sides for mirrored offsets, so that the two one-sided
 * derivatives of a smooth loss agree to O(h³) and disagree by O(1) across a kink.
 */
export function oneSidedDerivative(L0: number, t1: number, L1: number, t2: number, L2: number): number {
  return ((L1 - L0) * t2 * t2 - (L2 - L0) * t1 * t1) / (t1 * t2 * (t2 - t1));
}

/** The noise in {@link oneSidedDerivative} when each loss value carries an error up to `noise`. */
export function oneSidedNoise(t1: number, t2: number, noise: number): number {
  return (noise * (t2 * t2 + t1 * t1 + Math.abs(t2 * t2 - t1 * t1))) / Math.abs(t1 * t2 * (t2 - t1));
}

/**
 * The noise in the difference of the two one-sided derivatives at `theta` ({@link oneSidedDerivative}
 * from θ and the points `inner` and `outer` taken on each side) when each loss carries up to `noise`.
 */
export function sidesNoise(theta: number, inner: StepTaken, outer: StepTaken, noise: number): number {
  return (
    oneSidedNoise(inner.plus - theta, outer.plus - theta, noise) +
    oneSidedNoise(inner.minus - theta, outer.minus - theta, noise)
  );
}

/**
 * Richardson extrapolation of two central differences, `coarse` at half-step `hCoarse` and
 * `fine` at `hFine`: the h² error term cancels. `ratio²` is (hCoarse/hFine)², 4 for an exact
 * halving.
 */
export function richardson(coarse: number, hCoarse: number, fine: number, hFine: number): number {
  const r2 = (hCoarse / hFine) ** 2;
  return fine + (fine - coarse) / (r2 - 1);
}

/**
 * A safety factor on error estimates from two step sizes: the estimate is the size of the
 * leading error term, which higher-order terms and rounding can make up to about twice as large.
 */
export const ESTIMATE_SAFETY = 2;
