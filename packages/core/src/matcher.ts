import { checkGradients, checkGradientsAsync } from './check.js';
import { GradcheckError } from './errors.js';
import { protocolOf, type Protocol } from './layer.js';
import type { CheckOptionsInput } from './options.js';
import { trackPendingCheck } from './pending.js';
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

/** True when `T` is `any` (which would otherwise select every branch of a conditional type). */
type IsAny<T> = 0 extends 1 & T ? true : false;

/**
 * The arguments the matchers take for a received value of type `T`, so that mistakes are
 * compile errors:
 * - a model `{ loss(X: A, Y: B), gradients(X: A, Y: B) }` (or the functional trio
 *   `forward(parameters, X: A)`, `cost(AL, Y: B)`, `backward`): `(X: A, Y: B, options?)`, where
 *   `options` is an options object or the classic bare eps; swapped X and Y of different types
 *   do not compile;
 * - a layer `{ forward(X: A), backward(dY, X: A) }`: `(X: A, options?)`, options an object;
 * - a function `{ f(x: A), grad(x: A) }`: `(x: A, options?)`, options an object;
 * - a function value (`expect(model.loss)`): nothing compiles; pass the model object.
 *
 * A model whose `loss` declares no parameter types (or `any`) accepts any X and Y; a received
 * value of type `any` or `unknown` accepts the loosest form, `(X, Y, options?)` or `(X, options?)`.
 */
export type GradientCheckArguments<T> =
  IsAny<T> extends true
    ? [X: any, Y?: any, options?: CheckOptionsInput]
    : T extends (...args: any[]) => unknown
      ? [
          receivedAFunction: 'expect() received a function: pass the model object, expect(model), not one of its methods',
        ]
      : T extends { loss(X: infer X, Y: infer Y): unknown; gradients(...args: any[]): unknown }
        ? [X: X, Y: Y, options?: CheckOptionsInput]
        : T extends {
              forward(parameters: any, X: infer X): unknown;
              cost(AL: any, Y: infer Y): unknown;
              backward(...args: any[]): unknown;
            }
          ? [X: X, Y: Y, options?: CheckOptionsInput]
          : T extends { forward(X: infer X): unknown; backward(dY: any, X: any): unknown }
            ? [X: X, options?: CheckOptionsInput]
            : T extends { f(x: infer X): unknown; grad(x: any): unknown }
              ? [x: X, options?: CheckOptionsInput]
              : [X: unknown, Y?: unknown, options?: CheckOptionsInput];

/**
 * The gradcheck matchers' signatures, for the runner adapters' type declarations.
 * `R` is the host's return type of a synchronous matcher (`void` in Jest); `T` is the type of the
 * received value, from which the arguments are typed ({@link GradientCheckArguments}).
 */
