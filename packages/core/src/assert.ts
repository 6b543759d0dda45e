/**
 * `assertGradients` for `node:test` and any runner that reports a thrown `AssertionError`: the
 * check of `@gradcheck/core`, failing with the report as the message. A separate entry point
 * (`@gradcheck/core/assert`), because it imports `node:assert` and the main entry stays usable
 * outside Node.
 * @packageDocumentation
 */
/// <reference types="node" />
import { AssertionError } from 'node:assert';
import { checkGradients, checkGradientsAsync } from './check.js';
import type { Model } from './model.js';
import type { CheckOptionsInput } from './options.js';
import { formatReport } from './report.js';
import type { CheckResult } from './result.js';

function assertPassed(result: CheckResult, name: string): CheckResult {
  if (result.passed) return result;
  throw new AssertionError({
    message: formatReport(result),
    actual: result.difference,
    expected: result.tolerance,
    operator: name,
    stackStartFn: name === 'assertGradients' ? assertGradients : assertGradientsAsync,
  });
}

/**
 * Checks the model's analytic gradients against central finite differences (as
 * `checkGradients`) and throws a `node:assert` `AssertionError` whose message is the report when
 * they disagree. A check that cannot run throws its `GradcheckError` (bad model, bad options).
 * Returns the result when they agree.
 *
 * @example
 * ```ts
 * import { test } from 'node:test';
 * import { assertGradients } from '@gradcheck/core/assert';
 *
 * test('backprop', () => { assertGradients(model, X, Y, 1e-7); });
 * ```
 */
export function assertGradients<X, Y>(model: Model<X, Y>, X: X, Y: Y, options?: CheckOptionsInput): CheckResult {
  return assertPassed(checkGradients(model, X, Y, options), 'assertGradients');
}

/**
 * {@link assertGradients} for models whose `loss` or `gradients` return Promises: resolves with
 * the result, or rejects with the `AssertionError`. `await` it.
 *
 * @example
 * ```ts
 * test('async backprop', async () => { await assertGradientsAsync(model, X, Y); });
 * ```
 */
export async function assertGradientsAsync<X, Y>(
  model: Model<X, Y>,
  X: X,
  Y: Y,
  options?: CheckOptionsInput,
): Promise<CheckResult> {
  return assertPassed(await checkGradientsAsync(model, X, Y, options), 'assertGradientsAsync');
}
