import { describe, expect, it } from 'vitest';
import type { Matrix } from 'ml-matrix';
import { checkGradients, formatReport, type CheckOptions } from '@gradcheck/core';
import { ReferenceNetwork, randomData } from '@gradcheck/reference-network';

type Bug = 'none' | 'entry' | 'scale' | 'bias';

/**
 * The reference network (layers `dims`, 16 examples) with a planted bug in its analytic gradient:
 * one W1 entry 50 % off, every gradient 1 % too large, or one entry of b1 30 % off.
 */
function planted(dims: number[], bug: Bug): { net: ReferenceNetwork; X: Matrix; Y: Matrix; label: string } {
  const net = ReferenceNetwork.create(dims, { seed: 3 });
  const { X, Y } = randomData(dims[0]!, 16, 4);
  const gradients = net.gradients.bind(net);
  const row = 1,
    column = dims[0]! - 2;
  net.gradients = (x, y) => {
    const g = gradients(x, y);
    if (bug === 'entry') g.dW1!.set(row, column, g.dW1!.get(row, column) * 1.5);
    if (bug === 'scale') for (const [k, v] of Object.entries(g)) if (/^d[Wb]\d/.test(k)) v.mul(1.01);
    if (bug === 'bias') g.db1!.set(2, 0, g.db1!.get(2, 0) * 1.3);
    return g;
  };
  return { net, X, Y, label: bug === 'entry' ? `W1[${row},${column}]` : 'b1[2,0]' };
}

// Sizes: 177 parameters; 50 305 (the benchmark's 784-64-1); a 5-entry bias beside a 100 000-entry W1.
const SMALL = [20, 8, 1],
  MEDIUM = [784, 64, 1],
  WIDE = [20_000, 5, 1];

describe.each([
  ['full', { mode: 'full' }, [SMALL]],
  ['directional', { mode: 'directional' }, [SMALL, MEDIUM, WIDE]],
  ['auto', {}, [SMALL, MEDIUM, WIDE]],
  ['sampled', { mode: 'sampled', samples: 64 }, [SMALL, MEDIUM, WIDE]],
] as const)('the reference network, mode %s', (_name, options: CheckOptions, sizes) => {
  const cases = sizes.flatMap((dims) => [11, 99].map((seed) => [dims.join('-'), seed, dims] as const));

  it.each(cases)('%s, seed %i: passes the correct backprop', (_d, seed, dims) => {
    const { net, X, Y } = planted([...dims], 'none');
    const result = checkGradients(net, X, Y, { ...options, seed });
    expect(result.passed, formatReport(result)).toBe(true);
  });

  it.each(cases)('%s, seed %i: fails a 1 %% scale error in every tensor', (_d, seed, dims) => {
    const { net, X, Y } = planted([...dims], 'scale');
    const result = checkGradients(net, X, Y, { ...options, seed });
    expect(result.passed).toBe(false);
    // b2 is a single entry whose gradient may be ≈ 0; every other tensor must fail.
    expect(result.tensors.filter((t) => !t.passed).map((t) => t.name)).toEqual(
      expect.arrayContaining(['W1', 'b1', 'W2']),
    );
  });

  it.each(cases)('%s, seed %i: fails one wrong entry of b1 and names it', (_d, seed, dims) => {
    const { net, X, Y, label } = planted([...dims], 'bias');
    const result = checkGradients(net, X, Y, { ...options, seed });
    expect(result.passed).toBe(false);
    expect(result.tensors.filter((t) => !t.passed).map((t) => t.name)).toEqual(['b1']);
    // A sampled check of 64 entries per tensor covers b1 whole only when b1 has at most 64 entries.
    expect(result.worst[0]!.label).toBe(label);
  });

  // The sampled check cannot promise this one: it finds a wrong W1 entry only when it samples it.
  if (options.mode !== 'sampled') {
    it.each(cases)('%s, seed %i: fails one wrong W1 entry and names it', (_d, seed, dims) => {
      const { net, X, Y, label } = planted([...dims], 'entry');
      const result = checkGradients(net, X, Y, { ...options, seed });
      expect(result.passed).toBe(false);
      expect(result.tensors.filter((t) => !t.passed).map((t) => t.name)).toEqual(['W1']);
      expect(result.worst[0]!.label).toBe(label);
    });
  }
});

describe('auto on the reference network', () => {
  it('runs the directional check at 50 305 parameters, with the verdict in 2 evaluations per tensor', () => {
    const { net, X, Y } = planted(MEDIUM, 'entry');
    const result = checkGradients(net, X, Y);
    expect(result.mode).toBe('directional');
    expect(result.parameters).toBe(50_305);
    // (+ the noise probe the localised entry's estimate makes once: 19 losses a spacing, up to 3.)
    expect(result.evaluations.loss).toBeLessThan(2 + 2 * 4 + 64 + 3 * 19);
    expect(formatReport(result)).toMatch(/W1 +64×784 +50176 +1 dir \+ 1 +\d\.\de-\d +✗ 1 of 1 entries off/);
  });
});
