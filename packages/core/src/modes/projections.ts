/**
 * The directional check: each parameter tensor is moved along its own seeded symmetric random
 * direction z and the central-difference derivative along it is compared with the analytic
 * ⟨g, z⟩. Two loss evaluations per tensor and direction decide whether the tensor's gradient is
 * right; a tensor of 5 entries beside one of 100 000 gets its own direction, so its error is never
 * swamped.
 *
 * Units. Entry i of a tensor moves by h_i·z_i/‖z‖ (h_i the entry's finite-difference step), so the
 * whole move has the length of one entry's step. A projection is reported in "z-units": multiplied
 * back by ‖z‖, the analytic side is ⟨g, h∘z⟩ and the residual is ρ = ⟨e, h∘z⟩ for the error
 * e = g − ĝ. For entries z_i of mean 0 and variance 1, E[ρ²] = ‖e∘h‖², so |ρ| estimates the norm of
 * the step-weighted error exactly as the full check measures it, and
 * |ρ| / (‖g∘h‖·rms(z) + |⟨ĝ, h∘z⟩|) estimates the classic difference ‖e‖ / (‖g‖ + ‖ĝ‖): that is the
 * tolerance scaled for a projection. On a single entry (z-units: h_i·z_i times the entry's values)
 * it is exactly the full check's per-entry test, which lets localisation narrow a failing tensor
 * down with the same measure (directional.ts).
 */
import { entryStep, lossNoise, perturb, type Scheme } from '../difference.js';
import type { Algorithm } from '../evaluation.js';
import type { DirectionDistribution } from '../options.js';
import { classicDifference, excess, withinTolerance } from '../pass-rule.js';
import { seededRandom, type Random } from '../random.js';
import type { CheckSession, Steps } from '../session.js';

/**
 * A projection is one central difference whatever `scheme` the entries use, so its steps are
 * fitted to central differences: at Richardson's longer step its truncation error grows 40 to
 * 100 fold (measured on the reference network, 5-4-3-1 and 20-8-1: classic difference 1.1e-8
 * and 4.4e-9 instead of 1.2e-10 and 3.2e-10).
 */
const PROJECTION_SCHEME: Scheme = 'central';

/**
 * A move along a direction changes every entry of a tensor at once, so the loss difference carries
 * the rounding of the whole sum rather than of one term: its floor allows 4× an entry's (32 rounding
 * errors, the allowance the directional check and its localisation were measured with).
 */
const DIRECTIONAL_ROUNDING = 4;

/**
 * A numeric directional derivative of one tensor: the loss difference along a displacement of a
 * range of its entries, beside what the analytic gradient predicts for the displacement actually
 * stored. Both are in loss units.
 */
interface DirectionEstimate {
  /** ⟨g, Δ⟩ / 2, with Δ = (θ + u) − (θ − u) as the tensor stored it. */
  readonly analytic: number;
  /** (L(θ + u) − L(θ − u)) / 2. */
  readonly numeric: number;
  /** The error that rounding of the two losses alone may put into `numeric`. */
  readonly floor: number;
}

/**
 * Estimates the derivative of the loss along a displacement of tensor number `tensorIndex`:
 * entries `from` to `to − 1` move by ±`scale`·`weights[i]` (all at once, in place), the rest stay.
 * The analytic side uses the displacement the tensor actually stored, so rounding (float32) does
 * not count as an error. Every moved entry gets its exact original bits back on every way out.
 */
