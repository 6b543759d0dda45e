import { GradcheckError } from './errors.js';
import type { Scheme } from './difference.js';
import { DEFAULT_SEED } from './random.js';
import type { Precision } from './tensors.js';

/** Progress of a running check, as passed to {@link CheckOptions.onProgress}. */
export interface CheckProgress {
  /** Entries checked so far. */
  readonly checked: number;
  /** Entries the check will cover. */
  readonly total: number;
  /** Loss evaluations so far. */
  readonly evaluations: number;
  /** Milliseconds since the check started. */
  readonly elapsedMs: number;
}

/** Options of a gradient check. Every field is optional. */
export interface CheckOptions {
  /**
   * Finite-difference step h (the same for every entry). Default: per entry, ε^(1/3)·max(1, |θ|)
   * with ε the storage precision's machine epsilon (≈6e-6 for float64 numbers near 1, ≈4e-3 for
   * float32), ε^(1/5)·max(1, |θ|) with `scheme: 'richardson'`; always a power of two.
   */
  step?: number;
  /**
   * The finite-difference scheme. `'central'` (default): two loss evaluations per entry; an entry
   * that disagrees is evaluated at h/2 too, to tell a kink or truncation error from a bug.
   * `'richardson'`: central differences at h and h/2 extrapolated (four evaluations per entry,
   * errors orders smaller), with a per-entry error estimate that the verdict allows for.
   */
  scheme?: Scheme;
  /**
   * Largest accepted classic difference ‖g − ĝ‖ / (‖g‖ + ‖ĝ‖), overall, per tensor and per entry.
   * Default: 1e-6 for float64 parameters, 1e-3 when any parameter is stored in float32.
   */
  tolerance?: number;
  /** How many of the worst entries the result lists. Default 10. */
  worst?: number;
  /** Put every checked entry's analytic and numeric gradient in the result's tensors. Default false. */
  includeGradients?: boolean;
  /** Called now and then during a long check (about every 200 ms) and once at the end. */
  onProgress?: (progress: CheckProgress) => void;
  /**
   * What to do with entries where the loss is not differentiable within the step (a ReLU, max or
   * abs kink: the one-sided derivatives disagree). `'exclude'` (default): report them as "not
   * differentiable here" and leave them out of the verdict; `'fail'`: count them as failing.
   */
  kinks?: 'exclude' | 'fail';
  /**
   * The Taylor test, a second opinion independent of the step: along a seeded random direction d,
   * |L(θ + t·d) − L(θ) − t·⟨g, d⟩| shrinks like t² for a correct gradient and like t for a wrong
   * one. `true`: always run it (a few loss evaluations); `false`: never. Default: only when the
   * check fails, to confirm the failure in the message. It never changes the verdict.
   */
  taylor?: boolean;
  /**
   * The number of examples in X, used to recognise a missing or extra mean (analytic ≈ m ×
   * numeric). Default: inferred from X and Y (the dimension they share; for an ml-matrix or
   * 2-D array alone, its columns, the classic layout with examples as columns).
   */
  examples?: number;
  /** Seed of every random choice the check makes; printed with every failure. Default {@link DEFAULT_SEED}. */
  seed?: number;
}

/**
 * The options argument: a bare number is the classic `epsilon` (step = tolerance = eps);
 * an object sets each option separately.
 */
export type CheckOptionsInput = number | CheckOptions | undefined;

/** Options with every default filled in. */
export interface ResolvedOptions {
  readonly step: number | undefined;
  readonly scheme: Scheme;
  readonly kinks: 'exclude' | 'fail';
  readonly taylor: 'always' | 'never' | 'on-failure';
  readonly examples: number | undefined;
  readonly tolerance: number;
  readonly worst: number;
  readonly includeGradients: boolean;
  readonly onProgress: ((progress: CheckProgress) => void) | undefined;
  readonly seed: number;
}

/** Default tolerance per storage precision. */
export const DEFAULT_TOLERANCE: Readonly<Record<Precision, number>> = { float64: 1e-6, float32: 1e-3 };

const KNOWN = new Set(['step', 'scheme', 'tolerance', 'worst', 'includeGradients', 'onProgress', 'seed', 'kinks', 'taylor', 'examples']);

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined || allowed.includes(value as T)) return value as T | undefined;
  throw new GradcheckError('INVALID_OPTION', `${name} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, received ${JSON.stringify(value)}.`);
}

function positive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new GradcheckError('INVALID_OPTION', `${name} must be a positive finite number, received ${typeof value === 'number' ? value : typeof value}.`);
  }
  return value;
}

/** Validates the options argument and fills in defaults for parameters of the given precision. */
export function resolveOptions(input: CheckOptionsInput, precision: Precision): ResolvedOptions {
  if (input === undefined || input === null) input = {};
  if (typeof input === 'number' || typeof input !== 'object') {
    const eps = positive('eps', input);
    return {
      step: eps, scheme: 'central', kinks: 'exclude', taylor: 'on-failure', examples: undefined,
      tolerance: eps, worst: 10, includeGradients: false, onProgress: undefined, seed: DEFAULT_SEED,
    };
  }
  for (const key of Object.keys(input)) {
    if (!KNOWN.has(key)) {
      throw new GradcheckError('INVALID_OPTION', `unknown option "${key}"; known options: ${[...KNOWN].join(', ')}.`);
    }
  }
  const { step, tolerance, worst, includeGradients, onProgress, seed, taylor, examples } = input;
  const scheme = oneOf('scheme', input.scheme, ['central', 'richardson'] as const);
  const kinks = oneOf('kinks', input.kinks, ['exclude', 'fail'] as const);
  if (taylor !== undefined && typeof taylor !== 'boolean') {
    throw new GradcheckError('INVALID_OPTION', `taylor must be true or false, received ${JSON.stringify(taylor)}.`);
  }
  if (examples !== undefined && !(Number.isInteger(examples) && examples >= 1)) {
    throw new GradcheckError('INVALID_OPTION', `examples must be a whole number ≥ 1, received ${examples}.`);
  }
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new GradcheckError('INVALID_OPTION', `seed must be a whole number, received ${seed}.`);
  }
  if (worst !== undefined && !(Number.isInteger(worst) && worst >= 0)) {
    throw new GradcheckError('INVALID_OPTION', `worst must be a whole number ≥ 0, received ${worst}.`);
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new GradcheckError('INVALID_OPTION', `onProgress must be a function, received ${typeof onProgress}.`);
  }
  return {
    step: step === undefined ? undefined : positive('step', step),
    scheme: scheme ?? 'central',
    kinks: kinks ?? 'exclude',
    taylor: taylor === undefined ? 'on-failure' : taylor ? 'always' : 'never',
    examples,
    tolerance: tolerance === undefined ? DEFAULT_TOLERANCE[precision] : positive('tolerance', tolerance),
    worst: worst ?? 10,
    includeGradients: includeGradients === true,
    onProgress,
    seed: seed ?? DEFAULT_SEED,
  };
}
