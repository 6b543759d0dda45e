/**
 * The error central differences of a loss actually make at one entry, measured against a reference
 * gradient: what the property tests count a planted bug against (issue 9: a bug is due where it is
 * at least 3 × that error). The entry is perturbed in place and restored.
 */

/** A planted bug is due where its error is at least this many times the error central differences actually make. */
export const VISIBLE = 3;

/** A tensor's entries, in the precision its loss computes with. */
export type Entries = Float64Array | Float32Array;

/**
 * The scale of entry `index` of a tensor: the larger of |θ| and the tensor's root mean square; 1 in
 * a tensor of zeros (zero biases), as the check's default step takes max(1, |θ|).
 */
function entryScale(data: Entries, index: number): number {
  let rms = 0;
  for (const v of data) rms += v * v;
  return Math.max(Math.abs(data[index]!), Math.sqrt(rms / data.length)) || 1;
}

/**
 * The central quotient's error at entry `index` of `data` for each step of `steps`, against
 * `reference`: the quotient divides by the step actually stored, and a step where θ ± h rounds to θ
 * or the loss is not finite (a log(1 − a) at a = 1) errs by Infinity.
 */
function quotientErrors(
  data: Entries,
  index: number,
  loss: () => number,
  reference: number,
  steps: readonly number[],
): number[] {
  const theta = data[index]!;
  try {
    return steps.map((hStep) => {
      data[index] = theta + hStep;
      const plus = data[index]!,
        lossPlus = loss();
      data[index] = theta - hStep;
      const minus = data[index]!,
        lossMinus = loss();
      const error = Math.abs((lossPlus - lossMinus) / (plus - minus) - reference);
      return plus === minus || !Number.isFinite(error) ? Infinity : error;
    });
  } finally {
    data[index] = theta;
  }
}

/**
 * The smallest error central differences of `loss` reach at entry `index` of `data` (derivative
 * `reference`): over steps 2^-2 … 2^-24 times the entry's scale, the smallest error that two
 * neighbouring steps both reach (so that one lucky step does not count). A lower bound: where no
 * step does better than this, no check can (the naive cross-entropy's "no step shows the gradient").
 * As the error central differences make, it reads low in float32, where the rounding of two steps
 * varies by chance: see {@link typicalQuotientError}.
 */
export function luckiestQuotientError(data: Entries, index: number, loss: () => number, reference: number): number {
  const scale = entryScale(data, index);
  const steps = Array.from({ length: 23 }, (_, j) => scale * 2 ** -(j + 2));
  const errors = quotientErrors(data, index, loss, reference, steps);
  let best = Infinity;
  for (let j = 0; j + 1 < errors.length; j++) best = Math.min(best, Math.max(errors[j]!, errors[j + 1]!));
  return best;
}

/** Steps per octave that {@link typicalQuotientError} averages over. */
const PER_OCTAVE = 16;

/**
 * The error central differences of `loss` actually make at entry `index` of `data` (derivative
 * `reference`) at their best step size: per octave of the steps of {@link luckiestQuotientError}
 * (2^-2 … 2^-24 times the entry's scale), the root mean square of the errors at
 * {@link PER_OCTAVE} steps spread evenly over the octave (by ratio), and the smallest of those.
 * The rounding of a float32 loss makes the quotient's error vary from step to step by more than
 * its size: the mean over an octave is the error a step of that size makes, where
 * {@link luckiestQuotientError} is the luckiest two.
 */
export function typicalQuotientError(data: Entries, index: number, loss: () => number, reference: number): number {
  const scale = entryScale(data, index);
  let best = Infinity;
  for (let j = 2; j < 24; j++) {
    const steps = Array.from({ length: PER_OCTAVE }, (_, k) => scale * 2 ** -(j + k / PER_OCTAVE));
    const errors = quotientErrors(data, index, loss, reference, steps);
    best = Math.min(best, Math.sqrt(errors.reduce((sum, e) => sum + e * e, 0) / PER_OCTAVE));
  }
  return best;
}
