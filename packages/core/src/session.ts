import { Comparison, toleranceWarning, type Verdict } from './compare.js';
import { diagnoseTensors, inferExamples, type TensorEvidence } from './diagnose.js';
import type { EntryEstimate } from './difference.js';
import { GradcheckError } from './errors.js';
import { EntryEstimator } from './estimate.js';
import { evaluate, type Request } from './evaluation.js';
import { readGradients, type NormalisedModel } from './model.js';
import { resolveOptions, type CheckOptionsInput, type ResolvedOptions } from './options.js';
import { ParameterSet } from './parameters.js';
import type { CheckResult, TensorResult } from './result.js';
import { taylorTest } from './taylor.js';

export type { EntryEstimate };

const now = (): number => (globalThis as { performance?: { now(): number } }).performance?.now() ?? Date.now();

const PROGRESS_INTERVAL_MS = 200;


type Steps<T> = Generator<Request, T, unknown>;

/**
 * One check in progress: the model's parameters (with a snapshot of their original values), the
 * resolved options, the analytic gradient at the unperturbed point, and the counters. The modes
 * (full, …) are algorithms over a session; `open` prepares it and `close` restores the parameters.
 */
export class CheckSession {
  readonly started = now();
  readonly parameters: ParameterSet;
  readonly options: ResolvedOptions;
  /** Every parameter's original value, in flat order. */
  readonly snapshot: Float64Array;
  /** The analytic gradient in flat order (filled by {@link CheckSession.open}). */
  analytic: Float64Array = new Float64Array(0);
  /** The loss at the unperturbed parameters. */
  loss = NaN;
  lossEvaluations = 0;
  gradientEvaluations = 0;
  private stepMin = Infinity;
  private stepMax = 0;
  private readonly estimator: EntryEstimator;
  private lastProgress = this.started;

  /** The number of examples in X (stated in the options, or inferred from X and Y). */
  readonly examples: number | undefined;

  /**
   * @param data - X and Y as the check received them, read only to infer the number of examples
   *   for the diagnosis (see {@link inferExamples}).
   */
  constructor(readonly model: NormalisedModel, input: CheckOptionsInput, data?: { readonly X: unknown; readonly Y: unknown }) {
    this.parameters = ParameterSet.from(model.parameters);
    this.options = resolveOptions(input, this.parameters.precision);
    this.examples = this.options.examples ?? (data ? inferExamples(data.X, data.Y) : undefined);
    this.snapshot = this.parameters.snapshot();
    this.estimator = new EntryEstimator(this);
    this.parameters.assertFinite(this.snapshot);
  }

  /** Evaluates the loss; `where` tells an error message which entry was perturbed. */
  *lossAt(where: string): Steps<number> {
    this.lossEvaluations++;
    return (yield* evaluate('loss', where)) as number;
  }

  /**
   * Evaluates the loss and the analytic gradients at the unperturbed parameters, and the loss once
   * more to catch a nondeterministic loss or a gradient function that moves the parameters.
   */
  *open(): Steps<void> {
    this.loss = yield* this.lossAt('at the unperturbed parameters');
    this.gradientEvaluations++;
    this.analytic = readGradients(this.parameters, yield* evaluate('gradients', 'at the unperturbed parameters'));
    this.assertUnchanged('gradients(X, Y)');
    const again = yield* this.lossAt('at the unperturbed parameters, the second time');
    if (!Object.is(this.loss, again)) {
      throw new GradcheckError('NONDETERMINISTIC_LOSS', `loss(X, Y) gave ${this.loss} and then ${again} at the same parameters; ` +
        'the loss must be deterministic (turn off dropout, fix random seeds, use a fixed batch).');
    }
  }

  /** Restores every parameter from the snapshot; throws `PARAMETERS_CHANGED` if `by` had moved one. */
  assertUnchanged(by: string): void {
    const changed = this.parameters.restore(this.snapshot);
    if (changed) {
      throw new GradcheckError('PARAMETERS_CHANGED', `${by} changed parameter ${changed}; ` +
        'a model must not update its parameters while they are checked (restored).');
    }
  }

  /** Restores every parameter from the snapshot, silently: the way out of every check. */
  close(): void {
    this.parameters.restore(this.snapshot);
  }

