import type { RunMode } from './options.js';
import type { Precision } from './tensors.js';

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
   * larger of `tolerance · (|analytic| + |numeric|)` and the entry's finite-difference noise
   * floor. Above 1 the entry fails.
   */
  readonly excess: number;
  /** The step actually taken for this entry: `(θ + h) − (θ − h)` halved. */
  readonly step: number;
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
  /** The finite-difference noise expected in `‖ĝ‖₂` (rounding of the loss over the step). */
  readonly noiseNorm: number;
  /** Entries whose `excess` is above 1. */
  readonly failing: number;
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
  readonly scheme: 'central';
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
  /** The seed of every random choice the check made. */
  readonly seed: number;
  /** Things the user should know that did not decide the verdict. */
  readonly warnings: readonly string[];
}
