import type { Scheme } from './difference.js';
import type { RunMode } from './options.js';
import type { Precision } from './tensors.js';

/**
 * What a tensor's mismatch looks like:
 * - `scale`: analytic ≈ factor × numeric (`examples` set when the factor is the number of
 *   examples in X or its inverse: a missing or extra mean);
 * - `sign`: analytic ≈ −numeric;
 * - `zero`: the analytic gradient is 0 where the numeric one is not (a missing path);
 * - `transposed`: the analytic gradient holds the numeric one transposed;
 * - `swapped`: the analytic gradient matches another tensor's numeric gradient (`other`);
 * - `regulariser`: numeric − analytic ≈ factor × θ (a missing or wrong L2 term);
 * - `isolated`: a single entry is off (`entry`).
 */
export type DiagnosisKind = 'scale' | 'sign' | 'zero' | 'transposed' | 'swapped' | 'regulariser' | 'isolated';

/** The diagnosis of a failing tensor. */
export interface Diagnosis {
  /** Which pattern the mismatch follows. */
  readonly kind: DiagnosisKind;
  /** One line for the report: `analytic ≈ 3.00 × numeric (3 = examples in X: a missing mean)`. */
  readonly text: string;
  /** `scale`: the factor k in analytic ≈ k × numeric; `regulariser`: λ in numeric − analytic ≈ λ·θ. */
  readonly factor?: number;
  /** `scale`: the number of examples when k equals it (`k = m`) or its inverse (`k = 1/m`). */
  readonly examples?: number;
  /** `swapped`: the tensor whose numeric gradient the analytic one matches. */
  readonly other?: string;
  /** `isolated`: the entry that is off (`W1[2,3]`); `zero`: how many entries are 0 but should not be. */
  readonly entry?: string;
  readonly count?: number;
}

/** The Taylor test's outcome: see {@link CheckOptions.taylor}. */
export interface TaylorResult {
  /**
   * `correct`: the remainder shrinks like t²; `wrong`: like t (the gradient is off along d);
   * `inconclusive`: rounding noise or a kink along d hid the trend (or the loss is linear).
   */
  readonly verdict: 'correct' | 'wrong' | 'inconclusive';
  /** The observed slope of log remainder against log t at the smallest usable t (2 when correct, 1 when wrong). */
  readonly slope: number;
  /** The points measured: t and the remainder |L(θ + t·d) − L(θ) − t·⟨g, d⟩|. */
  readonly points: readonly (readonly [number, number])[];
  /** Loss evaluations spent. */
  readonly evaluations: number;
}

/** One parameter entry compared: analytic vs numeric derivative. */
export interface EntryResult {
  /** `W1[2,3]`: the parameter's name and the entry's index in the parameter's own shape. */
  readonly label: string;
  /** The parameter's name. */
  readonly tensor: string;
  /** The entry's index in the parameter's shape (`[2, 3]`). */
  readonly index: readonly number[];
  /** The model's gradient. */
  readonly analytic: number;
  /** The finite-difference estimate. */
  readonly numeric: number;
  /** `|analytic − numeric|`. */
  readonly absError: number;
  /** `|analytic − numeric| / (|analytic| + |numeric|)`; 0 when both are 0. */
  readonly relError: number;
  /**
   * How far the entry exceeds what it is allowed: `absError / allowed`, where `allowed` is the
   * larger of `tolerance · (|analytic| + |numeric|)` and the entry's finite-difference error (its
   * rounding noise floor, or the error estimated from steps h and h/2 where those were taken).
   * Above 1 the entry fails.
   */
  readonly excess: number;
  /** The step actually taken for this entry: `(θ + h) − (θ − h)` halved. */
  readonly step: number;
  /** True when the loss is not differentiable within the step here (listed with `kinks: 'fail'`). */
  readonly kink?: boolean;
}

