import type { Algorithm } from './evaluation.js';
import { GradcheckError, describeValue } from './errors.js';
import { evaluate, runAsync, runSync } from './evaluation.js';
import { LayerModel, protocolOf, type GradientFunction, type Layer, type Protocol } from './layer.js';
import { normaliseModel, readGradients, type Model, type NormalisedModel } from './model.js';
import { ParameterSet } from './parameters.js';
import { projectTensors, projectedDifference, projectionExcess, type TensorProjections } from './directional.js';
import { localise, localisationCost } from './localise.js';
import { resolveOptions, type CheckOptionsInput, type RunMode } from './options.js';
import { seededRandom } from './random.js';
import type { CheckResult, TensorResult } from './result.js';
import { sampleEntries, shareEntries } from './sampling.js';
import { CheckSession } from './session.js';

/** The full check: central differences over every parameter entry. */
function* fullCheck(session: CheckSession, reason: string): Algorithm<CheckResult> {
  const comparison = session.comparison();
  const { tensors, size } = session.parameters;
  session.mode = session.phase = 'full';
  let checked = 0;
  for (let k = 0; k < tensors.length; k++) {
    for (let i = 0; i < tensors[k]!.view.size; i++) {
      yield* session.checkEntry(comparison, k, i);
      session.progress(++checked, size);
    }
  }
  session.assertUnchanged('loss(X, Y)');
  session.progress(checked, size, true);
  return session.result(comparison, checked, 'full', reason);
}

/**
 * The directional check: every tensor projected on its random directions, then localisation of
 * the worst entries of each failing tensor. Per-tensor rows carry the projections' estimates; the
 * worst entries are the ones localisation checked.
 */
function* directionalCheck(session: CheckSession, reason: string): Algorithm<CheckResult> {
  session.mode = 'directional';
  const { options } = session;
  const projected = yield* projectTensors(session);
  const comparison = session.comparison();
  const failing = projected.map((t, k) => [t, k] as const).filter(([t]) => !t.passed);
  const warnings: string[] = [];
  let checked = 0,
    spent = 0;
  if (options.localise > 0 && failing.length > 0) {
    session.phase = 'localise';
    const planned = Math.min(
      session.evaluationsLeft(),
      failing.reduce((n, [, k]) => n + localisationCost(session.parameters.tensors[k]!.view.size, options.localise), 0),
    );
    for (const [t, k] of failing) {
      // Localise along the direction whose projection exceeds its allowance most.
      const excess = t.projections.map((p) => projectionExcess(p, options.tolerance));
      const j = excess.indexOf(Math.max(...excess));
      const done = spent;
      const found = yield* localise(session, t.directions[j]!, t.projections[j]!, comparison, options.localise, (n) =>
        session.progress(done + n, Math.max(planned, done + n)),
      );
      spent += found.evaluations;
      checked += found.checked;
      if (found.stopped) {
        warnings.push(
          `the budget stopped localisation in ${session.parameters.tensors[k]!.name} after ${found.evaluations} loss evaluations.`,
        );
      }
    }
  }
  session.assertUnchanged('loss(X, Y)');
  const finished = session.phase === 'localise' ? spent : projected.length * options.directions;
  session.progress(finished, finished, true);
  const base = session.result(comparison, checked, 'directional', reason);
  const tensors = base.tensors.map((row, k): TensorResult => {
    const t = projected[k]!;
    return {
      ...row,
      directions: options.directions,
      difference: t.difference,
      errorNorm: Math.sqrt(t.residual2) / t.stepRms,
      noiseNorm: Math.sqrt(t.noise2) / t.stepRms,
      passed: t.passed && row.failing === 0,
    };
  });
  const sum = (f: (t: TensorProjections) => number): number => projected.reduce((s, t) => s + f(t), 0);
  const residual2 = sum((t) => t.residual2),
    noise2 = sum((t) => t.noise2);
  const difference = projectedDifference(
    residual2,
    sum((t) => t.weight2),
    sum((t) => t.numeric2),
  );
  return {
    ...base,
    passed: tensors.every((t) => t.passed) && (difference <= options.tolerance || residual2 <= noise2),
    difference,
    tensors,
    stepRange: [
      Math.min(base.stepRange[0], ...projected.map((t) => t.stepRange[0])),
      Math.max(base.stepRange[1], ...projected.map((t) => t.stepRange[1])),
    ],
    warnings: [...base.warnings, ...warnings],
  };
}