  /**
   * Estimates the derivative with respect to entry `index` of tensor number `tensorIndex` (see
   * {@link EntryEstimator.estimate}), perturbing it in place and restoring its exact value.
   */
  *estimateEntry(tensorIndex: number, index: number): Steps<EntryEstimate> {
    const estimate = yield* this.estimator.estimate(tensorIndex, index);
    if (estimate.step < this.stepMin) this.stepMin = estimate.step;
    if (estimate.step > this.stepMax) this.stepMax = estimate.step;
    return estimate;
  }

  /** Reports progress to `onProgress`, at most every 200 ms unless `final`. */
  progress(checked: number, total: number, final = false): void {
    const { onProgress } = this.options;
    if (!onProgress) return;
    const t = now();
    if (!final && t - this.lastProgress < PROGRESS_INTERVAL_MS) return;
    this.lastProgress = t;
    onProgress({ checked, total, evaluations: this.lossEvaluations, elapsedMs: t - this.started });
  }

  /** A fresh {@link Comparison} under this session's tolerance and options. */
  comparison(): Comparison {
    return new Comparison(this.parameters, this.options.tolerance, this.options.worst, this.options.includeGradients, this.options.kinks);
  }

  /** The diagnosis of each failing tensor in `verdict`. */
  private diagnose(comparison: Comparison, verdict: Verdict): TensorResult[] {
    const evidence = this.parameters.tensors.map((t, k): TensorEvidence => ({
      name: t.name, shape: t.view.shape, failing: !verdict.tensors[k]!.passed, entries: comparison.recorded(k), noiseNorm: verdict.tensors[k]!.noiseNorm,
      analyticAt: (i) => this.analytic[t.offset + i]!,
      thetaAt: (i) => this.snapshot[t.offset + i]!,
      label: (i) => this.parameters.label(t, i),
    }));
    const diagnoses = diagnoseTensors(evidence, this.examples);
    return verdict.tensors.map((t, k) => (diagnoses[k] ? { ...t, diagnosis: diagnoses[k] } : t));
  }

  /**
   * The Taylor test as a second opinion on `result` (always with `taylor: true`, on failure by
   * default); its outcome goes into the result, never into the verdict.
   */
  *secondOpinion(result: CheckResult): Steps<CheckResult> {
    const when = this.options.taylor;
    if (when === 'never' || (when === 'on-failure' && result.passed)) return result;
    const taylor = yield* taylorTest(this, this.options.seed);
    const warnings = result.passed && taylor.verdict === 'wrong'
      ? [...result.warnings, 'every entry agreed, but the Taylor test found the remainder shrinking like t along a random direction: ' +
        'a kink along that direction can do this; so can a gradient wrong only in combination (check the loss is the one differentiated).']
      : result.warnings;
    return {
      ...result, taylor, warnings,
      evaluations: { loss: this.lossEvaluations, gradients: this.gradientEvaluations },
      elapsedMs: now() - this.started,
    };
  }

  /** The result of a check that compared the entries in `comparison`. */
  result(comparison: Comparison, checked: number): CheckResult {
    const verdict = comparison.verdict();
    const warning = toleranceWarning(this.options.tolerance, this.parameters.precision, this.options.scheme);
    return {
      passed: verdict.passed,
      mode: 'full',
      difference: verdict.difference,
      tolerance: this.options.tolerance,
      scheme: this.options.scheme,
      step: this.options.step ?? 'auto',
      stepRange: [this.stepMin, this.stepMax],
      precision: this.parameters.precision,
      loss: this.loss,
      parameters: this.parameters.size,
      checked,
      evaluations: { loss: this.lossEvaluations, gradients: this.gradientEvaluations },
      elapsedMs: now() - this.started,
      tensors: verdict.passed ? verdict.tensors : this.diagnose(comparison, verdict),
      worst: verdict.worst,
      kinks: { count: verdict.kinks, policy: this.options.kinks, entries: verdict.kinkLabels },
      ...(this.examples !== undefined ? { examples: this.examples } : {}),
      seed: this.options.seed,
      warnings: warning ? [warning] : [],
    };
  }
}
