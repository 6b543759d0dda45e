// The directional check's localisation on small models, fast enough for the mutation set (the
// large-network cases are in modes.test.ts): bisection down to the wrong entries, the number it looks
// for, the budget that stops it (and its warning), the tensors it leaves alone, and its progress.
import { describe, expect, it, vi } from 'vitest';
import { onFakeClock } from './fake-clock.js';
import { checkGradients, type CheckProgress, type GradientModel } from '../src/index.js';
import { numbers } from './models.js';
import { errorOf } from './caught.js';

/**
 * loss = Σ sin(wᵢ)·cᵢ + (Σ aᵢwᵢ)² + Σ bⱼ² over w (n entries) and b (5 entries); `wrong` lists entries
 * of w whose analytic gradient is 1.5 × too large (`wrongB`: b[2]'s 1.5 × too). Each loss evaluation costs
 * `costMs` of fake time.
 */
function sines(n: number, wrong: number[] = [], costMs = 0, wrongB = false): GradientModel {
  const w = new Float64Array(numbers(n, 21)),
    b = new Float64Array(numbers(5, 24));
  const c = new Float64Array(numbers(n, 22)),
    a = new Float64Array(numbers(n, 23)).map((v) => v / Math.sqrt(n));
  return {
    parameters: { w, b },
    loss: () => {
      if (costMs > 0) vi.advanceTimersByTime(costMs);
      let s = 0,
        dot = 0;
      for (let i = 0; i < n; i++) {
        s += Math.sin(w[i]!) * c[i]!;
        dot += a[i]! * w[i]!;
      }
      for (const v of b) s += v * v;
      return s + dot * dot;
    },
    gradients: () => {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += a[i]! * w[i]!;
      const dw = Float64Array.from(w, (wi, i) => Math.cos(wi) * c[i]! + 2 * dot * a[i]!);
      for (const i of wrong) dw[i] = dw[i]! * 1.5;
      return { dw, db: Float64Array.from(b, (v, j) => (wrongB && j === 2 ? 3 : 2) * v) };
    },
  };
}

describe('localisation in a directional check', () => {
  it('bisects down to the one wrong entry in about 2 log₂ n evaluations and checks only it', () => {
    const n = 1024;
    const verdict = checkGradients(sines(n, [700]), null, null, { mode: 'directional', localise: 0, taylor: false });
    expect(verdict.passed).toBe(false);
    expect(verdict.checked).toBe(0);
    const result = checkGradients(sines(n, [700]), null, null, { mode: 'directional', taylor: false });
    expect(result.passed).toBe(false);
    expect(result.worst[0]).toMatchObject({ label: 'w[700]', tensor: 'w', index: [700] });
    expect(result.tensors[0]).toMatchObject({ name: 'w', checked: 1, failing: 1, passed: false });
    // b passes its projection and is not localised.
    expect(result.tensors[1]).toMatchObject({ name: 'b', checked: 0, passed: true });
    // 2 per level of the bisection, the entry's own check, its noise probe at most (noise.ts: 3 × 19).
    const beyond = result.evaluations.loss - verdict.evaluations.loss;
    expect(beyond).toBeGreaterThanOrEqual(2 * Math.log2(n));
    expect(beyond).toBeLessThanOrEqual(2 * Math.log2(n) + 2 + 2 + 3 * 19);
    expect(result.warnings).toEqual([]);
  });

  it('finds as many wrong entries as localise asks for, and no more', () => {
    const wrong = [100, 300, 500, 900];
    const one = checkGradients(sines(1024, wrong), null, null, { mode: 'directional', localise: 1, taylor: false });
    expect(one.tensors[0]!.failing).toBe(1);
    const three = checkGradients(sines(1024, wrong), null, null, { mode: 'directional', localise: 3, taylor: false });
    expect(three.tensors[0]!.failing).toBe(3);
    for (const e of three.worst.filter((e) => e.excess > 1)) expect(wrong).toContain(e.index[0]);
  });

  it('stops at the evaluation budget and says after how many evaluations', () => {
    const verdict = checkGradients(sines(1024, [700]), null, null, { mode: 'directional', localise: 0, taylor: false });
    // Room for 3 levels of the bisection after the verdict.
    const budget = verdict.evaluations.loss + 6;
    const result = checkGradients(sines(1024, [700]), null, null, { mode: 'directional', budget, taylor: false });
    expect(result.passed).toBe(false);
    expect(result.checked).toBe(0);
    expect(result.evaluations.loss).toBe(budget);
    expect(result.warnings).toContain('the budget stopped localisation in w after 6 loss evaluations.');
  });
});

