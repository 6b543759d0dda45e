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
   * numeric). Default: inferred from X and Y when unambiguous: the one size a dimension of X
   * shares with one of Y (examples in rows or in columns), or the length of a plain array of
   * examples; otherwise a factor is reported alone.
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
   * localisation stops. A directional verdict always completes (2 loss evaluations per tensor and
   * direction, up to 16 and 8 gradient evaluations where the loss's noise decides); an explicit
   * `mode: 'full'` checks every entry whatever the budget.
   * Default `{ evaluations: 4000 }` (a full check up to 1999 parameters), no time limit.
   */
  budget?: number | CheckBudget;
  /**
   * How many random directions per tensor a directional check takes. Default 1. A projection estimates the
   * classic difference with the spread of one Gaussian draw: an error far above the tolerance is
   * caught on any direction, but one only 10× above it passes a single Gaussian direction about
   * 4 % of the time (measured: 5 of 100 seeds; 0 of 100 with 3 directions). More directions cost
   * 2 loss evaluations per tensor each (more where the loss's noise decides: see `budget`).
   */
  directions?: number;
  /**
   * The distribution of direction entries (named `direction` before 0.2.0): `'gaussian'` (default; errors in several entries cancel
   * on a Gaussian direction with probability 0) or `'rademacher'` (±1: a single wrong entry always
   * shows at full size, but two equal and opposite errors cancel half the time). Both are
   * symmetric: all-positive directions let wrong gradients through.
   */
  distribution?: DirectionDistribution;
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
   * largest difference. Default 1: a wrong backward disagrees on a Gaussian R with probability 1;
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

/** The distribution of a random direction's entries ({@link CheckOptions.distribution}). */
export type DirectionDistribution = 'gaussian' | 'rademacher';

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
  readonly distribution: DirectionDistribution;
  readonly localise: number;
  readonly samples: number | undefined;
  readonly cotangents: number;
}

/**
 * Every option's default, in one place. The tolerance depends on the parameters' storage
 * precision; every other default is one value.
 */
export const DEFAULTS = {
  step: undefined,
  scheme: 'central',
  kinks: 'exclude',
  taylor: 'on-failure',
  examples: undefined,
  tolerance: { float64: 1e-6, float32: 1e-3 },
  worst: 10,
  includeGradients: false,
  onProgress: undefined,
  seed: DEFAULT_SEED,
  mode: 'auto',
  /** A full check of up to 1999 parameters fits it. */
  budget: { evaluations: 4000, timeMs: Infinity },
  directions: 1,
  distribution: 'gaussian',
  localise: 3,
  samples: undefined,
  cotangents: 1,
} as const satisfies {
  [K in keyof ResolvedOptions]: K extends 'tolerance' ? Record<Precision, number> : ResolvedOptions[K];
};

/** Default evaluation budget: a full check of up to 1999 parameters fits it. */
export const DEFAULT_BUDGET = DEFAULTS.budget.evaluations;

/** Default tolerance per storage precision. */
export const DEFAULT_TOLERANCE: Readonly<Record<Precision, number>> = DEFAULTS.tolerance;

/** Options renamed in a 0.x release: the old name, the new one and the release. */
const RENAMED: Readonly<Record<string, { readonly to: keyof CheckOptions; readonly since: string }>> = {
  direction: { to: 'distribution', since: '0.2.0' },
};

function invalid(message: string): GradcheckError {
  return new GradcheckError('INVALID_OPTION', message);
}

function oneOf<T extends string>(...allowed: readonly T[]): (value: unknown, name: string) => T {
  return (value, name) => {
    if (allowed.includes(value as T)) return value as T;
    throw invalid(`${name} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, received ${JSON.stringify(value)}.`);
  };
}

function positive(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(
      `${name} must be a positive finite number, received ${typeof value === 'number' ? value : typeof value}.`,
    );
  }
  return value;
}

function count(least: number): (value: unknown, name: string) => number {
  return (value, name) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < least) {
      throw invalid(`${name} must be a whole number ≥ ${least}, received ${String(value)}.`);
    }
    return value;
  };
}

