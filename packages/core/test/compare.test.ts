// What the comparison (compare.ts) keeps and says beyond the verdict: the worst entries (how many,
// in which order on a tie, their relative error where both values are 0, no kink mark off a kink),
// the gradients with includeGradients, and the tolerance warning at the edge of what each scheme
// reaches.
import { describe, expect, it } from 'vitest';
import { checkGradients, type GradientModel } from '../src/index.js';
import { Comparison, toleranceWarning } from '../src/compare.js';
import { ParameterSet } from '../src/parameters.js';
import { attainableTolerance } from '../src/difference.js';
import { linearData, linearModel, numbers } from './models.js';

const { X, Y } = linearData(6, 5);
/** Every entry of w 1 % off: six failing entries. */
const scaled = (): GradientModel<number[][], number[]> => linearModel(new Float64Array(numbers(6)), [0.3], 'scale');

describe('the worst entries', () => {
  it('keeps as many as `worst` asks, the largest errors first', () => {
    const all = checkGradients(scaled(), X, Y, { worst: 10, taylor: false });
    const two = checkGradients(scaled(), X, Y, { worst: 2, taylor: false });
    expect(all.worst).toHaveLength(7);
    expect(two.worst).toHaveLength(2);
    expect(two.worst.map((w) => w.label)).toEqual(all.worst.slice(0, 2).map((w) => w.label));
    expect(all.worst.slice(0, 6).every((w) => w.tensor === 'w')).toBe(true);
  });

  it('keeps none with worst: 0, and the verdict is unchanged', () => {
    const result = checkGradients(scaled(), X, Y, { worst: 0, taylor: false });
    expect(result.passed).toBe(false);
    expect(result.worst).toEqual([]);
    expect(result.tensors.map((t) => [t.name, t.failing])).toEqual([
      ['w', 6],
      ['b', 0],
    ]);
  });

  it('keeps the first entry first when two have the same error', () => {
    // Two entries of the same function at the same point: bitwise the same numeric and analytic values.
    const w = [1.5, 1.5];
    const model: GradientModel = {
      parameters: { w },
      loss: () => w[0]! ** 3 + w[1]! ** 3,
      gradients: () => ({ w: w.map((v) => 3 * v * v * 1.1) }),
    };
    const result = checkGradients(model, null, null, { taylor: false });
    expect(result.worst[0]!.absError).toBe(result.worst[1]!.absError);
    expect(result.worst.map((e) => e.label)).toEqual(['w[0]', 'w[1]']);
  });

  it('gives an entry that is 0 on both sides a relative error of 0, not NaN', () => {
    const w = [0.5, -0.75];
    const model: GradientModel = {
      parameters: { w },
      loss: () => 2 * w[0]! ** 2,
      gradients: () => ({ w: [4 * w[0]!, 0] }),
    };
    const result = checkGradients(model, null, null);
    expect(result.passed).toBe(true);
    const zero = result.worst.find((e) => e.label === 'w[1]')!;
    expect(zero).toMatchObject({ analytic: 0, numeric: 0, absError: 0, relError: 0 });
  });

  it('marks no entry as a kink where there is none', () => {
    const result = checkGradients(scaled(), X, Y, { taylor: false });
    expect(result.kinks.count).toBe(0);
    expect(result.worst.filter((e) => 'kink' in e)).toEqual([]);
  });
});

describe('a loss that underflows', () => {
  // ½·1e-310·w² is subnormal at w = 1, as is its derivative 1e-310; a backward whose product
  // underflows to 0 there is off by less than the smallest normal number, which carries no relative
  // precision. At 1e-300 the same 0 is a wrong gradient.
  const model = (c: number): GradientModel => {
    const w = [1];
    return { parameters: { w }, loss: () => 0.5 * c * w[0]! * w[0]!, gradients: () => ({ w: [0] }) };
  };

  it('passes a gradient of 0 where the loss and its derivative are subnormal, and fails it where they are not', () => {
    const under = checkGradients(model(1e-310), null, null, { taylor: false });
    expect(Math.abs(under.worst[0]!.numeric - 1e-310)).toBeLessThan(1e-317);
    expect(under.passed).toBe(true);
    // Nothing about to fail, so no second reading of the noise (LossNoise.confirm: 19 more losses).
    expect(under.evaluations.loss).toBe(25);
    expect(checkGradients(model(1e-300), null, null, { taylor: false }).passed).toBe(false);
  });
});

