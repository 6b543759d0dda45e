import { Comparison, toleranceWarning, type Verdict } from './compare.js';
import { diagnoseTensors, inferExamples, type TensorEvidence } from './diagnose.js';
import { lossNoise, perturb, type EntryEstimate } from './difference.js';
import { GradcheckError } from './errors.js';
import { EntryEstimator } from './estimate.js';
import { evaluate, type Request } from './evaluation.js';
import { readGradients, type NormalisedModel } from './model.js';
import {
  resolveOptions,
  type CheckOptionsInput,
  type CheckPhase,
  type ResolvedOptions,
  type RunMode,
} from './options.js';
import { ParameterSet } from './parameters.js';
import type { CheckResult, TensorResult } from './result.js';
import { TAYLOR_EVALUATIONS, taylorTest } from './taylor.js';

export type { EntryEstimate };

const now = (): number => (globalThis as { performance?: { now(): number } }).performance?.now() ?? Date.now();

const PROGRESS_INTERVAL_MS = 200;

/**
 * A move along a direction changes every entry of a tensor at once, so the loss difference carries
 * the rounding of the whole sum rather than of one term: its floor allows 4× an entry's (32 rounding
 * errors, the allowance the directional check and its localisation were measured with).
 */
const DIRECTIONAL_ROUNDING = 4;

/**
 * A numeric directional derivative of one tensor: the loss difference along a displacement of a
 * range of its entries, beside what the analytic gradient predicts for the displacement actually
 * stored. Both are in loss units.
 */
