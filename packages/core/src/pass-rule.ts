/**
 * The pass rule, in one place: a measured error passes when it is within the tolerance relative
 * to the size of what was compared, or within the noise the measurement may carry. Entries,
 * tensors, the whole check and the directional projections all use it.
 */

/**
 * How far `error` exceeds what it is allowed: error / max(tolerance·scale, floor). Above 1 it
 * fails. 0 for no error at all; Infinity for an error where nothing is allowed.
 */
export function excess(error: number, scale: number, floor: number, tolerance: number): number {
  if (error === 0) return 0;
  const allowed = Math.max(tolerance * scale, floor);
  return allowed === 0 ? Infinity : error / allowed;
}

/**
 * One entry's excess: |g − ĝ| over the larger of tolerance·(|g| + |ĝ|) and the estimate's floor
 * (see {@link EntryResult.excess}). Also compares two numeric estimates of one derivative.
 */
export function entryExcess(analytic: number, numeric: number, floor: number, tolerance: number): number {
  return excess(Math.abs(analytic - numeric), Math.abs(analytic) + Math.abs(numeric), floor, tolerance);
}

/** The classic difference ‖g − ĝ‖ / (‖g‖ + ‖ĝ‖) from its three norms; 0 when both vectors are 0. */
export function classicDifference(errorNorm: number, analyticNorm: number, numericNorm: number): number {
  const denominator = analyticNorm + numericNorm;
  return denominator === 0 ? 0 : errorNorm / denominator;
}

/**
 * The verdict on a set of entries (a tensor, the whole check) from its classic difference and the
 * squared norms of its error and of its noise: within tolerance, or within noise.
 */
export function withinTolerance(difference: number, error2: number, noise2: number, tolerance: number): boolean {
  return difference <= tolerance || error2 <= noise2;
}