describe('includeGradients', () => {
  it("returns each tensor's analytic and numeric gradients, entry by entry", () => {
    const w = [0.5, -0.75, 2];
    const model: GradientModel = {
      parameters: { w },
      loss: () => w[0]! * w[1]! + w[2]! ** 2,
      gradients: () => ({ w: [w[1]!, w[0]!, 2 * w[2]!] }),
    };
    const result = checkGradients(model, null, null, { includeGradients: true });
    const t = result.tensors[0]!;
    expect(t.analytic).toEqual([-0.75, 0.5, 4]);
    expect(t.numeric).toHaveLength(3);
    t.numeric!.forEach((n, i) => expect(n).toBeCloseTo(t.analytic![i]!, 8));
    const without = checkGradients(model, null, null);
    expect(without.tensors[0]!.analytic).toBeUndefined();
  });
});

describe('the tolerance warning', () => {
  const central64 = attainableTolerance('float64', 'central'),
    richardson64 = attainableTolerance('float64', 'richardson');

  it('says nothing at exactly what the scheme reaches, and warns just below it', () => {
    expect(toleranceWarning(central64, 'float64', 'central')).toBeUndefined();
    expect(toleranceWarning(central64 * (1 - 1e-12), 'float64', 'central')).toMatch(
      /^tolerance 4e-11 is below what central differences can reach with float64 parameters \(about 4e-11 relative\)/,
    );
    expect(toleranceWarning(richardson64, 'float64', 'richardson')).toBeUndefined();
  });

  it('points to Richardson only when central is the scheme and Richardson reaches the tolerance', () => {
    const tail = "; scheme 'richardson' reaches about 3e-13.";
    expect(toleranceWarning(1e-12, 'float64', 'central')).toBe(
      'tolerance 1e-12 is below what central differences can reach with float64 parameters (about 4e-11 relative): ' +
        'correct gradients may fail; use a tolerance of at least 4e-11' +
        tail,
    );
    expect(toleranceWarning(richardson64, 'float64', 'central')!.endsWith(tail)).toBe(true);
    // Below Richardson's reach too: no scheme helps, the sentence just ends.
    expect(toleranceWarning(1e-13, 'float64', 'central')).toBe(
      'tolerance 1e-13 is below what central differences can reach with float64 parameters (about 4e-11 relative): ' +
        'correct gradients may fail; use a tolerance of at least 4e-11.',
    );
    expect(toleranceWarning(1e-14, 'float64', 'richardson')).toBe(
      'tolerance 1e-14 is below what richardson differences can reach with float64 parameters (about 3e-13 relative): ' +
        'correct gradients may fail; use a tolerance of at least 3e-13.',
    );
  });
});

