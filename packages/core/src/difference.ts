import type { Precision, TensorView } from './tensors.js';

/** Machine epsilon of each storage precision: the spacing of numbers just above 1. */
export const MACHINE_EPSILON: Readonly<Record<Precision, number>> = { float64: 2 ** -52, float32: 2 ** -23 };

/**
 * The default central-difference step for an entry of value `theta`: ε^(1/3)·max(1, |θ|), which
 * balances truncation error (∝ h²) against rounding error (∝ ε/h), rounded down to a power of two
 * so that it is exact in binary.
 */
export function defaultStep(theta: number, precision: Precision): number {
  const h = Math.cbrt(MACHINE_EPSILON[precision]) * Math.max(1, Math.abs(theta));
  return 2 ** Math.floor(Math.log2(h));
}

/** Where an entry was actually evaluated: θ + h and θ − h as the tensor stored them. */
export interface StepTaken {
  /** The stored value of θ + h (after the tensor's own rounding). */
  readonly plus: number;
  /** The stored value of θ − h. */
  readonly minus: number;
}

/**
 * Writes `theta + h` into entry `index` and returns what the tensor actually stored (a Float32Array
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
 * a disagreement. Losses are sums over examples and units, each term rounded; 32 leaves room for
 * that without hiding errors of a real bug, which are orders larger.
 */
export const ROUNDING_ALLOWANCE = 32;

/**
 * The finite-difference noise floor of one entry: the error that rounding in the two loss values
 * alone can put into the quotient, 2·κ·ε·|L| / (θ₊ − θ₋).
 */
export function noiseFloor(lossMagnitude: number, taken: StepTaken, precision: Precision): number {
  return (2 * ROUNDING_ALLOWANCE * MACHINE_EPSILON[precision] * lossMagnitude) / Math.abs(taken.plus - taken.minus);
}
