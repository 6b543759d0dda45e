/**
 * Draws of the real-code property test (test/real-code.property.test.ts) that went wrong at a seed
 * beyond the ones every run uses, pinned here with that seed, so that every `pnpm test` runs them.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '@gradcheck/core';
import { blamed } from './helpers/blamed.js';
import { buildRealNet, centralDifferenceError, realModel, type RealSpec } from './helpers/real-code.js';

describe('pinned real-code draws', () => {
  it('a float32 weight off by 3.6 × the FD error fails at its widest step, which ×4 widenings stop short of (GC_SEED=3)', () => {
    // W2[0,1] = 0.0825 in an output layer of root mean square 0.427: its widest step is 8 × 0.427 =
    // 3.41. W2 learned the step 1 (2⁸ times the default); a widening by 4 would pass the widest. At
    // h = 1 the loss's rounding (1.39 in float32) allows 3.3e-7, which covered the bug's 1.28e-7; at
    // h = 3.41 it allows 9.7e-8.
    const spec: RealSpec = {
      sizes: [2, 3, 2],
      examples: 5,
      layout: 'rows',
      loss: 'bce',
      precision: 'float32',
      weightScale: 0.0008023685063235462,
      outputScale: 1,
      targets: 'nested',
      inputs: 'record',
      seed: 443738036,
    };
    const net = buildRealNet(spec);
    const delta = 1.2801809723573394e-7;
    expect(delta / centralDifferenceError(net, 'W2', 1)).toBeGreaterThan(3.5);
    expect(checkGradients(realModel(net), net.X, net.Y).passed).toBe(true);
    const result = checkGradients(
      realModel(net, { kind: 'offset-entry', tensor: 'W2', index: 1, delta }),
      net.X,
      net.Y,
    );
    expect(result.passed).toBe(false);
    expect(blamed(result)!.map((e) => e.label)).toEqual(['W2[0,1]']);
    const rms = Math.sqrt(Array.from(net.parameters.W2!.data, (w) => w * w).reduce((a, b) => a + b) / 6);
    expect(blamed(result)![0]!.step).toBeCloseTo(8 * rms, 6);
  });
});