describe('a directional check on a fake clock', () => {
  onFakeClock();

  it('reports the localisation’s progress in evaluations spent of those planned', () => {
    const seen: CheckProgress[] = [];
    const result = checkGradients(sines(1024, [700], 50), null, null, {
      mode: 'directional',
      taylor: false,
      onProgress: (p) => seen.push(p),
    });
    expect(result.passed).toBe(false);
    const localising = seen.filter((p) => p.phase === 'localise');
    expect(localising.length).toBeGreaterThanOrEqual(3);
    // Planned: localise (3 entries by default) × 2 (⌈log₂ 1024⌉ + 1) = 66 evaluations; the wrong
    // entry's own estimate (its noise probe, its wider steps) spends more, and the total grows with it.
    const planned = localising.filter((p) => p.checked < 66);
    expect(planned.length).toBeGreaterThanOrEqual(3);
    for (const p of localising) {
      expect(p.mode).toBe('directional');
      expect(p.total).toBe(Math.max(66, p.checked));
    }
    const last = seen.at(-1)!;
    expect(last.checked).toBe(last.total);
  });

  it('ends a passing check’s progress at its projections, one per tensor and direction', () => {
    const seen: CheckProgress[] = [];
    const result = checkGradients(sines(64, [], 50), null, null, {
      mode: 'directional',
      taylor: false,
      onProgress: (p) => seen.push(p),
    });
    expect(result.passed).toBe(true);
    expect(seen.some((p) => p.phase === 'localise')).toBe(false);
    expect(seen.at(-1)).toMatchObject({ mode: 'directional', checked: 2, total: 2 });
    // localise: 0 on a failing check: the same end, nothing localised.
    const unlocalised: CheckProgress[] = [];
    checkGradients(sines(64, [7], 50), null, null, {
      mode: 'directional',
      localise: 0,
      taylor: false,
      onProgress: (p) => unlocalised.push(p),
    });
    expect(unlocalised.some((p) => p.phase === 'localise')).toBe(false);
    expect(unlocalised.at(-1)).toMatchObject({ checked: 2, total: 2 });
  });

  it('counts the localisation of a second failing tensor on from the first’s', () => {
    const seen: CheckProgress[] = [];
    const result = checkGradients(sines(1024, [700], 50, true), null, null, {
      mode: 'directional',
      taylor: false,
      onProgress: (p) => seen.push(p),
    });
    expect(result.tensors.map((t) => t.failing)).toEqual([1, 1]);
    const localising = seen.filter((p) => p.phase === 'localise');
    for (let i = 1; i < localising.length; i++) {
      expect(localising[i]!.checked).toBeGreaterThanOrEqual(localising[i - 1]!.checked);
      expect(localising[i]!.checked).toBeLessThanOrEqual(localising[i]!.total);
    }
    // Planned: 66 evaluations for w, 3 × 2 (⌈log₂ 5⌉ + 1) = 24 for b.
    expect(localising[0]!.total).toBe(66 + 24);
  });
});

describe('the parameters after the projections (round 7)', () => {
  it('refuses a model that moves a parameter of another tensor while b is projected, and restores it', () => {
    // Once b is moved along its direction, the loss moves w[0] (already projected, so no later
    // restore of w's own entries puts it back): the check must say so, not pass over it.
    const model = sines(8);
    const { w, b } = model.parameters as { w: Float64Array; b: Float64Array };
    const w0 = w[0]!,
      b0 = b[0]!;
    const loss = model.loss;
    let moved = false;
    model.loss = (X, Y) => {
      if (!moved && b[0] !== b0) {
        w[0] = w0 + 0.5;
        moved = true;
      }
      return loss(X, Y);
    };
    const error = errorOf(() => checkGradients(model, null, null, { mode: 'directional', taylor: false }));
    expect(error).toMatchObject({ code: 'PARAMETERS_CHANGED' });
    expect(error.message).toContain('w[0]');
    expect(w[0]).toBe(w0);
  });
});

describe('the direction localised along (round 7)', () => {
  it('is the one whose projection fails most: with two directions, one failing and one passing, the entry is found', () => {
    // Σ sin(wᵢ)·cᵢ over 64 entries, w[7]'s gradient 4e-5 too large: at seed 7 the error's share of
    // one direction's projection exceeds its allowance and of the other's does not (factors from
    // 1.00003 to 1.000045 behave alike). Bisecting along the passing one would stop at once.
    const n = 64;
    const w = new Float64Array(numbers(n, 21)),
      c = new Float64Array(numbers(n, 22));
    const model: GradientModel = {
      parameters: { w },
      loss: () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += Math.sin(w[i]!) * c[i]!;
        return s;
      },
      gradients: () => ({ dw: Float64Array.from(w, (wi, i) => Math.cos(wi) * c[i]! * (i === 7 ? 1.00004 : 1)) }),
    };
    const result = checkGradients(model, null, null, { mode: 'directional', directions: 2, seed: 7, taylor: false });
    expect(result.passed).toBe(false);
    expect(result.tensors[0]).toMatchObject({ checked: 1, failing: 1 });
    expect(result.worst[0]).toMatchObject({ label: 'w[7]' });
  });
});

describe('the localisation’s progress when it spends more than planned (round 7)', () => {
  onFakeClock();

  it('grows the total to what was spent, never reporting more done than the total', () => {
    // Two entries, localise: 1: planned 1 · 2 · (⌈log₂ 2⌉ + 1) = 4 evaluations; the wrong entry's own
    // check (its noise probe) costs far more. Each loss evaluation takes 50 ms of fake time, so that the
    // reports (at most one per 200 ms) come during the localisation too.
    const w = new Float64Array([0.3, 0.7]);
    const seen: CheckProgress[] = [];
    const model: GradientModel = {
      parameters: { w },
      loss: () => {
        vi.advanceTimersByTime(50);
        return Math.sin(w[0]!) + Math.sin(w[1]!);
      },
      gradients: () => ({ dw: [Math.cos(w[0]!), 1.5 * Math.cos(w[1]!)] }),
    };
    const result = checkGradients(model, null, null, {
      mode: 'directional',
      localise: 1,
      taylor: false,
      onProgress: (p) => seen.push(p),
    });
    expect(result.worst[0]).toMatchObject({ label: 'w[1]' });
    const localising = seen.filter((p) => p.phase === 'localise');
    expect(localising.length).toBeGreaterThanOrEqual(2);
    for (const p of localising) expect(p.checked).toBeLessThanOrEqual(p.total);
    expect(localising.at(-1)!.checked).toBeGreaterThan(4);
    expect(localising.at(-1)!.total).toBe(localising.at(-1)!.checked);
  });
});