/** The sampled check: central differences over a stratified sample of every tensor's entries. */
function* sampledCheck(session: CheckSession, reason: string): Algorithm<CheckResult> {
  session.mode = 'sampled';
  session.phase = 'sample';
  const { parameters, options } = session;
  const sizes = parameters.tensors.map((t) => t.view.size);
  const shares =
    options.samples !== undefined
      ? sizes.map((n) => Math.min(n, options.samples!))
      : shareEntries(
          sizes,
          Math.max(parameters.tensors.length, Math.floor(Math.min(session.evaluationsLeft(), 2 * parameters.size) / 2)),
        );
  const entries = sampleEntries(parameters, session.analytic, shares, seededRandom(options.seed));
  const comparison = session.comparison();
  let checked = 0;
  for (const [k, i] of entries) {
    if (checked > 0 && (session.outOfTime() || (options.samples === undefined && session.evaluationsLeft() < 2))) break;
    yield* session.checkEntry(comparison, k, i);
    session.progress(++checked, entries.length);
  }
  session.assertUnchanged('loss(X, Y)');
  session.progress(checked, entries.length, true);
  const base = session.result(comparison, checked, 'sampled', reason);
  return checked === entries.length
    ? base
    : {
        ...base,
        warnings: [...base.warnings, `the budget ran out after ${checked} of ${entries.length} sampled entries.`],
      };
}

/** Which mode runs, and why: the option, or auto's weighing of the full check's cost against the budget. */
function chooseMode(session: CheckSession): { mode: RunMode; reason: string } {
  const { mode, budget } = session.options;
  if (mode !== 'auto') return { mode, reason: `mode: '${mode}' requested` };
  const need = 2 * session.parameters.size;
  const left = session.evaluationsLeft();
  if (need > left) {
    return {
      mode: 'directional',
      reason: `auto: a full check needs ${need} more loss evaluations, over the budget of ${budget.evaluations}`,
    };
  }
  if (budget.timeMs !== Infinity) {
    const estimate = need * (session.lossTimeMs / Math.max(1, session.lossEvaluations));
    if (session.elapsed() + estimate > budget.timeMs) {
      return {
        mode: 'directional',
        reason: `auto: a full check would take about ${Math.round(estimate)} ms, over the time budget of ${budget.timeMs} ms`,
      };
    }
  }
  return {
    mode: 'full',
    reason: `auto: a full check needs ${need} more loss evaluations, within the budget of ${budget.evaluations}`,
  };
}

/**
 * A check as one algorithm for both drivers. The parameters are restored from the snapshot on
 * every way out, even when the model throws. `data` (X and Y) is read only to infer the number
 * of examples.
 */
function* check(
  model: NormalisedModel,
  options: CheckOptionsInput,
  data: { readonly X: unknown; readonly Y: unknown } | undefined,
): Algorithm<CheckResult> {
  const session = new CheckSession(model, options, data);
  try {
    yield* session.open();
    const { mode, reason } = chooseMode(session);
    const result =
      mode === 'directional'
        ? yield* directionalCheck(session, reason)
        : mode === 'sampled'
          ? yield* sampledCheck(session, reason)
          : yield* fullCheck(session, reason);
    return yield* session.secondOpinion(result);
  } finally {
    session.close();
  }
}

/**
 * A layer or function check: a forward and backward pass at the given point shows which inputs
 * have a gradient, a second one that the gradient is a function of the point (every tensor is
 * restored afterwards); then one check per cotangent, stopping at the first that fails.
 */
