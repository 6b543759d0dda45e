import { Comparison, entryExcess, toleranceWarning, type Verdict } from './compare.js';
import { diagnoseTensors, inferExamples, type TensorEvidence } from './diagnose.js';
import { centralQuotient, defaultStep, ESTIMATE_SAFETY, lossNoise, noiseFloor, oneSidedDerivative, oneSidedNoise, perturb, richardson } from './difference.js';
import { GradcheckError } from './errors.js';
import { evaluate, type Request } from './evaluation.js';
import { readGradients, type NormalisedModel } from './model.js';
import { resolveOptions, type CheckOptionsInput, type ResolvedOptions } from './options.js';
import { ParameterSet, type ParameterTensor } from './parameters.js';
import type { CheckResult, TensorResult } from './result.js';
import { taylorTest } from './taylor.js';
import type { EntryEstimate } from './difference.js';

export type { EntryEstimate };
import type { TensorView } from './tensors.js';

const now = (): number => (globalThis as { performance?: { now(): number } }).performance?.now() ?? Date.now();

const PROGRESS_INTERVAL_MS = 200;

/**
 * How many entries of a tensor the kink test confirms as off in a smooth region before it stops
 * spending gradient evaluations on that tensor: by then the tensor fails whatever the rest show.
 */
const CONFIRMATIONS = 8;

/**
 * Where the loss stays bitwise the same at θ, θ ± h/2 and θ ± h, the default step grows by
 * {@link WIDENING} up to {@link WIDENINGS} times until the loss moves.
 */
const WIDENING = 16;
const WIDENINGS = 3;

/**
 * Where the one-sided derivatives disagree within the default step, the step shrinks by
 * {@link NARROWING} up to {@link NARROWINGS} times: a kink beside θ falls outside a narrower
 * step; one at θ stays inside every step.
 */
const NARROWING = 16;
const NARROWINGS = 3;

/**
 * The fourth difference of five loss values carrying independent rounding errors of size σ
 * has a spread of √70·σ ≈ 8.4σ; dividing by 8 reads σ off it.
 */
