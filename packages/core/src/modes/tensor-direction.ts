/**
 * One random direction of one tensor (projections.ts has the check and its units): the loss
 * difference along it over a range of the tensor's entries, the projection of the whole tensor
 * with its noise measured and its move widened where noise dominates (direction-rules.ts), the
 * gradient's bend along the move, and the ranges localisation narrows a failing tensor down with.
 */
import { lossNoise, perturb } from '../difference.js';
import { excess } from '../pass-rule.js';
import type { CheckSession, Steps } from '../session.js';
import type { Precision } from '../tensors.js';
import {
  directionalError,
  directionNoise,
  DIRECTION_WIDENING,
  DIRECTION_WIDENINGS,
  readingExcess,
  widerMoveHelps,
  type DirectionalReading,
} from './direction-rules.js';

/**
 * A move along a direction changes every entry of a tensor at once, so the loss difference carries
 * the rounding of the whole sum rather than of one term: the modelled floor allows 4× an entry's
 * (32 rounding errors of ε·|L|). It settles a projection far outside it at once, and is the noise
 * of a range whose tensor's noise was not measured; where the verdict hangs on it, the noise is
 * measured instead (direction-rules.ts), because in float32 it is 4 to 100 times what the losses carry.
 */
const DIRECTIONAL_ROUNDING = 4;

/** The modelled rounding noise of one loss evaluation of `reading` (see {@link DIRECTIONAL_ROUNDING}). */
function modelledNoise(reading: DirectionalReading, precision: Precision): number {
  return DIRECTIONAL_ROUNDING * lossNoise(Math.max(Math.abs(reading.lossPlus), Math.abs(reading.lossMinus)), precision);
}

/**
 * The loss difference along a displacement of tensor number `tensorIndex` (entries `from` to
 * `to − 1` moved by ±`scale`·`weights[i]`, all at once, in place), beside what the analytic
 * gradient predicts for the displacement actually stored, so that rounding (float32) does not
 * count as an error: a {@link DirectionalReading}. Every moved entry gets its exact original bits
 * back on every way out.
 */
