// The matcher functions of core called directly (matcher.ts), as a host without colour helpers
// calls them (Bun, Chai): the plain hint, and what a MODEL_THREW failure shows of the model's own
// error (its first line and the user's frames, none of gradcheck's).
import { describe, expect, it } from 'vitest';
import {
  plainMatcherUtils,
  toPassGradientCheck,
  type GradientModel,
  type MatcherContext,
  type MatcherUtils,
} from '../src/index.js';

/** A host whose utils lack the colour helpers: the plain ones are used. */
const host = (isNot: boolean): MatcherContext => ({ isNot, utils: {} as MatcherUtils });

describe('the plain hint', () => {
  it("writes Jest's form, with .not and the promise", () => {
    const hint = plainMatcherUtils.matcherHint;
    expect(hint('toPassGradientCheck', 'model', 'X, Y', {})).toBe('expect(model).toPassGradientCheck(X, Y)');
    expect(hint('toPassGradientCheck', 'model', 'X, Y', { isNot: true })).toBe(
      'expect(model).not.toPassGradientCheck(X, Y)',
    );
    expect(hint('toPassGradientCheckAsync', 'layer', 'X', { promise: 'resolves' })).toBe(
      'expect(layer).resolves.toPassGradientCheckAsync(X)',
    );
    expect(hint('toPassGradientCheck')).toBe('expect(received).toPassGradientCheck()');
  });
});

describe('a model that throws, under the matcher', () => {
  function throwingModel(): GradientModel {
    const w = [0.5, -1];
    function userLoss(): number {
      throw new TypeError('the user model broke');
    }
    return { parameters: { w }, loss: () => userLoss(), gradients: () => ({ w: [1, 1] }) };
  }

  it("shows the model's error and the user's frames, not gradcheck's", () => {
    const result = toPassGradientCheck.call(host(false), throwingModel(), null, null);
    expect(result.pass).toBe(false);
    const message = result.message();
    const [stackPart] = message.split('\n\nTypeError: the user model broke\n').slice(1);
    expect(stackPart).toBeDefined();
    const frames = stackPart!.split('\n');
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every((l) => /^\s+at /.test(l))).toBe(true);
    expect(frames[0]).toMatch(/userLoss/);
    expect(frames.some((l) => /packages[\\/]core[\\/]src[\\/]/.test(l))).toBe(false);
  });

  it('fails .not too, saying the check could not run', () => {
    const result = toPassGradientCheck.call(host(true), throwingModel(), null, null);
    expect(result.pass).toBe(true);
    expect(result.message()).toMatch(/\n\nThe check could not run, so `\.not` fails too\.$/);
  });

  it('shows no stack for an error without one', () => {
    const w = [0.5, -1];
    const model: GradientModel = {
      parameters: { w },
      loss: () => {
        const error = new Error('no stack here');
        error.stack = undefined;
        throw error;
      },
      gradients: () => ({ w: [1, 1] }),
    };
    const message = toPassGradientCheck.call(host(false), model, null, null).message();
    expect(message.split('\n').slice(1)).toEqual([
      '',
      'GradcheckError MODEL_THREW: loss(X, Y) threw at the unperturbed parameters: no stack here (called with X null, Y null)',
    ]);
  });
});