function* checkLayer(layer: LayerModel, options: CheckOptionsInput, cotangents: number): Algorithm<CheckResult> {
  const guard = layer.everyTensor();
  const snapshot = guard?.snapshot();
  let first: unknown, second: unknown;
  let changed: string | undefined;
  try {
    first = yield* evaluate('gradients', () => 'at the given point');
    layer.prepare(first);
    second = yield* evaluate('gradients', () => 'at the given point, the second time');
  } finally {
    changed = guard?.restore(snapshot!);
  }
  if (changed) {
    throw new GradcheckError(
      'PARAMETERS_CHANGED',
      `${layer.calls.value} or ${layer.calls.gradients} changed ${changed}; a ${layer.protocol} must not change ` +
        'its parameters or inputs (they were restored).',
    );
  }
  assertSameGradients(layer, first, second);
  const results: CheckResult[] = [];
  const offsets: number[] = [];
  for (let k = 0; k < cotangents; k++) {
    if (k > 0) layer.useCotangent();
    const result = yield* check(layer, options, undefined);
    results.push(result);
    offsets.push(layer.offset);
    if (!result.passed) break;
  }
  const shown = results[results.length - 1]!.passed
    ? results.reduce((a, b) => (b.difference > a.difference ? b : a))
    : results[results.length - 1]!;
  const count = results.indexOf(shown) + 1;
  const sum = (f: (r: CheckResult) => number): number => results.reduce((n, r) => n + f(r), 0);
  const notes =
    cotangents === 1
      ? []
      : shown.passed
        ? [`${cotangents} random cotangents checked, each passed; shown: cotangent ${count}, the largest difference.`]
        : [`cotangent ${count} of ${cotangents} failed${count > 1 ? ` (the first ${count - 1} passed)` : ''}.`];
  return {
    ...shown,
    loss: shown.loss - offsets[count - 1]!,
    evaluations: { loss: sum((r) => r.evaluations.loss), gradients: sum((r) => r.evaluations.gradients) + 2 },
    elapsedMs: sum((r) => r.elapsedMs),
    inputs: { names: layer.checkedInputs, ...(layer.protocol === 'layer' ? { cotangents } : {}) },
    warnings: [...layer.notes, ...notes, ...shown.warnings],
  };
}

/**
 * Throws `NONDETERMINISTIC_GRADIENT` when two gradient evaluations at the same point differ: a
 * gradient must be a function of the point (a buffer that accumulates across calls is not).
 */
function assertSameGradients(layer: LayerModel, first: unknown, second: unknown): void {
  const tensors = ParameterSet.from(layer.parameters);
  const a = readGradients(tensors, first),
    b = readGradients(tensors, second);
  const at = a.findIndex((v, i) => v !== b[i]);
  if (at < 0) return;
  const t = tensors.tensors.filter((t) => t.offset <= at).pop()!;
  throw new GradcheckError(
    'NONDETERMINISTIC_GRADIENT',
    `${layer.calls.gradients} gave ${a[at]} and then ${b[at]} for ${tensors.label(t, at - t.offset)} at the same point; ` +
      'a gradient must depend on the point only: a gradient buffer that accumulates across calls (+= without zeroing) ' +
      'or state kept between calls does this.',
  );
}

/** The options argument of a layer or function check: `(X, options)`, or `(X, undefined, options)`. */
function layerOptions(protocol: Protocol, second: unknown, third: CheckOptionsInput): CheckOptionsInput {
  if (second !== undefined && third !== undefined) {
    throw new GradcheckError(
      'INVALID_OPTION',
      `a ${protocol} is checked with (${protocol === 'layer' ? 'X' : 'x'}, options): it has no targets Y, ` +
        `but received ${describeValue(second)} and then options.`,
    );
  }
  return (second ?? third) as CheckOptionsInput;
}

