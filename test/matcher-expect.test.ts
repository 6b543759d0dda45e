// The matchers on the standalone `expect` package (the one Jest is built on), registered by hand
// from the side-effect-free `@gradcheck/jest/matchers` export; and how the message uses the
// host's `this.utils`. Regenerate snapshots after a format change: `pnpm exec vitest run -u`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expect as standaloneExpect } from 'expect';
import * as matchers from '@gradcheck/jest/matchers';
import { matchers as matcherObject } from '@gradcheck/jest';
import { toPassGradientCheck, type MatcherUtils } from '@gradcheck/core';
import { ReferenceNetwork, referenceMatrices, type ReferenceCase } from '@gradcheck/reference-network';
import { matcherContract } from './matcher-contract.js';

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/reference-case.json', import.meta.url), 'utf8'),
) as ReferenceCase;

standaloneExpect.extend(matchers);

describe('the standalone expect package', () => {
  it('takes the matchers from the matchers entry or the main entry’s matchers object', () => {
    expect(Object.keys(matchers).sort()).toEqual(['toPassGradientCheck', 'toPassGradientCheckAsync']);
    expect(Object.keys(matcherObject).sort()).toEqual(['toPassGradientCheck', 'toPassGradientCheckAsync']);
  });

  matcherContract({ describe, it, expect, host: standaloneExpect }, fixture);
});

describe('the message colours through this.utils', () => {
  const tag = (name: string) => (text: string) => `<${name}>${text}</${name}>`;
  const utils: MatcherUtils = {
    matcherHint: (name, received, expected, options) =>
      `hint(${options?.isNot ? 'not.' : ''}${name}, ${received}, ${expected})`,
    printReceived: String,
    printExpected: String,
    EXPECTED_COLOR: tag('g'),
    RECEIVED_COLOR: tag('r'),
    DIM_COLOR: tag('d'),
  };
  const broken = () => {
    const { X, Y, parameters } = referenceMatrices(fixture);
    return { model: new ReferenceNetwork(parameters, { broken: true }), X, Y };
  };

  it('uses RECEIVED_COLOR for failures, EXPECTED_COLOR for passes, DIM_COLOR for detail; isNot undefined as in Vitest', () => {
    const { model, X, Y } = broken();
    const result = toPassGradientCheck.call({ utils, isNot: undefined }, model, X, Y);
    expect(result.pass).toBe(false);
    const message = result.message();
    expect(message.split('\n')[0]).toBe('hint(toPassGradientCheck, model, X, Y)');
    expect(message).toContain('<r>Analytic gradients disagree');
    expect(message).toMatch(/<g>✓<\/g>/);
    expect(message).toMatch(/<r>✗ \d+ of 20 entries off<\/r>/);
    expect(message).toMatch(/<d>47 parameters/);
  });

  it('builds the message only when the host asks for it', () => {
    const { model, X, Y } = broken();
    let hints = 0;
    const result = toPassGradientCheck.call({ utils: { ...utils, matcherHint: () => `hint ${++hints}` } }, model, X, Y);
    expect(hints).toBe(0);
    expect(result.message()).toMatch(/^hint 1\n/);
  });
});
