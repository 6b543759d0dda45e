/**
 * Why a check could not run. Every {@link GradcheckError} carries one of these codes; they are
 * stable across releases, so tests and tools may branch on them.
 *
 * - `NOT_A_MODEL`: the value checked has no `parameters` with `loss` and `gradients` (or the
 *   functional `forward`/`cost`/`backward` trio).
 * - `NO_PARAMETERS`: the model has no parameter tensors.
 * - `UNSUPPORTED_TENSOR`: a parameter or gradient is of a type no tensor adapter recognises.
 * - `MISSING_GRADIENT` / `EXTRA_GRADIENT`: `gradients()` lacks an entry for a parameter, or has
 *   one for a name that is not a parameter.
 * - `SHAPE_MISMATCH`: a gradient's shape differs from its parameter's.
 * - `NON_FINITE_PARAMETER`, `NON_FINITE_GRADIENT`, `NON_FINITE_LOSS`: NaN or ±Infinity.
 * - `LOSS_NOT_A_NUMBER`: `loss()` returned something other than a number.
 * - `NONDETERMINISTIC_LOSS`: the loss gave two different values at the same parameters.
 * - `PARAMETERS_CHANGED`: the model changed its own parameters while being checked.
 * - `INVALID_OPTION`: an option (eps, step, tolerance, …) is out of range.
 * - `ASYNC_MODEL`: a synchronous check met a Promise; use the async entry point.
 * - `MODEL_THREW`: the model's `loss` or `gradients` threw; the original error is the `cause`
 *   (the matchers print its stack). It and `NON_FINITE_LOSS` say what X and Y were (their shapes).
 * - `DUPLICATE_NAME`: a layer's input and one of its parameters have the same name.
 * - `NONDETERMINISTIC_GRADIENT`: a layer's backward (or a function's grad) gave two different
 *   gradients at the same point (an accumulating gradient buffer).
 * - `UNAWAITED_CHECK`: a test ended while its `toPassGradientCheckAsync` was still running (it was
 *   not awaited); thrown by the adapters' `afterEach` through `failOnPendingChecks`.
 */
export type GradcheckErrorCode =
  | 'NOT_A_MODEL'
  | 'NO_PARAMETERS'
  | 'UNSUPPORTED_TENSOR'
  | 'MISSING_GRADIENT'
  | 'EXTRA_GRADIENT'
  | 'SHAPE_MISMATCH'
  | 'NON_FINITE_PARAMETER'
  | 'NON_FINITE_GRADIENT'
  | 'NON_FINITE_LOSS'
  | 'LOSS_NOT_A_NUMBER'
  | 'NONDETERMINISTIC_LOSS'
  | 'PARAMETERS_CHANGED'
  | 'INVALID_OPTION'
  | 'ASYNC_MODEL'
  | 'MODEL_THREW'
  | 'DUPLICATE_NAME'
  | 'NONDETERMINISTIC_GRADIENT'
  | 'UNAWAITED_CHECK';

/**
 * The one error class gradcheck throws. `code` says which cause (see {@link GradcheckErrorCode});
 * `message` names the tensor, shape or value at fault and what to do about it.
 *
 * @example
 * ```ts
 * try { checkGradients(model, X, Y) }
 * catch (e) { if (e instanceof GradcheckError && e.code === 'SHAPE_MISMATCH') … }
 * ```
 */
export class GradcheckError extends Error {
  /** The stable cause code. */
  readonly code: GradcheckErrorCode;

  constructor(code: GradcheckErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GradcheckError';
    this.code = code;
  }
}

/**
 * The errors that may end a look at a step wider than an entry's own without ending the check: the
 * loss or a gradient not finite that far from θ (a naive cross-entropy whose output saturates to
 * exactly 0 or 1 within a step widened for noise), and, where `thrown`, the model throwing there.
 */
export function isFarFailure(error: unknown, thrown = false): error is GradcheckError {
  if (!(error instanceof GradcheckError)) return false;
  const { code } = error;
  return code === 'NON_FINITE_LOSS' || code === 'NON_FINITE_GRADIENT' || (thrown && code === 'MODEL_THREW');
}

/** Describes a value briefly for an error message: its type, and its shape where it has one. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value !== 'object') return typeof value;
  if (typeof (value as { then?: unknown }).then === 'function') return 'a Promise';
  const ctor = (value as object).constructor?.name;
  const v = value as { rows?: unknown; columns?: unknown; length?: unknown };
  if (typeof v.rows === 'number' && typeof v.columns === 'number') return `${ctor ?? 'matrix'} ${v.rows}×${v.columns}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof v.length === 'number') return `${ctor ?? 'array-like'} of length ${v.length}`;
  return ctor && ctor !== 'Object' ? `a ${ctor}` : 'an object';
}
