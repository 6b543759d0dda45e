/**
 * The widening for noise of noise-widening.ts, with the estimator's estimate at a step stubbed: where
 * it goes on, and where it goes back to the step before. Whole paths through it are pinned on property
 * draws (test/property.test.ts, GC_SEED=13 and 36; packages/core/test/still-side.test.ts), and below
 * (GC_SEED=42 and 59: a widening that agreed stops where its error grows, entry-rules.ts's widenedTooFar).
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../src/index.js';
import type { EntryEstimate } from '../src/difference.js';
import type { FiveLosses, OneSided } from '../src/entry-rules.js';
import { widenedForNoise, type WiderAt } from '../src/noise-widening.js';
import type { Steps } from '../src/session.js';
import { buildNet, modelOf } from '../../../test/helpers/mlp.js';

/** Runs a generator that evaluates nothing (its functions are stubs) to its value. */
function run<T>(steps: Steps<T>): T {
  const next = steps.next();
  if (!next.done) throw new Error('the stubs evaluate nothing');
  return next.value;
}

const h = 2 ** -8;
const noisy = (numeric: number, step: number): EntryEstimate => ({
  numeric,
  floor: 1e-3 / step,
  step,
  errorEstimate: 1e-3 / step,
  noisy: true,
});
const judged = (step: number): EntryEstimate => ({ numeric: 1, floor: 1e-9, step, errorEstimate: 1e-9 });
const smooth: OneSided = { left: 1, right: 1, shown: false };
const kink: OneSided = { left: 0.9, right: 1.1, shown: true };
// Five losses of a line: neither side stands still.
const line: FiveLosses = [-2, -1, 0, 1, 2];

/** A stub estimator: noisy (with `sidesAt(step)`) where asked to widen, judged where asked to go back; records the steps asked. */
function stub(sidesAt: (step: number) => OneSided, asked: (readonly [number, boolean])[]): WiderAt {
  return function* (step, wider) {
    asked.push([step, wider]);
    return wider ? [noisy(1, step), false, sidesAt(step), line] : [judged(step), false, smooth, line];
  };
}
const bendsNot = function* (): Steps<boolean> {
  return false;
};
const range = { from: h, widest: 1, scale: 1 };

describe('widenedForNoise', () => {
  it('goes on where the wider step shows a kink the narrower did not (it may lie within the narrower step, hidden by its noise)', () => {
    const asked: (readonly [number, boolean])[] = [];
    const at = stub((step) => (step >= 16 * h ? kink : smooth), asked);
    const start = { estimate: noisy(1, h), flat: false, h };
    run(widenedForNoise(at, start, range, 1, bendsNot));
    // ×4 four times from h = 2⁻⁸ reaches the widest, 1, beyond which no widening goes (so it is asked as final).
    expect(asked).toEqual([
      [4 * h, true],
      [16 * h, true],
      [64 * h, true],
      [1, false],
    ]);
  });

  it('goes back where the analytic gradient bends within the wider step beyond the narrower step’s error', () => {
    const asked: (readonly [number, boolean])[] = [];
    const bends = function* (step: number, allowed: number): Steps<boolean> {
      expect(allowed).toBe(1e-3 / (step / 4));
      return step >= 16 * h;
    };
    const start = { estimate: noisy(1, h), flat: false, h };
    const [, , step] = run(
      widenedForNoise(
        stub(() => smooth, asked),
        start,
        range,
        1,
        bends,
      ),
    );
    expect(step).toBe(4 * h);
  });

  it('asks for nothing where the start is not noisy, or the loss stood still there', () => {
    const asked: (readonly [number, boolean])[] = [];
    const at = stub(() => smooth, asked);
    expect(run(widenedForNoise(at, { estimate: judged(h), flat: false, h }, range, 1, bendsNot))[2]).toBe(h);
    expect(run(widenedForNoise(at, { estimate: noisy(0, h), flat: true, h }, range, 1, bendsNot))[2]).toBe(h);
    expect(asked).toEqual([]);
  });
});

describe('a widening that agreed stops where its error grows', () => {
  // W2[1,1], g = 0.00916, loss 21 968 in quanta of 0.002: agreed at h = 8 within 1.5e-3; at 32 a kink grew
  // the error to 4.8e-3, and at 128 the quotient read 0.00782 within 1.2e-3 and failed the entry.
  const seed59 = {
    sizes: [5, 3, 5, 2, 2],
    examples: 6,
    lambda: 0.001719756626577558,
    scale: 46.921193498084754,
    zeroExample: false,
    deadUnit: false,
    seed: 1780307503,
  };
  const seed42 = {
    sizes: [3, 4, 5, 4, 2],
    examples: 7,
    lambda: 0.09482759350967475,
    scale: 227.12201613506076,
    zeroExample: false,
    deadUnit: true,
    seed: 943153641,
  };
  const netOf = (spec: typeof seed59) => buildNet({ ...spec, loss: 'softmax-l2', precision: 'float32' });

  it.each([
    [59, seed59],
    [42, seed42],
  ])('passes a correct float32 net of large weights (property GC_SEED=%i)', (_, spec) => {
    const net = netOf(spec);
    expect(checkGradients(modelOf(net), net.X, net.Y).passed).toBe(true);
  });

  it('still fails a wrong entry of the same net', () => {
    const net = netOf(seed59);
    const result = checkGradients(modelOf(net, { kind: 'one-entry', tensor: 'W2', entry: 4 }), net.X, net.Y);
    expect(result.tensors.filter((t) => !t.passed).map((t) => t.name)).toEqual(['W2']);
  });
});