const FOURTH_DIFFERENCE_SPREAD = 8;

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
  /** Per tensor, entries found off in a smooth region: after {@link CONFIRMATIONS}, the kink test stops asking for gradients. */
  private readonly confirmed: number[];
  private stepMax = 0;
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
    this.confirmed = this.parameters.tensors.map(() => 0);
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
   * Evaluates the loss with entry `index` of `view` set to θ + s·h for each s of `multiples`,
   * restoring its exact original value `theta` afterwards; returns the stored values and losses.
   */
  private *lossesAlong(view: TensorView, index: number, theta: number, h: number, label: string, multiples: readonly number[]): Steps<[number[], number[]]> {
    const stored: number[] = [], losses: number[] = [];
    try {
      for (const s of multiples) {
        const at = perturb(view, index, theta + s * h);
        stored.push(at);
        const offset = `${s > 0 ? '+' : '−'} ${Math.abs(s) === 1 ? 'h' : `h/${1 / Math.abs(s)}`}`;
        losses.push(yield* this.lossAt(`with ${label} = θ ${offset} = ${at} (θ = ${theta})`));
      }
    } finally {
      view.set(index, theta);
    }
    return [stored, losses];
  }

  /**
   * Estimates the derivative with respect to entry `index` of tensor number `tensorIndex`,
   * perturbing it in place and restoring its exact value. Central differences at step h; with
   * `scheme: 'richardson'`, and for a central estimate that disagrees with the analytic
   * derivative, also at h/2: that gives an estimate of the finite-difference error and the two
   * one-sided derivatives, whose disagreement reveals a kink within the step. Where the loss did
   * not move at all within a default step (a loss computed by cancellation is coarser than its
   * magnitude suggests), the step grows until it does; where it has a kink within a default
   * step, the step shrinks until the kink falls outside it, or reports the kink.
   */
  *estimateEntry(tensorIndex: number, index: number): Steps<EntryEstimate> {
    const tensor = this.parameters.tensors[tensorIndex]!;
    const theta = this.snapshot[tensor.offset + index]!;
    let h = this.options.step ?? defaultStep(theta, tensor.view.precision, this.options.scheme);
    let [estimate, flat] = yield* this.estimateAt(tensorIndex, index, h);
    for (let widened = 0; flat && widened < WIDENINGS && this.options.step === undefined; widened++) {
      h *= WIDENING;
      [estimate, flat] = yield* this.estimateAt(tensorIndex, index, h, true);
    }
    // A kink within the step may lie beside θ rather than at it: a narrower step leaves it out.
    // An entry that then agrees is fine; one that disagrees must disagree alike at two narrower
    // steps (a bug beside a kink), since a cluster of kinks can fool a single step.
    let disagreeing: EntryEstimate | undefined;
    for (let narrowed = 0; estimate.kink && narrowed < NARROWINGS && this.options.step === undefined; narrowed++) {
      h /= NARROWING;
      const [narrower, narrowFlat] = yield* this.estimateAt(tensorIndex, index, h);
      // A loss that does not move at all within the narrower step says nothing there.
      if (narrower.kink || narrowFlat) { disagreeing = undefined; continue; }
      const analytic = this.analytic[tensor.offset + index]!;
      const allowed = (e: EntryEstimate): number => Math.max(e.floor, e.errorEstimate);
      if (entryExcess(analytic, narrower.numeric, allowed(narrower), this.options.tolerance) <= 1) {
        estimate = narrower;
      } else if (disagreeing && entryExcess(disagreeing.numeric, narrower.numeric, allowed(disagreeing) + allowed(narrower), this.options.tolerance) <= 1) {
        estimate = narrower;
      } else {
        disagreeing = narrower;
      }
    }
    if (estimate.step < this.stepMin) this.stepMin = estimate.step;
    if (estimate.step > this.stepMax) this.stepMax = estimate.step;
    return estimate;
  }

  /**
   * {@link CheckSession.estimateEntry} at step `h`; also says whether the loss stayed bitwise
   * flat. `widened`: the loss did not move at all within a smaller step, so its resolution is
   * coarser than ε·|L|: take the smallest change it shows here as its rounding.
   */
  private *estimateAt(tensorIndex: number, index: number, h: number, widened = false): Steps<[EntryEstimate, boolean]> {
    const tensor = this.parameters.tensors[tensorIndex]!;
    const { view } = tensor;
    const { scheme, tolerance } = this.options;
    const precision = this.parameters.precision;
    const theta = this.snapshot[tensor.offset + index]!;
    const analytic = this.analytic[tensor.offset + index]!;
    const label = this.parameters.label(tensor, index);
    const [[plus, minus], [lossPlus, lossMinus]] = yield* this.lossesAlong(view, index, theta, h, label, [1, -1]);
    if (plus === minus) {
      throw new GradcheckError('INVALID_OPTION', `step ${h} is below the resolution of ${label} ` +
        `(${view.precision}, value ${theta}): θ ± h rounds to θ. Use a larger step, or omit it for one fitted to each entry.`);
    }
    const coarse = { plus: plus!, minus: minus! };
    const step = (coarse.plus - coarse.minus) / 2;
    const central = centralQuotient(lossPlus!, lossMinus!, coarse);
    const centralFloor = noiseFloor(Math.max(Math.abs(lossPlus!), Math.abs(lossMinus!)), coarse, precision);
    if (scheme === 'central' && entryExcess(analytic, central, centralFloor, tolerance) <= 1) {
      return [{ numeric: central, floor: centralFloor, step, errorEstimate: 0 }, false];
    }
    const [[plusHalf, minusHalf], [lossPlusHalf, lossMinusHalf]] = yield* this.lossesAlong(view, index, theta, h, label, [0.5, -0.5]);
    const fine = { plus: plusHalf!, minus: minusHalf! };
    const losses = [lossMinus!, lossMinusHalf!, this.loss, lossPlusHalf!, lossPlus!];
    const flat = losses.every((l) => l === this.loss);
    // Rounding noise: as modelled from ε·|L|, or as the five losses show it. For a smooth loss
    // their fourth difference is (h/2)⁴·L⁗, far below rounding, and at most 16 times the noise.
    const fourth = Math.abs(losses[0]! - 4 * losses[1]! + 6 * losses[2]! - 4 * losses[3]! + losses[4]!);
    const changes = losses.map((l) => Math.abs(l - this.loss)).filter((d) => d > 0);
    const modelled = Math.max(lossNoise(Math.max(...losses.map(Math.abs)), precision), widened && changes.length ? Math.min(...changes) : 0);
    const noise = Math.max(modelled, fourth / FOURTH_DIFFERENCE_SPREAD);
    const halfStep = (fine.plus - fine.minus) / 2;
    const refined = centralQuotient(lossPlusHalf!, lossMinusHalf!, fine);
    const coarseFloor = noise / step, fineFloor = noise / halfStep;
    const r2 = (step / halfStep) ** 2;
    // Richardson: the extrapolated value's error is below that of the finer quotient, which is
    // (fine − coarse)/(r² − 1); the central quotient's own error is r² times that.
    const [numeric, floor, leading] = scheme === 'richardson'
      ? [richardson(central, step, refined, halfStep), (r2 * fineFloor + coarseFloor) / (r2 - 1), Math.abs(refined - central) / (r2 - 1)]
      : [central, coarseFloor, (Math.abs(refined - central) * r2) / (r2 - 1)];
    const errorEstimate = Math.max(ESTIMATE_SAFETY * leading, floor);
    if (entryExcess(analytic, numeric, errorEstimate, tolerance) <= 1) return [{ numeric, floor, step, errorEstimate }, false];
    const right = oneSidedDerivative(this.loss, fine.plus - theta, lossPlusHalf!, coarse.plus - theta, lossPlus!);
    const left = oneSidedDerivative(this.loss, fine.minus - theta, lossMinusHalf!, coarse.minus - theta, lossMinus!);
    // (Against the modelled noise only: a kink inflates the fourth difference as noise does.)
    const sidesNoise = oneSidedNoise(fine.plus - theta, coarse.plus - theta, modelled) + oneSidedNoise(fine.minus - theta, coarse.minus - theta, modelled);
    const mismatch = Math.abs(analytic - numeric);
    // A kink: the one-sided derivatives disagree beyond their noise.
    let kinked = entryExcess(left, right, sidesNoise, tolerance) > 1;
    if (!kinked && !flat && this.confirmed[tensorIndex]! < CONFIRMATIONS) {
      // A kink closer to θ than the loss can resolve (float32) shows in the analytic gradient
      // itself: it jumps within the step instead of varying linearly across it.
      const [gradientPlus, gradientMinus] = yield* this.gradientsAlong(tensor, index, theta, [fine.plus, fine.minus], label);
      kinked = Math.abs(gradientPlus! - 2 * analytic + gradientMinus!) >= mismatch / 2;
    }
    if (!kinked && !flat) this.confirmed[tensorIndex]!++;
    return [{ numeric, floor, step, errorEstimate, ...(kinked ? { kink: { left, right } } : {}) }, flat];
  }

  /**
   * The analytic derivative with respect to entry `index` of `tensor` with that entry set to each
   * of `values` in turn (restored to `theta` afterwards).
   */
  private *gradientsAlong(tensor: ParameterTensor, index: number, theta: number, values: readonly number[], label: string): Steps<number[]> {
    const derivatives: number[] = [];
    try {
      for (const value of values) {
        tensor.view.set(index, value);
        this.gradientEvaluations++;
        const answer = yield* evaluate('gradients', `with ${label} = ${value} (θ = ${theta}), to look for a kink`);
        derivatives.push(readGradients(this.parameters, answer)[tensor.offset + index]!);
      }
    } finally {
      tensor.view.set(index, theta);
    }
    return derivatives;
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
