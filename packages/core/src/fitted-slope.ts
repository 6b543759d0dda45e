/**
 * An entry that agreed, but by a mismatch near its allowance, judged again by a slope fitted to the
 * loss over a wide line (estimate.ts). Where a kink or the loss's curvature stops the widening for
 * noise (noise-widening.ts), a float32 entry is judged at a step whose rounding allows 3–6 × the
 * finite-difference error, and a bug that size agrees within it. Sixteen losses at θ ± k·H/8
 * (k = 1…8), fitted by least squares with the loss's odd Taylor terms up to the fifth order, give the
 * slope at θ to a deviation of 1.8 σ/H (σ one loss's noise) with the curvature that would bias a
 * quotient at H taken out; their residuals, and those of the even part, show where that model does
 * not hold (a kink within θ ± H, or terms beyond the sixth order): the fit then tries H/2; where no
 * line's symmetric fit decides, the nine losses of each side of θ are fitted alone (the side away
 * from a kink may be smooth); it says nothing where no fit holds. A fit that disagrees decides only
 * where the analytic gradient beside θ rises as the fitted slope does ({@link risesAsFitted}): a correct gradient shows a kink that the
 * fit smooths over as a jump. The analytic gradient only chooses which entries are looked at again
 * and which line may judge them; the losses judge them. Real-code float32 nets with weights of 1e-3
 * and every bias 0, GC_SEED=105, 568783611: a b2[0] 7.7e-6 off (8.7 × its finite-difference error)
 * agreed at 2⁻⁴ within 7.9e-6, its widening stopped at 2⁻², where the sigmoid's fourth-order term
 * parts its loss's one-sided slopes; the fit over θ ± 1 reads the slope 1.1e-7 from the float64
 * gradient, within 2.4e-6, and the entry fails.
 */
import { allowedError, entryStep, SMALLEST_NORMAL, type EntryEstimate } from './difference.js';
import type { EntrySteps } from './entry-steps.js';
import { NOISE_SIGMAS } from './entry-rules.js';
import type { LossNoise } from './noise.js';
import { entryExcess } from './pass-rule.js';
import { gradientsAt, lossesAt, unlessFar } from './perturbed.js';
import type { ParameterTensor } from './parameters.js';
import type { CheckSession, Steps } from './session.js';

/** The pairs of losses a fit reads, at θ ± k·H/PAIRS. */
export const PAIRS = 8;

/** An agreement whose excess (mismatch over allowance) exceeds this share is judged again by a fit. */
export const FIT_TRIGGER = 0.25;

/**
 * How many times the noise's deviation a fit's residuals may reach (root mean square) and still be
 * read as noise: beyond it, the loss's Taylor terms up to the fifth order do not describe it over θ ± H.
 */
export const RESIDUAL_LIMIT = 3;

/** How many deviations of the fitted slope a correct entry may be off, beside the fit's model error. */
export const FIT_SIGMAS = 6;

/** How many deviations a term in |u| of the even part may reach and still be read as noise (beyond it: a kink near θ). */
export const KINK_SIGMAS = 4;

/** How many lines the fit tries, each half the one before (θ ± H … θ ± H/16). */
export const FIT_LINES = 5;

/** A least-squares fit: the coefficients, the first one's variance per unit variance of the data, and the residuals' sum of squares. */
export interface Fit {
  readonly coefficients: readonly number[];
  readonly variance: number;
  readonly residuals: number;
}

/**
 * The least-squares fit of `values` at points `u` (each in [0, 1]: the line's offsets over its
 * half-width) by the powers `powers` of u, through its normal equations (at most six terms, on a
 * unit interval: well conditioned enough in float64).
 */
export function powerFit(u: readonly number[], values: readonly number[], powers: readonly number[]): Fit {
  const rows = u.map((x) => powers.map((p) => x ** p));
  const n = powers.length;
  const normal = powers.map((_, i) => powers.map((_, j) => rows.reduce((s, r) => s + r[i]! * r[j]!, 0)));
  const right = powers.map((_, i) => rows.reduce((s, r, k) => s + r[i]! * values[k]!, 0));
  const coefficients = solved(normal, right);
  const variance = solved(
    normal,
    powers.map((_, i) => (i === 0 ? 1 : 0)),
  )[0]!;
  const residuals = rows.reduce(
    (s, r, k) => s + (values[k]! - r.reduce((v, x, j) => v + x * coefficients[j]!, 0)) ** 2,
    0,
  );
  return { coefficients, variance, residuals: n < u.length ? residuals : 0 };
}

