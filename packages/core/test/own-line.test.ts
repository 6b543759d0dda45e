/**
 * An entry that fails by little against the check's noise, judged again against the noise of its own
 * line (own-line.ts, `OwnLine`; the line along one entry is probe-line.ts's). The probe's line moves every
 * entry, and the roundings of every term of the loss with them; one entry's line moves only the terms
 * it feeds. A float32 net of the property test that failed a correct entry on the probe's noise, and
 * a planted bug of the real-code test that a reading less distinct from the probe's let pass.
 * (`OwnLine.agreed` on its own, on a synthetic loss: noise-probe.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, type GradientModel } from '../src/index.js';
import { MARGINAL_EXCESS } from '../src/own-line.js';
import { buildNet, modelOf, type Spec } from '../../../test/helpers/mlp.js';
import { buildRealNet, realModel, type RealSpec } from '../../../test/helpers/real-code.js';

/** Property GC_SEED=77's draw 1117095131: a float32 4-3-3-2 cross-entropy net, λ 0.78, loss 1.418. */
const GC77: Spec = {
  sizes: [4, 3, 3, 2],
  loss: 'cross-entropy',
  examples: 5,
  lambda: 0.777130985025989,
  precision: 'float32',
  scale: 0.1805375403222933,
  zeroExample: false,
  deadUnit: false,
  seed: 1117095131,
};

/** Real-code GC_SEED=9's draw 484549670: a float32 3-3-1 MSE net, examples in rows, weights of 0.011. */
const REAL9: RealSpec = {
  sizes: [3, 3, 1],
  examples: 2,
  layout: 'rows',
  loss: 'mse',
  precision: 'float32',
  weightScale: 0.010696901336777956,
  outputScale: 1,
  targets: 'plain',
  inputs: 'record',
  seed: 484549670,
};

/**
 * The model of `spec`'s net, entry `flat` of tensor `name`'s gradient times `factor`; `lines` counts
 * the lines along one entry it was evaluated on (θ + t·δ, t = −9…10, δ a power of two): its loss calls
 * at which one entry alone is off θ by 9 times a power of two, two a line (t = ±9), where an entry's
 * steps (θ ± h, θ ± h/2) are powers of two.
 */
function counted(spec: Spec, name = 'W1', flat = 7, factor = 1): { model: GradientModel; lines: () => number } {
  const net = buildNet(spec);
  const base = modelOf(net);
  const tensors = Object.values(net.parameters).map((t) => ('data' in t ? t.data : t));
  const theta = tensors.map((t) => Array.from(t));
  let lines = 0;
  const model: GradientModel = {
    parameters: base.parameters,
    loss: () => {
      const moved = tensors.flatMap((t, k) => Array.from(t, (v, i) => v - theta[k]![i]!).filter((d) => d !== 0));
      if (moved.length === 1 && Number.isInteger(Math.log2(Math.abs(moved[0]!) / 9))) lines += 0.5;
      return net.loss();
    },
    gradients: (X, Y) => {
      const g = base.gradients(X, Y) as Record<string, Float32Array | Float64Array>;
      g[name]![flat]! *= factor;
      return g;
    },
  };
  return { model, lines: () => lines };
}

describe('an entry that fails by little against the probe’s noise', () => {
  it('passes property GC_SEED=77’s net: W1[1,3] read at 2⁻⁴ against its own line’s noise, 18 times below the probe’s', () => {
    const { model, lines } = counted(GC77);
    const net = buildNet(GC77);
    const result = checkGradients(model, net.X, net.Y, { worst: 40 });
    expect(result.passed).toBe(true);
    // At 2⁻² (where the probe's noise widened it) the quotient is 0.0082753, 1.16 × its allowance off.
    expect(result.worst.find((e) => e.label === 'W1[1,3]')).toMatchObject({ step: 2 ** -4 });
    expect(result.worst.find((e) => e.label === 'W1[1,3]')!.relError).toBeLessThan(1e-4);
    // One line (its first spacing read the noise).
    expect(lines()).toBe(1);
  });

  it('fails that net where W1[1,3]’s gradient is 1 % off (its own line’s noise allows 0.07 %)', () => {
    const { model } = counted(GC77, 'W1', 7, 1.01);
    const net = buildNet(GC77);
    const result = checkGradients(model, net.X, net.Y);
    expect(result.passed).toBe(false);
    expect(result.worst[0]).toMatchObject({ label: 'W1[1,3]' });
  });

  it('reads no line of its own for an entry off by more than 4 × its allowance', () => {
    const { model, lines } = counted(GC77, 'W1', 7, 2);
    const net = buildNet(GC77);
    const result = checkGradients(model, net.X, net.Y);
    expect(result.passed).toBe(false);
    expect(result.worst[0]!.excess).toBeGreaterThan(4);
    expect(lines()).toBe(0);
  });

  it('reads no line where the step is the user’s', () => {
    const { model, lines } = counted(GC77);
    const net = buildNet(GC77);
    const result = checkGradients(model, net.X, net.Y, { step: 2 ** -2 });
    expect(result.passed).toBe(false);
    expect(lines()).toBe(0);
  });

  it('reads no line once an entry of the check failed: W1[1,3] is then judged on the probe’s noise', () => {
    const { model, lines } = counted(GC77, 'W1', 0, 2);
    const net = buildNet(GC77);
    const result = checkGradients(model, net.X, net.Y, { worst: 40 });
    expect(result.worst.map((e) => e.label).slice(0, 2)).toEqual(['W1[0,0]', 'W1[1,3]']);
    expect(result.worst[1]!.excess).toBeGreaterThan(1);
    expect(lines()).toBe(0);
  });

  it('keeps the failure where its own line reads less than 4 × below the probe’s: real-code GC_SEED=9’s W1[1,1], 3.3 × its finite-difference error off', () => {
    const net = buildRealNet(REAL9);
    const bug = { kind: 'offset-entry', tensor: 'W1', index: 4, delta: 9.202237373931208e-7 } as const;
    const result = checkGradients(realModel(net, bug), net.X, net.Y);
    expect(result.passed).toBe(false);
    expect(result.worst[0]!.label).toBe('W1[1,1]');
    expect(result.worst[0]!.step).toBeCloseTo(2 ** -6, 8);
    // (Its own line reads 1.8 × below: judged again against it, the entry agreed at 2⁻⁸, within 1.3e-6.)
    expect(result.worst[0]!.excess).toBeLessThan(MARGINAL_EXCESS);
  });
});
