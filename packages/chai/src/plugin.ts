import {
  plainMatcherUtils,
  toPassGradientCheck,
  toPassGradientCheckAsync,
  type CheckOptionsInput,
  type MatcherContext,
  type MatcherResult,
  type MatcherUtils,
} from '@gradcheck/core';

/** The part of Chai's `Assertion` a plugin method sees as `this`. */
interface AssertionThis {
  assert(expression: boolean, message: () => string, negatedMessage: () => string): void;
}

/** The part of `chai` the plugin uses (chai 5 and 6 both have it). */
export interface ChaiLike {
  Assertion: {
    new (target: unknown, message?: string, ssfi?: (...args: any[]) => unknown, lockSsfi?: boolean): unknown;
    addMethod(name: string, method: (this: AssertionThis, ...args: any[]) => unknown): void;
  };
  assert: object;
}

/** The part of `chai.util` the plugin uses. */
export interface ChaiUtilsLike {
  flag(assertion: object, key: string): unknown;
}

/** An assertion once the plugin's methods are added. */
interface PluginAssertion {
  passGradientCheck(...args: unknown[]): void;
  passGradientCheckAsync(...args: unknown[]): Promise<void>;
}

/**
 * Core's matchers render their first line with `matcherHint`; in Chai it is the Chai form,
 * `expect(model).to.not.passGradientCheck(X, Y, 1e-7)`, without colours (Mocha prints messages
 * as they are).
 */
const chaiUtils: MatcherUtils = {
  ...plainMatcherUtils,
  matcherHint(matcherName, received = 'received', expected = '', options = {}) {
    const name = matcherName.replace(/^toPass/, 'pass');
    return `expect(${received}).to${options.isNot ? '.not' : ''}.${name}(${expected})`;
  },
};

/**
 * Turns a matcher result into Chai's `this.assert`: Chai applies `.not` (the `negate` flag) and
 * throws its `AssertionError` with the message, built only when the assertion fails.
 */
function assertResult(assertion: AssertionThis, result: MatcherResult): void {
  assertion.assert(result.pass, result.message, result.message);
}

/**
 * The gradcheck Chai plugin: `chai.use(gradcheck)` adds
 * - `expect(model).to.passGradientCheck(X, Y, options?)` (and `.not`), synchronous;
 * - `expect(model).to.passGradientCheckAsync(X, Y, options?)`, for models whose `loss` or
 *   `gradients` return Promises: returns a Promise, always `await` (or return) it;
 * - `assert.passesGradientCheck(model, X, Y, options?)` and `assert.passesGradientCheckAsync`.
 * A failure's message is gradcheck's report (the worst-mismatched entries, per-tensor verdicts).
 *
 * @example
 * ```ts
 * import * as chai from 'chai';
 * import { gradcheck } from '@gradcheck/chai';
 *
 * chai.use(gradcheck);
 * chai.expect(model).to.passGradientCheck(X, Y, 1e-7);
 * ```
 */
export function gradcheck(chai: ChaiLike, utils: ChaiUtilsLike): void {
  const context = (assertion: AssertionThis): MatcherContext => ({
    isNot: utils.flag(assertion, 'negate') === true,
    utils: chaiUtils,
  });
  const model = (assertion: AssertionThis): unknown => utils.flag(assertion, 'object');

  chai.Assertion.addMethod('passGradientCheck', function (this: AssertionThis, ...args: unknown[]) {
    const [X, Y, options] = args as [unknown, unknown, CheckOptionsInput];
    // The arguments' count decides the hint (`X, Y` or `X, Y, options`), as in the matchers.
    const result = (toPassGradientCheck as (this: MatcherContext, ...a: unknown[]) => MatcherResult).call(
      context(this),
      model(this),
      ...[X, Y, options].slice(0, args.length),
    );
    assertResult(this, result);
  });

  chai.Assertion.addMethod('passGradientCheckAsync', function (this: AssertionThis, ...args: unknown[]) {
    const [X, Y, options] = args as [unknown, unknown, CheckOptionsInput];
    const pending = (
      toPassGradientCheckAsync as (this: MatcherContext, ...a: unknown[]) => Promise<MatcherResult>
    ).call(context(this), model(this), ...[X, Y, options].slice(0, args.length));
    return pending.then((result) => assertResult(this, result));
  });

  const assert = chai.assert as Record<string, unknown>;
  assert.passesGradientCheck = function passesGradientCheck(model: unknown, ...args: unknown[]): void {
    const assertion = new chai.Assertion(model, undefined, passesGradientCheck, true) as PluginAssertion;
    assertion.passGradientCheck(...args);
  };
  assert.passesGradientCheckAsync = function passesGradientCheckAsync(
    model: unknown,
    ...args: unknown[]
  ): Promise<void> {
    const assertion = new chai.Assertion(model, undefined, passesGradientCheckAsync, true) as PluginAssertion;
    return assertion.passGradientCheckAsync(...args);
  };
}
