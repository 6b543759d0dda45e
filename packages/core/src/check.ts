/**
 * The check: choose the mode, run it over a session, build the result; and the public functions
 * that drive it synchronously or asynchronously.
 */
import { inferExamples } from './diagnose.js';
import { runAsync, runSync, type Algorithm } from './evaluation.js';
import { normaliseModel, type Model, type NormalisedModel } from './model.js';
import { directionalCheck } from './modes/directional.js';
import { fullCheck } from './modes/full.js';
import type { Mode } from './modes/mode.js';
import { sampledCheck } from './modes/sampled.js';
import type { CheckOptionsInput, RunMode } from './options.js';
import { checkResult } from './outcome.js';
import type { CheckResult } from './result.js';
import { CheckSession } from './session.js';

/** Every mode, by name: one function of one signature each (modes/). */
const MODES: Readonly<Record<RunMode, Mode>> = {
  full: fullCheck,
  directional: directionalCheck,
  sampled: sampledCheck,
};

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
  const session = new CheckSession(model, options);
  const examples = session.options.examples ?? inferExamples(X, Y);
  try {
    yield* session.open();
    const { mode, reason } = chooseMode(session);
    const outcome = yield* MODES[mode](session, reason);
    return yield* checkResult(outcome, session, examples);
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
