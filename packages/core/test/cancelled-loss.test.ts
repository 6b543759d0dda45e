/**
 * A loss computed to far less than its own rounding: a saturated cross-entropy written as
 * max(z, 0) + log1p(e^−|z|) − t·z cancels at large logits, so that it is 0 at θ and moves in quanta
 * of ulp(z). The check's rounding model, ε·|L|, then allows nothing; an entry whose loss never moves
 * within its reach is judged against the quantum other entries showed (quantum.ts, `ShownQuantum`).
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, type GradientModel } from '../src/index.js';
import { ShownQuantum } from '../src/quantum.js';
import { buildNet, modelOf } from '../../../test/helpers/mlp.js';

/**
 * One logistic unit, target 1, logit z = w·x + b ≈ 34 at θ (w = 0.5 each, b fixed): its loss
 * max(z, 0) + log1p(e^−|z|) − z is 0 at θ and moves in quanta of ulp(34) = 7.1e-15, its gradient
 * (σ(z) − 1)·xᵢ ≈ −1.7e-15·xᵢ. The entry whose input is 0.05 (`quiet`, first or last) moves the loss by
 * less than a quantum up to its reach (step 1); the others move it there. `wrong` is added to the
 * quiet entry's gradient.
 */
function saturated(quiet: 'first' | 'last', wrong = 0): GradientModel {
  const x = quiet === 'last' ? [2, 1.5, 0.05] : [0.05, 2, 1.5];
  const w = Float64Array.from(x, () => 0.5);
  const b = 34 - x.reduce((s, xi) => s + 0.5 * xi, 0);
  const z = (): number => w.reduce((s, wi, i) => s + wi * x[i]!, b);
  return {
    parameters: { w },
    loss: () => {
      const v = z();
      return Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))) - v;
    },
    gradients: () => {
      const d = 1 / (1 + Math.exp(-z())) - 1;
      const g = x.map((xi) => d * xi);
      g[quiet === 'last' ? 2 : 0]! += wrong;
      return { w: g };
    },
  };
}

describe('an entry whose loss stands still up to its reach, after entries that showed the quantum', () => {
  it('passes where its gradient moves the loss by less than one quantum over the step', () => {
    const model = saturated('last');
    expect(model.loss(null, null)).toBe(0);
    const result = checkGradients(model, null, null, { worst: 3 });
    expect(result.passed).toBe(true);
    const quiet = result.worst.find((e) => e.label === 'w[2]')!;
    expect(quiet.numeric).toBe(0);
    expect(quiet.step).toBe(1);
    expect(quiet.excess).toBeLessThanOrEqual(1);
  });

  it.each([1e-3, 1e-12, 1e-14])('fails where its gradient is %d off: more than a quantum over the step', (wrong) => {
    const result = checkGradients(saturated('last', wrong), null, null, { worst: 3 });
    expect(result.passed).toBe(false);
    expect(result.worst.filter((e) => e.excess > 1).map((e) => e.label)).toEqual(['w[2]']);
  });

  it('is judged as before where it is the first entry: no entry showed the quantum yet', () => {
    const result = checkGradients(saturated('first'), null, null, { worst: 3 });
    expect(result.passed).toBe(false);
    expect(result.worst.filter((e) => e.excess > 1).map((e) => e.label)).toEqual(['w[0]']);
  });

  it('passes property GC_SEED=94’s net, 210010393 (W1[0,3], gradient 6.1e-16, still up to step 1)', () => {
    const net = buildNet({
      sizes: [5, 1],
      loss: 'cross-entropy',
      examples: 1,
      lambda: 0,
      precision: 'float64',
      scale: 178.37274911973049,
      zeroExample: false,
      deadUnit: false,
      seed: 210010393,
    });
    const result = checkGradients(modelOf(net), net.X, net.Y, { worst: 6 });
    expect(result.passed).toBe(true);
    expect(result.worst.find((e) => e.label === 'W1[0,3]')).toMatchObject({ numeric: 0, step: 1 });
  });
});

describe('ShownQuantum', () => {
  const still = { numeric: 0, floor: 1e-16, step: 2, errorEstimate: 0, flat: true as const };

  it('leaves the floor where no entry showed a quantum', () => {
    expect(new ShownQuantum().stillWithin(still)).toBe(still);
  });

  it('raises the floor to the smallest quantum shown over the step, never lowers it', () => {
    const quantum = new ShownQuantum();
    quantum.saw(0);
    expect(quantum.stillWithin(still)).toBe(still);
    quantum.saw(8e-15);
    quantum.saw(6e-15);
    quantum.saw(7e-15);
    expect(quantum.stillWithin(still)).toEqual({ ...still, floor: 3e-15 });
    quantum.saw(0);
    expect(quantum.stillWithin(still).floor).toBe(3e-15);
    expect(quantum.stillWithin({ ...still, floor: 4e-15 }).floor).toBe(4e-15);
  });
});
