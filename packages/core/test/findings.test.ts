/**
 * Issue 9's rules as tables: gradients that differ between two calls (findings.ts), an entry kept
 * as a kink only on more than one step, a wider step where the losses' noise decides the error
 * (entry-rules.ts), and the examples' axis (examples.ts).
 */
import { describe, expect, it } from 'vitest';
import type { EntryEstimate } from '../src/difference.js';
import { kinkConfirmed, kinkReaches, widenedTooFar, widerHelps, type FiveLosses } from '../src/entry-rules.js';
import { inferExamples } from '../src/examples.js';
import { impureGradients, unreadTensors } from '../src/findings.js';
import { ParameterSet } from '../src/parameters.js';
import { checkGradients, checkGradientsAsync, type GradientModel } from '../src/index.js';

const parameters = ParameterSet.from({ W: { data: new Float64Array(4), shape: [2, 2] } });
const g = new Float64Array([0.5, -1, 2, 0.25]);

describe('gradients that are not a function of the parameters', () => {
  it.each([
    ['the same numbers', Float64Array.from(g), undefined],
    ['within 16 rounding errors', Float64Array.from(g, (v) => v * (1 + 4 * 2 ** -52)), undefined],
    [
      'twice the first: accumulating buffers',
      Float64Array.from(g, (v) => 2 * v),
      /2\.00 × the first.*accumulate.*zero_grad/,
    ],
    ['0.9·previous + g', Float64Array.from(g, (v) => 1.9 * v), /1\.90 × the first.*accumulate/],
    [
      'one entry dropped',
      Float64Array.from(g, (v, i) => (i === 2 ? 0 : v)),
      /W\[1,0\] was 2 and then 0.*a function of the parameters/,
    ],
  ])('%s', (_, second, expected) => {
    const finding = impureGradients(parameters, g, second);
    if (expected === undefined) expect(finding).toBeUndefined();
    else expect(finding).toMatch(expected);
  });

  it('names the tensors the loss does not read, and the likely cause', () => {
    expect(unreadTensors([])).toBeUndefined();
    expect(unreadTensors(['W2'])).toMatch(/perturbing W2 never moved the loss.*does not read it.*copies/);
  });
});

describe('an entry stays a kink only on the loss at more than one step, and where its slopes reach the gradient', () => {
  const kinked: EntryEstimate = { numeric: 0.5, floor: 0, step: 1e-3, errorEstimate: 0, kink: { left: 0, right: 1 } };
  it.each([
    [1, true, true, false],
    [2, true, true, true],
    [2, true, false, false], // the slopes at no step could make the gradient right
    [1, false, true, true], // a fixed step cannot narrow: one step's evidence stands
    [0, false, true, false], // …but only the loss's: an analytic gradient that jumps is no evidence
    [0, true, true, false],
  ])('kink seen at %i step(s), narrowing tried %s, reached %s: kept %s', (steps, narrowed, reached, kept) => {
    expect(kinkConfirmed(kinked, steps, narrowed, reached).kink !== undefined).toBe(kept);
  });

  it.each([
    [0.5, true], // between the slopes
    [0, true], // one of them: the derivative of θ's own piece
    [-0.99, true], // beyond the left slope by less than the jump
    [1.99, true],
    [-1, true], // exactly the jump beyond either slope
    [2, true],
    [-1.01, false], // beyond by more than the jump: no kink within the step makes that
    [3, false], // 6 × the central value c/2 of slopes 0 and c (a missing mean)
  ])('slopes 0 and 1, gradient %s: reached %s', (analytic, reached) => {
    expect(kinkReaches(analytic, kinked)).toBe(reached);
  });

  it('measures the jump between the slopes, of either sign', () => {
    const sameSign: EntryEstimate = { ...kinked, kink: { left: 2, right: 3 } };
    expect(kinkReaches(1, sameSign)).toBe(true);
    expect(kinkReaches(0.5, sameSign)).toBe(false); // 1.5 below the smaller slope, the jump is 1
    expect(kinkReaches(4.5, sameSign)).toBe(false);
  });

  it('reaches nothing without a kink', () => {
    expect(kinkReaches(0.5, { numeric: 0.5, floor: 0, step: 1e-3, errorEstimate: 0 })).toBe(false);
  });
});

