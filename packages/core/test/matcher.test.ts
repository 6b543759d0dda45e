// The matcher functions of core called directly (matcher.ts), as a host without colour helpers
// calls them (Bun, Chai): the plain hint, and what a MODEL_THREW failure shows of the model's own
// error (its first line and the user's frames, none of gradcheck's), the expected arguments the
// hint names for each protocol, and the async matcher's name for an unawaited check (colours removed)
// and its dropped late verdict.
import { describe, expect, it } from 'vitest';
import {
  failOnPendingChecks,
  GradcheckError,
  plainMatcherUtils,
  toPassGradientCheck,
  toPassGradientCheckAsync,
  type GradientModel,
  type MatcherContext,
  type MatcherUtils,
} from '../src/index.js';

/** A host whose utils lack the colour helpers: the plain ones are used. */
const host = (isNot: boolean): MatcherContext => ({ isNot, utils: {} as MatcherUtils });

/** A model whose loss throws an Error with `message` and `stack` (undefined: an error without one). */
function throwing(message: string, stack: string | undefined): GradientModel {
  const w = [0.5, -1];
  return {
    parameters: { w },
    loss: () => {
      const error = new Error(message);
      error.stack = stack;
      throw error;
    },
    gradients: () => ({ w: [1, 1] }),
  };
}

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
    const message = toPassGradientCheck.call(host(false), throwing('no stack here', undefined), null, null).message();
    expect(message.split('\n').slice(1)).toEqual([
      '',
      'GradcheckError MODEL_THREW: loss(X, Y) threw at the unperturbed parameters: no stack here (called with X null, Y null)',
    ]);
  });
});

describe('the hint’s expected arguments', () => {
  // Values the check refuses at once (INVALID_MODEL and the like): the message starts with the hint.
  const heading = (received: unknown, ...args: unknown[]): string =>
    (toPassGradientCheck as (this: MatcherContext, ...a: unknown[]) => { message: () => string })
      .call(host(false), received, ...args)
      .message()
      .split('\n')[0]!;
  const brokenModel = { parameters: {}, loss: () => 0, gradients: () => ({}) };
  const brokenLayer = { parameters: {}, forward: () => 'no tensor', backward: () => ({}) };
  const brokenFunction = { f: () => 'no number', grad: () => 0 };

  it('names X, Y and the options of a model as given', () => {
    expect(heading(brokenModel, null, null)).toBe('expect(model).toPassGradientCheck(X, Y)');
    expect(heading(brokenModel, null, null, 1e-7)).toBe('expect(model).toPassGradientCheck(X, Y, 1e-7)');
    expect(heading(brokenModel, null, null, { mode: 'full' })).toBe('expect(model).toPassGradientCheck(X, Y, options)');
  });

  it('names X and the options of a layer (an options argument left undefined is no options)', () => {
    expect(heading(brokenLayer, [1])).toBe('expect(layer).toPassGradientCheck(X)');
    expect(heading(brokenLayer, [1], undefined)).toBe('expect(layer).toPassGradientCheck(X)');
    expect(heading(brokenLayer, [1], 1e-7)).toBe('expect(layer).toPassGradientCheck(X, 1e-7)');
    expect(heading(brokenLayer, [1], { cotangents: 2 })).toBe('expect(layer).toPassGradientCheck(X, options)');
    expect(heading(brokenFunction, 0.5)).toBe('expect(function).toPassGradientCheck(x)');
  });

  it('uses the plain helpers for a host with no utils at all', () => {
    const bare = { isNot: false } as MatcherContext;
    const result = toPassGradientCheck.call(bare, brokenModel, null, null);
    expect(result.message().split('\n')[0]).toBe('expect(model).toPassGradientCheck(X, Y)');
  });
});

describe('the frames shown of a model’s error', () => {
  /** The message under the matcher when the model's loss throws an Error with `stack`. */
  function shown(stack: string): string[] {
    const lines = toPassGradientCheck.call(host(false), throwing('boom', stack), null, null).message().split('\n');
    return lines.slice(4); // after the hint, a blank line, the GradcheckError line and a blank line
  }
  const user = '    at userLoss (/home/u/model.js:3:9)';
  const user2 = '    at train (/home/u/train.js:8:1)';
  const own = '    at evaluate (/x/node_modules/@gradcheck/core/dist/index.js:1:1)';

  it('shows every user frame where gradcheck never appears', () => {
    expect(shown(['Error: boom', user, user2].join('\n'))).toEqual(['Error: boom', user, user2]);
  });

  it('stops at gradcheck’s first frame', () => {
    expect(shown(['Error: boom', user, own, user2].join('\n'))).toEqual(['Error: boom', user]);
  });

  it('shows nothing when the stack has no frames, or gradcheck’s frame comes first', () => {
    expect(shown('Error: boom')).toEqual([]);
    expect(shown(['Error: boom', own, user].join('\n'))).toEqual([]);
    expect(shown([own, user].join('\n'))).toEqual([]);
  });

  it('takes a stack that starts with a frame as frames, and a message line naming a path or " at " as no frame', () => {
    expect(shown([user, user2].join('\n'))).toEqual(['Error: boom', user, user2]);
    expect(shown(['Error: failed at /x/packages/core/src/check.ts', user].join('\n'))).toEqual(['Error: boom', user]);
  });
});

describe('the async matcher left unawaited', () => {
  /** A host whose hint carries colour codes, as Jest's and Vitest's do. */
  const coloured = (isNot: boolean): MatcherContext => ({
    isNot,
    utils: {
      ...plainMatcherUtils,
      matcherHint: (name, received, expected, options) =>
        `\u001b[2mexpect(\u001b[22m\u001b[31m${received}\u001b[39m\u001b[2m)${options?.isNot ? '.not' : ''}.${name}(\u001b[22m` +
        `\u001b[32m${expected}\u001b[39m\u001b[2m)\u001b[22m`,
      DIM_COLOR: (text) => text,
    },
  });
  const model = (): GradientModel => {
    const w = [0.5];
    return { parameters: { w }, loss: async () => w[0]! ** 2, gradients: async () => ({ w: [2 * w[0]!] }) };
  };

  for (const isNot of [false, true]) {
    it(`names the assertion without colour codes, and drops its late verdict${isNot ? ' (.not)' : ''}`, async () => {
      const pending = toPassGradientCheckAsync.call(coloured(isNot), model(), null, null);
      let error: unknown;
      try {
        failOnPendingChecks();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GradcheckError);
      const not = isNot ? '.not' : '';
      const message = (error as GradcheckError).message;
      expect(message.startsWith(`expect(model)${not}.toPassGradientCheckAsync(X, Y) was still running`)).toBe(true);
      expect(message).not.toContain('\u001b');
      const late = await pending;
      expect(late.pass).toBe(!isNot);
      expect(late.message()).toBe('');
    });
  }
});
