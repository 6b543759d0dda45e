import { checkGradients, checkGradientsAsync } from './check.js';
import { GradcheckError } from './errors.js';
import { protocolOf, type Protocol } from './layer.js';
import type { CheckOptionsInput } from './options.js';
import { formatReport, type ReportStyle } from './report.js';
import type { CheckResult } from './result.js';

/**
 * The `this.utils` helpers the matchers use: the ones Jest's `expect` and Vitest's both provide
 * (`jest-matcher-utils` and `@vitest/expect`).
 */
export interface MatcherUtils {
  /** The first line of a failure message: `expect(model).toPassGradientCheck(X, Y)`. */
  matcherHint(
    matcherName: string,
    received?: string,
    expected?: string,
    options?: { isNot?: boolean; promise?: string },
  ): string;
  /** A received value, printed and coloured as the host does. */
  printReceived(value: unknown): string;
  /** An expected value, printed and coloured as the host does. */
  printExpected(value: unknown): string;
  /** Colours text as an expected value (green). */
  EXPECTED_COLOR(text: string): string;
  /** Colours text as a received value (red). */
  RECEIVED_COLOR(text: string): string;
  /** Dims secondary text. */
  DIM_COLOR(text: string): string;
}

/**
 * The part of a matcher's `this` that the gradcheck matchers read. Jest's and Vitest's matcher
 * contexts both satisfy it; `isNot` is `false` or `undefined` (Vitest) without `.not`.
 */
export interface MatcherContext {
  /** True under `.not`. */
  readonly isNot?: boolean;
  /** `'resolves'`, `'rejects'` or `''`. */
  readonly promise?: string;
  /** The host's message helpers. */
  readonly utils: MatcherUtils;
}

/** What a matcher returns to `expect`: the verdict and a lazily built failure message. */
export interface MatcherResult {
  /** True when the gradients agree (before `.not` is applied by the host). */
  pass: boolean;
  /** The message shown when the assertion fails (built only then). */
  message(): string;
}

/**
 * The gradcheck matchers' signatures, for the runner adapters' type declarations.
 * `R` is the host's return type of a synchronous matcher (`void` in Jest).
 */
export interface GradientCheckMatchers<R = void> {
  /**
   * Checks the received model's analytic gradients against central finite differences over every
   * parameter entry, synchronously. Fails with a report of the worst-mismatched entries; under
   * `.not`, fails when the gradients agree. A model whose `loss` or `gradients` returns a Promise
   * fails with `ASYNC_MODEL`: use {@link GradientCheckMatchers.toPassGradientCheckAsync}.
   *
   * @param X - Inputs, passed to the model as they are.
   * @param Y - Targets, passed to the model as they are.
   * @param options - A bare number is the classic eps (step = tolerance = eps), or an options object.
   *
   * @example
   * ```ts
   * expect(model).toPassGradientCheck(X, Y)
   * expect(model).toPassGradientCheck(X, Y, 1e-7)
   * expect(brokenModel).not.toPassGradientCheck(X, Y)
   * ```
   */
  toPassGradientCheck(X: unknown, Y: unknown, options?: CheckOptionsInput): R;
  /**
   * {@link GradientCheckMatchers.toPassGradientCheck} for models whose `loss` or `gradients` return
   * Promises. Always `await` it: an assertion that is not awaited cannot fail the test.
   *
   * @example
   * ```ts
   * await expect(asyncModel).toPassGradientCheckAsync(X, Y)
   * ```
   */
  toPassGradientCheckAsync(X: unknown, Y: unknown, options?: CheckOptionsInput): Promise<void>;
}

/**
 * The expected-argument text of the hint: `X, Y`, `X, Y, 1e-7` or `X, Y, options` for a model;
 * `X`, `X, 1e-7` or `X, options` for a layer (`x, …` for a function), whose options come second.
 */
