// The report as the matchers print it (report.ts), line by line, for checks of each kind: a model
// in full mode, a layer with its inputs in directional mode, a pass with notes. Numbers at the
// level of rounding noise are matched by shape only; counts, the bug's size and texts in full.
import { describe, expect, it } from 'vitest';
import { checkGradients, formatReport, type CheckResult } from '../src/index.js';
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
        /^7 parameters · 7 checked \(full\) · 40 loss evaluations · step auto \(4\.9e-4…4\.9e-4\) · float64 · seed 20240229 · [\d.]+ ms$/,
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
        /^4 parameters \+ 4 inputs · 2 random cotangents · 1 checked \(directional\) · 43 loss evaluations · step auto \(3\.8e-6…3\.8e-6\) · float64 · seed 20240229 · [\d.]+ ms$/,
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
