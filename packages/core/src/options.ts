import { GradcheckError } from './errors.js';
import type { Scheme } from './difference.js';
import { DEFAULT_SEED } from './random.js';
import type { Precision } from './tensors.js';

/**
 * Which check to run. `full`: central differences over every entry. `directional`: one central
 * difference per tensor along a seeded symmetric random direction (a few with `directions`), then
 * localisation of the worst entries of a failing tensor. `sampled`: central differences over K
 * entries of every tensor (the largest analytic gradients plus random ones). `auto`: full when it
 * fits the budget, else directional.
 */
export type CheckMode = 'auto' | 'full' | 'directional' | 'sampled';

/** The mode a check actually ran (`auto` resolved). */
export type RunMode = Exclude<CheckMode, 'auto'>;

/** What a running check is doing, as reported to {@link CheckOptions.onProgress}. */
export type CheckPhase = 'full' | 'directions' | 'localise' | 'sample';

/** Progress of a running check, as passed to {@link CheckOptions.onProgress}. */
export interface CheckProgress {
  /** The mode that runs. */
  readonly mode: RunMode;
  /**
   * What it is doing: checking every entry (`full`), projecting each tensor on its random
   * directions (`directions`), narrowing a failing tensor down to its wrong entries (`localise`),
   * or checking sampled entries (`sample`).
   */
  readonly phase: CheckPhase;
  /**
   * Work done in this phase: entries checked (`full`, `sample`), directional derivatives taken
   * (`directions`), loss evaluations spent on localisation (`localise`).
   */
  readonly checked: number;
  /** The same unit's total for this phase (for `localise`: the evaluations it may spend at most). */
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
  /**
   * Which check to run: `'auto'` (default) runs the full check when its 2 loss evaluations per
   * entry fit the `budget`, else a directional check with localisation. See {@link CheckMode}.
   */
  mode?: CheckMode;
  /**
   * What a check may spend: a number of loss evaluations, or `{ evaluations, timeMs }`. It decides
   * whether `auto` can afford the full check, how many entries `sampled` checks, and where
   * localisation stops. A directional verdict always completes (2 evaluations per tensor and
   * direction); an explicit `mode: 'full'` checks every entry whatever the budget.
   * Default `{ evaluations: 4000 }` (a full check up to 1999 parameters), no time limit.
   */
  budget?: number | CheckBudget;
  /**
   * Random directions per tensor in a directional check. Default 1. A projection estimates the
   * classic difference with the spread of one Gaussian draw: an error far above the tolerance is
   * caught on any direction, but one only 10× above it passes a single Gaussian direction about
   * 4 % of the time (measured: 5 of 100 seeds; 0 of 100 with 3 directions). More directions cost
   * 2 loss evaluations per tensor each.
   */
  directions?: number;
  /**
   * The distribution of direction entries: `'gaussian'` (default; errors in several entries cancel
   * on a Gaussian direction with probability 0) or `'rademacher'` (±1: a single wrong entry always
   * shows at full size, but two equal and opposite errors cancel half the time). Both are
   * symmetric: all-positive directions let wrong gradients through.
   */
  direction?: DirectionKind;
  /**
   * How many wrong entries localisation looks for in each failing tensor of a directional check
   * (0: none, the verdict only). Default 3.
   */
  localise?: number;
  /**
   * Entries checked per tensor in a sampled check (all of a smaller tensor), whatever the
   * evaluation budget (a time budget still stops it). Default: the evaluation budget shared evenly
   * among the tensors.
   */
  samples?: number;
  /**
   * Layers only: how many seeded Gaussian cotangents R to check ⟨R, forward(X)⟩ against
   * `backward(R, X)` with. Each cotangent is a check of its own (with its own budget); the checks
   * stop at the first that fails, and the result is that one's, or, when all pass, the one with the
   * largest difference. Default 1: a wrong backward disagrees on a Gaussian R with probability 1,
   * more cotangents only add margin against an error that is small along the first.
   */
  cotangents?: number;
}

/** A budget: loss evaluations and/or wall time in milliseconds. */
export interface CheckBudget {
  /** Loss evaluations. */
  evaluations?: number;
  /** Milliseconds of wall time. */
  timeMs?: number;
}

/** The distribution of a random direction's entries. */
export type DirectionKind = 'gaussian' | 'rademacher';

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
  readonly mode: CheckMode;
  readonly budget: { readonly evaluations: number; readonly timeMs: number };
  readonly directions: number;
  readonly direction: DirectionKind;
  readonly localise: number;
  readonly samples: number | undefined;
  readonly cotangents: number;
}

/** Default evaluation budget: a full check of up to 1999 parameters fits it. */
export const DEFAULT_BUDGET = 4000;

const MODE_DEFAULTS = {
  mode: 'auto',
  budget: { evaluations: DEFAULT_BUDGET, timeMs: Infinity },
  directions: 1,
  direction: 'gaussian',
  localise: 3,
  samples: undefined,
} as const satisfies Partial<ResolvedOptions>;