function argumentsText(protocol: Protocol | undefined, args: number, Y: unknown, options: CheckOptionsInput): string {
  if (protocol === 'layer' || protocol === 'function') {
    const x = protocol === 'layer' ? 'X' : 'x';
    const given = Y ?? options;
    if (args < 2 || given === undefined) return x;
    return typeof given === 'number' ? `${x}, ${given}` : `${x}, options`;
  }
  if (args < 3) return 'X, Y';
  return typeof options === 'number' ? `X, Y, ${options}` : 'X, Y, options';
}

function styleOf(utils: MatcherUtils): ReportStyle {
  return { bad: utils.RECEIVED_COLOR, good: utils.EXPECTED_COLOR, dim: utils.DIM_COLOR };
}

function hint(
  context: MatcherContext,
  name: string,
  received: unknown,
  args: number,
  Y: unknown,
  options: CheckOptionsInput,
): string {
  const protocol = protocolOf(received);
  return context.utils.matcherHint(name, protocol ?? 'model', argumentsText(protocol, args, Y, options), {
    isNot: context.isNot,
    promise: context.promise,
  });
}

/** The result of a check that ran: the report, or under `.not` why agreement fails the assertion. */
function verdict(context: MatcherContext, heading: () => string, result: CheckResult): MatcherResult {
  const { utils } = context;
  return {
    pass: result.passed,
    message: () => {
      const report = formatReport(result, styleOf(utils));
      if (!result.passed) return `${heading()}\n\n${report}`;
      return `${heading()}\n\nExpected the analytic gradients to disagree with central differences, but they agree.\n\n${report}`;
    },
  };
}

/**
 * A check that could not run (bad model, bad options, async model in the sync matcher) fails the
 * assertion with the error's code and message, with or without `.not`, and without a stack trace
 * from inside gradcheck. Errors that are not a GradcheckError are bugs and are rethrown.
 */
function failure(context: MatcherContext, heading: () => string, error: unknown): MatcherResult {
  if (!(error instanceof GradcheckError)) throw error;
  const { utils } = context;
  return {
    pass: context.isNot === true,
    message: () => {
      const lines = [heading(), '', `${utils.RECEIVED_COLOR(`GradcheckError ${error.code}`)}: ${error.message}`];
      if (context.isNot) lines.push('', utils.DIM_COLOR('The check could not run, so `.not` fails too.'));
      return lines.join('\n');
    },
  };
}

/**
 * The `toPassGradientCheck` matcher, framework-neutral: register it with `expect.extend` (the
 * runner adapters `@gradcheck/jest` and `@gradcheck/vitest` do). Synchronous, so that an
 * unawaited assertion can never pass silently.
 *
 * @example
 * ```ts
 * expect.extend({ toPassGradientCheck })
 * expect(model).toPassGradientCheck(X, Y, 1e-7)
 * ```
 */
export function toPassGradientCheck(
  this: MatcherContext,
  received: unknown,
  X: unknown,
  Y: unknown,
  options?: CheckOptionsInput,
): MatcherResult {
  const args = arguments.length - 1;
  const heading = () => hint(this, 'toPassGradientCheck', received, args, Y, options);
  let result: CheckResult;
  try {
    result = checkGradients(received, X, Y, options);
  } catch (error) {
    return failure(this, heading, error);
  }
  return verdict(this, heading, result);
}

/**
 * The `toPassGradientCheckAsync` matcher: {@link toPassGradientCheck} for models whose `loss` or
 * `gradients` return Promises. Returns a Promise: `await expect(model).toPassGradientCheckAsync(X, Y)`.
 */
export async function toPassGradientCheckAsync(
  this: MatcherContext,
  received: unknown,
  X: unknown,
  Y: unknown,
  options?: CheckOptionsInput,
): Promise<MatcherResult> {
  const args = arguments.length - 1;
  const heading = () => hint(this, 'toPassGradientCheckAsync', received, args, Y, options);
  let result: CheckResult;
  try {
    result = await checkGradientsAsync(received, X, Y, options);
  } catch (error) {
    return failure(this, heading, error);
  }
  return verdict(this, heading, result);
}

/**
 * Both matchers, for `expect.extend(gradientCheckMatchers)`. Importing it has no side effects.
 */
export const gradientCheckMatchers = { toPassGradientCheck, toPassGradientCheckAsync };
