// The report as the matchers print it (report.ts), line by line, for checks of each kind: a model
// in full mode, a layer with its inputs in directional mode, a pass with notes. Numbers at the
// level of rounding noise are matched by shape only; counts, the bug's size and texts in full.
import { describe, expect, it } from 'vitest';
import { checkGradients, formatReport, type CheckResult, type EntryResult, type TensorResult } from '../src/index.js';
import { linearData, linearModel, numbers } from './models.js';

const { X, Y } = linearData(6, 5);
const lines = (result: CheckResult): string[] => formatReport(result).split('\n');
const noise = '\\d\\.\\d+e-1[0-4]';

describe('the report, line by line', () => {
  it('a model with one wrong entry: full check, Richardson, the diagnosis, the worst entries, Taylor', () => {
    const result = checkGradients(linearModel(new Float64Array(numbers(6)), [0.3], 'one-entry'), X, Y, {
      scheme: 'richardson',
    });
    const text = lines(result);
    expect(text.slice(0, 5)).toEqual([
      'Analytic gradients disagree with Richardson-extrapolated differences: difference 9.90e-2 > tolerance 1e-6 (wrong: w)',
      expect.stringMatching(
        /^7 parameters · 7 checked \(full\) · 44 loss evaluations · step auto \(4\.9e-4…4\.9e-4\) · float64 · seed 20240229 · [\d.]+ ms$/,
      ),
      'full check (auto: a full check needs 14 more loss evaluations, within the budget of 4000)',
      '',
      '  parameter  shape  entries  difference  verdict               looks like',
    ]);
    expect(text[5]).toBe('  w          6            6      1.2e-1  ✗ 1 of 6 entries off  only w[3] is off');
    expect(text[6]).toMatch(new RegExp(`^  b          1            1     ${noise}  ✓$`));
    expect(text[8]).toBe('  worst entries   analytic    numeric  abs err  rel err');
    expect(text[9]).toBe('  w[3]             1.44923   0.899485   5.5e-1   2.3e-1  ✗');
    expect(text.slice(10, 16).every((l) => / {2}ok$/.test(l))).toBe(true);
    expect(text.slice(-2)).toEqual([
      '',
      'Taylor test along a random direction (seed 20240229): the remainder shrinks like t^1.00: the gradient is wrong along it (a correct one gives t^2).',
    ]);
  });

  it('a layer with a wrong dX, directional, two cotangents: inputs, directions and the note', () => {
    const w = new Float64Array(numbers(4, 5));
    const layer = {
      parameters: { w },
      forward: (x: Float64Array) => x.map((v, i) => w[i]! * v),
      backward: (dY: Float64Array, x: Float64Array) => ({
        dw: dY.map((d, i) => d * x[i]!),
        dX: dY.map((d, i) => d * w[i]! * (i === 2 ? 2 : 1)),
      }),
    };
    const text = lines(checkGradients(layer, new Float64Array(numbers(4, 6)), { mode: 'directional', cotangents: 2 }));
    expect(text.slice(0, 5)).toEqual([
      'Analytic gradients disagree with central differences along random directions: difference 1.61e-2 > tolerance 1e-6 (wrong: X)',
      expect.stringMatching(
        /^4 parameters \+ 4 inputs · 2 random cotangents · 1 checked \(directional\) · 66 loss evaluations · step auto \(3\.8e-6…3\.8e-6\) · float64 · seed 20240229 · [\d.]+ ms$/,
      ),
      "directional check (mode: 'directional' requested)",
      '',
      '  tensor     shape  entries    checked  difference  verdict',
    ]);
    expect(text[5]).toMatch(new RegExp(`^  w          4            4      1 dir     ${noise}  ✓$`));
    expect(text[6]).toBe('  X (input)  4            4  1 dir + 1      1.9e-2  ✗ 1 of 1 entries off');
    expect(text.slice(8, 10)).toEqual([
      '  worst entries    analytic     numeric  abs err  rel err',
      '  X[2]           -0.0942853  -0.0471426   4.7e-2   3.3e-1  ✗',
    ]);
    expect(text.slice(-2)).toEqual(['', 'note: cotangent 1 of 2 failed.']);
  });

  it('a pass with a tolerance below reach: the notes, the widened entries counted', () => {
    const text = lines(checkGradients(linearModel(new Float64Array(numbers(6)), [0.3]), X, Y, { tolerance: 1e-12 }));
    expect(text[0]).toMatch(
      new RegExp(`^Analytic gradients agree with central differences: difference ${noise} ≤ tolerance 1e-12$`),
    );
    expect(text.slice(-3)).toEqual([
      "note: tolerance 1e-12 is below what central differences can reach with float64 parameters (about 4e-11 relative): correct gradients may fail; use a tolerance of at least 4e-11; scheme 'richardson' reaches about 3e-13.",
      '',
      "note: the step was widened for 7 entries where the loss's own rounding noise, not truncation, decided the error at the default step (judged at the wider step).",
    ]);
  });
});

