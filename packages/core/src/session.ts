import { Comparison, entryExcess } from './compare.js';
import { centralQuotient, defaultStep, noiseFloor, perturb } from './difference.js';
import { GradcheckError } from './errors.js';
import { evaluate, type Request } from './evaluation.js';
import { readGradients, type NormalisedModel } from './model.js';
import { resolveOptions, type CheckOptionsInput, type CheckPhase, type ResolvedOptions, type RunMode } from './options.js';
import { ParameterSet } from './parameters.js';
import type { CheckResult } from './result.js';

const now = (): number => (globalThis as { performance?: { now(): number } }).performance?.now() ?? Date.now();

const PROGRESS_INTERVAL_MS = 200;

/** A numeric estimate of one entry's derivative. */
export interface EntryEstimate {
  /** The finite-difference derivative. */
  readonly numeric: number;
  /** The error that rounding alone may put into `numeric`. */
  readonly floor: number;
  /** Half the step actually taken, (θ₊ − θ₋)/2. */
  readonly step: number;
}

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
  private lastProgress = this.started;

  constructor(readonly model: NormalisedModel, input: CheckOptionsInput) {
    this.parameters = ParameterSet.from(model.parameters);
    this.options = resolveOptions(input, this.parameters.precision);
    this.snapshot = this.parameters.snapshot();
    this.parameters.assertFinite(this.snapshot);
  }

  /** Evaluates the loss; `where` tells an error message which entry was perturbed. */
  *lossAt(where: string): Steps<number> {
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
   * Estimates the derivative with respect to entry `index` of tensor number `tensorIndex` by
   * central differences, perturbing it in place and restoring its exact value.
   */
  *estimateEntry(tensorIndex: number, index: number): Steps<EntryEstimate> {
    const tensor = this.parameters.tensors[tensorIndex]!;
    const { view } = tensor;
    const theta = this.snapshot[tensor.offset + index]!;
    const h = this.options.step ?? defaultStep(theta, view.precision);
    const label = this.parameters.label(tensor, index);
    let plus: number, minus: number, lossPlus: number, lossMinus: number;
    try {
      plus = perturb(view, index, theta + h);
      lossPlus = yield* this.lossAt(`with ${label} = θ + h = ${plus} (θ = ${theta})`);
      minus = perturb(view, index, theta - h);
      lossMinus = yield* this.lossAt(`with ${label} = θ − h = ${minus} (θ = ${theta})`);
    } finally {
      view.set(index, theta);
    }
    if (plus === minus) {
      throw new GradcheckError('INVALID_OPTION', `step ${h} is below the resolution of ${label} ` +
        `(${view.precision}, value ${theta}): θ ± h rounds to θ. Use a larger step, or omit it for one fitted to each entry.`);
    }
    const taken = { plus, minus };
    const step = (plus - minus) / 2;
    if (step < this.stepMin) this.stepMin = step;
    if (step > this.stepMax) this.stepMax = step;
    return {
      numeric: centralQuotient(lossPlus, lossMinus, taken),
      floor: noiseFloor(Math.max(Math.abs(lossPlus), Math.abs(lossMinus)), taken, this.parameters.precision),
      step,
    };
  }

  /**
   * Checks entry `index` of tensor number `tensorIndex` elementwise ({@link CheckSession.estimateEntry}),
   * records it in `comparison` and returns its excess (above 1: the entry's gradient is wrong).
   */
  *checkEntry(comparison: Comparison, tensorIndex: number, index: number): Steps<number> {
    const estimate = yield* this.estimateEntry(tensorIndex, index);
    const analytic = this.analytic[this.parameters.tensors[tensorIndex]!.offset + index]!;
    comparison.add(tensorIndex, index, analytic, estimate.numeric, estimate.floor, estimate.step);
    return entryExcess(analytic, estimate.numeric, estimate.floor, this.options.tolerance);
  }

  /** Reports progress to `onProgress`, at most every 200 ms unless `final`. */
  progress(checked: number, total: number, final = false): void {
    const { onProgress } = this.options;
    if (!onProgress) return;
    const t = now();
    if (!final && t - this.lastProgress < PROGRESS_INTERVAL_MS) return;
    this.lastProgress = t;
    onProgress({ mode: this.mode, phase: this.phase, checked, total, evaluations: this.lossEvaluations, elapsedMs: t - this.started });
  }

  /** A fresh {@link Comparison} under this session's tolerance and options. */
  comparison(): Comparison {
    return new Comparison(this.parameters, this.options.tolerance, this.options.worst, this.options.includeGradients);
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
  *estimateDirection(tensorIndex: number, weights: Float64Array, from: number, to: number, scale: number): Steps<DirectionEstimate> {
    const { view, offset, name } = this.parameters.tensors[tensorIndex]!;
    const theta = this.snapshot, g = this.analytic;
    const where = `with entries ${from}…${to - 1} (flat) of ${name} moved along a random direction`;
    let up = 0, down = 0, lossPlus: number, lossMinus: number;
    try {
      for (let i = from; i < to; i++) {
        const t = theta[offset + i]!;
        up += g[offset + i]! * (perturb(view, i, t + scale * weights[i]!) - t);
      }
      lossPlus = yield* this.lossAt(`${where} (+)`);
      for (let i = from; i < to; i++) {
        const t = theta[offset + i]!;
        down += g[offset + i]! * (perturb(view, i, t - scale * weights[i]!) - t);
      }
      lossMinus = yield* this.lossAt(`${where} (−)`);
    } finally {
      for (let i = from; i < to; i++) view.set(i, theta[offset + i]!);
    }
    return {
      analytic: (up - down) / 2,
      numeric: (lossPlus - lossMinus) / 2,
      floor: noiseFloor(Math.max(Math.abs(lossPlus), Math.abs(lossMinus)), { plus: 1, minus: -1 }, this.parameters.precision),
    };
  }

  /**
   * The result of a check that compared the entries in `comparison`; `mode` and `reason` say which
   * check ran and why.
   */
  result(comparison: Comparison, checked: number, mode: RunMode = 'full', reason = 'mode: full'): CheckResult {
    const verdict = comparison.verdict();
    return {
      passed: verdict.passed,
      mode,
      modeReason: reason,
      difference: verdict.difference,
      tolerance: this.options.tolerance,
      scheme: 'central',
      step: this.options.step ?? 'auto',
      stepRange: [this.stepMin, this.stepMax],
      precision: this.parameters.precision,
      loss: this.loss,
      parameters: this.parameters.size,
      checked,
      evaluations: { loss: this.lossEvaluations, gradients: this.gradientEvaluations },
      elapsedMs: now() - this.started,
      tensors: verdict.tensors,
      worst: verdict.worst,
      seed: this.options.seed,
      warnings: [],
    };
  }
}
