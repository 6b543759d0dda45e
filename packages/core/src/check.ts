import type { Algorithm } from './evaluation.js';
import { runAsync, runSync } from './evaluation.js';
import { normaliseModel, type Model, type NormalisedModel } from './model.js';
import type { CheckOptionsInput } from './options.js';
import type { CheckResult } from './result.js';
import { CheckSession } from './session.js';

/** The full check: central differences over every parameter entry. */
function* fullCheck(session: CheckSession): Algorithm<CheckResult> {
  const comparison = session.comparison();
  const { tensors, size } = session.parameters;
  let checked = 0;
  for (let k = 0; k < tensors.length; k++) {
    const { view, offset } = tensors[k]!;
    for (let i = 0; i < view.size; i++) {
      const estimate = yield* session.estimateEntry(k, i);
      comparison.add(k, i, session.analytic[offset + i]!, estimate);
      session.progress(++checked, size);
    }
  }
  session.assertUnchanged('loss(X, Y)');
  session.progress(checked, size, true);
  return session.result(comparison, checked);
}

/**
 * A check as one algorithm for both drivers. The parameters are restored from the snapshot on
 * every way out, even when the model throws.
 */
function* check(model: NormalisedModel, options: CheckOptionsInput, X: unknown, Y: unknown): Algorithm<CheckResult> {
  const session = new CheckSession(model, options, { X, Y });
  try {
    yield* session.open();
    return yield* session.secondOpinion(yield* fullCheck(session));
  } finally {
    session.close();
  }
}

/**
 * Checks a synchronous model's analytic gradients against central finite differences over every
 * parameter entry. Returns the verdict as plain data; throws a {@link GradcheckError} for a model
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
export async function checkGradientsAsync(model: Model, X: unknown, Y: unknown, options?: CheckOptionsInput): Promise<CheckResult> {
  const normalised = normaliseModel(model);
  return runAsync(check(normalised, options, X, Y), normalised, X, Y);
}
