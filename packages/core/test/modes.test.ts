import { describe, expect, it } from 'vitest';
import {
  checkGradients,
  checkGradientsAsync,
  formatReport,
  GradcheckError,
  type CheckOptions,
  type CheckProgress,
  type GradientModel,
} from '../src/index.js';
import { projectTensors, type DirectionSampler } from '../src/modes/projections.js';
import { runSync } from '../src/evaluation.js';
import { normaliseModel } from '../src/model.js';
import { largestEntries, shareEntries } from '../src/modes/sampled.js';
import { CheckSession } from '../src/session.js';
import { numbers } from './models.js';

/**
 * A quadratic-plus-sine model over two tensors, cheap at any size: loss = Σ sin(wᵢ)·cᵢ + (Σ aᵢwᵢ)² + Σ b².
 * `bug` plants a mistake in the analytic gradient.
 */
function bigModel(
  n: number,
  bug: 'none' | 'entry' | 'scale' | 'bias' = 'none',
  w: Float64Array = new Float64Array(numbers(n, 21)),
): GradientModel & { calls: number } {
  const c = new Float64Array(numbers(n, 22)),
    a = new Float64Array(numbers(n, 23)).map((v) => v / Math.sqrt(n));
  const b = new Float64Array(numbers(5, 24));
  const model = {
    calls: 0,
    parameters: { w, b },
    loss: () => {
      model.calls++;
      let s = 0,
        dot = 0;
      for (let i = 0; i < n; i++) {
        s += Math.sin(w[i]!) * c[i]!;
        dot += a[i]! * w[i]!;
      }
      for (const v of b) s += v * v * (1 + dot);
      return s + dot * dot;
    },
    gradients: () => {
      let dot = 0,
        b2 = 0;
      for (let i = 0; i < n; i++) dot += a[i]! * w[i]!;
      for (const v of b) b2 += v * v;
      const dw = Float64Array.from(w, (wi, i) => Math.cos(wi) * c[i]! + (2 * dot + b2) * a[i]!);
      const db = Float64Array.from(b, (v) => 2 * v * (1 + dot));
      if (bug === 'entry') dw[n >> 1] = dw[n >> 1]! * 1.5;
      if (bug === 'scale') {
        dw.forEach((v, i) => {
          dw[i] = v * 1.01;
        });
        db.forEach((v, i) => {
          db[i] = v * 1.01;
        });
      }
      if (bug === 'bias') db[2] = db[2]! * 1.3;
      return { w: dw, b: db };
    },
  };
  return model;
}

const bits = (a: ArrayLike<number>): string => Buffer.from(Float64Array.from(a).buffer).toString('hex');

describe('mode: auto', () => {
  it('runs the full check when it fits the budget, and says so', () => {
    const result = checkGradients(bigModel(100), null, null);
    expect(result.mode).toBe('full');
    expect(result.modeReason).toMatch(/^auto: a full check needs 210 more loss evaluations, within the budget of 4000/);
    expect(result.checked).toBe(105);
  });

  it('runs the directional check when the full check does not fit', () => {
    const result = checkGradients(bigModel(100), null, null, { budget: 200 });
    expect(result.mode).toBe('directional');
    expect(result.modeReason).toMatch(/over the budget of 200/);
    expect(result.evaluations.loss).toBe(2 + 2 * 2);
    expect(result.passed).toBe(true);
    expect(formatReport(result)).toContain(
      'directional check (auto: a full check needs 210 more loss evaluations, over the budget of 200)',
    );
  });

  it('weighs a time budget with the measured cost of one loss evaluation', () => {
    const slow = bigModel(100);
    const loss = slow.loss;
    slow.loss = () => {
      const t = performance.now();
      while (performance.now() - t < 2);
      return loss(null, null);
    };
    const result = checkGradients(slow, null, null, { budget: { timeMs: 50 } });
    expect(result.mode).toBe('directional');
    expect(result.modeReason).toMatch(/^auto: a full check would take about \d+ ms, over the time budget of 50 ms$/);
  });
});

