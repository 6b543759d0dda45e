/**
 * The check: choose the mode, run it over a session, build the result; and the public functions
 * that drive it synchronously or asynchronously.
 */
import { inferExamples } from './examples.js';
import { runAsync, runSync, type Algorithm, type DirectModel } from './evaluation.js';
import { GradcheckError } from './errors.js';
import { protocolOf, type GradientFunction, type Layer } from './layer.js';
import { prepareLayer, type ModelCheck } from './layer-check.js';
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
function* check(
  model: NormalisedModel,
  options: CheckOptionsInput,
  X: unknown,
  Y: unknown,
  driver: Driver,
): Algorithm<CheckResult> {
  const session = new CheckSession(model, options, driver.direct);
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
 * How the check is driven: `direct` (set once the driver is known, before the algorithm starts)
 * when {@link runSync} drives it, so that the session calls the model in place.
 */
interface Driver {
  direct?: DirectModel;
}

/**
 * What a check needs of a received value: its normalised form and the algorithm. A layer or a
 * function is checked with `(X, options)`; a model with `(X, Y, options)`.
 */
function prepare(
  received: unknown,
  X: unknown,
  second: unknown,
  third: CheckOptionsInput,
  sync: boolean,
): { model: NormalisedModel; algorithm: Algorithm<CheckResult> } {
  const driver: Driver = {};
  const prepared = prepareFor(received, X, second, third, (m, o, x, y) => check(m, o, x, y, driver));
  // What runSync will call: the session calls the same, in place.
  if (sync) driver.direct = { model: prepared.model, X, Y: second };
  return prepared;
}

function prepareFor(
  received: unknown,
  X: unknown,
  second: unknown,
  third: CheckOptionsInput,
  checkModel: ModelCheck,
): { model: NormalisedModel; algorithm: Algorithm<CheckResult> } {
  const protocol = protocolOf(received);
  if (protocol === 'layer' || protocol === 'function') {
    return prepareLayer(received, protocol, X, second, third, checkModel);
  }
  const model = normaliseModel(received);
  if (typeof third === 'object' && third !== null && third.cotangents !== undefined) {
    throw new GradcheckError(
      'INVALID_OPTION',
      'cotangents applies to layers ({ parameters?, forward(X), backward(dY, X) }); a model has a scalar loss.',
    );
  }
  return { model, algorithm: checkModel(model, third, X, second) };
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
  const { model, algorithm } = prepare(received, X, Y, options, true);
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
  const { model, algorithm } = prepare(received, X, Y, options, false);
  return runAsync(algorithm, model, X, Y);
}
