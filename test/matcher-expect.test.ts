// The matchers hosted by the standalone `expect` package (the one Jest is built on), registered by
// hand from the side-effect-free `@gradcheck/jest/matchers` export, as jest-extended and jest-dom
// test theirs: pass, `.not` pass, both failure messages as snapshots with ANSI removed, bad input.
// The snapshots follow the report's format: after a deliberate format change, regenerate them with
// `pnpm exec vitest run test/matcher-expect.test.ts -u` and review the diff.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expect as hostExpect } from 'expect';
import * as matchers from '@gradcheck/jest/matchers';
import { matchers as matcherObject } from '@gradcheck/jest';
import { toPassGradientCheck, type MatcherUtils } from '@gradcheck/core';
import { ReferenceNetwork, referenceMatrices, type ReferenceCase } from '@gradcheck/reference-network';
import { failureMessage, asyncModel } from './matcher-helpers.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/reference-case.json', import.meta.url), 'utf8')) as ReferenceCase;

hostExpect.extend(matchers);

function reference(broken: boolean) {
  const { X, Y, parameters } = referenceMatrices(fixture);
  return { model: new ReferenceNetwork(parameters, { broken }), X, Y };
}

describe('toPassGradientCheck on the standalone expect package', () => {
  it('registers from the matchers object of the main entry as well', () => {
    expect(Object.keys(matcherObject).sort()).toEqual(['toPassGradientCheck', 'toPassGradientCheckAsync']);
    expect(Object.keys(matchers).sort()).toEqual(['toPassGradientCheck', 'toPassGradientCheckAsync']);
  });

  it('passes the correct backprop, with defaults and with the classic eps', () => {
    const { model, X, Y } = reference(false);
    hostExpect(model).toPassGradientCheck(X, Y);
    hostExpect(model).toPassGradientCheck(X, Y, 1e-7);
    hostExpect(model).toPassGradientCheck(X, Y, { tolerance: 1e-7 });
  });

  it('passes .not for the broken backprop', () => {
    const { model, X, Y } = reference(true);
    hostExpect(model).not.toPassGradientCheck(X, Y);
  });

  it('fails the broken backprop with a report: W1/W2 entries worst, biases fine', () => {
    const { model, X, Y } = reference(true);
    const message = failureMessage(() => hostExpect(model).toPassGradientCheck(X, Y, 1e-7));
    const lines = message.split('\n');
    expect(lines[0]).toBe('expect(model).toPassGradientCheck(X, Y, 1e-7)');
    expect(lines[2]).toMatch(/^Analytic gradients disagree with central differences: difference 4\.78e-1 > tolerance 1e-7 \(wrong: W1, W2\)$/);
    const tensorRow = (name: string) => lines.find((l) => l.startsWith(`  ${name} `))!;
    for (const name of ['b1', 'b2', 'b3']) expect(tensorRow(name)).toMatch(/✓$/);
    for (const name of ['W1', 'W2']) expect(tensorRow(name)).toMatch(/✗/);
    const worst = lines.slice(lines.findIndex((l) => l.includes('worst entries')) + 1).filter((l) => /^  \w+\[/.test(l));
    expect(worst.length).toBe(10);
    for (const row of worst) expect(row).toMatch(/^ {2}W[12]\[\d+,\d+\]/);
    expect(message).not.toMatch(/^\s+at /m);
    expect(message).toMatchSnapshot();
  });

  it('fails .not for the correct backprop, saying the gradients agree and by how much', () => {
    const { model, X, Y } = reference(false);
    const message = failureMessage(() => hostExpect(model).not.toPassGradientCheck(X, Y));
    expect(message.split('\n')[0]).toBe('expect(model).not.toPassGradientCheck(X, Y)');
    expect(message).toContain('Expected the analytic gradients to disagree with central differences, but they agree.');
    expect(message).toMatch(/Analytic gradients agree with central differences: difference \d\.\d\de-\d+ ≤ tolerance 1e-6/);
    expect(message).toMatchSnapshot();
  });

  it('fails on a value that is not a model with the GradcheckError code and message, with or without .not', () => {
    for (const negate of [false, true]) {
      const message = failureMessage(() => negate
        ? hostExpect({ weights: [1] }).not.toPassGradientCheck([], [])
        : hostExpect({ weights: [1] }).toPassGradientCheck([], []));
      expect(message).toMatch(/^GradcheckError NOT_A_MODEL: /m);
      expect(message).not.toMatch(/^\s+at /m);
      if (negate) expect(message).toContain('so `.not` fails too');
    }
  });

  it('fails on bad options with INVALID_OPTION naming the option', () => {
    const { model, X, Y } = reference(false);
    expect(failureMessage(() => hostExpect(model).toPassGradientCheck(X, Y, -1))).toMatch(/GradcheckError INVALID_OPTION: eps must be a positive finite number, received -1/);
    expect(failureMessage(() => hostExpect(model).toPassGradientCheck(X, Y, { tolerence: 1e-7 } as object))).toMatch(/GradcheckError INVALID_OPTION: unknown option "tolerence"/);
  });

  it('stays synchronous: an async model fails the sync matcher with ASYNC_MODEL naming the async one', () => {
    const { model, X, Y } = reference(false);
    const result = (() => {
      try {
        return hostExpect(asyncModel(model)).toPassGradientCheck(X, Y);
      } catch (error) {
        return error as Error;
      }
    })();
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toMatch(/GradcheckError ASYNC_MODEL: .*toPassGradientCheckAsync/);
  });

  it('checks an async model with the awaited async matcher, both ways', async () => {
    const correct = reference(false), broken = reference(true);
    await hostExpect(asyncModel(correct.model)).toPassGradientCheckAsync(correct.X, correct.Y);
    await hostExpect(asyncModel(broken.model)).not.toPassGradientCheckAsync(broken.X, broken.Y);
    const error = await hostExpect(asyncModel(broken.model)).toPassGradientCheckAsync(broken.X, broken.Y).then(() => undefined, (e: Error) => e);
    expect(error?.message).toContain('expect(model).toPassGradientCheckAsync(X, Y)');
    expect(error?.message).toContain('(wrong: W1, W2)');
  });
});

describe('the message colours through this.utils', () => {
  const tag = (name: string) => (text: string) => `<${name}>${text}</${name}>`;
  const utils: MatcherUtils = {
    matcherHint: (name, received, expected, options) => `hint(${options?.isNot ? 'not.' : ''}${name}, ${received}, ${expected})`,
    printReceived: String,
    printExpected: String,
    EXPECTED_COLOR: tag('g'),
    RECEIVED_COLOR: tag('r'),
    DIM_COLOR: tag('d'),
  };

  it('uses RECEIVED_COLOR for failures, EXPECTED_COLOR for passes and DIM_COLOR for detail; isNot undefined as in Vitest', () => {
    const { model, X, Y } = reference(true);
    const result = toPassGradientCheck.call({ utils, isNot: undefined }, model, X, Y);
    expect(result.pass).toBe(false);
    const message = result.message();
    expect(message.split('\n')[0]).toBe('hint(toPassGradientCheck, model, X, Y)');
    expect(message).toContain('<r>Analytic gradients disagree');
    expect(message).toMatch(/<g>✓<\/g>/);
    expect(message).toMatch(/<r>✗ \d+ of 20 entries off<\/r>/);
    expect(message).toMatch(/<d>47 parameters/);
  });

  it('builds the message only when asked', () => {
    const { model, X, Y } = reference(false);
    let hints = 0;
    const counting = { ...utils, matcherHint: () => `hint ${++hints}` };
    const result = toPassGradientCheck.call({ utils: counting }, model, X, Y);
    expect(result.pass).toBe(true);
    expect(hints).toBe(0);
    expect(result.message()).toMatch(/^hint 1\n/);
  });
});