/** The solution of the linear system `a`·x = `b` (Gaussian elimination with partial pivoting). */
function solved(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const m = a.map((row, i) => [...row, b[i]!]);
  const n = b.length;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/** What a fit over θ ± H, or over one side of θ, says of an entry's slope (see {@link fittedSlope}, {@link sideSlope}). */
export interface LineFit {
  /** The half-width H of the line it was fitted over. */
  readonly h: number;
  /** The slope at θ. */
  readonly slope: number;
  /** The most a correct slope may be off it. */
  readonly allowed: number;
  /** Where the analytic gradient is read beside θ, at θ + v·H: within the losses the fit describes. */
  readonly beside: readonly number[];
  /** How much the slope rises from θ to θ + v·H (v in `beside`). */
  readonly rise: (v: number) => number;
}

/** Where the analytic gradient is read on one side of θ, in shares of the fit's line: θ + H/4 and θ + H/2. */
const RISES_AT = [0.25, 0.5];

/** Where the analytic gradient is read beside θ, in shares of the fit's line: θ ± H/4 and θ ± H/2. */
export const BESIDE: readonly number[] = RISES_AT.flatMap((v) => [v, -v]);

/**
 * The rise of the slope of the loss fitted by `odd` (powers 1, 3, 5) and `even` (powers 0, 2, 4, 6)
 * from θ to θ + v·`h`.
 */
function riseOf(odd: Fit, even: Fit, v: number, h: number): number {
  const u = Math.abs(v);
  const oddRise = 3 * u ** 2 * odd.coefficients[1]! + 5 * u ** 4 * odd.coefficients[2]!;
  const evenRise =
    2 * u * even.coefficients[1]! + 4 * u ** 3 * even.coefficients[2]! + 6 * u ** 5 * even.coefficients[3]!;
  return (oddRise + Math.sign(v) * evenRise) / h;
}

/**
 * What the losses `plus[k]`, `minus[k]` at θ ± t_k (`u[k]` = t_k/H) and `centre` at θ say of the
 * slope, with `sigma` the deviation of one loss's noise: the slope of the odd part's fit by u, u³, u⁵
 * (over H), the most a correct slope may be off it ({@link FIT_SIGMAS} deviations, at least as large
 * as the residuals show, and the distance to the fit with u⁷ too), or `undefined` where the residuals
 * of the odd part's fit or of the even part's (by 1, u², u⁴, u⁶) exceed {@link RESIDUAL_LIMIT}
 * deviations: a kink within the line, or a loss the fifth order does not describe there.
 */
export function fittedSlope(
  u: readonly number[],
  plus: readonly number[],
  minus: readonly number[],
  centre: number,
  sigma: number,
  h: number,
): LineFit | undefined {
  const odd = u.map((_, k) => (plus[k]! - minus[k]!) / 2);
  const even = u.map((_, k) => (plus[k]! + minus[k]!) / 2 - centre);
  const fit = powerFit(u, odd, [1, 3, 5]);
  const wider = powerFit(u, odd, [1, 3, 5, 7]);
  const bent = powerFit(u, even, [0, 2, 4, 6]);
  const pairNoise = (sigma * sigma) / 2;
  const spread = (f: Fit, terms: number): number => f.residuals / (u.length - terms);
  const limit = RESIDUAL_LIMIT * RESIDUAL_LIMIT * pairNoise;
  if (!(spread(fit, 3) <= limit && spread(bent, 4) <= limit)) return undefined;
  // A kink near θ, nearer than the first pair, bends the even part like |u|, which its terms fit too.
  const kinked = powerFit(u, even, [1, 0, 2, 4, 6]);
  if (Math.abs(kinked.coefficients[0]!) > KINK_SIGMAS * Math.sqrt(pairNoise * kinked.variance)) return undefined;
  const unit = Math.max(pairNoise, spread(fit, 3), spread(bent, 4));
  const slope = fit.coefficients[0]! / h;
  const allowed = (FIT_SIGMAS * Math.sqrt(unit * fit.variance)) / h + Math.abs(wider.coefficients[0]! / h - slope);
  return { h, slope, allowed, beside: BESIDE, rise: (v) => riseOf(fit, bent, v, h) };
}

/**
 * What the losses `values[k]` at θ + `side`·t_k (`u[k]` = t_k/H) and `centre` at θ say of the slope
 * at θ, fitted on that side alone by 1, u, u², u³, u⁴, with `sigma` the deviation of one loss's noise:
 * as {@link fittedSlope} (the distance to the fit with u⁵ added to the allowance), or `undefined` where
 * the residuals exceed {@link RESIDUAL_LIMIT} deviations. Where a kink lies within the symmetric line,
 * the side away from it may still be smooth: a float32 ReLU net's bias whose unit dies 5e-5 below θ
 * (property GC_SEED=67, 1165608586, b2[1] of slope 0.0234 over θ … θ + 0.1), narrowed around that
 * kink to 2⁻¹⁶, agreed there within 0.033 with a gradient 0.014 off; the side above θ fails it.
 */
export function sideSlope(
  u: readonly number[],
  values: readonly number[],
  centre: number,
  sigma: number,
  h: number,
  side: 1 | -1,
): LineFit | undefined {
  const at = [0, ...u];
  const losses = [centre, ...values];
  const fit = powerFit(at, losses, [1, 0, 2, 3, 4]);
  const wider = powerFit(at, losses, [1, 0, 2, 3, 4, 5]);
  const spread = fit.residuals / (at.length - 5);
  if (!(spread <= RESIDUAL_LIMIT * RESIDUAL_LIMIT * sigma * sigma)) return undefined;
  const unit = Math.max(sigma * sigma, spread);
  const [c1, , c2, c3, c4] = fit.coefficients as [number, number, number, number, number];
  const allowed = (FIT_SIGMAS * Math.sqrt(unit * fit.variance) + Math.abs(wider.coefficients[0]! - c1)) / h;
  return {
    h,
    slope: (side * c1) / h,
    allowed,
    beside: RISES_AT.map((v) => side * v),
    rise: (v) => (side * (2 * c2 * Math.abs(v) + 3 * c3 * v * v + 4 * c4 * Math.abs(v) ** 3)) / h,
  };
}

/**
 * Whether the analytic gradient `samples` at θ ± H/4 and θ ± H/2 ({@link BESIDE}; for a side's fit,
 * those on its side) rise from `analytic` (at θ) as the fitted loss's slope does, each within half the
 * `mismatch` at θ the fit is to decide: whether the mismatch persists along the line, as a gradient
 * whose formula is off does. A kink at θ or within the line, which a correct analytic gradient shows
 * as a jump and the fit's terms smooth over, leaves a mismatch at θ alone (property GC_SEED=0,
 * 827316258: a correct float32 W1[0,1] 3.1e-5 off the slope fitted over θ ± 0.086, and 3.9e-5 and
 * 2.5e-5 off in its rises to θ ± 0.043). The points at H/4 see what the fit's even terms follow at
 * H/2: property GC_SEED=72, 1746397972, a correct float32 W1[1,1] (gradient −6.7e-4 at θ, 0 below)
 * fitted 1.4e-4 off over θ ± 0.021, whose rises to θ ± H/2 were off the fit's by 6.5e-5 at most.
 */
export function risesAsFitted(
  fitted: LineFit,
  samples: readonly number[],
  analytic: number,
  mismatch: number,
): boolean {
  return fitted.beside.every((v, k) => {
    return Math.abs(samples[k]! - analytic - fitted.rise(v)) <= mismatch / 2;
  });
}

/** The second look of one check's entries that agreed by little (see the module's comment). */
export class FittedSlope {
  constructor(
    private readonly session: CheckSession,
    private readonly steps: EntrySteps,
    private readonly noise: LossNoise,
  ) {}

  /**
   * Entry `index` of tensor number `tensorIndex`, which agreed with `estimate`: where its excess is
   * above {@link FIT_TRIGGER} and a slope fitted over θ ± H ({@link fittedSlope}, else over either side
   * of θ, {@link sideSlope}; H the entry's scale, at least four times its step, then half of it,
   * {@link FIT_LINES} lines, none narrower than twice the step) disagrees with `analytic` where the
   * analytic gradient rises as the fit ({@link risesAsFitted}), the fitted reading (which fails,
   * reported as widened for the loss's noise); else `estimate`. The first fit that holds decides, where
   * it agrees (the lines' symmetric fits first, then the sides' of lines where those did not hold); one
   * whose gradient does not rise as its fit gives way to the next. Nothing where the tensor is not
   * float32 (a float64 net's correct W1 entry, near kinks whose jumps its noise does not show, was
   * fitted 1.8e-4 of its gradient off, beyond an allowance of 1.7e-10), the step is the user's, the
   * analytic derivative is exactly 0 (a dead unit's, whose loss comes alive within the line: what the
   * fit reads there is the slope of the side it lives on), the entry was read at a kink, or the loss
   * stood still.
   */
  *judged(tensorIndex: number, index: number, analytic: number, estimate: EntryEstimate): Steps<EntryEstimate> {
    const { parameters, options } = this.session;
    const tensor = parameters.tensors[tensorIndex]!;
    if (tensor.view.precision !== 'float32' || options.step !== undefined) return estimate;
    if (analytic === 0 || estimate.kink || estimate.flat) return estimate;
    if (!(entryExcess(analytic, estimate.numeric, allowedError(estimate), options.tolerance) > FIT_TRIGGER))
      return estimate;
    // At least four steps wide: a bias of scale 1.6e-3 judged at 2⁻⁸ had no line (property GC_SEED=23, 1974728328).
    let h = Math.max(this.steps.scale(tensorIndex, index), 4 * estimate.step);
    const sides: LineFit[] = [];
    for (let line = 0; line < FIT_LINES && h >= 2 * estimate.step; line++, h /= 2) {
      const fits = yield* unlessFar(this.fitsAt(tensor, index, h));
      if (fits?.both) {
        const verdict = yield* this.decided(tensor, index, analytic, estimate, fits.both);
        if (verdict) return verdict;
      } else if (fits) sides.push(...fits.sides);
    }
    // The sides' fits after every line's symmetric one: a side that agrees does not keep a narrower line from deciding.
    for (const fitted of sides) {
      const verdict = yield* this.decided(tensor, index, analytic, estimate, fitted);
      if (verdict) return verdict;
    }
    return estimate;
  }

  /**
   * What `fitted` decides of an entry that agreed with `estimate`: `estimate` where it agrees too, its
   * failing reading where it disagrees and the analytic gradient rises beside θ as the fit does
   * ({@link risesAsFitted}), else nothing (the next fit decides).
   */
  private *decided(
    tensor: ParameterTensor,
    index: number,
    analytic: number,
    estimate: EntryEstimate,
    fitted: LineFit,
  ): Steps<EntryEstimate | undefined> {
    const { options, snapshot } = this.session;
    const floor = Math.max(fitted.allowed, SMALLEST_NORMAL[tensor.view.precision]);
    if (!(entryExcess(analytic, fitted.slope, floor, options.tolerance) > 1)) return estimate;
    const theta = snapshot[tensor.offset + index]!;
    const at = fitted.beside.map((v) => theta + v * fitted.h);
    const samples = yield* unlessFar(gradientsAt(this.session, tensor, index, at));
    if (!samples || !risesAsFitted(fitted, samples, analytic, Math.abs(analytic - fitted.slope))) return undefined;
    // (Reported as widened for the loss's noise: judged over a line wider than its default step.)
    const widened = fitted.h / entryStep(theta, tensor.view.precision, options);
    return { numeric: fitted.slope, floor, step: fitted.h, errorEstimate: floor, widened };
  }

  /**
   * The fitted slope of entry `index` over θ ± `h` ({@link fittedSlope}) where that fit holds; else
   * those of each side of θ ({@link sideSlope}) that hold, from the same sixteen losses.
   */
  private *fitsAt(tensor: ParameterTensor, index: number, h: number): Steps<{ both?: LineFit; sides: LineFit[] }> {
    const theta = this.session.snapshot[tensor.offset + index]!;
    const u: number[] = [],
      above: number[] = [],
      below: number[] = [],
      plus: number[] = [],
      minus: number[] = [];
    for (let k = 1; k <= PAIRS; k++) {
      const [taken, lossPlus, lossMinus] = yield* lossesAt(this.session, tensor, index, h, k / PAIRS);
      u.push((taken.plus - taken.minus) / 2 / h);
      above.push((taken.plus - theta) / h);
      below.push((theta - taken.minus) / h);
      plus.push(lossPlus);
      minus.push(lossMinus);
    }
    const largest = Math.max(...plus.map(Math.abs), ...minus.map(Math.abs));
    const sigma = this.noise.allowance(largest, largest) / NOISE_SIGMAS;
    const centre = this.session.loss;
    const both = fittedSlope(u, plus, minus, centre, sigma, h);
    if (both) return { both, sides: [] };
    const sides = [sideSlope(above, plus, centre, sigma, h, 1), sideSlope(below, minus, centre, sigma, h, -1)];
    return { sides: sides.filter((fit): fit is LineFit => fit !== undefined) };
  }
}
