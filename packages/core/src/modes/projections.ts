/**
 * The directional check: each parameter tensor is moved along its own seeded symmetric random
 * direction z and the central-difference derivative along it is compared with the analytic
 * ⟨g, z⟩. Two loss evaluations per tensor and direction decide whether the tensor's gradient is
 * right where the result is clear at once (within the tolerance, or beyond the modelled rounding);
 * where the loss's noise decides, it is measured and the move widened (tensor-direction.ts: 4 loss
 * and 2 gradient evaluations, and as many per widening). A tensor of 5 entries beside one of
 * 100 000 gets its own direction, so its error is never swamped.
 *
 * Units. Entry i of a tensor moves by h_i·z_i/‖z‖ (h_i the entry's finite-difference step), so the
 * whole move has the length of one entry's step (times the widening). A projection is reported in "z-units": multiplied
 * back by ‖z‖, the analytic side is ⟨g, h∘z⟩ and the residual is ρ = ⟨e, h∘z⟩ for the error
 * e = g − ĝ. For entries z_i of mean 0 and variance 1, E[ρ²] = ‖e∘h‖², so |ρ| estimates the norm of
 * the step-weighted error exactly as the full check measures it, and
 * |ρ| / (‖g∘h‖·rms(z) + |⟨ĝ, h∘z⟩|) estimates the classic difference ‖e‖ / (‖g‖ + ‖ĝ‖): that is the
 * tolerance scaled for a projection. On a single entry (z-units: h_i·z_i times the entry's values)
 * it is exactly the full check's per-entry test, which lets localisation narrow a failing tensor
 * down with the same measure (directional.ts).
 */
import { entryStep, type Scheme } from '../difference.js';
import type { Algorithm } from '../evaluation.js';
import type { DirectionDistribution } from '../options.js';
import { classicDifference, withinTolerance } from '../pass-rule.js';
import { seededRandom, type Random } from '../random.js';
import type { CheckSession } from '../session.js';
import { TensorDirection, type Projection } from './tensor-direction.js';

/**
 * A projection is a central difference whatever `scheme` the entries use, so its steps are fitted
 * to central differences: at Richardson's longer step its truncation error grows 40 to 100 fold
 * (measured on the reference network, 5-4-3-1 and 20-8-1: classic difference 1.1e-8 and 4.4e-9
 * instead of 1.2e-10 and 3.2e-10).
 */
const PROJECTION_SCHEME: Scheme = 'central';

/** Draws one entry of a random direction. Symmetric around 0, variance 1. */
export type DirectionSampler = (random: Random) => number;

/** The symmetric direction distributions. */
export const DIRECTION_SAMPLERS: Readonly<Record<DirectionDistribution, DirectionSampler>> = {
  gaussian: (random) => random.gaussian(),
  rademacher: (random) => random.sign(),
};

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
  /** The smallest and largest step h_i (the length of the move along a unit direction), times the widening. */
  readonly stepRange: readonly [number, number];
  /** The largest widening of the move over the tensor's directions (1: none; see {@link TensorDirection.widening}). */
  readonly widening: number;
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
      theta2 = 0,
      stepMin = Infinity,
      stepMax = 0;
    for (let i = 0; i < view.size; i++) {
      const h = entryStep(snapshot[offset + i]!, view.precision, { step: options.step, scheme: PROJECTION_SCHEME });
      steps[i] = h;
      step2 += h * h;
      theta2 += snapshot[offset + i]! ** 2;
      if (h < stepMin) stepMin = h;
      if (h > stepMax) stepMax = h;
    }
    // An entry moves at most by its step or, where larger, its scale (the larger of |θ| and the
    // tensor's root mean square): a direction crosses more kinks than one entry's difference does.
    const rms = Math.sqrt(theta2 / Math.max(1, view.size));
    const widest = steps.map((h, i) => Math.max(h, Math.max(Math.abs(snapshot[offset + i]!), rms)));
    const directions: TensorDirection[] = [];
    const projections: Projection[] = [];
    let residual2 = 0,
      numeric2 = 0,
      noise2 = 0,
      weight2 = 0,
      widening = 1;
    for (let j = 0; j < options.directions; j++) {
      const z = new Float64Array(view.size);
      for (let i = 0; i < z.length; i++) z[i] = draw(random);
      const direction = new TensorDirection(session, k, z, steps, widest);
      const p = yield* direction.measure();
      widening = Math.max(widening, direction.widening);
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
      stepRange: [stepMin * widening, stepMax * widening],
      widening,
      passed: withinTolerance(difference, residual2, noise2, options.tolerance),
    });
  }
  return tensors;
}