describe('a wider step where the noise, not truncation, decides the error', () => {
  const coarse = { plus: 1 + 2 ** -8, minus: 1 - 2 ** -8 },
    fine = { plus: 1 + 2 ** -9, minus: 1 - 2 ** -9 };
  const estimate = (errorEstimate: number, numeric = 1): EntryEstimate => ({
    numeric,
    floor: 0,
    step: 2 ** -8,
    errorEstimate,
  });
  it('widens when the error is above the tolerance and within the noise', () => {
    // A linear loss (slope 1) with one loss off by 1e-6: noise, no truncation.
    const losses: FiveLosses = [1 - 2 ** -8, 1 - 2 ** -9, 1, 1 + 2 ** -9 + 1e-6, 1 + 2 ** -8];
    expect(widerHelps(1, estimate(1e-3), 1e-6, coarse, fine, losses, 1e-6)).toBe(true);
    expect(widerHelps(1, estimate(1e-7), 1e-6, coarse, fine, losses, 1e-6)).toBe(false); // within tolerance
  });
  it('does not widen where the mismatch is more than 16× the error: a wider step only shrinks that error', () => {
    const losses: FiveLosses = [1 - 2 ** -8, 1 - 2 ** -9, 1, 1 + 2 ** -9 + 1e-6, 1 + 2 ** -8];
    // analytic 1, numeric 1 + 15e-3 with an error of 1e-3: within 16×, widened; 1 + 17e-3: judged here.
    expect(widerHelps(1, estimate(1e-3, 1 + 15e-3), 1e-6, coarse, fine, losses, 1e-6)).toBe(true);
    expect(widerHelps(1, estimate(1e-3, 1 + 17e-3), 1e-6, coarse, fine, losses, 1e-6)).toBe(false);
  });
  it('does not widen where truncation shows', () => {
    // L = θ³ around 1: D(h) − D(h/2) = h²·3/4, far above a noise of 1e-12.
    const L = (t: number): number => t ** 3;
    const losses: FiveLosses = [L(coarse.minus), L(fine.minus), 1, L(fine.plus), L(coarse.plus)];
    expect(widerHelps(3, estimate(1e-3, 3), 1e-6, coarse, fine, losses, 1e-12)).toBe(false);
  });
});

describe('a step widened for noise that went too far', () => {
  const at = (numeric: number, errorEstimate: number): EntryEstimate => ({ numeric, errorEstimate, floor: 0, step: 1 });
  it.each([
    // A float32 bias (GC_SEED=2 property test): −2.2202e-3 at 2⁻⁸ within its error 3e-5; at 2⁻⁶ a
    // kink between them moves it to −2.2964e-3, 7.6e-5 away, while its own error reads 8e-6.
    [
      'moved past both error bars (a kink between the steps)',
      -2.2255e-3,
      at(-2.2202e-3, 3e-5),
      at(-2.2964e-3, 8e-6),
      true,
    ],
    ['moved within them (the noise fell)', 1, at(1 + 2e-5, 3e-5), at(1 + 1e-6, 8e-6), false],
    ['error grew, and the wider estimate disagrees', 1, at(1 + 1.5e-5, 1e-5), at(1 + 3e-5, 2e-5), true],
    // The narrower estimate disagreed (1.5e-5 off within 1e-5): the wider step's larger error is no trade.
    [
      'error grew, the narrower disagreed, the wider agrees within it',
      1,
      at(1 + 1.5e-5, 1e-5),
      at(1 + 1e-5, 2e-5),
      false,
    ],
    // Property GC_SEED=59's float32 W2[1,1]: agreed at 8 (0.009155 within 1.5e-3); at 32 a kink grew the error.
    ['error grew after the narrower step agreed', 0.00916, at(0.009155, 1.47e-3), at(0.007355, 4.8e-3), true],
  ])('%s: %s', (_, analytic, previous, widened, tooFar) => {
    expect(widenedTooFar(analytic, previous, widened)).toBe(tooFar);
  });
});

describe('the number of examples, on either axis', () => {
  const matrix = (rows: number, columns: number) => ({
    data: new Float64Array(rows * columns),
    shape: [rows, columns],
  });
  it.each([
    ['columns (features × examples)', matrix(4, 6), matrix(1, 6), 6],
    ['rows (examples × features, TF.js)', matrix(6, 4), matrix(6, 1), 6],
    ['a plain array of labels', matrix(6, 4), [0, 1, 0, 1, 1, 0], 6],
    ['a plain array of example records', Array.from({ length: 5 }, () => ({ x: [1, 2] })), null, 5],
    ['a record of tensors sharing the axis', { features: matrix(6, 4), mask: new Float64Array(6) }, matrix(6, 2), 6],
    ['two shared sizes: ambiguous', matrix(4, 6), matrix(4, 6), undefined],
    ['X alone: rows or columns?', matrix(4, 6), null, undefined],
  ])('%s', (_, X, Y, m) => {
    expect(inferExamples(X, Y)).toBe(m);
  });
});