describe.each([
  ['full', { mode: 'full' }, [50, 400]],
  ['directional', { mode: 'directional' }, [50, 20_000, 200_000]],
  [
    'directional, Rademacher, 3 directions',
    { mode: 'directional', distribution: 'rademacher', directions: 3 },
    [50, 20_000],
  ],
  ['sampled', { mode: 'sampled', samples: 64 }, [50, 20_000]],
] as const)('mode %s catches the planted bugs', (_name, options: CheckOptions, sizes) => {
  it.each(
    sizes.flatMap((n) => [
      [n, 7],
      [n, 1234],
    ]),
  )('n = %i, seed %i: passes the correct gradient', (n, seed) => {
    expect(checkGradients(bigModel(n), null, null, { ...options, seed }).passed).toBe(true);
  });

  it.each(
    sizes.flatMap((n) => [
      [n, 7],
      [n, 1234],
    ]),
  )('n = %i, seed %i: fails a 1 %% scale error in every tensor', (n, seed) => {
    const result = checkGradients(bigModel(n, 'scale'), null, null, { ...options, seed });
    expect(result.passed).toBe(false);
    expect(result.tensors.map((t) => t.passed)).toEqual([false, false]);
  });

  it.each(
    sizes.flatMap((n) => [
      [n, 7],
      [n, 1234],
    ]),
  )('n = %i, seed %i: fails a wrong entry of the 5-entry bias beside w, and names it', (n, seed) => {
    const result = checkGradients(bigModel(n, 'bias'), null, null, { ...options, seed });
    expect(result.passed).toBe(false);
    expect(result.tensors.map((t) => t.passed)).toEqual([true, false]);
    expect(result.worst[0]!.label).toBe('b[2]');
  });

  // A sampled check finds one wrong entry among many only if it samples it: a blind spot, tested below.
  if (options.mode !== 'sampled') {
    it.each(
      sizes.flatMap((n) => [
        [n, 7],
        [n, 1234],
      ]),
    )('n = %i, seed %i: fails a single wrong entry and names it', (n, seed) => {
      const result = checkGradients(bigModel(n, 'entry'), null, null, { ...options, seed });
      expect(result.passed).toBe(false);
      expect(result.tensors.map((t) => t.passed)).toEqual([false, true]);
      expect(result.worst[0]!.label).toBe(`w[${n >> 1}]`);
    });
  }
});

describe('directional check', () => {
  it('localises one wrong entry among 200 000 in 2⌈log₂ n⌉ + 2 loss evaluations beyond the verdict, and one noise probe', () => {
    const n = 200_000;
    const verdict = checkGradients(bigModel(n, 'entry'), null, null, {
      mode: 'directional',
      localise: 0,
      taylor: false,
    });
    const localised = checkGradients(bigModel(n, 'entry'), null, null, { mode: 'directional', taylor: false });
    expect(verdict.evaluations.loss).toBe(2 + 2 * 2);
    expect(verdict.checked).toBe(0);
    // The entry localised is judged by the entry estimator, which measures the loss's noise once
    // (noise.ts: 19 losses a spacing, at most 3 spacings) before it refines a disagreement.
    const probe = 3 * 19;
    expect(localised.evaluations.loss - verdict.evaluations.loss).toBeLessThanOrEqual(
      2 * Math.ceil(Math.log2(n)) + 2 + 2 + probe,
    );
    expect(localised.worst[0]).toMatchObject({ label: `w[${n >> 1}]`, tensor: 'w', index: [n >> 1] });
    expect(localised.worst[0]!.excess).toBeGreaterThan(1);
    expect(localised.tensors[0]).toMatchObject({ name: 'w', directions: 1, checked: 1, failing: 1, passed: false });
  });

  it('is reproducible from its seed, and another seed draws other directions', () => {
    const strip = (r: ReturnType<typeof checkGradients>) => ({ ...r, elapsedMs: 0 });
    const a = checkGradients(bigModel(1000, 'scale'), null, null, { mode: 'directional', seed: 5 });
    const b = checkGradients(bigModel(1000, 'scale'), null, null, { mode: 'directional', seed: 5 });
    const c = checkGradients(bigModel(1000, 'scale'), null, null, { mode: 'directional', seed: 6 });
    expect(strip(a)).toEqual(strip(b));
    expect(c.difference).not.toBe(a.difference);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });

  it('stops localisation at the evaluation budget and says so', () => {
    const result = checkGradients(bigModel(100_000, 'entry'), null, null, { mode: 'directional', budget: 20 });
    expect(result.passed).toBe(false);
    expect(result.evaluations.loss).toBeLessThanOrEqual(20);
    expect(result.warnings.join()).toMatch(/budget stopped localisation in w after 14 loss evaluations/);
  });

  it('would let a zero-mean error through with all-positive directions that symmetric directions catch', () => {
    // Every analytic entry is 0.2 % off with alternating sign: the classic difference is ≈ 1e-3.
    const n = 100_000;
    const w = new Float64Array(numbers(n, 31)).map((v) => 1 + v * 0.1);
    const x = new Float64Array(numbers(n, 32)).map((v) => 1 + v * 0.1);
    const model: GradientModel = {
      parameters: { w },
      loss: () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += w[i]! * x[i]!;
        return s / n;
      },
      gradients: () => ({ w: Float64Array.from(x, (xi, i) => (xi / n) * (1 + (i % 2 ? 0.002 : -0.002))) }),
    };
    const project = (sampler: DirectionSampler): boolean => {
      const normalised = normaliseModel(model);
      const session = new CheckSession(normalised, { tolerance: 1e-5, mode: 'directional' });
      function* run() {
        try {
          yield* session.open();
          return yield* projectTensors(session, sampler);
        } finally {
          session.close();
        }
      }
      return runSync(run(), normalised, null, null)[0]!.passed;
    };
    expect(checkGradients(model, null, null, { tolerance: 1e-5, mode: 'sampled', samples: 1000 }).passed).toBe(false);
    expect(project((r) => r.uniform())).toBe(true); // all-positive: the bug passes
    expect(project((r) => r.gaussian())).toBe(false);
    expect(project((r) => r.sign())).toBe(false);
    expect(checkGradients(model, null, null, { tolerance: 1e-5, mode: 'directional' }).passed).toBe(false);
  });
});

