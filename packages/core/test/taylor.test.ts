// The Taylor test as a user sees it in a result (`taylor: true`): its direction, which points it
// fits the slope on, the verdicts on either side of the slope 2 of a correct gradient, and the
// errors it shrugs off or passes on. (rules.test.ts holds the stored-displacement test.)
import { describe, expect, it } from 'vitest';
import { checkGradients, formatReport, GradcheckError, type GradientModel } from '../src/index.js';

/** A model of one tensor `w` with the loss and gradient given as functions of its entries. */
function model(
  theta: number[] | Float32Array,
  loss: (w: number[]) => unknown,
  gradient: (w: number[]) => number[],
): GradientModel & { w: Float64Array | Float32Array } {
  const w = theta instanceof Float32Array ? Float32Array.from(theta) : Float64Array.from(theta);
  // The callbacks see the entries as stored (a Float32Array's already rounded).
  return {
    w,
    parameters: { w },
    loss: () => loss(Array.from(w)) as number,
    gradients: () => ({ w: gradient(Array.from(w)) }),
  };
}

/** The ten step sizes t of the test: 0.25, 0.25/4, …. */
const steps = Array.from({ length: 10 }, (_, k) => 0.25 / 4 ** k);

describe('the Taylor test', () => {
  it('moves every entry by t·max(1, |θ|) along its random direction', () => {
    const theta = [0.5, -3, 1000];
    const m = model(
      theta,
      (w) => w.reduce((s, v, i) => s + 0.5 * (v - theta[i]!) ** 2 + v, 0),
      (w) => w.map((v, i) => v - theta[i]! + 1),
    );
    const taylor = checkGradients(m, null, null, { taylor: true }).taylor!;
    expect(taylor.verdict).toBe('correct');
    const scale = Math.hypot(1, 3, 1000);
    expect(taylor.points.map(([size]) => size / scale)).toEqual(
      steps.map((t) => expect.closeTo(t, 12 - Math.log10(1 / t))),
    );
  });

  it('fits the slope on the points above the loss’s rounding noise only (a loss computed in float32)', () => {
    // In float32 the remainder of the smaller t is rounding noise: fitted on, it would hide the t².
    const m = model(
      Float32Array.from([0.75, -0.5, 0.25]),
      (w) => Math.fround(w.reduce((s, v) => Math.fround(s + Math.fround(v * v)), 0)),
      (w) => w.map((v) => 2 * v),
    );
    const result = checkGradients(m, null, null, { taylor: true });
    expect(result.precision).toBe('float32');
    expect(result.taylor!.verdict).toBe('correct');
    expect(result.taylor!.slope).toBeGreaterThan(1.9);
    expect(result.taylor!.slope).toBeLessThan(2.1);
    expect(result.taylor!.points).toHaveLength(10);
  });

  it('fits the slope on as few as two points above the noise', () => {
    // The loss is flat within 0.02 of θ = 0: only t = 0.25 and t = 1/16 leave a remainder.
    const m = model(
      [0],
      (w) => (Math.abs(w[0]!) > 0.02 ? w[0]! ** 2 : 0),
      () => [0],
    );
    const taylor = checkGradients(m, null, null, { taylor: true }).taylor!;
    expect(taylor.points.filter(([, r]) => r > 0)).toHaveLength(2);
    expect(taylor.verdict).toBe('correct');
    expect(taylor.slope).toBeCloseTo(2, 9);
  });

  it('calls a remainder shrinking faster than t³ inconclusive, not correct', () => {
    // w⁴ at 0 with the (correct) gradient 0: the remainder is t⁴.
    const taylor = checkGradients(
      model(
        [0],
        (w) => w[0]! ** 4,
        (w) => [4 * w[0]! ** 3],
      ),
      null,
      null,
      { taylor: true },
    ).taylor!;
    expect(taylor.slope).toBeCloseTo(4, 6);
    expect(taylor.verdict).toBe('inconclusive');
  });

  it('calls a remainder that does not shrink inconclusive, not wrong (a loss that jumps at θ)', () => {
    const taylor = checkGradients(
      model(
        [0],
        (w) => (w[0] === 0 ? 0 : 1),
        () => [0],
      ),
      null,
      null,
      { taylor: true },
    ).taylor!;
    expect(taylor.slope).toBeCloseTo(0, 9);
    expect(taylor.verdict).toBe('inconclusive');
  });

  it('says in the report what a correct-looking slope means', () => {
    const result = checkGradients(
      model(
        [0.5, 2],
        (w) => Math.sin(w[0]!) * w[1]!,
        (w) => [Math.cos(w[0]!) * w[1]!, Math.sin(w[0]!)],
      ),
      null,
      null,
      { taylor: true },
    );
    expect(result.taylor!.verdict).toBe('correct');
    expect(formatReport(result)).toMatch(
      /the remainder shrinks like t\^2\.\d\d: as for a correct gradient along it \(a wrong one gives t\^1\); a bug may be orthogonal to it/,
    );
  });

  it('has no point to fit when every tensor is empty', () => {
    const m: GradientModel = { parameters: { w: [] }, loss: () => 1, gradients: () => ({ w: [] }) };
    const taylor = checkGradients(m, null, null, { taylor: true }).taylor!;
    expect(taylor).toMatchObject({ verdict: 'inconclusive', points: [], evaluations: 10 });
  });

  it('lets a loss that overflows far from θ cost only that point', () => {
    const m = model(
      [0.5, -0.25],
      (w) => (Math.abs(w[0]! - 0.5) > 0.2 ? Infinity : w[0]! ** 2 + w[1]! ** 2),
      (w) => [2 * w[0]!, 2 * w[1]!],
    );
    const taylor = checkGradients(m, null, null, { taylor: true }).taylor!;
    expect(taylor.evaluations).toBe(10);
    expect(taylor.points).toHaveLength(9);
    expect(taylor.verdict).toBe('correct');
    expect(Array.from(m.w)).toEqual([0.5, -0.25]);
  });

  it('passes on a loss that stops being a number, saying where, and restores the parameters', () => {
    const m = model(
      [0.5, -0.25],
      (w) => (Math.abs(w[0]! - 0.5) > 0.2 ? 'far' : w[0]! ** 2 + w[1]! ** 2),
      (w) => [2 * w[0]!, 2 * w[1]!],
    );
    let error: unknown;
    try {
      checkGradients(m, null, null, { taylor: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GradcheckError);
    expect((error as GradcheckError).code).toBe('LOSS_NOT_A_NUMBER');
    expect((error as GradcheckError).message).toMatch(/in the Taylor test at t = 0\.25/);
    expect(Array.from(m.w)).toEqual([0.5, -0.25]);
  });
});
