/**
 * The noise an entry showed is the noise of the whole check (noise.ts `LossNoise.saw`), on the one
 * model that needed it: real-code `GC_SEED=5`'s naive binary cross-entropy false alarms (a fast test,
 * run by Stryker too; the class it comes from is test/real-code.property.test.ts's).
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '@gradcheck/core';
import { buildRealNet, centralDifferenceError, realModel } from './helpers/real-code.js';

describe('naive binary cross-entropy whose jumps the probe does not see', () => {
  // Saturated sigmoids (output scale 23): log(1 − a) of a rounded a jumps now and then. The probe's
  // first spacing (2⁻²⁰ of each entry's scale) falls between jumps and reads σ = 1.6e-13; at the
  // steps the entries are judged at (2⁻¹⁰ …) the noise is 1e-9 … 3e-9.
  const net = buildRealNet({
    sizes: [4, 3, 1],
    examples: 7,
    layout: 'columns',
    loss: 'bce-naive',
    precision: 'float64',
    weightScale: 0.47067912287243463,
    outputScale: 23.069500462152064,
    targets: 'plain',
    inputs: 'records',
    seed: 1978934222,
  });
  // (Checked within each test, not once here: Stryker's per-test coverage sees only what a test runs.)
  const check = () => checkGradients(realModel(net), net.X, net.Y, { worst: 19 });

  it('judges an entry whose own losses look smooth with the noise the entries before it showed', () => {
    // The W1 entries' losses showed noise of 2.3e-9 and agreed at wider steps, and b2[0]'s five
    // losses, sampled where the jumps of log(1 − a) fall evenly, looked smooth with a slope 5.7e-4 off
    // (its best step gives 1.5e-7).
    const b2 = check().tensors.find((t) => t.name === 'b2')!;
    expect(b2.passed).toBe(true);
    expect(b2.difference).toBeLessThan(1e-6);
    expect(centralDifferenceError(net, 'b2', 0)).toBeLessThan(1e-6);
  });

  it('measures the noise again at the step an entry showed it at (GC_SEED=5 again)', () => {
    // W1[0,1]'s quotient at 2⁻¹⁰ is off by 3.0e-6 (1.8e-6 relative; no step does much better), and the
    // error its five losses allowed was 2.4e-6: a false alarm, until the noise was measured again at
    // the step of the first entry that showed it.
    const result = check();
    expect(result.passed).toBe(true);
    const entry = result.worst.find((e) => e.label === 'W1[0,1]')!;
    expect(entry.absError).toBeGreaterThan(2e-6);
    expect(entry.excess).toBeLessThan(1);
  });
});