describe('every mode with an empty tensor among the parameters', () => {
  it.each(['full', 'directional', 'sampled'] as const)('%s: passes a correct model, fails a wrong one', (mode) => {
    const model = (wrong: boolean): GradientModel => {
      const w = new Float64Array(numbers(50, 51)),
        empty: number[] = [];
      return {
        parameters: { w, empty },
        loss: () => w.reduce((s, v) => s + v ** 3, 0),
        gradients: () => ({ w: Array.from(w, (v, i) => 3 * v * v * (wrong && i === 9 ? 2 : 1)), empty: [] }),
      };
    };
    expect(checkGradients(model(false), null, null, { mode }).passed).toBe(true);
    const wrong = checkGradients(model(true), null, null, { mode });
    expect(wrong.passed).toBe(false);
    expect(wrong.worst[0]!.label).toBe('w[9]');
  });
});

describe('sampled check', () => {
  it('checks every small tensor whole and shares the rest of the budget', () => {
    expect(shareEntries([5, 1000, 1000], 105)).toEqual([5, 50, 50]);
    expect(shareEntries([5, 30, 1000], 100)).toEqual([5, 30, 65]);
    const result = checkGradients(bigModel(10_000), null, null, { mode: 'sampled', budget: 203 });
    expect(result.tensors.map((t) => t.checked)).toEqual([95, 5]);
    expect(result.evaluations.loss).toBeLessThanOrEqual(203);
  });

  it('takes the largest analytic gradients first', () => {
    const g = Float64Array.from([0.1, -5, 3, 0, 7, -2]);
    expect(largestEntries(g, 0, 6, 3)).toEqual([4, 1, 2]);
    expect(largestEntries(g, 2, 4, 2)).toEqual([2, 0]);
  });

  it('catches a wrong entry among the largest analytic gradients, and misses one it does not sample', () => {
    const n = 20_000;
    const inflated = bigModel(n);
    const gradients = inflated.gradients;
    inflated.gradients = (X, Y) => {
      const g = gradients(X, Y) as { w: Float64Array };
      g.w[123] = 50;
      return g;
    };
    const caught = checkGradients(inflated, null, null, { mode: 'sampled', samples: 32 });
    expect(caught.passed).toBe(false);
    expect(caught.worst[0]!.label).toBe('w[123]');
    // The blind spot: 32 of 20 000 entries do not include w[10000], whose analytic value is ordinary.
    expect(checkGradients(bigModel(n, 'entry'), null, null, { mode: 'sampled', samples: 32 }).passed).toBe(true);
  });

  it('stops at a time budget and says how far it got', () => {
    const slow = bigModel(1000);
    const loss = slow.loss;
    slow.loss = () => {
      const t = performance.now();
      while (performance.now() - t < 1);
      return loss(null, null);
    };
    const result = checkGradients(slow, null, null, { mode: 'sampled', budget: { timeMs: 40 } });
    expect(result.checked).toBeLessThan(1005);
    expect(result.checked).toBeGreaterThan(0);
    expect(result.warnings.join()).toMatch(/budget ran out after \d+ of 1005 sampled entries/);
  });
});