describe('the findings’ sentences in full', () => {
  const two = ParameterSet.from({ W: { data: new Float64Array(4), shape: [2, 2] }, b: new Float64Array(2) });
  const g2 = new Float64Array([0.5, -1, 2, 0.25, 0, 3]);
  const CAUSE =
    'the gradient must be a function of the parameters (no dropout or sampling in the backward pass, no state kept between calls)';

  it('names the entry that moved, in the second tensor too', () => {
    expect(
      impureGradients(
        two,
        g2,
        Float64Array.from(g2, (v, i) => (i === 5 ? 3.5 : v)),
      ),
    ).toBe(`gradients(X, Y) gave different gradients at the same parameters (b[1] was 3 and then 3.5): ${CAUSE}`);
  });

  it('names an entry that was exactly 0 and then not, before a larger relative change elsewhere', () => {
    const second = Float64Array.from(g2, (v, i) => (i === 4 ? 1e-3 : i === 0 ? 0.6 : v));
    expect(impureGradients(two, g2, second)).toBe(
      `gradients(X, Y) gave different gradients at the same parameters (b[0] was 0 and then 0.001): ${CAUSE}`,
    );
  });

  it('names the entry that moved most relative to its size, wherever it is', () => {
    // W[0,0] changes by 200 %, b[1] (later) by 3e-5: the first is named.
    const second = Float64Array.from(g2, (v, i) => (i === 0 ? 1.5 : i === 5 ? 3.0001 : v));
    expect(impureGradients(two, g2, second)).toBe(
      `gradients(X, Y) gave different gradients at the same parameters (W[0,0] was 0.5 and then 1.5): ${CAUSE}`,
    );
  });

  it('does not call a second call of all zeros accumulation', () => {
    expect(impureGradients(two, g2, new Float64Array(6))).toMatch(
      /^gradients\(X, Y\) gave different gradients at the same parameters \(.* was .* and then 0\): the gradient must be a function/,
    );
  });

  it('says the second call is a multiple of the first, with the factor, and what to reset', () => {
    expect(
      impureGradients(
        two,
        g2,
        Float64Array.from(g2, (v) => 3 * v),
      ),
    ).toMatch(
      /^gradients\(X, Y\) gave different gradients at the same parameters: the second call returned 3\.00 × the first \(.+ was .+ and then .+\): gradients accumulate across calls; reset the gradient buffers \(zero_grad\) at the start of each backward pass$/,
    );
  });

  it('names an entry of a later tensor by its own index (b[1] after a 2×2 W, in a b of three)', () => {
    const three = ParameterSet.from({ W: { data: new Float64Array(4), shape: [2, 2] }, b: new Float64Array(3) });
    const g3 = new Float64Array([0.5, -1, 2, 0.25, 1, 3, -2]);
    expect(
      impureGradients(
        three,
        g3,
        Float64Array.from(g3, (v, i) => (i === 5 ? 3.5 : v)),
      ),
    ).toBe(`gradients(X, Y) gave different gradients at the same parameters (b[1] was 3 and then 3.5): ${CAUSE}`);
  });

  it('forgives 16 rounding errors of the larger value (a reduction summed in another order)', () => {
    const second = Float64Array.from(g2, (v, i) => (i === 5 ? 3 - 3 * 2 ** -48 : v));
    expect(second[5]).not.toBe(3);
    expect(impureGradients(two, g2, second)).toBeUndefined();
  });

  it('does not call a tiny change of an entry that was 0 accumulation (the factor is exactly 1)', () => {
    const second = Float64Array.from(g2, (v, i) => (i === 4 ? 1e-9 : v));
    expect(impureGradients(two, g2, second)).toBe(
      `gradients(X, Y) gave different gradients at the same parameters (b[0] was 0 and then 1e-9): ${CAUSE}`,
    );
  });

  it('does not call small gradients accumulation when the second is only roughly a multiple (0.1 %)', () => {
    const small = g2.map((v) => v * 1e-4);
    const second = small.map((v, i) => 2 * v * (1 + (i % 2 ? 1e-3 : -1e-3)));
    expect(impureGradients(two, small, second)).toMatch(
      /^gradients\(X, Y\) gave different gradients at the same parameters \(/,
    );
    // An exact multiple of large gradients is accumulation.
    const large = g2.map((v) => v * 1e4);
    expect(
      impureGradients(
        two,
        large,
        large.map((v) => 2 * v),
      ),
    ).toMatch(/the second call returned 2\.00 × the first/);
  });

  it('words the unread tensors for one and for several', () => {
    const copies =
      "(does the model's parameters hold copies, from .slice(), .clone() or a new Matrix, rather than the tensors loss computes with?";
    const flat = "or used only where the loss is flat here, as a dead ReLU unit's bias, whose gradient must then be 0?";
    expect(unreadTensors(['W2'])).toBe(
      `perturbing W2 never moved the loss, though its analytic gradient is not 0: loss(X, Y) does not read it ${copies} or is it not used, ${flat})`,
    );
    expect(unreadTensors(['W1', 'b1'])).toBe(
      `perturbing W1, b1 never moved the loss, though their analytic gradient is not 0: loss(X, Y) does not read them ${copies} or is each not used, ${flat})`,
    );
  });
});

describe('a tensor the loss does not read (its parameters copies)', () => {
  /** loss reads a copy of w; the analytic gradient of its last entry is not 0, of the others 0. */
  const copied = (): GradientModel => {
    const w = Float64Array.from([0.5, -0.25, 1]);
    const copy = Float64Array.from(w);
    return {
      parameters: { w },
      loss: () => copy[2]! ** 2,
      gradients: () => ({ w: Float64Array.from([0, 0, 2 * copy[2]!]) }),
    };
  };

  it('is named in a sync and an async check alike: the entries of gradient 0 that settle count as still too', async () => {
    const sync = checkGradients(copied(), null, null);
    const viaAsync = await checkGradientsAsync(copied(), null, null);
    for (const result of [sync, viaAsync]) {
      expect(result.passed).toBe(false);
      expect(result.tensors[0]!.unread).toBe(true);
    }
  });
});
