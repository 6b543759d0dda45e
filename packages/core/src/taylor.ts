/**
 * The Taylor test: a second opinion on a gradient that does not depend on a finite-difference
 * step. Along a seeded random direction d, the remainder r(t) = |L(θ + t·d) − L(θ) − t·⟨g, d⟩|
 * is O(t²) when g is the gradient and O(t) when it is not, so the slope of log r against log t at
 * small t is 2 for a correct gradient and 1 for a wrong one.
 */
import { lossNoise } from './difference.js';
import { GradcheckError } from './errors.js';
import type { Request } from './evaluation.js';
import type { ParameterSet } from './parameters.js';
import { seededRandom } from './random.js';
import type { TaylorResult } from './result.js';

/** What the Taylor test needs of a check session. */
export interface TaylorSubject {
  readonly parameters: ParameterSet;
  /** The original parameter values, flat. */
  readonly snapshot: Float64Array;
  /** The analytic gradient, flat. */
  readonly analytic: Float64Array;
  /** The loss at the original parameters. */
  readonly loss: number;
  /** Evaluates the loss at the current parameters. */
  lossAt(where: () => string): Generator<Request, number, unknown>;
}

/** Number of step sizes t tried, each a quarter of the one before, from {@link FIRST_STEP}: one loss evaluation each. */
export const TAYLOR_EVALUATIONS = 10;
const FIRST_STEP = 0.25;
const SHRINK = 4;
/** A remainder counts only when it is this many times the loss's rounding noise. */
const ABOVE_NOISE = 100;
/** How many of the smallest usable steps the slope is fitted on. */
const FITTED = 3;

/**
 * Runs the Taylor test along a Rademacher direction d (each entry ±max(1, |θ|), drawn from
 * `seed`), restoring the parameters after every evaluation. The displacement actually stored
 * (after float32 rounding) is what enters ⟨g, Δ⟩, and its norm is the abscissa of the slope.
 */
export function* taylorTest(subject: TaylorSubject, seed: number): Generator<Request, TaylorResult, unknown> {
  const { parameters, snapshot, analytic } = subject;
  const random = seededRandom(seed);
  const direction = Float64Array.from(snapshot, (theta) => random.sign() * Math.max(1, Math.abs(theta)));
  const noise = lossNoise(Math.abs(subject.loss), parameters.precision);
  const points: [number, number][] = [];
  const usable: [number, number][] = [];
  let evaluations = 0;
  let t = FIRST_STEP;
  for (let k = 0; k < TAYLOR_EVALUATIONS; k++, t /= SHRINK) {
    let linear = 0,
      moved2 = 0,
      loss: number;
    try {
      for (const { view, offset } of parameters.tensors) {
        for (let i = 0; i < view.size; i++) {
          const theta = snapshot[offset + i]!;
          view.set(i, theta + t * direction[offset + i]!);
          const moved = view.get(i) - theta;
          linear += analytic[offset + i]! * moved;
          moved2 += moved * moved;
        }
      }
      evaluations++;
      const at = t;
      loss = yield* subject.lossAt(() => `in the Taylor test at t = ${at}`);
    } catch (error) {
      // A loss that overflows or throws far from θ only costs this point.
      if (error instanceof GradcheckError && (error.code === 'NON_FINITE_LOSS' || error.code === 'MODEL_THREW'))
        continue;
      throw error;
    } finally {
      parameters.restore(snapshot);
    }
    const size = Math.sqrt(moved2);
    if (size === 0) continue;
    const remainder = Math.abs(loss - subject.loss - linear);
    points.push([size, remainder]);
    if (remainder > ABOVE_NOISE * noise) usable.push([size, remainder]);
  }
  const fitted = usable.slice(-FITTED);
  if (fitted.length < 2) return { verdict: 'inconclusive', slope: NaN, points, evaluations };
  const xs = fitted.map(([s]) => Math.log(s)),
    ys = fitted.map(([, r]) => Math.log(r));
  const mx = xs.reduce((a, b) => a + b) / xs.length,
    my = ys.reduce((a, b) => a + b) / ys.length;
  let sxy = 0,
    sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const slope = sxy / sxx;
  const verdict = slope >= 1.5 && slope <= 3 ? 'correct' : slope >= 0.5 && slope < 1.5 ? 'wrong' : 'inconclusive';
  return { verdict, slope, points, evaluations };
}

/** One sentence on a Taylor test's outcome, for the report. */
export function describeTaylor(taylor: TaylorResult, seed: number): string {
  const slope = Number.isFinite(taylor.slope)
    ? `the remainder shrinks like t^${taylor.slope.toFixed(2)}`
    : 'the remainder stayed at rounding noise';
  const meaning =
    taylor.verdict === 'wrong'
      ? 'the gradient is wrong along it (a correct one gives t^2)'
      : taylor.verdict === 'correct'
        ? 'as for a correct gradient along it (a wrong one gives t^1); a bug may be orthogonal to it, or the mismatch finite-difference error'
        : 'inconclusive (a kink along the direction, rounding noise, or a loss linear in θ)';
  return `Taylor test along a random direction (seed ${seed}): ${slope}: ${meaning}.`;
}