const MODES: readonly CheckMode[] = ['auto', 'full', 'directional', 'sampled'];
const DIRECTIONS: readonly DirectionKind[] = ['gaussian', 'rademacher'];

/** Default tolerance per storage precision. */
export const DEFAULT_TOLERANCE: Readonly<Record<Precision, number>> = { float64: 1e-6, float32: 1e-3 };

const KNOWN = new Set([
  'step',
  'scheme',
  'tolerance',
  'worst',
  'includeGradients',
  'onProgress',
  'seed',
  'kinks',
  'taylor',
  'examples',
  'mode',
  'budget',
  'directions',
  'direction',
  'localise',
  'samples',
  'cotangents',
]);

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined || allowed.includes(value as T)) return value as T | undefined;
  throw new GradcheckError(
    'INVALID_OPTION',
    `${name} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, received ${JSON.stringify(value)}.`,
  );
}

function positive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new GradcheckError(
      'INVALID_OPTION',
      `${name} must be a positive finite number, received ${typeof value === 'number' ? value : typeof value}.`,
    );
  }
  return value;
}

/** Validates the options argument and fills in defaults for parameters of the given precision. */
export function resolveOptions(input: CheckOptionsInput, precision: Precision): ResolvedOptions {
  if (input === undefined || input === null) input = {};
  if (typeof input === 'number' || typeof input !== 'object') {
    const eps = positive('eps', input);
    return resolveOptions({ step: eps, tolerance: eps }, precision);
  }
  for (const key of Object.keys(input)) {
    if (!KNOWN.has(key)) {
      throw new GradcheckError('INVALID_OPTION', `unknown option "${key}"; known options: ${[...KNOWN].join(', ')}.`);
    }
  }
  const {
    step,
    tolerance,
    worst,
    includeGradients,
    onProgress,
    seed,
    taylor,
    examples,
    budget,
    directions,
    localise,
    samples,
    cotangents,
  } = input;
  const scheme = oneOf('scheme', input.scheme, ['central', 'richardson'] as const);
  const kinks = oneOf('kinks', input.kinks, ['exclude', 'fail'] as const);
  if (taylor !== undefined && typeof taylor !== 'boolean') {
    throw new GradcheckError('INVALID_OPTION', `taylor must be true or false, received ${JSON.stringify(taylor)}.`);
  }
  const mode = oneOf('mode', input.mode, MODES);
  const direction = oneOf('direction', input.direction, DIRECTIONS);
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new GradcheckError('INVALID_OPTION', `seed must be a whole number, received ${seed}.`);
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new GradcheckError('INVALID_OPTION', `onProgress must be a function, received ${typeof onProgress}.`);
  }
  return {
    step: step === undefined ? undefined : positive('step', step),
    scheme: scheme ?? 'central',
    kinks: kinks ?? 'exclude',
    taylor: taylor === undefined ? 'on-failure' : taylor ? 'always' : 'never',
    examples: examples === undefined ? undefined : count('examples', examples, 1),
    tolerance: tolerance === undefined ? DEFAULT_TOLERANCE[precision] : positive('tolerance', tolerance),
    worst: worst === undefined ? 10 : count('worst', worst, 0),
    includeGradients: includeGradients === true,
    onProgress,
    seed: seed ?? DEFAULT_SEED,
    mode: mode ?? MODE_DEFAULTS.mode,
    budget: resolveBudget(budget),
    directions: directions === undefined ? MODE_DEFAULTS.directions : count('directions', directions, 1),
    direction: direction ?? MODE_DEFAULTS.direction,
    localise: localise === undefined ? MODE_DEFAULTS.localise : count('localise', localise, 0),
    samples: samples === undefined ? undefined : count('samples', samples, 1),
    cotangents: cotangents === undefined ? 1 : count('cotangents', cotangents, 1),
  };
}

function count(name: string, value: unknown, least: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < least) {
    throw new GradcheckError('INVALID_OPTION', `${name} must be a whole number ≥ ${least}, received ${String(value)}.`);
  }
  return value;
}

function resolveBudget(budget: number | CheckBudget | undefined): ResolvedOptions['budget'] {
  if (budget === undefined) return MODE_DEFAULTS.budget;
  if (typeof budget === 'number') return { evaluations: count('budget', budget, 1), timeMs: Infinity };
  if (typeof budget !== 'object' || budget === null) {
    throw new GradcheckError(
      'INVALID_OPTION',
      `budget must be a number of loss evaluations or { evaluations, timeMs }, received ${typeof budget}.`,
    );
  }
  for (const key of Object.keys(budget)) {
    if (key !== 'evaluations' && key !== 'timeMs') {
      throw new GradcheckError('INVALID_OPTION', `unknown budget field "${key}"; known: evaluations, timeMs.`);
    }
  }
  return {
    evaluations:
      budget.evaluations === undefined
        ? budget.timeMs === undefined
          ? DEFAULT_BUDGET
          : Infinity
        : count('budget.evaluations', budget.evaluations, 1),
    timeMs: budget.timeMs === undefined ? Infinity : positive('budget.timeMs', budget.timeMs),
  };
}
