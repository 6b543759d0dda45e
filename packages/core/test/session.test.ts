// What a check session does around the entries: progress reports, the time and evaluation budgets
// auto weighs, and the messages of the checks made at the unperturbed point. The clock is Vitest's
// fake `performance`, advanced by the model itself, so every time here is exact.
import { describe, expect, it, vi } from 'vitest';
import { onFakeClock } from './fake-clock.js';
import { checkGradients, type CheckProgress, type GradientModel } from '../src/index.js';
import { numbers } from './models.js';
import { errorOf } from './caught.js';

/** Σ wᵢ³ over n entries; every loss evaluation costs `costMs` of fake time (0: the clock is not touched). */
function timedModel(n: number, costMs: number, wrong = false): GradientModel & { w: Float64Array } {
  const w = new Float64Array(numbers(n, 5));
  return {
    w,
    parameters: { w },
    loss: () => {
      if (costMs > 0) vi.advanceTimersByTime(costMs);
      return w.reduce((s, v) => s + v ** 3, 0);
    },
    gradients: () => ({ w: Array.from(w, (v, i) => 3 * v * v * (wrong && i === 1 ? 2 : 1)) }),
  };
}

describe('a check session on a fake clock', () => {
  onFakeClock();

  it('reports progress about every 200 ms and once at the end with the final counts', () => {
    const seen: CheckProgress[] = [];
    // 40 entries × 2 evaluations × 10 ms: about 800 ms of checking.
    const result = checkGradients(timedModel(40, 10), null, null, {
      mode: 'full',
      taylor: false,
      onProgress: (p) => seen.push(p),
    });
    expect(result.passed).toBe(true);
    const last = seen.at(-1)!;
    expect(last).toEqual({
      mode: 'full',
      phase: 'full',
      checked: 40,
      total: 40,
      evaluations: result.evaluations.loss,
      elapsedMs: result.elapsedMs,
    });
    expect(result.elapsedMs).toBe(10 * result.evaluations.loss);
    const during = seen.slice(0, -1);
    expect(during.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < during.length; i++) {
      const gap = during[i]!.elapsedMs - during[i - 1]!.elapsedMs;
      // Every 200 ms exactly: an entry takes 20 ms here, so a report falls due at an entry's end (not one entry later).
      expect(gap).toBe(200);
    }
    for (const p of during) {
      expect(p.checked).toBeLessThan(40);
      expect(p.evaluations).toBe(2 + 2 * p.checked);
      expect(p.elapsedMs).toBe(10 * p.evaluations);
    }
  });

  it('reports progress also while entries that do not settle at their first step are checked', () => {
    const seen: CheckProgress[] = [];
    // Every entry 1 % off: none settles in place, each is refined by the estimator (≥ 4 losses of 10 ms).
    const w = new Float64Array(numbers(20, 5));
    const model: GradientModel = {
      parameters: { w },
      loss: () => {
        vi.advanceTimersByTime(10);
        return w.reduce((s, v) => s + v ** 3, 0);
      },
      gradients: () => ({ w: Array.from(w, (v) => 3.03 * v * v) }),
    };
    const result = checkGradients(model, null, null, { mode: 'full', taylor: false, onProgress: (p) => seen.push(p) });
    expect(result.passed).toBe(false);
    expect(result.tensors[0]!.failing).toBe(20);
    const during = seen.slice(0, -1);
    expect(during.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < during.length; i++) expect(during[i]!.checked).toBeGreaterThan(during[i - 1]!.checked);
  });

  it('repeats the last report at the end with the Taylor test’s evaluations counted', () => {
    const seen: CheckProgress[] = [];
    const result = checkGradients(timedModel(3, 1, true), null, null, {
      mode: 'full',
      onProgress: (p) => seen.push(p),
    });
    expect(result.passed).toBe(false);
    expect(result.taylor).toBeDefined();
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ checked: 3, total: 3, evaluations: result.evaluations.loss });
    expect(seen.at(-2)!.evaluations).toBeLessThan(last.evaluations);
  });

  it('auto weighs a time budget with the measured cost of a loss evaluation', () => {
    // 2 loss evaluations at the unperturbed point measure 10 ms each; a full check of 30 entries needs 60 more.
    const over = checkGradients(timedModel(30, 10), null, null, { budget: { timeMs: 600 } });
    expect(over.mode).toBe('directional');
    expect(over.modeReason).toBe('auto: a full check would take about 600 ms, over the time budget of 600 ms');
    const within = checkGradients(timedModel(30, 10), null, null, { budget: { timeMs: 700 } });
    expect(within.mode).toBe('full');
    expect(within.modeReason).toBe('auto: a full check needs 60 more loss evaluations, within the budget of Infinity');
  });

  it('auto runs the full check when it would end exactly at the time budget, not 1 ms over', () => {
    // 20 ms spent at the unperturbed point, 600 ms estimated for the full check: 620 ms in all.
    expect(checkGradients(timedModel(30, 10), null, null, { budget: { timeMs: 620 } }).mode).toBe('full');
    const over = checkGradients(timedModel(30, 10), null, null, { budget: { timeMs: 619 } });
    expect(over.mode).toBe('directional');
    expect(over.modeReason).toBe('auto: a full check would take about 600 ms, over the time budget of 619 ms');
  });

  it('a sampled check stops when the time budget is spent, and says how far it got', () => {
    // 20 ms open, then 20 ms per entry: the budget of 100 ms is spent after 4 entries.
    const result = checkGradients(timedModel(10, 10), null, null, {
      mode: 'sampled',
      budget: { timeMs: 100 },
      taylor: false,
    });
    expect(result.checked).toBe(4);
    expect(result.warnings).toContain('the budget ran out after 4 of 10 sampled entries.');
  });
});

