import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkGradients, type CheckResult } from '@gradcheck/core';
import {
  ReferenceNetwork,
  functionalNetwork,
  referenceMatrices,
  type ReferenceCase,
} from '@gradcheck/reference-network';

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/reference-case.json', import.meta.url), 'utf8'),
) as ReferenceCase & { readonly difference_correct_numpy_rerun: number };

function check(broken: boolean, options?: Parameters<typeof checkGradients>[3], functional = false): CheckResult {
  const { X, Y, parameters } = referenceMatrices(fixture);
  const model = functional ? functionalNetwork(parameters, { broken }) : new ReferenceNetwork(parameters, { broken });
  return checkGradients(model, X, Y, options);
}

describe('the classic reference case (4-5-3-1, three examples)', () => {
  it('computes the fixture cost and analytic gradients', () => {
    for (const broken of [false, true]) {
      const { X, Y, parameters } = referenceMatrices(fixture);
      const net = new ReferenceNetwork(parameters, { broken });
      expect(net.loss(X, Y)).toBeCloseTo(fixture.cost, 12);
      const grads = net.gradients(X, Y);
      const expected = broken ? fixture.gradients_buggy : fixture.gradients_correct;
      for (const [name, value] of Object.entries(expected)) {
        const got = grads[name]!.to2DArray().flat();
        value.flat().forEach((v, i) => expect(got[i]).toBeCloseTo(v, 12));
      }
    }
  });

  it('reproduces the broken backprop difference 0.4784087369 with eps = 1e-7', () => {
    const result = check(true, 1e-7);
    expect(result.passed).toBe(false);
    expect(Math.abs(result.difference - 0.4784087369) / 0.4784087369).toBeLessThan(1e-6);
    expect(result.difference).toBeCloseTo(fixture.difference_buggy_original_printout, 8);
  });

  it("passes the correct backprop with eps = 1e-7 at the fixture's difference, 1.35e-8 to within 1 %", () => {
    const result = check(false, 1e-7);
    expect(result.passed).toBe(true);
    // At eps = 1e-7 the correct case's difference is the loss's rounding over the step, so it
    // depends on the order of the floating-point operations: the fixture's original printout
    // (1.34885e-8) and its numpy rerun (1.34639e-8) already differ by 0.2 %; ml-matrix gives
    // 1.3424e-8. The window is that agreement (1 %), not the factor 100 of 1e-9…1e-7.
    for (const value of [fixture.difference_correct_original_printout, fixture.difference_correct_numpy_rerun]) {
      expect(Math.abs(result.difference / value - 1)).toBeLessThan(0.01);
    }
  });

  it('matches the fixture numeric gradients entry by entry within 1e-6 relative where not tiny', () => {
    const result = check(false, { step: fixture.epsilon, tolerance: fixture.epsilon, includeGradients: true });
    let compared = 0;
    for (const tensor of result.tensors) {
      const expected = fixture.numeric_gradients[`d${tensor.name}`]!.flat();
      tensor.numeric!.forEach((v, i) => {
        if (Math.abs(expected[i]!) < 1e-3) return expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-9);
        compared++;
        expect(Math.abs(v - expected[i]!) / Math.abs(expected[i]!)).toBeLessThan(1e-6);
      });
    }
    expect(compared).toBeGreaterThan(30);
  });

  it('with defaults: passes the correct backprop, fails the broken one on W1 and W2 only', () => {
    const correct = check(false);
    expect(correct.passed).toBe(true);
    expect(correct.difference).toBeLessThan(1e-8);
    const broken = check(true);
    expect(broken.passed).toBe(false);
    expect(broken.tensors.filter((t) => !t.passed).map((t) => t.name)).toEqual(['W1', 'W2']);
    expect(new Set(broken.worst.map((e) => e.tensor))).toEqual(new Set(['W1', 'W2']));
  });

  it('gives the same verdicts through the functional forward/cost/backward shape', () => {
    expect(check(true, 1e-7, true).difference).toBe(check(true, 1e-7).difference);
    expect(check(false, undefined, true).passed).toBe(true);
  });

  it('spends 2 loss evaluations per entry plus 2 for the determinism check (and gradients twice)', () => {
    const result = check(false);
    expect(result.parameters).toBe(47);
    expect(result.evaluations).toEqual({ loss: 2 * 47 + 2, gradients: 2 }); // gradients twice: it must be a function
  });
});
