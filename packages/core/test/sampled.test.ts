// The sampled check on small models, fast enough for the mutation set (the large-network cases are in
// modes.test.ts): which entries it picks (the largest analytic gradients, seeded random others, every
// tensor its share), in what order, how the evaluation budget, `samples` and a time budget bound it,
// what it reports while it runs, and that a model which moves its parameters is refused.
import { describe, expect, it, vi } from 'vitest';
import { onFakeClock } from './fake-clock.js';
import { checkGradients, type CheckProgress, type GradientModel } from '../src/index.js';
import { largestEntries, sampleEntries, shareEntries } from '../src/modes/sampled.js';
import { ParameterSet } from '../src/parameters.js';
import { seededRandom } from '../src/random.js';
import { errorOf } from './caught.js';
import { numbers } from './models.js';

/** Indices of the `count` largest |values[offset + i]| of `size` entries, largest first, ties by index: by sorting. */
function sortedLargest(values: Float64Array, offset: number, size: number, count: number): number[] {
  return Array.from({ length: size }, (_, i) => i)
    .sort((a, b) => Math.abs(values[offset + b]!) - Math.abs(values[offset + a]!) || a - b)
    .slice(0, count);
}

/** Σ v³ over every entry of tensors of the given sizes; each loss evaluation costs `costMs` of fake time. */
function cubes(sizes: number[], costMs = 0): GradientModel & { tensors: Float64Array[] } {
  const tensors = sizes.map((n, k) => new Float64Array(numbers(n, 11 + k)));
  const parameters = Object.fromEntries(tensors.map((t, k) => [`t${k}`, t]));
  return {
    tensors,
    parameters,
    loss: () => {
      if (costMs > 0) vi.advanceTimersByTime(costMs);
      return tensors.reduce((s, t) => t.reduce((u, v) => u + v ** 3, s), 0);
    },
    gradients: () => Object.fromEntries(tensors.map((t, k) => [`t${k}`, Array.from(t, (v) => 3 * v * v)])),
  };
}

describe('shareEntries: the budget split among tensors', () => {
  it('gives a small tensor all of itself and splits the rest evenly, whatever the tensors’ order', () => {
    expect(shareEntries([1000, 5, 1000], 105)).toEqual([50, 5, 50]);
    expect(shareEntries([1000, 30, 5], 100)).toEqual([65, 30, 5]);
    // Rounding down at each step, the remainder goes to the largest tensors.
    expect(shareEntries([10, 3, 10], 10)).toEqual([3, 3, 4]);
    expect(shareEntries([7, 7, 7], 100)).toEqual([7, 7, 7]);
    expect(shareEntries([4, 9], 0)).toEqual([0, 0]);
  });
});

describe('largestEntries: a heap of the largest analytic gradients', () => {
  it('finds the same entries as sorting, largest first, for any count and offset', () => {
    for (const seed of [1, 2, 3]) {
      const values = Float64Array.from(numbers(64, seed));
      for (const count of [1, 2, 3, 5, 8, 13, 31, 40, 60])
        for (const offset of [0, 4]) {
          expect(largestEntries(values, offset, 60, count), `seed ${seed}, count ${count}, offset ${offset}`).toEqual(
            sortedLargest(values, offset, 60, count),
          );
        }
    }
  });

  it('keeps every entry when the count is the size, ties in index order; none for a count of 0', () => {
    const values = Float64Array.from([2, -2, 5, 2, -5, 0, 1]);
    expect(largestEntries(values, 0, 7, 7)).toEqual([2, 4, 0, 1, 3, 6, 5]);
    expect(largestEntries(values, 0, 7, 10)).toEqual([2, 4, 0, 1, 3, 6, 5]);
    expect(largestEntries(values, 0, 7, 0)).toEqual([]);
    expect(largestEntries(values, 0, 0, 3)).toEqual([]);
  });
});

describe('sampleEntries: which entries, in what order', () => {
  const parameters = ParameterSet.from({
    a: new Float64Array(3),
    b: new Float64Array(10),
    c: new Float64Array(6),
  });
  const analytic = Float64Array.from(numbers(parameters.size, 5));

  it('takes a tensor sampled whole in index order, and alternates largest and random entries elsewhere', () => {
    const pairs = sampleEntries(parameters, analytic, [3, 5, 6], seededRandom(9));
    const of = (k: number): number[] => pairs.filter(([t]) => t === k).map(([, i]) => i);
    expect(of(0)).toEqual([0, 1, 2]);
    expect(of(2)).toEqual([0, 1, 2, 3, 4, 5]);
    const b = of(1);
    expect(b).toHaveLength(5);
    expect(new Set(b).size).toBe(5);
    // b's largest 3 (ceil(5 / 2)) at positions 0, 2, 4; the 2 drawn, all others, at 1 and 3.
    const largest = sortedLargest(analytic, 3, 10, 3);
    expect([b[0], b[2], b[4]]).toEqual(largest);
    for (const i of [b[1]!, b[3]!]) {
      expect(largest).not.toContain(i);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(i).toBeLessThan(10);
    }
  });

  it('interleaves the tensors round robin until the longest is done', () => {
    const pairs = sampleEntries(parameters, analytic, [1, 4, 2], seededRandom(9));
    expect(pairs.map(([t]) => t)).toEqual([0, 1, 2, 1, 2, 1, 1]);
    expect(pairs.every(([, i]) => Number.isInteger(i))).toBe(true);
  });

  it('draws the random entries from the seed: the same seed the same sample, another seed another', () => {
    const sample = (seed: number) => sampleEntries(parameters, analytic, [1, 4, 2], seededRandom(seed));
    expect(sample(9)).toEqual(sample(9));
    const seeds = [1, 2, 3, 4, 5, 6].map((s) => JSON.stringify(sample(s)));
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });
});

