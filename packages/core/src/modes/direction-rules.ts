/**
 * The decisions of a directional projection, as pure functions of the losses it evaluated
 * (projections.ts): the residual per unit of move at a scale and at half of it, the error the
 * central difference along the direction may carry (truncation read from the two, the losses'
 * noise read from their fourth difference), and whether a wider move would judge better.
 *
 * Why measured and not modelled: along a unit direction of a tensor of n entries the signal of a
 * wrong gradient, h·⟨e, d⟩, shrinks like h‖e‖/√n, while a noise floor modelled from ε·|L| stays.
 * In float32 the modelled floor (32·ε·|L| per loss) was 80 to 300 times the noise the losses
 * really carry (their fourth difference: 0.1 to 0.4·ε·|L| on the TensorFlow.js model of the
 * benchmark), and it let a 10 % scale error of a 2 048-entry kernel pass. The losses at ±s and
 * ±s/2 tell the noise (read with the entry estimator's rule, at least 8·ε·|L|) and the truncation
 * apart, and a wider move, where noise dominates, makes the signal grow while the noise stays.
 */
import { ESTIMATE_SAFETY, lossNoise } from '../difference.js';
import { NOISE_WIDENING, readNoise, type FiveLosses } from '../entry-rules.js';
import { excess } from '../pass-rule.js';
import type { Precision } from '../tensors.js';

/**
 * Widening of a projection's move where noise dominates: the entry estimator's factor, at most 3
 * times (×64; the entry estimator widens up to ×1024, but a projection moves every entry of its
 * tensor at once, so its move reaches the tensor's kinks sooner: kept where issue 11 measured it).
 */
export const DIRECTION_WIDENING = NOISE_WIDENING;
export const DIRECTION_WIDENINGS = 3;

/** A central difference along a direction at one scale, in z-units (see projections.ts). */
export interface DirectionalReading {
  /** The scale s: entry i moved by ±s·h_i·z_i. */
  readonly scale: number;
  /** (⟨g, Δ⟩/2 − (L₊ − L₋)/2) / s: the residual per unit of move. */
  readonly residual: number;
  /** (L₊ − L₋) / 2s: the numeric side per unit of move. */
  readonly numeric: number;
  /** L(θ + s·w) and L(θ − s·w). */
  readonly lossPlus: number;
  readonly lossMinus: number;
}

/**
 * The rounding noise of one loss evaluation along a direction, read from the losses at −s, −s/2,
 * 0, s/2, s (the entry estimator's rule: at least ε·|L|·8, more where their fourth difference
 * shows more).
 */
export function directionNoise(
  coarse: DirectionalReading,
  fine: DirectionalReading,
  loss: number,
  precision: Precision,
): number {
  const losses: FiveLosses = [coarse.lossMinus, fine.lossMinus, loss, fine.lossPlus, coarse.lossPlus];
  return readNoise(losses, lossNoise(Math.max(...losses.map(Math.abs)), precision), false).noise;
}

/** What the two readings say about the central difference at the coarse scale. */
export interface DirectionalError {
  /** The error the coarse residual may carry: truncation (from the change to s/2, with a safety factor) or noise. */
  readonly allowance: number;
  /** The change from s to s/2 is within what the noise alone makes of it: truncation does not show. */
  readonly noiseLike: boolean;
}

/**
 * The error of the central difference at the coarse scale s: its truncation is 4/3 of the change
 * of the residual from s to s/2 (the h² term), its noise at most `noise`/s (each loss off by up to
 * `noise`); the allowance is the larger, the truncation with {@link ESTIMATE_SAFETY}.
 */
export function directionalError(
  coarse: DirectionalReading,
  fine: DirectionalReading,
  noise: number,
): DirectionalError {
  const change = Math.abs(fine.residual - coarse.residual);
  const floor = noise / coarse.scale;
  return {
    allowance: Math.max((ESTIMATE_SAFETY * 4 * change) / 3, floor),
    noiseLike: change <= 2 * (noise / fine.scale + floor),
  };
}

/**
 * Whether a wider move would judge the projection better: the allowance exceeds what the tolerance
 * allows (so the noise, not the tolerance, would decide) and it is noise rather than truncation.
 */
export function widerMoveHelps(
  coarse: DirectionalReading,
  error: DirectionalError,
  weight: number,
  tolerance: number,
): boolean {
  return error.noiseLike && error.allowance > tolerance * (weight + Math.abs(coarse.numeric));
}

/** How far a residual exceeds what tolerance and allowance permit (above 1: wrong). */
export function readingExcess(
  reading: DirectionalReading,
  weight: number,
  allowance: number,
  tolerance: number,
): number {
  return excess(Math.abs(reading.residual), weight + Math.abs(reading.numeric), allowance, tolerance);
}