export interface GradientCheckMatchers<R = void, T = unknown> {
  /**
   * Checks the received model's analytic gradients against central finite differences over every
   * parameter entry, synchronously. Fails with a report of the worst-mismatched entries; under
   * `.not`, fails when the gradients agree. A model whose `loss` or `gradients` returns a Promise
   * fails with `ASYNC_MODEL`: use {@link GradientCheckMatchers.toPassGradientCheckAsync}.
   *
   * For a model: `(X, Y, options?)`, X and Y passed to the model as they are, `options` a bare
   * number (the classic eps: step = tolerance = eps) or an options object. For a layer
   * (`forward`/`backward`) or a function (`f`/`grad`): `(X, options?)`.
   *
   * @example
   * ```ts
   * expect(model).toPassGradientCheck(X, Y)
   * expect(model).toPassGradientCheck(X, Y, 1e-7)
   * expect(brokenModel).not.toPassGradientCheck(X, Y)
   * ```
   */
  toPassGradientCheck(...args: GradientCheckArguments<T>): R;
  /**
   * {@link GradientCheckMatchers.toPassGradientCheck} for models whose `loss` or `gradients` return
   * Promises. Always `await` it: with the adapters' setup entries, a check still pending when the
   * test ends fails the test.
   *
   * @example
   * ```ts
   * await expect(asyncModel).toPassGradientCheckAsync(X, Y)
   * ```
   */
  toPassGradientCheckAsync(...args: GradientCheckArguments<T>): Promise<void>;
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

const plain = (text: string): string => text;

/**
 * Message helpers without colours, for hosts whose `this.utils` differ from Jest's and Vitest's
 * (Bun's `expect.extend` has no `DIM_COLOR`, and its `matcherHint` and colours print differently),
 * and for adapters that print plain text (Chai): hints in Jest's form,
 * `expect(model).not.toPassGradientCheck(X, Y)`.
 */
export const plainMatcherUtils: MatcherUtils = {
  matcherHint(matcherName, received = 'received', expected = '', options = {}) {
    const promise = options.promise ? `.${options.promise}` : '';
    return `expect(${received})${promise}${options.isNot ? '.not' : ''}.${matcherName}(${expected})`;
  },
  printReceived: (value) => String(value),
  printExpected: (value) => String(value),
  EXPECTED_COLOR: plain,
  RECEIVED_COLOR: plain,
  DIM_COLOR: plain,
};

/** The host's helpers, or the plain ones under Bun (see {@link plainMatcherUtils}). */
function utilsOf(context: MatcherContext): MatcherUtils {
  const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';
  return isBun || typeof context.utils?.DIM_COLOR !== 'function' ? plainMatcherUtils : context.utils;
}

function styleOf(utils: MatcherUtils): ReportStyle {
  // Called as methods: some hosts' helpers need their `this`.
  return {
    bad: (text) => utils.RECEIVED_COLOR(text),
    good: (text) => utils.EXPECTED_COLOR(text),
    dim: (text) => utils.DIM_COLOR(text),
  };
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
  return utilsOf(context).matcherHint(name, protocol ?? 'model', argumentsText(protocol, args, Y, options), {
    isNot: context.isNot,
    promise: context.promise,
  });
}

/** The result of a check that ran: the report, or under `.not` why agreement fails the assertion. */
function verdict(context: MatcherContext, heading: () => string, result: CheckResult): MatcherResult {
  const utils = utilsOf(context);
  return {
    pass: result.passed,
    message: () => {
      const report = formatReport(result, styleOf(utils));
      if (!result.passed) return `${heading()}\n\n${report}`;
      return `${heading()}\n\nExpected the analytic gradients to disagree with central differences, but they agree.\n\n${report}`;
    },
  };
}

/** A stack frame inside gradcheck's own packages (built or source). */
const OWN_FRAME = /[\\/]@gradcheck[\\/]|[\\/]packages[\\/](core|jest|vitest)[\\/](dist|src)[\\/]/;

/**
 * The model's own error as the user needs it under a `MODEL_THREW`: its first line and the stack
 * frames of the user's code, up to where gradcheck called the model. `undefined` without a stack.
 */
function modelStack(cause: unknown): string | undefined {
  if (!(cause instanceof Error) || typeof cause.stack !== 'string') return undefined;
  const lines = cause.stack.split('\n');
  const firstFrame = lines.findIndex((l) => /^\s+at /.test(l));
  if (firstFrame < 0) return undefined;
  const own = lines.findIndex((l, i) => i >= firstFrame && OWN_FRAME.test(l));
  const frames = lines.slice(firstFrame, own < 0 ? undefined : own);
  if (frames.length === 0) return undefined;
  return [`${cause.name}: ${cause.message}`, ...frames].join('\n');
}

/**
 * A check that could not run (bad model, bad options, async model in the sync matcher) fails the
 * assertion with the error's code and message, with or without `.not`, and without a stack trace
 * from inside gradcheck; a model that threw (`MODEL_THREW`) has its own error and the frames of
 * the user's code shown under the message. Errors that are not a GradcheckError are bugs and are rethrown.
 */
function failure(context: MatcherContext, heading: () => string, error: unknown): MatcherResult {
  if (!(error instanceof GradcheckError)) throw error;
  const utils = utilsOf(context);
  return {
    pass: context.isNot === true,
    message: () => {
      const lines = [heading(), '', `${utils.RECEIVED_COLOR(`GradcheckError ${error.code}`)}: ${error.message}`];
      const stack = error.code === 'MODEL_THREW' ? modelStack(error.cause) : undefined;
      if (stack) lines.push('', utils.DIM_COLOR(stack));
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
 * While it runs it is a pending check: the adapters' setup entries fail a test that ends before it
 * settles (it was not awaited), and its late verdict is then dropped (`failOnPendingChecks`).
 */
export function toPassGradientCheckAsync(
  this: MatcherContext,
  received: unknown,
  X: unknown,
  Y: unknown,
  options?: CheckOptionsInput,
): Promise<MatcherResult> {
  const args = arguments.length - 1;
  const heading = () => hint(this, 'toPassGradientCheckAsync', received, args, Y, options);
  // The hint as the host writes it (Jest, Vitest, Chai), without colours, for the UNAWAITED_CHECK message.
  const assertion = heading().replace(/\u001b\[[0-9;]*m/g, '');
  const check = async (): Promise<MatcherResult> => {
    let result: CheckResult;
    try {
      result = await checkGradientsAsync(received, X, Y, options);
    } catch (error) {
      return failure(this, heading, error);
    }
    return verdict(this, heading, result);
  };
  // Abandoned: the test already failed for the missing await; the late verdict must not fail again.
  const dropped = (): MatcherResult => ({ pass: this.isNot !== true, message: () => '' });
  return trackPendingCheck(assertion, check, dropped);
}

/**
 * Both matchers, for `expect.extend(gradientCheckMatchers)`. Importing it has no side effects.
 */
export const gradientCheckMatchers = { toPassGradientCheck, toPassGradientCheckAsync };
