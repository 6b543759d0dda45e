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
 * down with the same measure (localise.ts).
 */
import { defaultStep } from './difference.js';
import type { Algorithm, Request } from './evaluation.js';
import type { DirectionDistribution } from './options.js';
import { seededRandom, type Random } from './random.js';
import type { CheckSession } from './session.js';

type Steps<T> = Generator<Request, T, unknown>;

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
  const error = Math.abs(p.residual);
  if (error === 0) return 0;
  const allowed = Math.max(tolerance * (p.weight + Math.abs(p.numeric)), p.noise);
  return allowed === 0 ? Infinity : error / allowed;
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
    const estimate = yield* this.session.estimateDirection(this.tensorIndex, this.weights, from, to, 1 / zNorm);
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
  const denominator = Math.sqrt(weight2) + Math.sqrt(numeric2);
  return residual2 === 0 ? 0 : denominator === 0 ? Infinity : Math.sqrt(residual2) / denominator;
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
      const h = options.step ?? defaultStep(snapshot[offset + i]!, view.precision);
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
      passed: difference <= options.tolerance || residual2 <= noise2,
    });
  }
  return tensors;
}
