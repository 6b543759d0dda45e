/**
 * The life of one check: the parameters and a snapshot of their exact values (restored on every
 * way out), the resolved options, the loss and analytic gradient at the unperturbed point,
 * evaluation counting against the budget, and progress reports. What a check computes from these
 * lives elsewhere: entries in estimate.ts, modes in modes/, the result in outcome.ts.
 */
import { GradcheckError } from './errors.js';
import { Answered, evaluate, evaluateNow, type DirectModel, type Request } from './evaluation.js';
import { impureGradients } from './findings.js';
import { MODEL_CALLS, readGradient, readGradients, type CallNames, type NormalisedModel } from './model.js';
import {
  resolveOptions,
  type CheckOptionsInput,
  type CheckPhase,
  type ResolvedOptions,
  type RunMode,
} from './options.js';
import { ParameterSet, type ParameterTensor } from './parameters.js';

/** A part of a check: a generator that yields the model evaluations it needs. */
export type Steps<T> = Generator<Request, T, unknown>;

/** Milliseconds from a monotonic clock where there is one. */
export const now = (): number => (globalThis as { performance?: { now(): number } }).performance?.now() ?? Date.now();

const PROGRESS_INTERVAL_MS = 200;

/**
 * One check in progress: the model's parameters (with a snapshot of their original values), the
 * resolved options, the analytic gradient at the unperturbed point, and the counters. The modes
 * are algorithms over a session; `open` prepares it and `close` restores the parameters.
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
  /** Failures found beside the entries' comparison (see `CheckResult.findings`). */
  readonly findings: string[] = [];
  lossEvaluations = 0;
  gradientEvaluations = 0;
  /**
   * Wall time spent inside the loss evaluations at the unperturbed point ({@link CheckSession.open}),
   * in milliseconds: what auto estimates a full check's time from. Later evaluations are not timed
   * (two clock reads per evaluation cost a cheap model's check more than the model).
   */
  lossTimeMs = 0;
  /** Whether loss evaluations are timed now (during {@link CheckSession.open}). */
  private timing = false;
  /** The answer of a loss evaluated in place, handed to `yield*`. */
  private readonly answer = new Answered<number>();
  /** The mode running and what it is doing, for {@link CheckSession.progress}. */
  mode: RunMode = 'full';
  phase: CheckPhase = 'full';
  /** What the checked code's calls are called in messages. */
  readonly calls: CallNames;
  private lastProgress = this.started;
  /** What the last progress report said was checked, of how many: repeated by {@link CheckSession.finalProgress}. */
  private lastChecked = 0;
  private lastTotal = 0;

  /**
   * @param direct - The model and its data, when the check runs synchronously ({@link runSync}):
   *   evaluations then call the model in place instead of yielding to the driver. Without it, every
   *   evaluation is a yield, for {@link runAsync} or {@link runSync}.
   */
  constructor(
    readonly model: NormalisedModel,
    input: CheckOptionsInput,
    private readonly direct?: DirectModel,
  ) {
    this.parameters = ParameterSet.from(model.parameters, model.inputs, model.lossPrecision);
    this.calls = model.calls ?? MODEL_CALLS;
    this.options = resolveOptions(input, this.parameters.precision);
    this.snapshot = this.parameters.snapshot();
    this.parameters.assertFinite(this.snapshot);
  }

  /** Evaluates the loss at the current parameters; `where()` tells an error message what was perturbed. */
  lossAt(where: () => string): Steps<number> {
    this.lossEvaluations++;
    if (this.timing) return this.timedLossAt(where);
    if (this.direct) return this.answer.with(evaluateNow(this.direct, 'loss', where, this.calls) as number);
    return evaluate('loss', where, this.calls) as Steps<number>;
  }

  /**
   * Whether {@link CheckSession.lossNow} may evaluate now: the check runs synchronously (the model
   * is called in place) and loss evaluations are not timed.
   */
  get inPlace(): boolean {
    return this.direct !== undefined && !this.timing;
  }

  /**
   * {@link CheckSession.lossAt} without a generator, for a caller that knows {@link CheckSession.inPlace}:
   * the same evaluation, count and errors, returned at once.
   */
  lossNow(where: () => string): number {
    this.lossEvaluations++;
    return evaluateNow(this.direct!, 'loss', where, this.calls) as number;
  }

  private *timedLossAt(where: () => string): Steps<number> {
    const t = now();
    try {
      return this.direct
        ? (evaluateNow(this.direct, 'loss', where, this.calls) as number)
        : ((yield* evaluate('loss', where, this.calls)) as number);
    } finally {
      this.lossTimeMs += now() - t;
    }
  }

  /** Evaluates the analytic gradient at the current parameters, in flat order. */
  *gradientsAt(where: () => string): Steps<Float64Array> {
    return readGradients(this.parameters, yield* this.gradientsAnswer(where), this.calls.gradients);
  }

  /**
   * Evaluates the analytic gradient at the current parameters and reads entry `index` of `tensor`
   * only ({@link readGradient}: the gradients' structure checked as by
   * {@link CheckSession.gradientsAt}, the finiteness of that entry alone), where a perturbed point's
   * gradient is asked for one entry: reading all of them would cost O(P) per entry checked.
   */
  *gradientAt(where: () => string, tensor: ParameterTensor, index: number): Steps<number> {
    return readGradient(this.parameters, yield* this.gradientsAnswer(where), tensor, index, this.calls.gradients);
  }

  /** What the model's gradients call returned at the current parameters, counted. */
  private *gradientsAnswer(where: () => string): Steps<unknown> {
    this.gradientEvaluations++;
    return this.direct
      ? evaluateNow(this.direct, 'gradients', where, this.calls)
      : yield* evaluate('gradients', where, this.calls);
  }

  /**
   * Evaluates the loss and the analytic gradients at the unperturbed parameters, then both once
   * more: the loss must be deterministic (else `NONDETERMINISTIC_LOSS`), and the gradient a function
   * of the parameters (else a finding that fails the check: see {@link impureGradients}). The
   * parameters are compared with the snapshot after every call, so that a `PARAMETERS_CHANGED`
   * names the function that changed them.
   */
  *open(): Steps<void> {
    this.timing = true;
    this.loss = yield* this.lossAt(() => 'at the unperturbed parameters');
    this.assertUnchanged(this.calls.loss);
    this.analytic = yield* this.gradientsAt(() => 'at the unperturbed parameters');
    this.assertUnchanged(this.calls.gradients);
    const second = yield* this.gradientsAt(() => 'at the unperturbed parameters, the second time');
    this.assertUnchanged(this.calls.gradients);
    const impure = impureGradients(this.parameters, this.analytic, second);
    if (impure) this.findings.push(impure);
    const again = yield* this.lossAt(() => 'at the unperturbed parameters, the second time');
    this.timing = false;
    this.assertUnchanged(this.calls.loss);
    if (!Object.is(this.loss, again)) {
      throw new GradcheckError(
        'NONDETERMINISTIC_LOSS',
        `${this.calls.loss} gave ${this.loss} and then ${again} at the same parameters; ` +
          'the loss must be deterministic (turn off dropout, fix random seeds, use a fixed batch).',
      );
    }
  }

  /**
   * Restores every parameter from the snapshot; throws `PARAMETERS_CHANGED` if `by` (default: the
   * loss call) had moved one.
   */
  assertUnchanged(by: string = this.calls.loss): void {
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

  /** Repeats the last progress report as final, with the evaluations counted since (the Taylor test's). */
  finalProgress(): void {
    this.progress(this.lastChecked, this.lastTotal, true);
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
}