/** What a check needs of a received value: its normalised form, the options, and the algorithm. */
function prepare(received: unknown, X: unknown, second: unknown, third: CheckOptionsInput) {
  const protocol = protocolOf(received);
  if (protocol === 'layer' || protocol === 'function') {
    const options = layerOptions(protocol, second, third);
    const { seed, cotangents } = resolveOptions(options, 'float64');
    if (protocol === 'function' && cotangents !== 1) {
      throw new GradcheckError('INVALID_OPTION', 'cotangents applies to layers; a function has a scalar value.');
    }
    const layer = new LayerModel(received as Layer | GradientFunction, protocol, X, seed);
    return { model: layer as NormalisedModel, algorithm: checkLayer(layer, options, cotangents) };
  }
  const model = normaliseModel(received);
  if (typeof third === 'object' && third !== null && third.cotangents !== undefined) {
    throw new GradcheckError(
      'INVALID_OPTION',
      'cotangents applies to layers ({ parameters?, forward(X), backward(dY, X) }); a model has a scalar loss.',
    );
  }
  return { model, algorithm: check(model, third, { X, Y: second }) };
}

/**
 * Checks analytic gradients against central finite differences: over every entry when that fits
 * the budget (`mode: 'auto'`, the default), else along seeded random directions per tensor with
 * localisation of the worst entries (see {@link CheckOptions.mode}). Returns the verdict as plain
 * data; throws a {@link GradcheckError} for a value or options it cannot check (a Promise from the
 * code under test is `ASYNC_MODEL`: use {@link checkGradientsAsync}). Every parameter and input
 * holds its exact original value afterwards.
 *
 * Three kinds of code are checked:
 * - a **model** `{ parameters, loss(X, Y), gradients(X, Y) }` (or `{ parameters, forward, cost,
 *   backward }`): `checkGradients(model, X, Y, options?)`;
 * - a **layer** `{ parameters?, forward(X), backward(dY, X) }`: `checkGradients(layer, X, options?)`
 *   checks ⟨R, forward(X)⟩ against backward(R, X) for a seeded Gaussian cotangent R, over the
 *   parameters and the inputs (see {@link Layer});
 * - a **function** `{ f(x), grad(x) }`: `checkGradients(fn, x, options?)` (see {@link GradientFunction}).
 *
 * @param options - A bare number is the classic eps (step = tolerance = eps), or {@link CheckOptions}.
 *
 * @example
 * ```ts
 * const result = checkGradients(model, X, Y, 1e-7)
 * if (!result.passed) console.log(formatReport(result))
 * checkGradients(convolution, X, { tolerance: 1e-5 })
 * checkGradients({ f: (x) => x[0] ** 2, grad: (x) => [2 * x[0]] }, [3])
 * ```
 */
export function checkGradients(layer: Layer, X: unknown, options?: CheckOptionsInput): CheckResult;
export function checkGradients(fn: GradientFunction, x: unknown, options?: CheckOptionsInput): CheckResult;
export function checkGradients(model: Model, X: unknown, Y: unknown, options?: CheckOptionsInput): CheckResult;
export function checkGradients(received: unknown, X: unknown, Y?: unknown, options?: CheckOptionsInput): CheckResult;
export function checkGradients(received: unknown, X: unknown, Y?: unknown, options?: CheckOptionsInput): CheckResult {
  const { model, algorithm } = prepare(received, X, Y, options);
  return runSync(algorithm, model, X, Y);
}

/**
 * {@link checkGradients} for code whose calls return Promises (synchronous code works too).
 * Evaluations run one at a time, since they share the parameters.
 */
export function checkGradientsAsync(layer: Layer, X: unknown, options?: CheckOptionsInput): Promise<CheckResult>;
export function checkGradientsAsync(
  fn: GradientFunction,
  x: unknown,
  options?: CheckOptionsInput,
): Promise<CheckResult>;
export function checkGradientsAsync(
  model: Model,
  X: unknown,
  Y: unknown,
  options?: CheckOptionsInput,
): Promise<CheckResult>;
export function checkGradientsAsync(
  received: unknown,
  X: unknown,
  Y?: unknown,
  options?: CheckOptionsInput,
): Promise<CheckResult>;
export async function checkGradientsAsync(
  received: unknown,
  X: unknown,
  Y?: unknown,
  options?: CheckOptionsInput,
): Promise<CheckResult> {
  const { model, algorithm } = prepare(received, X, Y, options);
  return runAsync(algorithm, model, X, Y);
}