describe('every mode leaves the parameters bit for bit', () => {
  const modes: CheckOptions[] = [
    { mode: 'full' },
    { mode: 'directional' },
    { mode: 'directional', directions: 2, distribution: 'rademacher' },
    { mode: 'sampled', samples: 50 },
  ];
  const tricky = (n: number): Float64Array => {
    const w = new Float64Array(numbers(n, 41)).map((v) => v * 1e4 + 1 / 3);
    w[0] = -0;
    w[1] = 5e-324;
    w[2] = 0.1 + 0.2;
    return w;
  };

  it.each(modes)('after a failing check: %o', (options) => {
    const w = tricky(500);
    // A sample of 50 need not contain the one wrong entry: give the sampled check a bug it must see.
    const model = bigModel(500, options.mode === 'sampled' ? 'scale' : 'entry', w);
    const before = bits([...w, ...(model.parameters as { b: Float64Array }).b]);
    expect(checkGradients(model, null, null, options).passed).toBe(false);
    expect(bits([...w, ...(model.parameters as { b: Float64Array }).b])).toBe(before);
    expect(Object.is(w[0], -0)).toBe(true);
  });

  it.each(modes)('with Float32Array parameters: %o', (options) => {
    const w = Float32Array.from(numbers(300, 42));
    const before = Buffer.from(w.buffer).toString('hex');
    const model: GradientModel = {
      parameters: { w },
      loss: () => w.reduce((s, v) => s + Math.sin(v), 0),
      gradients: () => ({ w: Array.from(w, (v, i) => Math.cos(v) * (i === 7 ? 2 : 1)) }),
    };
    const result = checkGradients(model, null, null, options);
    expect(result.passed).toBe(false);
    expect(Buffer.from(w.buffer).toString('hex')).toBe(before);
  });

  it('when the model throws midway through localisation (sync and async)', async () => {
    for (const async of [false, true]) {
      const w = tricky(4096);
      const model = bigModel(4096, 'entry', w);
      const b = (model.parameters as { b: Float64Array }).b;
      const before = bits([...w, ...b]);
      const loss = model.loss;
      // 2 at the unperturbed point, 4 for the verdict on w and b, then localisation: throw in its 7th evaluation.
      model.loss = () => {
        if (model.calls === 2 + 4 + 6) throw new Error('device lost');
        return loss(null, null);
      };
      const run = async
        ? checkGradientsAsync({ ...model, loss: async () => model.loss(null, null) }, null, null, {
            mode: 'directional',
          })
        : Promise.resolve().then(() => checkGradients(model, null, null, { mode: 'directional' }));
      const error = await run.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GradcheckError);
      expect((error as GradcheckError).code).toBe('MODEL_THREW');
      expect((error as GradcheckError).message).toMatch(
        /threw with entries \d+…\d+ \(flat\) of w moved along a random direction \(\+\): device lost/,
      );
      expect(bits([...w, ...b])).toBe(before);
      expect(Object.is(w[0], -0)).toBe(true);
    }
  });
});

describe('progress', () => {
  it('reports mode, phase and evaluations in every mode, finally with the end state', () => {
    for (const mode of ['full', 'directional', 'sampled'] as const) {
      const seen: CheckProgress[] = [];
      const slow = bigModel(2000, 'entry');
      const loss = slow.loss;
      slow.loss = () => {
        const t = performance.now();
        while (performance.now() - t < (mode === 'full' ? 0.15 : 15));
        return loss(null, null);
      };
      const result = checkGradients(slow, null, null, { mode, samples: 20, onProgress: (p) => seen.push(p) });
      expect(seen.length).toBeGreaterThan(1);
      expect(new Set(seen.map((p) => p.mode))).toEqual(new Set([mode]));
      const last = seen[seen.length - 1]!;
      expect(last.evaluations).toBe(result.evaluations.loss);
      expect(last.checked).toBe(last.total);
      for (let i = 1; i < seen.length; i++)
        expect(seen[i]!.evaluations).toBeGreaterThanOrEqual(seen[i - 1]!.evaluations);
      if (mode === 'directional') expect(seen.some((p) => p.phase === 'localise' && p.checked > 0)).toBe(true);
      if (mode === 'sampled') expect(last).toMatchObject({ phase: 'sample', total: 25 });
    }
  });
});

describe('options of the modes', () => {
  const codeOf = (options: unknown): string => {
    try {
      checkGradients(bigModel(10), null, null, options as CheckOptions);
      return 'no error';
    } catch (error) {
      return error instanceof GradcheckError ? `${error.code}: ${error.message}` : 'other error';
    }
  };
  it.each([
    [{ mode: 'fast' }, /mode must be 'auto' or 'full' or 'directional' or 'sampled', received "fast"/],
    [{ budget: 0 }, /budget must be a whole number ≥ 1, received 0/],
    [{ budget: { evaluations: 10, time: 5 } }, /unknown budget field "time"/],
    [{ budget: { timeMs: -1 } }, /budget.timeMs must be a positive finite number/],
    [{ budget: 'lots' }, /budget must be a number of loss evaluations or \{ evaluations, timeMs \}/],
    [{ directions: 0 }, /directions must be a whole number ≥ 1, received 0/],
    [{ distribution: 'uniform' }, /distribution must be 'gaussian' or 'rademacher', received "uniform"/],
    [{ localise: 1.5 }, /localise must be a whole number ≥ 0/],
    [{ samples: 0 }, /samples must be a whole number ≥ 1/],
  ])('rejects %o', (options, message) => {
    expect(codeOf(options)).toMatch(/^INVALID_OPTION: /);
    expect(codeOf(options)).toMatch(message);
  });
});