describe('the evaluation budget auto weighs', () => {
  it('runs the full check exactly when its 2 evaluations per entry fit what the budget has left', () => {
    // The open takes 2 loss evaluations; 25 entries need 50 more.
    const fits = checkGradients(timedModel(25, 0), null, null, { budget: 52 });
    expect(fits.mode).toBe('full');
    expect(fits.modeReason).toBe('auto: a full check needs 50 more loss evaluations, within the budget of 52');
    const over = checkGradients(timedModel(25, 0), null, null, { budget: 51 });
    expect(over.mode).toBe('directional');
    expect(over.modeReason).toBe('auto: a full check needs 50 more loss evaluations, over the budget of 51');
  });
});

describe('checks at the unperturbed point', () => {
  it('names the call that changed a parameter, and what to do', () => {
    const model = timedModel(3, 0);
    const before = model.w[2];
    const error = errorOf(() =>
      checkGradients(
        {
          ...model,
          gradients: () => {
            model.w[2] = 7;
            return { w: [0, 0, 0] };
          },
        },
        null,
        null,
      ),
    );
    expect(error.code).toBe('PARAMETERS_CHANGED');
    expect(model.w[2]).toBe(before);
    expect(error.message).toBe(
      `gradients(X, Y) changed parameter w[2] (was ${before}, found 7); ` +
        'a model must not update its parameters while they are checked (restored).',
    );
  });

  it.each([
    ['loss', 1, 'loss(X, Y)'],
    ['gradients', 1, 'gradients(X, Y)'],
    ['gradients', 2, 'gradients(X, Y)'],
    ['loss', 2, 'loss(X, Y)'],
  ] as const)('blames %s when its call %i moves a parameter, and restores it', (call, when, named) => {
    const model = timedModel(3, 0);
    const before = model.w[0]!;
    let calls = 0;
    const moving =
      <T>(f: () => T) =>
      (): T => {
        const value = f();
        if (++calls === when) model.w[0] = 42;
        return value;
      };
    const error = errorOf(() =>
      checkGradients(
        {
          ...model,
          loss: call === 'loss' ? moving(() => model.loss(null, null)) : model.loss,
          gradients: call === 'gradients' ? moving(() => model.gradients(null, null)) : model.gradients,
        },
        null,
        null,
      ),
    );
    expect(error.code).toBe('PARAMETERS_CHANGED');
    expect(error.message).toContain(`${named} changed parameter w[0] (was ${before}, found 42); `);
    expect(model.w[0]).toBe(before);
  });

  it('stops at the first gradients call that moves a parameter (an optimizer step inside gradients)', () => {
    const model = timedModel(3, 0);
    const before = model.w[0]!;
    const error = errorOf(() =>
      checkGradients(
        {
          ...model,
          gradients: () => {
            const g = model.gradients(null, null);
            model.w[0] = model.w[0]! - 0.125; // a training step per call
            return g;
          },
        },
        null,
        null,
      ),
    );
    // One step, not two: the change is caught before gradients is called again.
    expect(error.message).toContain(`gradients(X, Y) changed parameter w[0] (was ${before}, found ${before - 0.125})`);
    expect(model.w[0]).toBe(before);
  });

  it('says which evaluation a non-deterministic loss disagreed in', () => {
    let calls = 0;
    const model = timedModel(3, 0);
    const error = errorOf(() => checkGradients({ ...model, loss: () => ++calls }, null, null));
    expect(error.code).toBe('NONDETERMINISTIC_LOSS');
    expect(error.message).toBe(
      'loss(X, Y) gave 1 and then 2 at the same parameters; the loss must be deterministic ' +
        '(turn off dropout, fix random seeds, use a fixed batch).',
    );
  });

  it.each([
    [1, 'loss(X, Y) threw at the unperturbed parameters: boom (called with X null, Y null)'],
    [2, 'gradients(X, Y) threw at the unperturbed parameters: boom (called with X null, Y null)'],
    [3, 'gradients(X, Y) threw at the unperturbed parameters, the second time: boom (called with X null, Y null)'],
    [4, 'loss(X, Y) threw at the unperturbed parameters, the second time: boom (called with X null, Y null)'],
  ])('says where a model threw in the evaluation %i of the open', (failing, message) => {
    const model = timedModel(3, 0);
    let calls = 0;
    const fail = (): void => {
      if (++calls === failing) throw new Error('boom');
    };
    const error = errorOf(() =>
      checkGradients(
        {
          ...model,
          loss: (x, y) => (fail(), model.loss(x, y)),
          gradients: (x, y) => (fail(), model.gradients(x, y)),
        },
        null,
        null,
      ),
    );
    expect(error.code).toBe('MODEL_THREW');
    expect(error.message).toBe(message);
  });
});
