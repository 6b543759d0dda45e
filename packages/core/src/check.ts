import { Comparison } from './compare.js';
import { centralQuotient, defaultStep, noiseFloor, perturb } from './difference.js';
import { GradcheckError } from './errors.js';
import { evaluate, runAsync, runSync, type Algorithm } from './evaluation.js';
import { normaliseModel, readGradients, type Model, type NormalisedModel } from './model.js';
import { resolveOptions, type CheckOptionsInput } from './options.js';
import { ParameterSet } from './parameters.js';
import type { CheckResult } from './result.js';

const now = (): number => (globalThis as { performance?: { now(): number } }).performance?.now() ?? Date.now();

const PROGRESS_INTERVAL_MS = 200;

/**
 * The full check as one algorithm for both drivers: central differences over every parameter
 * entry, each perturbed in place and restored to its exact original bits; the parameters are
 * restored from a snapshot on every way out, even when the model throws.
 */
function* fullCheck(model: NormalisedModel, input: CheckOptionsInput): Algorithm<CheckResult> {
  const started = now();
  const parameters = ParameterSet.from(model.parameters);
  const options = resolveOptions(input, parameters.precision);
  const lossPrecision = parameters.precision;
  const snapshot = parameters.snapshot();
  parameters.assertFinite(snapshot);
  let lossEvaluations = 0;
  const lossAt = function* (where: string) {
    lossEvaluations++;
    return (yield* evaluate('loss', where)) as number;
  };
  try {
    const loss = yield* lossAt('at the unperturbed parameters');
    const analytic = readGradients(parameters, yield* evaluate('gradients', 'at the unperturbed parameters'));
    const changedByGradients = parameters.restore(snapshot);
    if (changedByGradients) {
      throw new GradcheckError('PARAMETERS_CHANGED', `gradients(X, Y) changed parameter ${changedByGradients}; ` +
        'a model must not update its parameters while they are checked (restored).');
    }
    const again = yield* lossAt('at the unperturbed parameters, the second time');
    if (!Object.is(loss, again)) {
      throw new GradcheckError('NONDETERMINISTIC_LOSS', `loss(X, Y) gave ${loss} and then ${again} at the same parameters; ` +
        'the loss must be deterministic (turn off dropout, fix random seeds, use a fixed batch).');
    }

    const comparison = new Comparison(parameters, options.tolerance, options.worst, options.includeGradients);
    let stepMin = Infinity, stepMax = 0, checked = 0, lastProgress = started;
    for (let k = 0; k < parameters.tensors.length; k++) {
      const tensor = parameters.tensors[k]!;
      const { view, offset } = tensor;
      for (let i = 0; i < view.size; i++) {
        const theta = snapshot[offset + i]!;
        const h = options.step ?? defaultStep(theta, view.precision);
        let plus: number, minus: number, lossPlus: number, lossMinus: number;
        try {
          plus = perturb(view, i, theta + h);
          lossPlus = yield* lossAt(`with ${parameters.label(tensor, i)} = θ + h = ${plus} (θ = ${theta})`);
          minus = perturb(view, i, theta - h);
          lossMinus = yield* lossAt(`with ${parameters.label(tensor, i)} = θ − h = ${minus} (θ = ${theta})`);
        } finally {
          view.set(i, theta);
        }
        if (plus === minus) {
          throw new GradcheckError('INVALID_OPTION', `step ${h} is below the resolution of ${parameters.label(tensor, i)} ` +
            `(${view.precision}, value ${theta}): θ ± h rounds to θ. Use a larger step, or omit it for one fitted to each entry.`);
        }
        const taken = { plus, minus };
        const numeric = centralQuotient(lossPlus, lossMinus, taken);
        const floor = noiseFloor(Math.max(Math.abs(lossPlus), Math.abs(lossMinus)), taken, lossPrecision);
        const halfStep = (plus - minus) / 2;
        if (halfStep < stepMin) stepMin = halfStep;
        if (halfStep > stepMax) stepMax = halfStep;
        comparison.add(k, i, analytic[offset + i]!, numeric, floor, halfStep);
        checked++;
        if (options.onProgress && now() - lastProgress >= PROGRESS_INTERVAL_MS) {
          lastProgress = now();
          options.onProgress({ checked, total: parameters.size, evaluations: lossEvaluations, elapsedMs: lastProgress - started });
        }
      }
    }
    const changed = parameters.restore(snapshot);
    if (changed) {
      throw new GradcheckError('PARAMETERS_CHANGED', `loss(X, Y) changed parameter ${changed}; ` +
        'a model must not update its parameters while they are checked (restored).');
    }
    const verdict = comparison.verdict();
    const elapsedMs = now() - started;
    options.onProgress?.({ checked, total: parameters.size, evaluations: lossEvaluations, elapsedMs });
    return {
      passed: verdict.passed,
      mode: 'full',
      difference: verdict.difference,
      tolerance: options.tolerance,
      scheme: 'central',
      step: options.step ?? 'auto',
      stepRange: [stepMin, stepMax],
      precision: parameters.precision,
      loss,
      parameters: parameters.size,
      checked,
      evaluations: { loss: lossEvaluations, gradients: 1 },
      elapsedMs,
      tensors: verdict.tensors,
      worst: verdict.worst,
      warnings: [],
    };
  } finally {
    parameters.restore(snapshot);
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
  return runSync(fullCheck(normalised, options), normalised, X, Y);
}

/**
 * {@link checkGradients} for models whose `loss` or `gradients` return Promises (synchronous
 * models work too). Evaluations run one at a time, since they share the parameters.
 */
export async function checkGradientsAsync(model: Model, X: unknown, Y: unknown, options?: CheckOptionsInput): Promise<CheckResult> {
  const normalised = normaliseModel(model);
  return runAsync(fullCheck(normalised, options), normalised, X, Y);
}