function* readDirection(
  session: CheckSession,
  tensorIndex: number,
  weights: Float64Array,
  from: number,
  to: number,
  scale: number,
): Steps<DirectionalReading> {
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
  const numeric = (lossPlus - lossMinus) / 2;
  return { scale, residual: ((up - down) / 2 - numeric) / scale, numeric: numeric / scale, lossPlus, lossMinus };
}

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
  /**
   * How much the whole tensor's projection widened its move because the loss's noise dominated
   * (1: the default move, one entry's step long); ranges of localisation move as far.
   */
  widening = 1;
  /** The rounding noise of one loss evaluation, as read along this direction (loss units). */
  private noise: number | undefined;

  constructor(
    private readonly session: CheckSession,
    /** The tensor's index in the parameter set. */
    readonly tensorIndex: number,
    /** The direction's entries. */
    readonly z: Float64Array,
    /** Each entry's finite-difference step. */
    private readonly steps: Float64Array,
    /** Each entry's largest move: its step, or its share of the tensor's scale where that is larger. */
    private readonly widest: Float64Array,
  ) {
    this.weights = z.map((zi, i) => zi * steps[i]!);
  }

  /**
   * Over a range: ‖z‖; ‖g∘h‖·rms(z); and how many times the default move (scale 1/‖z‖) the move
   * may be widened before an entry moves further than its {@link TensorDirection.widest}.
   */
  private norms(from: number, to: number): { zNorm: number; weight: number; room: number } {
    const { analytic } = this.session;
    const offset = this.session.parameters.tensors[this.tensorIndex]!.offset;
    let z2 = 0,
      gh2 = 0,
      room = Infinity;
    for (let i = from; i < to; i++) {
      const gh = analytic[offset + i]! * this.steps[i]!;
      const w = Math.abs(this.weights[i]!);
      z2 += this.z[i]! * this.z[i]!;
      gh2 += gh * gh;
      if (w > 0) room = Math.min(room, this.widest[i]! / w);
    }
    const zNorm = Math.sqrt(z2);
    return { zNorm, weight: to > from ? (Math.sqrt(gh2) * zNorm) / Math.sqrt(to - from) : 0, room: room * zNorm };
  }

  /** The reading over entries `from`…`to − 1` at `widening` times the default move (2 loss evaluations). */
  private reading(from: number, to: number, zNorm: number, widening: number): Steps<DirectionalReading> {
    return readDirection(this.session, this.tensorIndex, this.weights, from, to, widening / zNorm);
  }

  /**
   * The projection over the whole tensor. 2 loss evaluations where the default move settles it
   * (within the tolerance, or beyond the modelled rounding allowance); else the residual at the
   * default move and at half of it tell truncation and noise apart (2 more), the gradient's bend
   * along the move is read (2 gradient evaluations), and where noise dominates (and the step is
   * the default one) the move widens ×{@link DIRECTION_WIDENING}, up to
   * {@link DIRECTION_WIDENINGS} times (4 losses and 2 gradients each), while the error it leaves
   * (noise, truncation and bend) shrinks. The allowance is never above the modelled one.
   *
   * Measured on the benchmark's TensorFlow.js model (dense 64-128-16, float32): along its
   * 2 048-entry kernel a 10 % scale error left a residual 0.5 to 2 times the modelled allowance;
   * the losses' fourth difference showed 0.1 to 0.4·ε·|L| of noise, and 16 to 64 times the default
   * move kept the central difference within 1e-5 of the analytic one.
   */
  *measure(): Steps<Projection> {
    const { session } = this;
    const { options, parameters } = session;
    const to = parameters.tensors[this.tensorIndex]!.view.size;
    const { zNorm, weight, room } = this.norms(0, to);
    if (zNorm === 0) return { from: 0, to, residual: 0, numeric: 0, noise: 0, weight };
    const projection = (r: DirectionalReading, allowance: number): Projection => ({
      from: 0,
      to,
      weight,
      residual: r.residual,
      numeric: r.numeric,
      noise: allowance,
    });
    let coarse = yield* this.reading(0, to, zNorm, 1);
    const precision = parameters.precision;
    // Settled at once, as before the noise was measured: within the tolerance, or beyond even the
    // modelled rounding allowance (which is larger than the noise measured below).
    const modelled = modelledNoise(coarse, precision) / coarse.scale;
    if (
      readingExcess(coarse, weight, 0, options.tolerance) <= 1 ||
      readingExcess(coarse, weight, modelled, options.tolerance) > 1
    ) {
      return projection(coarse, modelled);
    }
    let fine = yield* this.reading(0, to, zNorm, 0.5);
    const noise = (this.noise = directionNoise(coarse, fine, session.loss, precision));
    let error = directionalError(coarse, fine, noise);
    // The gradient's bend along the move (a kink crossed, curvature the two readings miss) counts
    // as error too; the allowance never exceeds the modelled one (the rule before it was measured).
    let allowance = Math.min(modelled, Math.max(error.allowance, yield* this.bend(to, zNorm, 1)));
    for (
      let widened = 0, c = 1;
      options.step === undefined &&
      widened < DIRECTION_WIDENINGS &&
      c * DIRECTION_WIDENING <= room &&
      widerMoveHelps(coarse, error, weight, options.tolerance);
      widened++
    ) {
      c *= DIRECTION_WIDENING;
      const wider = yield* this.reading(0, to, zNorm, c);
      const widerFine = yield* this.reading(0, to, zNorm, c / 2);
      const widerError = directionalError(wider, widerFine, noise);
      // Judged at the wider move only if it leaves less error (truncation and bend grow with it).
      if (widerError.allowance >= allowance) break;
      const widerAllowance = Math.max(widerError.allowance, yield* this.bend(to, zNorm, c));
      if (widerAllowance >= allowance) break;
      [coarse, fine, error, allowance, this.widening] = [wider, widerFine, widerError, widerAllowance, c];
    }
    return projection(coarse, allowance);
  }

  /**
   * How much the analytic directional derivative ⟨g, w⟩ (z-units) bends within half the move at
   * `widening`: |⟨g(θ + s/2·w) − 2g(θ) + g(θ − s/2·w), w⟩| (2 gradient evaluations). Across a kink it
   * is the jump of the slope, which a central difference may be off by; on a smooth loss it is
   * (s/2)² times a third derivative, far below the noise. The analytic gradient only chooses the
   * move and the allowance here, never looser than the modelled one; it never excuses a tensor.
   */
  private *bend(to: number, zNorm: number, widening: number): Steps<number> {
    const { session, tensorIndex } = this;
    const { view, offset, name } = session.parameters.tensors[tensorIndex]!;
    const theta = session.snapshot,
      g = session.analytic;
    const half = widening / (2 * zNorm);
    let bend = 0;
    try {
      for (const sign of [1, -1]) {
        for (let i = 0; i < to; i++) view.set(i, theta[offset + i]! + sign * half * this.weights[i]!);
        const at = yield* session.gradientsAt(
          () =>
            `with ${name} moved along a random direction (${sign > 0 ? '+' : '−'}), to see whether its gradient bends`,
        );
        for (let i = 0; i < to; i++) bend += (at[offset + i]! - g[offset + i]!) * this.weights[i]!;
      }
    } finally {
      for (let i = 0; i < to; i++) view.set(i, theta[offset + i]!);
    }
    return Math.abs(bend);
  }

  /**
   * Measures the projection over entries `from`…`to − 1` (2 loss evaluations), at the whole
   * tensor's widening (as far as the range's entries may move), its noise read along the whole.
   */
  *project(from: number, to: number): Steps<Projection> {
    const { zNorm, weight, room } = this.norms(from, to);
    if (zNorm === 0) return { from, to, residual: 0, numeric: 0, noise: 0, weight };
    const reading = yield* this.reading(from, to, zNorm, Math.max(1, Math.min(this.widening, room)));
    const noise = this.noise ?? modelledNoise(reading, this.session.parameters.precision);
    return { from, to, weight, residual: reading.residual, numeric: reading.numeric, noise: noise / reading.scale };
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