/** One parameter tensor's verdict. */
export interface TensorResult {
  /** The parameter's name. */
  readonly name: string;
  /** The parameter's shape. */
  readonly shape: readonly number[];
  /** Number of entries. */
  readonly size: number;
  /**
   * Number of entries checked one by one: all of them in a full check, the sample in a sampled
   * check, the suspects localisation checked in a directional check.
   */
  readonly checked: number;
  /**
   * Random directions the tensor was projected on (directional check only). Then `difference`,
   * `errorNorm` and `noiseNorm` are estimates from the projections: the expected square of a
   * projection of an error vector on a direction of unit-variance entries is the error's squared norm.
   */
  readonly directions?: number;
  /** Storage precision. */
  readonly precision: Precision;
  /** The classic difference `‖g − ĝ‖₂ / (‖g‖₂ + ‖ĝ‖₂)` over this tensor's checked entries. */
  readonly difference: number;
  /** `‖g − ĝ‖₂` over the checked entries. */
  readonly errorNorm: number;
  /** The finite-difference error expected in `‖ĝ‖₂` (rounding of the loss over the step, and estimated truncation error). */
  readonly noiseNorm: number;
  /** Entries whose `excess` is above 1 (and, with `kinks: 'fail'`, entries at kinks). */
  readonly failing: number;
  /**
   * Entries where the loss is not differentiable within the step (excluded unless `kinks: 'fail'`;
   * more than a quarter of `checked`, and at least 8, fail the check with a finding, while
   * `passed` stays the verdict of the entries compared).
   */
  readonly kinks: number;
  /**
   * True when perturbing this tensor's entries never moved the loss while its analytic gradient
   * is not 0: the loss does not read it (the model's `parameters` hold copies, or it is unused).
   */
  readonly unread?: boolean;
  /** Entries whose step was widened past the default because the loss's noise dominated there. */
  readonly widened?: number;
  /** What the mismatch looks like, for a failing tensor whose mismatch follows a pattern. */
  readonly diagnosis?: Diagnosis;
  /** True when the difference is within tolerance (or the error within noise) and no entry fails. */
  readonly passed: boolean;
  /** The analytic gradient of the checked entries (flat, row-major), when `includeGradients` is set. */
  readonly analytic?: number[];
  /** The numeric gradient of the checked entries, when `includeGradients` is set. */
  readonly numeric?: number[];
}

/** What a gradient check found. Plain data: JSON-serialisable, safe to snapshot or log. */
export interface CheckResult {
  /** The verdict: every tensor passed and the overall difference is within tolerance. */
  readonly passed: boolean;
  /** Which check ran: every entry (`full`), random projections per tensor (`directional`), or a sample (`sampled`). */
  readonly mode: RunMode;
  /** Why this mode ran: the option that asked for it, or what `auto` weighed. */
  readonly modeReason: string;
  /** The classic difference `‖g − ĝ‖₂ / (‖g‖₂ + ‖ĝ‖₂)` over every checked entry. */
  readonly difference: number;
  /** The tolerance the differences were held to. */
  readonly tolerance: number;
  /** The finite-difference scheme. */
  readonly scheme: Scheme;
  /** The step policy: the user's fixed step, or `'auto'` (scaled per entry by precision and |θ|). */
  readonly step: number | 'auto';
  /** Smallest and largest step actually taken. */
  readonly stepRange: readonly [number, number];
  /** The coarsest storage precision among the parameters. */
  readonly precision: Precision;
  /** The loss at the unperturbed parameters. */
  readonly loss: number;
  /** Total number of parameter entries. */
  readonly parameters: number;
  /** Number of entries checked one by one (see {@link TensorResult.checked}). */
  readonly checked: number;
  /** Model calls spent. */
  readonly evaluations: { readonly loss: number; readonly gradients: number };
  /** Wall time of the check in milliseconds. */
  readonly elapsedMs: number;
  /** Per-tensor verdicts, in the model's order. */
  readonly tensors: readonly TensorResult[];
  /** The worst entries, most excessive first (failing or not). */
  readonly worst: readonly EntryResult[];
  /** Entries where the loss is not differentiable within the step (a ReLU, max or abs kink). */
  readonly kinks: {
    /** How many. */
    readonly count: number;
    /**
     * How many of them disagree with the central difference taken across the kink (all of them
     * where the kink test runs only on entries that disagree). In a passing check these are then
     * the only entries that disagreed, and the report's first line says so.
     */
    readonly disagreeing: number;
    /**
     * `exclude`: left out of the verdict (a check that leaves out more than a quarter of the
     * entries it checked, and at least 8, in a tensor or overall, fails: see `findings`);
     * `fail`: counted as failing.
     */
    readonly policy: 'exclude' | 'fail';
    /** Labels of the first of them (up to `worst`). */
    readonly entries: readonly string[];
  };
  /** The number of examples in X used by the diagnosis (stated or inferred), when known. */
  readonly examples?: number;
  /** The Taylor test, when it ran (on failure by default, or always with `taylor: true`). */
  readonly taylor?: TaylorResult;
  /**
   * A layer or function check: the names of the inputs whose entries were checked (they are in
   * `tensors` after the parameters), and the number of random cotangents R (layers).
   */
  readonly inputs?: { readonly names: readonly string[]; readonly cotangents?: number };
  /** The seed of every random choice the check made. */
  readonly seed: number;
  /** Things the user should know that did not decide the verdict. */
  readonly warnings: readonly string[];
  /**
   * What failed the check besides the entries' comparison, one sentence each, printed in the
   * report's first line: gradients that differ between two calls at the same point (accumulating
   * buffers), a tensor whose perturbation never moves the loss, too many entries left out as kinks.
   */
  readonly findings?: readonly string[];
}
