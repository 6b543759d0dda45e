import type { Algorithm } from './evaluation.js';
import { runAsync, runSync } from './evaluation.js';
import { normaliseModel, type Model, type NormalisedModel } from './model.js';
import { projectTensors, projectedDifference, projectionExcess, type TensorProjections } from './directional.js';
import { localise, localisationCost } from './localise.js';
import type { CheckOptionsInput, RunMode } from './options.js';
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
 * every way out, even when the model throws.
 */
function* check(model: NormalisedModel, options: CheckOptionsInput, X: unknown, Y: unknown): Algorithm<CheckResult> {
  const session = new CheckSession(model, options, { X, Y });
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
 * Checks a synchronous model's analytic gradients against central finite differences: over every
 * parameter entry when that fits the budget (`mode: 'auto'`, the default), else along seeded random
 * directions per tensor with localisation of the worst entries (see {@link CheckOptions.mode}). Returns the verdict as plain data; throws a {@link GradcheckError} for a model
 * or options it cannot check (a Promise from the model is `ASYNC_MODEL`: use
 * {@link checkGradientsAsync}). The parameters hold their exact original values afterwards.
 *
 * @param model - `{ parameters, loss(X, Y), gradients(X, Y) }` or `{ parameters, forward, cost, backward }`.
 * @param X - Inputs, passed to the model as they are (never modified).
 * @param Y - Targets, passed to the model as they are (never modified).
 * @param options - A bare number is the classic eps (step = tolerance = eps), or {@link CheckOptions}.
 *
 * @example
 * ```ts
 * const result = checkGradients(model, X, Y, 1e-7)
 * if (!result.passed) console.log(formatReport(result))
 * ```
 */
export function checkGradients(model: Model, X: unknown, Y: unknown, options?: CheckOptionsInput): CheckResult {
  const normalised = normaliseModel(model);
  return runSync(check(normalised, options, X, Y), normalised, X, Y);
}

/**
 * {@link checkGradients} for models whose `loss` or `gradients` return Promises (synchronous
 * models work too). Evaluations run one at a time, since they share the parameters.
 */
export async function checkGradientsAsync(
  model: Model,
  X: unknown,
  Y: unknown,
  options?: CheckOptionsInput,
): Promise<CheckResult> {
  const normalised = normaliseModel(model);
  return runAsync(check(normalised, options, X, Y), normalised, X, Y);
}