function* estimateDirection(
  session: CheckSession,
  tensorIndex: number,
  weights: Float64Array,
  from: number,
  to: number,
  scale: number,
): Steps<DirectionEstimate> {
  const { view, offset, name } = session.parameters.tensors[tensorIndex]!;
  const theta = session.snapshot,
    g = session.analytic;
  const where = (sign: string) => () =>
    `with entries ${from}…${to - 1} (flat) of ${name} moved along a random direction (${sign})`;
  let up = 0,
    down = 0,
    lossPlus: number,
    lossMinus: number;
  try {
    for (let i = from; i < to; i++) {
      const t = theta[offset + i]!;
      up += g[offset + i]! * (perturb(view, i, t + scale * weights[i]!) - t);
    }
    lossPlus = yield* session.lossAt(where('+'));
    for (let i = from; i < to; i++) {
      const t = theta[offset + i]!;
      down += g[offset + i]! * (perturb(view, i, t - scale * weights[i]!) - t);
    }
    lossMinus = yield* session.lossAt(where('−'));
  } finally {
    for (let i = from; i < to; i++) view.set(i, theta[offset + i]!);
  }
  return {
    analytic: (up - down) / 2,
    numeric: (lossPlus - lossMinus) / 2,
    floor:
      DIRECTIONAL_ROUNDING * lossNoise(Math.max(Math.abs(lossPlus), Math.abs(lossMinus)), session.parameters.precision),
  };
}

/** Draws one entry of a random direction. Symmetric around 0, variance 1. */
export type DirectionSampler = (random: Random) => number;

/** The symmetric direction distributions. */
export const DIRECTION_SAMPLERS: Readonly<Record<DirectionDistribution, DirectionSampler>> = {
  gaussian: (random) => random.gaussian(),
  rademacher: (random) => random.sign(),
};

/** A directional derivative over a range of one tensor's entries, in z-units (see the module note). */
export interface Projection {
  /** First entry of the range. */
  readonly from: number;
  /** One past the last entry. */
  readonly to: number;
  /** ρ = analytic − numeric ≈ ⟨e, h∘z⟩ over the range. */
  readonly residual: number;
  /** The numeric side ≈ ⟨ĝ, h∘z⟩. */
  readonly numeric: number;
  /** Rounding noise the residual may carry. */
  readonly noise: number;
  /** ‖g∘h‖·rms(z) over the range: what the analytic side is expected to weigh. */
  readonly weight: number;
}

/**
 * How far a projection exceeds what it is allowed, like an entry's excess: |ρ| over the larger of
 * tolerance·(weight + |numeric|) and the noise. Above 1 the range holds a wrong gradient.
 */
export function projectionExcess(p: Projection, tolerance: number): number {
  return excess(Math.abs(p.residual), p.weight + Math.abs(p.numeric), p.noise, tolerance);
}

/** One random direction of one tensor, and the projections of the tensor's gradient on it. */
export class TensorDirection {
  /** h∘z: how far each entry moves per unit of scale. */
  private readonly weights: Float64Array;

  constructor(
    private readonly session: CheckSession,
    /** The tensor's index in the parameter set. */
    readonly tensorIndex: number,
    /** The direction's entries. */
    readonly z: Float64Array,
    /** Each entry's finite-difference step. */
    private readonly steps: Float64Array,
  ) {
    this.weights = z.map((zi, i) => zi * steps[i]!);
  }

  /** ‖z‖ over a range, and ‖g∘h‖·rms(z). */
  private norms(from: number, to: number): { zNorm: number; weight: number } {
    const { analytic } = this.session;
    const offset = this.session.parameters.tensors[this.tensorIndex]!.offset;
    let z2 = 0,
      gh2 = 0;
    for (let i = from; i < to; i++) {
      const gh = analytic[offset + i]! * this.steps[i]!;
      z2 += this.z[i]! * this.z[i]!;
      gh2 += gh * gh;
    }
    const zNorm = Math.sqrt(z2);
    return { zNorm, weight: to > from ? (Math.sqrt(gh2) * zNorm) / Math.sqrt(to - from) : 0 };
  }

  /** Measures the projection over entries `from`…`to − 1` (2 loss evaluations). */
  *project(from: number, to: number): Steps<Projection> {
    const { zNorm, weight } = this.norms(from, to);
    if (zNorm === 0) return { from, to, residual: 0, numeric: 0, noise: 0, weight };
    const estimate = yield* estimateDirection(this.session, this.tensorIndex, this.weights, from, to, 1 / zNorm);
    return {
      from,
      to,
      weight,
      residual: (estimate.analytic - estimate.numeric) * zNorm,
      numeric: estimate.numeric * zNorm,
      noise: estimate.floor * zNorm,
    };
  }