export interface DirectionEstimate {
  /** ⟨g, Δ⟩ / 2, with Δ = (θ + u) − (θ − u) as the tensor stored it. */
  readonly analytic: number;
  /** (L(θ + u) − L(θ − u)) / 2. */
  readonly numeric: number;
  /** The error that rounding of the two losses alone may put into `numeric`. */
  readonly floor: number;
}

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
  /** Wall time spent inside loss evaluations, in milliseconds. */
  lossTimeMs = 0;
  /** The mode running and what it is doing, for {@link CheckSession.progress}. */
  mode: RunMode = 'full';
  phase: CheckPhase = 'full';
  private stepMin = Infinity;
  private stepMax = 0;
  private readonly estimator: EntryEstimator;
  private lastProgress = this.started;
  /** What the last progress report said was checked, of how many: repeated after the Taylor test. */
  private lastChecked = 0;
  private lastTotal = 0;

  /** The number of examples in X (stated in the options, or inferred from X and Y). */
  readonly examples: number | undefined;

  /**
   * @param data - X and Y as the check received them, read only to infer the number of examples
   *   for the diagnosis (see {@link inferExamples}).
   */
  constructor(
    readonly model: NormalisedModel,
    input: CheckOptionsInput,
    data?: { readonly X: unknown; readonly Y: unknown },
  ) {
    this.parameters = ParameterSet.from(model.parameters);
    this.options = resolveOptions(input, this.parameters.precision);
    this.examples = this.options.examples ?? (data ? inferExamples(data.X, data.Y) : undefined);
    this.snapshot = this.parameters.snapshot();
    this.estimator = new EntryEstimator(this);
    this.parameters.assertFinite(this.snapshot);
  }

  /** Evaluates the loss; `where()` tells an error message which entry was perturbed. */
  *lossAt(where: () => string): Steps<number> {
    this.lossEvaluations++;
    const t = now();
    try {
      return (yield* evaluate('loss', where)) as number;
    } finally {
      this.lossTimeMs += now() - t;
    }
  }

  /**
   * Evaluates the loss and the analytic gradients at the unperturbed parameters, and the loss once
   * more to catch a nondeterministic loss or a gradient function that moves the parameters.
   */
  *open(): Steps<void> {
    this.loss = yield* this.lossAt(() => 'at the unperturbed parameters');
    this.gradientEvaluations++;
    this.analytic = readGradients(this.parameters, yield* evaluate('gradients', () => 'at the unperturbed parameters'));
    this.assertUnchanged('gradients(X, Y)');
    const again = yield* this.lossAt(() => 'at the unperturbed parameters, the second time');
    if (!Object.is(this.loss, again)) {
      throw new GradcheckError(
        'NONDETERMINISTIC_LOSS',
        `loss(X, Y) gave ${this.loss} and then ${again} at the same parameters; ` +
          'the loss must be deterministic (turn off dropout, fix random seeds, use a fixed batch).',
      );
    }
  }

  /** Restores every parameter from the snapshot; throws `PARAMETERS_CHANGED` if `by` had moved one. */
  assertUnchanged(by: string): void {
    const changed = this.parameters.restore(this.snapshot);
    if (changed) {
      throw new GradcheckError(
        'PARAMETERS_CHANGED',
        `${by} changed parameter ${changed}; ` +
          'a model must not update its parameters while they are checked (restored).',
      );
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

  /**
   * Checks entry `index` of tensor number `tensorIndex` elementwise ({@link CheckSession.estimateEntry}),
   * records it in `comparison` and returns its excess (above 1: the entry's gradient is wrong).
   */
  *checkEntry(comparison: Comparison, tensorIndex: number, index: number): Steps<number> {
    const estimate = yield* this.estimateEntry(tensorIndex, index);
    const analytic = this.analytic[this.parameters.tensors[tensorIndex]!.offset + index]!;
    return comparison.add(tensorIndex, index, analytic, estimate);
  }

  /** Reports progress to `onProgress`, at most every 200 ms unless `final`. */
  progress(checked: number, total: number, final = false): void {
    const { onProgress } = this.options;
    if (!onProgress) return;
    this.lastChecked = checked;
    this.lastTotal = total;
    const t = now();
    if (!final && t - this.lastProgress < PROGRESS_INTERVAL_MS) return;
    this.lastProgress = t;
    onProgress({
      mode: this.mode,
      phase: this.phase,
      checked,
      total,
      evaluations: this.lossEvaluations,
      elapsedMs: t - this.started,
    });
  }

  /** A fresh {@link Comparison} under this session's tolerance and options. */
  comparison(): Comparison {
    return new Comparison(
      this.parameters,
      this.options.tolerance,
      this.options.worst,
      this.options.includeGradients,
      this.options.kinks,
    );
  }

  /** The diagnosis of each failing tensor in `verdict`. */
  private diagnose(comparison: Comparison, verdict: Verdict): TensorResult[] {
    const evidence = this.parameters.tensors.map((t, k): TensorEvidence => ({
      name: t.name,
      shape: t.view.shape,
      failing: !verdict.tensors[k]!.passed,
      entries: comparison.recorded(k),
      noiseNorm: verdict.tensors[k]!.noiseNorm,
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
    if (when === 'on-failure' && (this.evaluationsLeft() < TAYLOR_EVALUATIONS || this.outOfTime())) {
      return {
        ...result,
        warnings: [
          ...result.warnings,
          `the Taylor test was skipped: the budget has no room for its ${TAYLOR_EVALUATIONS} loss evaluations.`,
        ],
      };
    }
    const taylor = yield* taylorTest(this, this.options.seed);
    this.progress(this.lastChecked, this.lastTotal, true);
    const warnings =
      result.passed && taylor.verdict === 'wrong'
        ? [
            ...result.warnings,
            'every entry agreed, but the Taylor test found the remainder shrinking like t along a random direction: ' +
              'a kink along that direction can do this; so can a gradient wrong only in combination (check the loss is the one differentiated).',
          ]
        : result.warnings;
    return {
      ...result,
      taylor,
      warnings,
      evaluations: { loss: this.lossEvaluations, gradients: this.gradientEvaluations },
      elapsedMs: now() - this.started,
    };
  }

  /** Milliseconds since the check started. */
  elapsed(): number {
    return now() - this.started;
  }

  /** True when the time budget is spent. */
  outOfTime(): boolean {
    return this.elapsed() >= this.options.budget.timeMs;
  }

  /** Loss evaluations the budget has left (Infinity without an evaluation budget). */
  evaluationsLeft(): number {
    return this.options.budget.evaluations - this.lossEvaluations;
  }

  /**
   * Estimates the derivative of the loss along a displacement of tensor number `tensorIndex`:
   * entries `from` to `to − 1` move by ±`scale`·`weights[i]` (all at once, in place), the rest stay.
   * The analytic side uses the displacement the tensor actually stored, so rounding (float32) does
   * not count as an error. Every moved entry gets its exact original bits back on every way out.
   */
  *estimateDirection(
    tensorIndex: number,
    weights: Float64Array,
    from: number,
    to: number,
    scale: number,
  ): Steps<DirectionEstimate> {
    const { view, offset, name } = this.parameters.tensors[tensorIndex]!;
    const theta = this.snapshot,
      g = this.analytic;
    const where = (sign: string) => () =>
      `with entries ${from}…${to - 1} (flat) of ${name} moved along a random direction (${sign})`;
    let up = 0,
      down = 0,
      lossPlus: number,
      lossMinus: number;
    try {
      for (let i = from; i < to; i++) {
        const t = theta[offset + i]!;
        up += g[offset + i]! * (perturb(view, i, t + scale * weights[i]!) - t);
      }
      lossPlus = yield* this.lossAt(where('+'));
      for (let i = from; i < to; i++) {
        const t = theta[offset + i]!;
        down += g[offset + i]! * (perturb(view, i, t - scale * weights[i]!) - t);
      }
      lossMinus = yield* this.lossAt(where('−'));
    } finally {
      for (let i = from; i < to; i++) view.set(i, theta[offset + i]!);
    }
    return {
      analytic: (up - down) / 2,
      numeric: (lossPlus - lossMinus) / 2,
      floor:
        DIRECTIONAL_ROUNDING * lossNoise(Math.max(Math.abs(lossPlus), Math.abs(lossMinus)), this.parameters.precision),
    };
  }

  /**
   * The result of a check that compared the entries in `comparison`; `mode` and `reason` say which
   * check ran and why.
   */
  result(comparison: Comparison, checked: number, mode: RunMode, reason: string): CheckResult {
    const verdict = comparison.verdict();
    const warning = toleranceWarning(this.options.tolerance, this.parameters.precision, this.options.scheme);
    return {
      passed: verdict.passed,
      mode,
      modeReason: reason,
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