describe('the tally, entry by entry (round 7)', () => {
  // Comparison.addValues(tensor, index, analytic, numeric, floor, step, kink, flat, widened). With a
  // tolerance of 1e-12 the floor sets what an entry may be off: 3 against 2 with a floor of 1 is an
  // excess of exactly 1 (passes), against a floor of 0.99 it fails.
  const comparison = (kinks: 'exclude' | 'fail' = 'exclude', keep = 5) =>
    new Comparison(ParameterSet.from({ w: [0, 0, 0], b: [0] }), 1e-12, keep, false, kinks);

  it('an excess of exactly 1 passes; a flat tensor is unread only when an entry fails', () => {
    const edge = comparison();
    expect(edge.addValues(0, 0, 3, 2, 1, 1e-3, false, true, false)).toBe(1);
    expect(edge.verdict().tensors[0]).toMatchObject({ failing: 0 });
    expect(edge.verdict().tensors[0]!.unread).toBeUndefined();
    const over = comparison();
    over.addValues(0, 0, 3, 2, 0.99, 1e-3, false, true, false);
    expect(over.verdict().tensors[0]).toMatchObject({ failing: 1, unread: true });
    expect(over.verdict().tensors[1]!.unread).toBeUndefined(); // b: nothing compared
  });

  it('a tensor is unread only when every entry compared left the loss unchanged', () => {
    const c = comparison();
    c.addValues(0, 0, 3, 2, 0.5, 1e-3, false, true, false); // flat and failing
    c.addValues(0, 1, 2, 2, 0.5, 1e-3, false, false, false); // read
    expect(c.verdict().tensors[0]).toMatchObject({ failing: 1 });
    expect(c.verdict().tensors[0]!.unread).toBeUndefined();
  });

  it('allows every entry an error up to the smallest normal number of its precision, and no more', () => {
    // A float64 difference of 2⁻¹⁰²² passes with a floor of 0; twice it fails. In float32 the bound is 2⁻¹²⁶.
    const c = comparison();
    expect(c.addValues(0, 0, 0, 2 ** -1022, 0, 1e-3, false, false, false)).toBe(1);
    expect(c.addValues(0, 1, 0, 2 ** -1021, 0, 1e-3, false, false, false)).toBe(2);
    const single = new Comparison(ParameterSet.from({ w: new Float32Array(2) }), 1e-12, 5, false);
    expect(single.addValues(0, 0, 0, 2 ** -126, 0, 1e-3, false, false, false)).toBe(1);
    expect(single.addValues(0, 1, 0, 2 ** -125, 0, 1e-3, false, false, false)).toBe(2);
  });

  it('counts a kink as off only when it disagrees beyond an excess of 1', () => {
    const c = comparison();
    c.addValues(0, 0, 2, 2, 0, 1e-3, true, false, false); // agrees
    c.addValues(0, 1, 3, 2, 1, 1e-3, true, false, false); // excess exactly 1
    expect(c.verdict()).toMatchObject({ kinks: 2, kinksOff: 0, kinkLabels: ['w[0]', 'w[1]'] });
    c.addValues(0, 2, 3, 2, 0.5, 1e-3, true, false, false);
    expect(c.verdict()).toMatchObject({ kinks: 3, kinksOff: 1 });
  });

  it("fails a kink with kinks: 'fail' even where its values agree", () => {
    const c = comparison('fail');
    expect(c.addValues(0, 0, 2, 2, 0, 1e-3, true, false, false)).toBe(1 + 1e-9);
    const v = c.verdict();
    expect(v.passed).toBe(false);
    expect(v.tensors[0]).toMatchObject({ failing: 1, passed: false });
    expect(v.worst[0]).toMatchObject({ label: 'w[0]', kink: true, excess: 1 + 1e-9 });
  });

  it('records the failing entry with the largest excess for the diagnosis, not the one with the largest error', () => {
    const c = comparison();
    expect(c.recorded(0).worstFailing).toBeUndefined();
    c.addValues(0, 0, 30, 20, 10, 1e-3, false, false, false); // error 10, allowed 10: passes
    expect(c.recorded(0).worstFailing).toBeUndefined();
    c.addValues(0, 1, 3, 2, 0.25, 1e-3, false, false, false); // error 1, excess 4
    c.addValues(0, 2, 3, 2, 0.5, 1e-3, false, false, false); // error 1, excess 2
    expect(c.recorded(0)).toMatchObject({ indices: [0, 1, 2], worstFailing: 1 });
    c.addValues(0, 2, 3, 2, 0.2, 1e-3, false, false, false); // excess 5
    expect(c.recorded(0).worstFailing).toBe(2);
    expect(c.recorded(1).worstFailing).toBeUndefined();
    const first = comparison();
    first.addValues(0, 0, 3, 2, 0.5, 1e-3, false, false, false); // w[0] fails
    expect(first.recorded(0).worstFailing).toBe(0);
  });

  it('with the worst list full, admits an entry at the very bottom of the last one’s bucket', () => {
    // keep 1: w[0] with an excess of exactly 1 (error 1) fills the list; b[0], excess exactly 1 too
    // (same bucket) but error 2, ranks above it and replaces it.
    const c = comparison('exclude', 1);
    c.addValues(0, 0, 3, 2, 1, 1e-3, false, false, false);
    c.addValues(1, 0, 6, 4, 2, 1e-3, false, false, false);
    expect(c.verdict().worst.map((e) => [e.label, e.excess, e.absError])).toEqual([['b[0]', 1, 2]]);
  });
});