  /**
   * The projection over `parent`'s range minus `part`'s (its first part), without evaluating the
   * loss: projections are linear in the displacement, so the rest is the difference.
   */
  rest(parent: Projection, part: Projection): Projection {
    return {
      from: part.to,
      to: parent.to,
      weight: this.norms(part.to, parent.to).weight,
      residual: parent.residual - part.residual,
      numeric: parent.numeric - part.numeric,
      noise: Math.hypot(parent.noise, part.noise),
    };
  }
}

/** One tensor's directional verdict. */
export interface TensorProjections {
  /** The tensor's directions, in draw order. */
  readonly directions: TensorDirection[];
  /** Each direction's projection over the whole tensor. */
  readonly projections: Projection[];
  /** Mean square of the residuals, of the numeric sides, of the noise; and of the weights. */
  readonly residual2: number;
  readonly numeric2: number;
  readonly noise2: number;
  readonly weight2: number;
  /** The root mean square of the tensor's steps (to turn z-units into gradient units). */
  readonly stepRms: number;
  /** The smallest and largest step h_i (the length of the move along a unit direction). */
  readonly stepRange: readonly [number, number];
  /** Estimated classic difference. */
  readonly difference: number;
  /** Within tolerance, or within noise. */
  readonly passed: boolean;
}

/** The estimated classic difference from mean squares of residual, weight and numeric side. */
export function projectedDifference(residual2: number, weight2: number, numeric2: number): number {
  if (residual2 === 0) return 0;
  return Math.sqrt(weight2) + Math.sqrt(numeric2) === 0
    ? Infinity
    : classicDifference(Math.sqrt(residual2), Math.sqrt(weight2), Math.sqrt(numeric2));
}

/**
 * Projects every tensor on `options.directions` seeded random directions (2 loss evaluations each)
 * and reaches each tensor's verdict. `sampler` is the direction distribution (the option's by
 * default; tests pass others to show why it must be symmetric).
 */
export function* projectTensors(session: CheckSession, sampler?: DirectionSampler): Algorithm<TensorProjections[]> {
  const { options, parameters, snapshot } = session;
  const draw = sampler ?? DIRECTION_SAMPLERS[options.distribution];
  const random = seededRandom(options.seed);
  const total = parameters.tensors.length * options.directions;
  session.phase = 'directions';
  const tensors: TensorProjections[] = [];
  for (let k = 0; k < parameters.tensors.length; k++) {
    const { view, offset } = parameters.tensors[k]!;
    const steps = new Float64Array(view.size);
    let step2 = 0,
      stepMin = Infinity,
      stepMax = 0;
    for (let i = 0; i < view.size; i++) {
      const h = entryStep(snapshot[offset + i]!, view.precision, { step: options.step, scheme: PROJECTION_SCHEME });
      steps[i] = h;
      step2 += h * h;
      if (h < stepMin) stepMin = h;
      if (h > stepMax) stepMax = h;
    }
    const directions: TensorDirection[] = [];
    const projections: Projection[] = [];
    let residual2 = 0,
      numeric2 = 0,
      noise2 = 0,
      weight2 = 0;
    for (let j = 0; j < options.directions; j++) {
      const z = new Float64Array(view.size);
      for (let i = 0; i < z.length; i++) z[i] = draw(random);
      const direction = new TensorDirection(session, k, z, steps);
      const p = yield* direction.project(0, view.size);
      directions.push(direction);
      projections.push(p);
      residual2 += p.residual ** 2 / options.directions;
      numeric2 += p.numeric ** 2 / options.directions;
      noise2 += p.noise ** 2 / options.directions;
      weight2 += p.weight ** 2 / options.directions;
      session.progress(k * options.directions + j + 1, total);
    }
    const difference = projectedDifference(residual2, weight2, numeric2);
    tensors.push({
      directions,
      projections,
      residual2,
      numeric2,
      noise2,
      weight2,
      difference,
      stepRms: Math.sqrt(step2 / Math.max(1, view.size)),
      stepRange: [stepMin, stepMax],
      passed: withinTolerance(difference, residual2, noise2, options.tolerance),
    });
  }
  return tensors;
}
