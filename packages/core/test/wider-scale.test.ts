// An entry about to fail, estimated again at wider steps (wider-scale.ts): a loss whose rounding sits
// on one plateau for a whole step reads a slope without the plateau's jumps, and its five losses show
// no noise. Its correct gradient passes at 16 times the step; a wrong one, or a smooth loss's, still fails.
import { describe, expect, it } from 'vitest';
import { checkGradients, type GradientModel } from '../src/index.js';

/**
 * ½‖w‖² plus a staircase c·q·round(w₀/q): stairs q wide, flat between their jumps, and on average
 * of slope c. Its derivative in w₀ is w₀ + c on average; on a stair the loss reads w₀ alone.
 * `bug` is added to the analytic w₀ derivative; `displaced` records every |w₀ − θ₀| a loss was taken at;
 * beyond 12 default steps from θ₀ the loss is `far()`, where given.
 */
function staircase(q: number, c: number, bug = 0, displaced: number[] = [], far?: () => number): GradientModel {
  const w = new Float64Array([0.3, -0.7, 0.55]);
  const theta = w[0]!;
  return {
    parameters: { w },
    loss: () => {
      displaced.push(Math.abs(w[0]! - theta));
      if (far && displaced.at(-1)! > 12 * 2 ** -18) return far();
      return 0.5 * (w[0]! ** 2 + w[1]! ** 2 + w[2]! ** 2) + c * q * Math.round(w[0]! / q);
    },
    gradients: () => ({ w: [w[0]! + c + bug, w[1]!, w[2]!] }),
  };
}

const h = 2 ** -18; // float64's default step at |θ| ≤ 1

describe('an entry about to fail, at wider steps', () => {
  it('passes a correct gradient where the default step sits on one stair: judged at 16 h', () => {
    // Stairs 3e-5 wide: θ ± h and θ ± h/2 fall on one of them (the loss reads 0.3, 0.1 % off), and
    // every wider step the noise widening would try agrees with that reading.
    const result = checkGradients(staircase(3e-5, 1e-3), null, null);
    expect(result.passed).toBe(true);
    const entry = result.worst.find((e) => e.label === 'w[0]')!;
    expect(entry.step).toBe(16 * h);
    expect(result.tensors[0]!.widened).toBe(1);
    expect(Math.abs(entry.numeric - 0.301)).toBeLessThan(3e-5);
  });

  it('fails a gradient off by the staircase slope itself there', () => {
    const result = checkGradients(staircase(3e-5, 1e-3, 1e-3), null, null);
    expect(result.passed).toBe(false);
    expect(result.worst[0]).toMatchObject({ label: 'w[0]' });
  });

  it('never at a wider step where the loss is smooth: a wrong entry fails at its own step', () => {
    const displaced: number[] = [];
    const result = checkGradients(staircase(3e-5, 0, 1e-3, displaced), null, null, { taylor: false });
    expect(result.passed).toBe(false);
    expect(result.worst[0]).toMatchObject({ label: 'w[0]', step: h });
    // Tried at 16 h (four losses), and judged at h: the two slopes agree. (No Taylor test: its
    // points along a random direction pass 16 h too.)
    expect(displaced.filter((d) => d === 16 * h || d === 8 * h)).toHaveLength(4);
  });

  it.each([
    ['NaN', (): number => NaN],
    [
      'throws',
      (): number => {
        throw new RangeError('out of range');
      },
    ],
  ])('keeps the failure, and the check going, where the loss at a wider step is %s', (_, far) => {
    // 16 h lies beyond the loss's domain: the look ends there, and the entry fails at its own step.
    const result = checkGradients(staircase(3e-5, 1e-3, 0, [], far), null, null, { taylor: false });
    expect(result.passed).toBe(false);
    expect(result.worst[0]).toMatchObject({ label: 'w[0]', step: h });
  });

  it('ends the check where the loss at a wider step is no number at all (not a far failure)', () => {
    const far = (): number => 'far' as unknown as number;
    expect(() => checkGradients(staircase(3e-5, 1e-3, 0, [], far), null, null, { taylor: false })).toThrow(
      expect.objectContaining({ code: 'LOSS_NOT_A_NUMBER' }),
    );
  });

  it('tries the wider steps for at most 8 failing entries of a tensor', () => {
    // (Once 8 entries of a tensor disagreed, the estimator settles the rest at their first step.)
    const size = 12;
    const w = new Float64Array(size).map((_, i) => 0.1 + i / 20);
    const snapshot = Float64Array.from(w);
    let wide = 0;
    const model: GradientModel = {
      parameters: { w },
      loss: () => {
        // A loss at 16 h or 8 h from θ in one entry: only the wider steps go there.
        if (w.some((v, i) => Math.abs(v - snapshot[i]!) === 16 * h || Math.abs(v - snapshot[i]!) === 8 * h)) wide++;
        return 0.5 * w.reduce((s, v) => s + v * v, 0);
      },
      gradients: () => ({ w: Array.from(w, (v) => 2 * v) }),
    };
    const result = checkGradients(model, null, null, { taylor: false });
    expect(result.tensors[0]!.failing).toBe(size);
    expect(wide).toBe(8 * 4);
  });
});