describe('a sampled check', () => {
  // The check opens with 2 loss evaluations at θ; every entry of Σ v³ costs 2 more (its central difference).
  it('checks as many entries as the evaluation budget leaves room for, and no warning when all fit', () => {
    const model = cubes([3, 40]);
    // 28 evaluations: 26 left after the open, 13 entries, the 3-entry tensor whole and 10 of the other.
    const result = checkGradients(model, null, null, { mode: 'sampled', budget: 28, taylor: false });
    expect(result.passed).toBe(true);
    expect(result.tensors.map((t) => t.checked)).toEqual([3, 10]);
    expect(result.checked).toBe(13);
    expect(result.evaluations.loss).toBe(28);
    expect(result.warnings).toEqual([]);
  });

  it('checks at least one entry, and says so when the budget ran out before the sample was done', () => {
    // 3 tensors, 1 evaluation left after the open: the sample still has an entry per tensor; one is checked.
    const tight = checkGradients(cubes([2, 2, 2]), null, null, { mode: 'sampled', budget: 3, taylor: false });
    expect(tight.checked).toBe(1);
    expect(tight.warnings).toContain('the budget ran out after 1 of 3 sampled entries.');
    // 2 left: the first entry spends them, the second finds none left.
    const two = checkGradients(cubes([2, 2, 2]), null, null, { mode: 'sampled', budget: 4, taylor: false });
    expect(two.checked).toBe(1);
    expect(two.warnings).toContain('the budget ran out after 1 of 3 sampled entries.');
  });

  it('checks the number of samples asked for whatever the evaluation budget', () => {
    const result = checkGradients(cubes([3, 40]), null, null, {
      mode: 'sampled',
      samples: 6,
      budget: 10,
      taylor: false,
    });
    expect(result.tensors.map((t) => t.checked)).toEqual([3, 6]);
    expect(result.evaluations.loss).toBe(2 + 2 * 9);
    expect(result.warnings).toEqual([]);
  });

  it('checks an entry its first central difference settles exactly once', () => {
    // A linear loss with small integer parameters: every central difference is exact (excess 0).
    const w = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const model: GradientModel = {
      parameters: { w },
      loss: () => w.reduce((s, v) => s + 2 * v, 0),
      gradients: () => ({ w: Array.from(w, () => 2) }),
    };
    const result = checkGradients(model, null, null, { mode: 'sampled', samples: 5, taylor: false });
    expect(result.passed).toBe(true);
    expect(result.checked).toBe(5);
    expect(result.evaluations.loss).toBe(2 + 2 * 5);
  });

  it('refuses a model that moves a parameter while it is checked, and leaves the parameters as they were', () => {
    const model = cubes([4, 4]);
    const [first] = model.tensors;
    const before = Float64Array.from(first!);
    let calls = 0;
    const loss = model.loss;
    model.loss = (X, Y) => {
      // After the open (2 calls) and one entry (2 more), the model moves an entry of t0 and keeps it moved.
      if (++calls === 5) first![0] = first![0]! + 0.5;
      return loss(X, Y);
    };
    const error = errorOf(() => checkGradients(model, null, null, { mode: 'sampled', samples: 1, taylor: false }));
    expect(error).toMatchObject({ code: 'PARAMETERS_CHANGED' });
    expect(error.message).toContain('t0[0]');
    expect(first).toEqual(before);
  });
});

describe('a sampled check on a fake clock', () => {
  onFakeClock();

  it('reports progress while it samples, and once when the sample is done, before the Taylor test', () => {
    const seen: CheckProgress[] = [];
    // 2 tensors of 20, 40 entries sampled (budget 82: 80 left after the open), 20 ms each: about 800 ms.
    const result = checkGradients(cubes([20, 20], 10), null, null, {
      mode: 'sampled',
      budget: 82,
      taylor: true,
      onProgress: (p) => seen.push(p),
    });
    expect(result.checked).toBe(40);
    const during = seen.filter((p) => p.checked < 40);
    expect(during.length).toBeGreaterThanOrEqual(3);
    for (const p of during) expect(p).toMatchObject({ mode: 'sampled', phase: 'sample', total: 40 });
    // The report that closes the sample: every entry checked, the evaluations of the sample alone.
    const done = seen.find((p) => p.checked === 40)!;
    expect(done).toMatchObject({ mode: 'sampled', total: 40, evaluations: 2 + 2 * 40 });
    expect(seen.at(-1)!.evaluations).toBe(result.evaluations.loss);
    expect(result.evaluations.loss).toBeGreaterThan(82);
  });
});
