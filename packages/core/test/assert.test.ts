import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import { assertGradients, assertGradientsAsync } from '../src/assert.js';
import { checkGradients, formatReport, GradcheckError, type GradientModel } from '../src/index.js';
import { linearData, linearModel, numbers } from './models.js';

const { X, Y } = linearData(6, 5);
const model = (bug: 'none' | 'scale'): GradientModel<number[][], number[]> =>
  linearModel(new Float64Array(numbers(6)), [0.3], bug);
/** The report without its wall time (the one part that differs between two runs). */
const untimed = (report: string): string => report.replace(/ · [\d.]+ ms/, ' · ms');
const asAsync = (m: GradientModel<number[][], number[]>): GradientModel<number[][], number[]> => ({
  parameters: m.parameters,
  loss: (x, y) => Promise.resolve(m.loss(x, y)),
  gradients: (x, y) => Promise.resolve(m.gradients(x, y)),
});

describe('assertGradients (node:assert)', () => {
  it('returns the result of a check that passes', () => {
    const result = assertGradients(model('none'), X, Y);
    expect(result.passed).toBe(true);
    expect({ ...result, elapsedMs: 0 }).toEqual({ ...checkGradients(model('none'), X, Y), elapsedMs: 0 });
  });

  it('throws an AssertionError whose message is the report, with difference and tolerance', () => {
    const expected = checkGradients(model('scale'), X, Y);
    let error: unknown;
    try {
      assertGradients(model('scale'), X, Y);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AssertionError);
    const e = error as AssertionError;
    expect(untimed(e.message)).toBe(untimed(formatReport(expected)));
    expect([e.actual, e.expected, e.operator]).toEqual([expected.difference, expected.tolerance, 'assertGradients']);
    // The stack starts at the caller (this test), not inside gradcheck.
    expect(e.stack).toMatch(/assert\.test\.ts/);
    expect(e.stack).not.toMatch(/assertPassed/);
  });

  it('passes options on, and lets a GradcheckError through', () => {
    expect(() => assertGradients(model('none'), X, Y, { tolerance: -1 })).toThrow(GradcheckError);
  });

  it('the async form resolves with the result, or rejects with the report', async () => {
    await expect(assertGradientsAsync(asAsync(model('none')), X, Y)).resolves.toMatchObject({ passed: true });
    const expected = checkGradients(model('scale'), X, Y);
    let error: unknown;
    try {
      await assertGradientsAsync(asAsync(model('scale')), X, Y, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AssertionError);
    const e = error as AssertionError;
    expect(untimed(e.message)).toBe(untimed(formatReport(expected)));
    expect([e.actual, e.expected, e.operator]).toEqual([
      expected.difference,
      expected.tolerance,
      'assertGradientsAsync',
    ]);
    // Its stack, too, starts at the caller, not inside gradcheck.
    expect(e.stack).toMatch(/assert\.test\.ts/);
    expect(e.stack).not.toMatch(/assertPassed/);
    await expect(assertGradientsAsync(asAsync(model('none')), X, Y, { tolerance: -1 })).rejects.toThrow(GradcheckError);
  });
});
