/**
 * Which settled entries count as flat (the loss bitwise the same at θ ± h as at θ): the "does not
 * read it" finding names a tensor only where every entry was flat and one failed. Settled entries
 * are judged in place in a synchronous check (settle-in-place.ts) and by the estimator in an
 * asynchronous one (estimate.ts): both must say the same.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, checkGradientsAsync, type CheckResult, type GradientModel } from '../src/index.js';

const finding = /never moved the loss/;

/**
 * `a[1]` and `b[1]` are never read, though their analytic gradients say 1. `read` sets what the
 * loss does with a[0] and b[0]: at θ = 0, max(0, a₀) leaves the loss at θ − h the same as at θ but
 * not at θ + h, and max(0, −b₀) the other way round; their gradients ±1/2 (the central difference
 * across the kink) settle both at their first step.
 */
function model(read: 'one side each' | 'none'): GradientModel {
  const a = new Float64Array([0, 0.5]),
    b = new Float64Array([0, 0.5]);
  return {
    parameters: { a, b },
    loss: () => (read === 'none' ? 1 : 1 + Math.max(0, a[0]!) + Math.max(0, -b[0]!)),
    gradients: () => (read === 'none' ? { a: [0, 1], b: [0, 1] } : { a: [0.5, 1], b: [-0.5, 1] }),
  };
}

const runs: [string, (m: GradientModel) => Promise<CheckResult>][] = [
  ['sync', async (m) => checkGradients(m, null, null)],
  ['async', (m) => checkGradientsAsync(m, null, null)],
];

describe.each(runs)('flat settled entries (%s)', (_, run) => {
  it('a tensor the loss reads, though one side of each read entry stays at the loss at θ, is not named unread', async () => {
    const result = await run(model('one side each'));
    expect(result.passed).toBe(false);
    expect(
      result.worst
        .filter((e) => e.excess > 1)
        .map((e) => e.label)
        .sort(),
    ).toEqual(['a[1]', 'b[1]']);
    expect((result.findings ?? []).join('\n')).not.toMatch(finding);
  });

  it('a tensor the loss never reads is named, though its entries with a gradient of 0 settle', async () => {
    const result = await run(model('none'));
    expect(result.passed).toBe(false);
    expect((result.findings ?? []).join('\n')).toMatch(/perturbing a, b never moved the loss/);
  });
});