// The report of results built by hand from a real one: every wording the report can take, where
// a check that produces it would be slow or rare (a failure within the tolerance, sampled mode,
// kinks counted as failing, colour codes in the table).
describe('the report of a result, each wording', () => {
  const real = checkGradients(linearModel(new Float64Array(numbers(6)), [0.3], 'one-entry'), X, Y, { taylor: false });
  const [w, b] = real.tensors as [TensorResult, TensorResult];
  const failedWithin = (over: Partial<CheckResult>): CheckResult => ({
    ...real,
    difference: 5e-7,
    tolerance: 1e-6,
    ...over,
  });
  const verdict = (result: CheckResult): string => lines(result)[0]!;
  const entry = (label: string, analytic: number, numeric: number, excess: number): EntryResult => ({
    label,
    tensor: 'w',
    index: [0],
    analytic,
    numeric,
    absError: Math.abs(analytic - numeric),
    relError: 0.5,
    excess,
    step: 1e-4,
  });

  it('names the scheme and the mode in the first line', () => {
    expect(verdict({ ...real, mode: 'sampled' })).toMatch(
      /^Analytic gradients disagree with central differences on sampled entries: /,
    );
    expect(verdict({ ...real, mode: 'directional' })).toMatch(/with central differences along random directions: /);
    expect(verdict({ ...real, scheme: 'richardson' })).toMatch(/with Richardson-extrapolated differences: /);
  });

  it('a difference equal to the tolerance is ≤, one above it >', () => {
    expect(verdict({ ...real, passed: true, tensors: [{ ...w, passed: true }, b], difference: 1e-6 })).toBe(
      'Analytic gradients agree with central differences: difference 1.00e-6 ≤ tolerance 1e-6',
    );
    expect(verdict({ ...real, difference: 1.01e-6 })).toBe(
      'Analytic gradients disagree with central differences: difference 1.01e-6 > tolerance 1e-6 (wrong: w)',
    );
  });

  it('a pass above the tolerance: within the finite-difference error, the norms over all tensors', () => {
    const result: CheckResult = {
      ...real,
      passed: true,
      difference: 2e-6,
      tensors: [
        { ...w, passed: true, errorNorm: 3e-6, noiseNorm: 6e-6 },
        { ...b, errorNorm: 4e-6, noiseNorm: 8e-6 },
      ],
    };
    expect(verdict(result)).toBe(
      'Analytic gradients agree with central differences: difference 2.00e-6 > tolerance 1e-6, within the finite-difference error (error 5.00e-6 ≤ noise 1.00e-5)',
    );
  });

  it('a failure above the tolerance with findings: the findings after a semicolon', () => {
    expect(verdict({ ...real, findings: ['first finding', 'second finding'] })).toBe(
      'Analytic gradients disagree with central differences: difference 9.90e-2 > tolerance 1e-6; first finding; second finding (wrong: w)',
    );
  });

  it('a failure within the tolerance: the findings, else the tensors off on their own', () => {
    expect(verdict(failedWithin({ findings: ['one finding', 'another'] }))).toBe(
      'Analytic gradients disagree with central differences: difference 5.00e-7 ≤ tolerance 1e-6, but one finding; another (wrong: w)',
    );
    expect(verdict(failedWithin({ tensors: [{ ...w, difference: 2e-6 }, b] }))).toBe(
      'Analytic gradients disagree with central differences: difference 5.00e-7 ≤ tolerance 1e-6, but w differs by 2.00e-6 on its own (wrong: w)',
    );
    const both = failedWithin({
      tensors: [
        { ...w, difference: 2e-6 },
        { ...b, passed: false, difference: 3e-6 },
      ],
    });
    expect(verdict(both)).toBe(
      'Analytic gradients disagree with central differences: difference 5.00e-7 ≤ tolerance 1e-6, but w differs by 2.00e-6, b differs by 3.00e-6 on their own (wrong: w, b)',
    );
    // A failed tensor at exactly the tolerance is not off on its own; a passing one above it is not named.
    const edge = failedWithin({
      tensors: [
        { ...w, difference: 1e-6, failing: 0 },
        { ...b, difference: 2e-6 },
      ],
      worst: [],
    });
    expect(verdict(edge)).toBe(
      'Analytic gradients disagree with central differences: difference 5.00e-7 ≤ tolerance 1e-6, but w failed (wrong: w)',
    );
  });

  it('a failure within the tolerance: else the entries beyond their finite-difference error, counted', () => {
    const one = failedWithin({
      tensors: [{ ...w, difference: 5e-7, failing: 1 }, b],
      worst: [entry('w[0]', 1, 1, 1), entry('w[3]', 2, 1, 2.5), entry('w[1]', 1, 1, 3)],
    });
    expect(verdict(one)).toBe(
      'Analytic gradients disagree with central differences: difference 5.00e-7 ≤ tolerance 1e-6, but 1 entry is off beyond its finite-difference error (w[3] by 2.50×) (wrong: w)',
    );
    const three = failedWithin({
      tensors: [
        { ...w, difference: 5e-7, failing: 2 },
        { ...b, passed: false, difference: 1e-7, failing: 1 },
      ],
      worst: [entry('w[3]', 2, 1, 1.25)],
    });
    expect(verdict(three)).toBe(
      'Analytic gradients disagree with central differences: difference 5.00e-7 ≤ tolerance 1e-6, but 3 entries are off beyond their finite-difference error (w[3] by 1.25×) (wrong: w, b)',
    );
    // No entry beyond its error, and no tensor failed: the check failed (a finding-less fallback).
    const none = failedWithin({ tensors: [{ ...w, passed: true }, b], worst: [entry('w[3]', 1, 1, 1)] });
    expect(verdict(none)).toBe(
      'Analytic gradients disagree with central differences: difference 5.00e-7 ≤ tolerance 1e-6, but the check failed',
    );
  });

  it('kinks in a failing line and in the notes: left out, or counted as failing', () => {
    const kinked = (policy: 'exclude' | 'fail', count: number, entries: string[]): CheckResult => ({
      ...real,
      kinks: { count, disagreeing: count, policy, entries },
    });
    expect(verdict(kinked('exclude', 1, ['w[1]']))).toMatch(/ \(wrong: w; 1 entry left out as kinks\)$/);
    expect(verdict(kinked('fail', 2, ['w[1]', 'w[2]']))).toMatch(
      / \(wrong: w; 2 entries at kinks counted as failing\)$/,
    );
    expect(lines(kinked('exclude', 1, ['w[1]'])).at(-1)).toBe(
      '1 entry not differentiable here (one-sided slopes disagree within the step), excluded: w[1]',
    );
    expect(lines(kinked('fail', 3, ['w[1]', 'w[2]'])).at(-1)).toBe(
      '3 entries not differentiable here (one-sided slopes disagree within the step), counted as failing: w[1], w[2], …',
    );
    expect(lines(kinked('fail', 2, ['w[1]', 'w[2]'])).at(-1)).toBe(
      '2 entries not differentiable here (one-sided slopes disagree within the step), counted as failing: w[1], w[2]',
    );
    expect(lines(real).at(-1)).not.toMatch(/not differentiable/);
  });

  it('a pass with kinks counted as failing says nothing of them in its first line', () => {
    const pass: CheckResult = {
      ...real,
      passed: true,
      difference: 1e-7,
      tensors: [{ ...w, passed: true }, b],
      kinks: { count: 1, disagreeing: 1, policy: 'fail', entries: ['w[1]'] },
    };
    expect(verdict(pass)).toBe(
      'Analytic gradients agree with central differences: difference 1.00e-7 ≤ tolerance 1e-6',
    );
  });

  it('a pass whose only disagreeing entries were 3 kinks lists them all, 4 with …', () => {
    const pass = (count: number): CheckResult => ({
      ...real,
      passed: true,
      difference: 1e-7,
      tensors: [{ ...w, passed: true }, b],
      kinks: {
        count,
        disagreeing: count,
        policy: 'exclude',
        entries: ['w[0]', 'w[1]', 'w[2]', 'w[3]'].slice(0, count),
      },
    });
    expect(verdict(pass(3))).toMatch(
      /, but the only 3 disagreeing entries \(w\[0\], w\[1\], w\[2\]\) were left out as kinks$/,
    );
    expect(verdict(pass(4))).toMatch(
      /, but the only 4 disagreeing entries \(w\[0\], w\[1\], w\[2\], …\) were left out as kinks$/,
    );
  });

  it('the tensor table: a failed tensor with no failing entry, kinks left out or counted, directions and entries', () => {
    const result: CheckResult = {
      ...real,
      mode: 'directional',
      kinks: { count: 1, disagreeing: 1, policy: 'fail', entries: ['b[0]'] },
      tensors: [
        { ...w, failing: 0, directions: 2, checked: 3, diagnosis: undefined },
        { ...b, kinks: 1, directions: 1, checked: 0 },
      ],
    };
    const text = lines(result);
    expect(text.slice(4, 7)).toEqual([
      '  parameter  shape  entries    checked  difference  verdict',
      '  w          6            6  2 dir + 3      1.2e-1  ✗',
      expect.stringMatching(/^ {2}b {10}1 {12}1 {6}1 dir {5}\S+ {2}✓$/),
    ]);
    const excluded = lines({ ...result, kinks: { ...result.kinks, policy: 'exclude' } });
    expect(excluded[6]).toMatch(/ {2}✓ \(1 of 0 entries left out as kinks\)$/);
  });

  it('a failure within the tolerance of two tensors neither off on its own: both named, comma-separated', () => {
    const both = failedWithin({
      tensors: [
        { ...w, difference: 1e-6, failing: 0 },
        { ...b, passed: false, difference: 1e-7, failing: 0 },
      ],
      worst: [],
    });
    expect(verdict(both)).toBe(
      'Analytic gradients disagree with central differences: difference 5.00e-7 ≤ tolerance 1e-6, but w, b failed (wrong: w, b)',
    );
  });

  it('kinks counted as failing are named even when they are too many to list as left out', () => {
    // 8 of 9 entries at kinks: too many (at least 8, and most of them) to be left out quietly.
    const kinks = { count: 8, disagreeing: 8, policy: 'fail' as const, entries: ['w[0]', 'w[1]', 'w[2]'] };
    const tensors = [{ ...w, size: 8, checked: 8, kinks: 8 }, b];
    expect(verdict({ ...real, kinks, tensors })).toMatch(/ \(wrong: w; 8 entries at kinks counted as failing\)$/);
    expect(verdict({ ...real, kinks: { ...kinks, policy: 'exclude' }, tensors })).toMatch(/ \(wrong: w\)$/);
  });

  it('sets the kinks note apart by a blank line', () => {
    const text = lines({ ...real, kinks: { count: 1, disagreeing: 1, policy: 'exclude', entries: ['w[1]'] } });
    expect(text.at(-2)).toBe('');
  });

  it('a sampled check’s table counts the entries checked, without directions', () => {
    const text = lines({
      ...real,
      mode: 'sampled',
      tensors: [
        { ...w, checked: 3 },
        { ...b, checked: 1 },
      ],
    });
    expect(text[4]).toBe('  parameter  shape  entries  checked  difference  verdict               looks like');
    expect(text[5]).toMatch(/^ {2}w {10}6 {12}6 {8}3 /);
  });

  it('a layer with no input checked counts its parameters only', () => {
    expect(lines({ ...real, parameters: 7, inputs: { names: [] } })[1]).toMatch(
      /^7 parameters · 7 checked \(full\) · /,
    );
  });

  it('a layer: inputs marked, counted after the parameters, and the cotangents', () => {
    const layer: CheckResult = {
      ...real,
      parameters: 7,
      inputs: { names: ['b'], cotangents: 3 },
    };
    const text = lines(layer);
    expect(text[1]).toMatch(/^6 parameters \+ 1 inputs · 3 random cotangents · 7 checked \(full\) · /);
    expect(text[4]).toMatch(/^ {2}tensor /);
    expect(text[6]).toMatch(/^ {2}b \(input\) /);
    const onlyInputs = lines({ ...real, parameters: 7, inputs: { names: ['w', 'b'] } });
    expect(onlyInputs[1]).toMatch(/^7 inputs · 7 checked \(full\) · /);
    const one = lines({ ...real, parameters: 7, inputs: { names: ['b'], cotangents: 1 } });
    expect(one[1]).toMatch(/^6 parameters \+ 1 inputs · a random cotangent · /);
  });

  it('the worst entries: numbers fixed-point from 1e-4 up to below 1e6, else exponents; ok at an excess of exactly 1', () => {
    const result: CheckResult = {
      ...real,
      worst: [entry('w[0]', 1e-4, 0, 1), entry('w[1]', 9.99e-5, 999999, 1.5), entry('w[2]', 1e6, -2.5e-7, 0.5)],
    };
    const text = lines(result);
    const at = text.indexOf('  worst entries     analytic      numeric  abs err  rel err');
    expect(text.slice(at, at + 4)).toEqual([
      '  worst entries     analytic      numeric  abs err  rel err',
      '  w[0]           0.000100000            0   1.0e-4   5.0e-1  ok',
      '  w[1]            9.99000e-5       999999    1.0e6   5.0e-1  ✗',
      '  w[2]             1.00000e6  -2.50000e-7    1.0e6   5.0e-1  ok',
    ]);
    expect(lines({ ...real, worst: [] }).join('\n')).not.toMatch(/worst entries/);
  });

  it('colour codes do not count in the widths of the table; the Taylor line is bad only when it and the verdict agree on wrong', () => {
    const colour = {
      bad: (s: string) => `\u001b[31m${s}\u001b[39m`,
      good: (s: string) => `\u001b[32m${s}\u001b[39m`,
      dim: (s: string) => `\u001b[2m${s}\u001b[22m`,
    };
    const strip = (s: string): string => s.replace(/\u001b\[\d+m/g, '');
    const taylor = { verdict: 'wrong' as const, slope: 1, points: [], evaluations: 10 };
    const failed: CheckResult = { ...real, taylor, warnings: ['a warning'] };
    expect(strip(formatReport(failed, colour))).toBe(formatReport(failed));
    const text = formatReport(failed, colour).split('\n');
    expect(text.at(-3)!.startsWith('\u001b[31mTaylor test')).toBe(true);
    expect(text.at(-1)).toBe('\u001b[2mnote: a warning\u001b[22m');
    const passed = formatReport({ ...failed, passed: true }, colour).split('\n');
    expect(passed.at(-3)!.startsWith('\u001b[2mTaylor test')).toBe(true);
    const agreed = formatReport({ ...failed, taylor: { ...taylor, verdict: 'correct' } }, colour).split('\n');
    expect(agreed.at(-3)!.startsWith('\u001b[2mTaylor test')).toBe(true);
  });
});