function resolveBudget(budget: unknown): ResolvedOptions['budget'] {
  if (typeof budget === 'number') return { evaluations: count(1)(budget, 'budget'), timeMs: Infinity };
  if (typeof budget !== 'object' || budget === null) {
    throw invalid(`budget must be a number of loss evaluations or { evaluations, timeMs }, received ${typeof budget}.`);
  }
  for (const key of Object.keys(budget)) {
    if (key !== 'evaluations' && key !== 'timeMs') {
      throw invalid(`unknown budget field "${key}"; known: evaluations, timeMs.`);
    }
  }
  const { evaluations, timeMs } = budget as CheckBudget;
  return {
    evaluations:
      evaluations === undefined
        ? timeMs === undefined
          ? DEFAULTS.budget.evaluations
          : Infinity
        : count(1)(evaluations, 'budget.evaluations'),
    timeMs: timeMs === undefined ? Infinity : positive(timeMs, 'budget.timeMs'),
  };
}

/**
 * How each option's given value (never `undefined`: that takes the default) is validated and
 * resolved. The known option names are this table's keys.
 */
const OPTION_SPECS: { readonly [K in keyof ResolvedOptions]: (value: unknown, name: string) => ResolvedOptions[K] } = {
  step: positive,
  scheme: oneOf('central', 'richardson'),
  tolerance: positive,
  worst: count(0),
  includeGradients: (value) => value === true,
  onProgress: (value) => {
    if (typeof value === 'function') return value as ResolvedOptions['onProgress'];
    throw invalid(`onProgress must be a function, received ${typeof value}.`);
  },
  seed: (value) => {
    if (Number.isSafeInteger(value)) return value as number;
    throw invalid(`seed must be a whole number, received ${value}.`);
  },
  kinks: oneOf('exclude', 'fail'),
  taylor: (value) => {
    if (typeof value === 'boolean') return value ? 'always' : 'never';
    throw invalid(`taylor must be true or false, received ${JSON.stringify(value)}.`);
  },
  examples: count(1),
  mode: oneOf('auto', 'full', 'directional', 'sampled'),
  budget: resolveBudget,
  directions: count(1),
  distribution: oneOf('gaussian', 'rademacher'),
  localise: count(0),
  samples: count(1),
  cotangents: count(1),
};

/** The names of every option, in the order of the table. */
export const OPTION_NAMES = Object.keys(OPTION_SPECS) as readonly (keyof ResolvedOptions)[];

/** Levenshtein distance between two short strings. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The error for an option name the table does not know: renamed, or the nearest known name. */
function unknownOption(key: string): GradcheckError {
  const renamed = RENAMED[key];
  if (renamed) {
    return invalid(
      `option "${key}" was renamed to "${renamed.to}" in ${renamed.since}: pass { ${renamed.to}: … } instead.`,
    );
  }
  const known = OPTION_NAMES.join(', ');
  let nearest: string = OPTION_NAMES[0]!;
  for (const name of OPTION_NAMES) if (editDistance(key, name) < editDistance(key, nearest)) nearest = name;
  const prefixed = key.length >= 3 ? OPTION_NAMES.find((name) => name.startsWith(key)) : undefined;
  if (prefixed) nearest = prefixed;
  const close = prefixed !== undefined || editDistance(key, nearest) <= Math.max(2, Math.floor(nearest.length / 3));
  return invalid(`unknown option "${key}"${close ? ` — did you mean "${nearest}"?` : '.'} Known options: ${known}.`);
}

/** Validates the options argument and fills in defaults for parameters of the given precision. */
export function resolveOptions(input: CheckOptionsInput, precision: Precision): ResolvedOptions {
  if (input === undefined || input === null) input = {};
  if (typeof input === 'number' || typeof input !== 'object') {
    const eps = positive(input, 'eps');
    return resolveOptions({ step: eps, tolerance: eps }, precision);
  }
  for (const key of Object.keys(input)) if (!Object.hasOwn(OPTION_SPECS, key)) throw unknownOption(key);
  const given = input as Readonly<Record<string, unknown>>;
  const resolved: Record<string, unknown> = {};
  for (const name of OPTION_NAMES) {
    const value = given[name];
    resolved[name] =
      value !== undefined
        ? OPTION_SPECS[name](value, name)
        : name === 'tolerance'
          ? DEFAULTS.tolerance[precision]
          : DEFAULTS[name];
  }
  return resolved as unknown as ResolvedOptions;
}
