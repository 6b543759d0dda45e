/**
 * The noise probe of noise.ts run on its own (issue 13's survivor ledger): the points it evaluates
 * the loss at, the spacings it retries, what it returns, the errors it lets through, and the
 * allowance {@link LossNoise} gives before, at and after a measurement.
 */
import { describe, expect, it } from 'vitest';
import { MACHINE_EPSILON, lossNoise, type EntryEstimate } from '../src/difference.js';
import { EntrySteps } from '../src/entry-steps.js';
import { runSync } from '../src/evaluation.js';
import { normaliseModel } from '../src/model.js';
import { LossNoise, measureNoise, noiseOf } from '../src/noise.js';
import { OwnLine } from '../src/own-line.js';
import { CheckSession } from '../src/session.js';
import { checkGradients, type GradientModel } from '../src/index.js';
import { buildNet, modelOf } from '../../../test/helpers/mlp.js';

/** Every loss call of a probe: the parameters it saw (flat) and the loss it returned. */
interface Call {
  readonly at: number[];
  readonly loss: number;
}

/** A model over one or more tensors whose loss `f` of the flat parameters is recorded at every call. */
function recorded(
  tensors: Record<string, Float64Array | Float32Array>,
  f: (flat: number[]) => number,
): { model: GradientModel; calls: Call[] } {
  const calls: Call[] = [];
  const flat = (): number[] => Object.values(tensors).flatMap((t) => Array.from(t));
  const model: GradientModel = {
    parameters: tensors,
    loss: () => {
      const at = flat();
      const loss = f(at);
      calls.push({ at, loss });
      return loss;
    },
    gradients: () => Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, Array.from(t, () => 0)])),
  };
  return { model, calls };
}

/** Opens a session on `model` and runs `body` on it (the probe's calls only are left in `calls`). */
function inSession<T>(
  model: GradientModel,
  calls: Call[],
  body: (session: CheckSession, steps: EntrySteps) => Generator<any, T, unknown>,
): T {
  const normalised = normaliseModel(model);
  const session = new CheckSession(normalised, {});
  function* run(): Generator<any, T, unknown> {
    try {
      yield* session.open();
      calls.length = 0;
      return yield* body(session, new EntrySteps(session));
    } finally {
      session.close();
    }
  }
  return runSync(run(), normalised, null, null);
}

const probe = (model: GradientModel, calls: Call[]): number | undefined =>
  inSession(model, calls, (session, steps) => measureNoise(session, steps));

const sine = (flat: number[]): number => 30 + flat.reduce((s, x) => s + Math.sin(x), 0);
/** The probe's t at each call: −9 … −1, 1 … 10 (θ's own loss at t = 0 is the session's). */
const T = [-9, -8, -7, -6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

const bits = new Float64Array(2),
  words = new Uint32Array(bits.buffer);
/** A deterministic draw in [−1, 1) from the bits of a and b: noise of its own wherever either moves. */
const draw = (a: number, b: number): number => {
  bits[0] = a;
  bits[1] = b;
  let h = Math.imul(words[0]! ^ words[2]!, 0x9e3779b1) ^ Math.imul(words[1]! + words[3]!, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  return ((h ^ (h >>> 15)) >>> 0) / 2 ** 31 - 1;
};

describe('the probe', () => {
  it('evaluates the loss at θ + t·δ, t = −9…10, δ a signed power of two at most 2⁻²⁰ of each entry’s scale (1 for a tensor of zeros)', () => {
    const w = Float64Array.from([0.3, -1.2, 2.5, 0.01]);
    const z = new Float64Array(2);
    const theta = [...w, ...z];
    const { model, calls } = recorded({ w, z }, sine);
    probe(model, calls);
    expect(calls).toHaveLength(19);
    // w's root mean square is 1.39: every entry's scale but 2.5's; z's entries have scale 1.
    const unit = [2 ** -20, 2 ** -20, 2 ** -19, 2 ** -20, 2 ** -20, 2 ** -20];
    const delta = calls[18]!.at.map((x, j) => (x - theta[j]!) / 10);
    expect(delta.map(Math.abs)).toEqual(unit);
    calls.forEach(({ at }, k) => expect(at).toEqual(theta.map((x, j) => x + T[k]! * delta[j]!)));
    expect(Array.from(w)).toEqual([0.3, -1.2, 2.5, 0.01]);
  });

  it('returns noiseOf of the 20 losses, θ’s own among them, or the rounding of the loss where that is larger', () => {
    const w = Float64Array.from([0.3, -1.2, 2.5, 0.01]);
    const { model, calls } = recorded({ w }, (flat) => sine(flat) + 1e-12 * Math.sin(1e6 * flat[0]!));
    const sigma = probe(model, calls);
    const losses = calls.map((c) => c.loss);
    losses.splice(9, 0, sine([0.3, -1.2, 2.5, 0.01]) + 1e-12 * Math.sin(3e5));
    const reading = noiseOf(losses);
    expect(reading.verdict).toBe('measured');
    if (reading.verdict !== 'measured') return;
    expect(sigma).toBe(Math.max(reading.sigma, (MACHINE_EPSILON.float64 / 2) * losses[9]!));
    // Without θ's loss, the 19 others read another σ.
    const without = noiseOf(calls.map((c) => c.loss));
    expect(without.verdict === 'measured' ? without.sigma : undefined).not.toBe(sigma);
  });

  it.each([
    [2 ** -16, 2, 64],
    [2 ** -10, 3, 4096],
  ])(
    'retries 64 times wider where the points were too close: a loss rounded to %d is read at the attempt %i',
    (q, attempts, widening) => {
      const w = Float64Array.from([0.3, -1.2, 2.5, 0.01]);
      const { model, calls } = recorded({ w }, (flat) => Math.round(sine(flat) / q) * q);
      const sigma = probe(model, calls)!;
      expect(calls).toHaveLength(19 * attempts);
      // Rounding to q is noise of deviation q/√12.
      expect(sigma).toBeGreaterThan((0.5 * q) / Math.sqrt(12));
      expect(sigma).toBeLessThan((2 * q) / Math.sqrt(12));
      expect(Math.abs(calls.at(-1)!.at[0]! - 0.3)).toBe(10 * widening * 2 ** -20);
    },
  );

  /** Kinks along w[0] at these distances from θ₀ = 0.3 (the first line, ±1.3e-5 along it, meets them), each bending the slope by `bend`. */
  const KINKS = [-9e-6, -4e-6, 3e-6, 7e-6];
  const kinked = (flat: number[], noise: (flat: number[]) => number): number =>
    sine(flat) +
    KINKS.reduce((s, k, i) => s + (i % 2 ? -1e-3 : 1e-3) * Math.max(0, flat[0]! - 0.3 - k), 0) +
    noise(flat);

  it('reads halfway, on a log scale, between a spacing too close and one too far: not a spacing read already', () => {
    // A loss rounded to 1e-3 with slope 2e4 along w: too far at 2⁻²⁰ (it moves by a third of itself along the
    // line), too close at 2⁻²⁶ (most points on one step), rounding noise at 2⁻²³ (2.4 steps a point).
    const w = Float64Array.from([1]);
    const { model, calls } = recorded({ w }, ([x]) => Math.round((1 + 2e4 * (x! - 1)) / 1e-3) * 1e-3);
    const sigma = probe(model, calls)!;
    expect(calls).toHaveLength(57);
    // The three lines' last points, 10 spacings from θ.
    expect([18, 37, 56].map((k) => Math.log2((calls[k]!.at[0]! - 1) / 10))).toEqual([-20, -26, -23]);
    // Rounding to 1e-3 is noise of deviation 1e-3/√12 = 2.9e-4.
    expect(sigma).toBeGreaterThan(1.5e-4);
    expect(sigma).toBeLessThan(6e-4);
    expect(Array.from(w)).toEqual([1]);
  });

  it('passes property GC_SEED=90’s net, 823525408, whose loss of 1.5e-10 moves in quanta of 7.1e-15 (too far at 2⁻²⁰, too close at 2⁻²⁶)', () => {
    const net = buildNet({
      sizes: [5, 2, 4, 3],
      loss: 'cross-entropy',
      examples: 1,
      lambda: 0,
      precision: 'float64',
      scale: 48.09283372816729,
      zeroExample: false,
      deadUnit: false,
      seed: 823525408,
    });
    expect(checkGradients(modelOf(net), net.X, net.Y).passed).toBe(true);
  });

  it('reads a closer line where the first one changes slope: kinks are no noise', () => {
    // Noise of up to 1e-12 drawn afresh at every point, under four kinks the first line meets.
    const w = Float64Array.from([0.3, -1.2, 2.5, 0.01]);
    const { model, calls } = recorded({ w }, (flat) => kinked(flat, (f) => 1e-12 * draw(f[0]!, f[1]!)));
    const sigma = probe(model, calls)!;
    // The first line read the kinks as σ = 1.3e-10. The second, 64 times closer, meets none: its slope is
    // steady on each side of θ (over the whole line, its thirds less a trend read off noise differ).
    expect(calls).toHaveLength(38);
    expect(Math.abs(calls.at(-1)!.at[0]! - 0.3)).toBe((10 * 2 ** -20) / 64);
    // (Noise uniform within ±1e-12 has a deviation of 5.8e-13.)
    expect(sigma).toBeGreaterThan(2e-13);
    expect(sigma).toBeLessThan(2e-12);
  });

  it('keeps the first reading where no closer line reads the noise at all', () => {
    // The loss of the test above, undefined within 5e-7 of θ₀ (θ itself aside; the first line keeps 9.5e-7 from it): the closer line ends at
    // its first point, and what the first line read (kinks and noise) stands, as before this rule.
    const w = Float64Array.from([0.3, -1.2, 2.5, 0.01]);
    const near = (x: number): boolean => x !== 0.3 && Math.abs(x - 0.3) < 5e-7;
    const { model, calls } = recorded({ w }, (flat) =>
      near(flat[0]!) ? NaN : kinked(flat, (f) => 1e-12 * draw(f[0]!, f[1]!)),
    );
    const sigma = probe(model, calls)!;
    expect(calls).toHaveLength(20);
    const losses = calls.slice(0, 19).map((c) => c.loss);
    losses.splice(
      9,
      0,
      kinked([0.3, -1.2, 2.5, 0.01], (f) => 1e-12 * draw(f[0]!, f[1]!)),
    );
    const first = noiseOf(losses);
    expect(first).toMatchObject({ verdict: 'measured' });
    expect(sigma).toBe(first.verdict === 'measured' ? first.sigma : NaN);
    expect(sigma).toBeGreaterThan(1e-11);
  });

  it('reads a float64 loss of float32 parameters at a float64 rounding, though θ’s loss (30) is a float32', () => {
    const v = Float32Array.from([0.3, -1.2, 2.5, 0.01]);
    const theta = Array.from(v);
    const { model, calls } = recorded({ v }, (flat) => 30 + (sine(flat) - sine(theta)));
    const sigma = probe(model, calls)!;
    expect(sigma).toBeGreaterThan(0);
    // A float32 rounding of 30 would be 1.8e-6.
    expect(sigma).toBeLessThan(1e-12);
  });

  it('lets a model’s error through, naming the probe, and restores every entry', () => {
    const w = Float64Array.from([0.3, -1.2, 2.5, 0.01]);
    const { model, calls } = recorded({ w }, (flat) => {
      if (flat[3] !== 0.01) throw new Error('out of range');
      return sine(flat);
    });
    expect(() => probe(model, calls)).toThrow(
      expect.objectContaining({
        code: 'MODEL_THREW',
        message: expect.stringMatching(
          /at θ \+ -9·δ along a random direction, to measure the loss's noise: out of range/,
        ),
      }),
    );
    expect(Array.from(w)).toEqual([0.3, -1.2, 2.5, 0.01]);
  });
});

describe('LossNoise.allowance', () => {
  const w = Float64Array.from([0.3, -1.2, 2.5, 0.01]);
  const noise = (f: (flat: number[]) => number, measure: boolean): [LossNoise, CheckSession] => {
    const { model, calls } = recorded({ w }, f);
    return inSession(model, calls, function* (session, steps) {
      const noise = new LossNoise(session, steps);
      if (measure) yield* noise.measure();
      return [noise, session] as [LossNoise, CheckSession];
    });
  };

  it('before a measurement: one rounding of the larger loss where settling, else the modelled allowance', () => {
    const [unmeasured] = noise(sine, false);
    expect(unmeasured.unmeasured).toBe(true);
    expect(unmeasured.allowance(1, -100, true)).toBe(MACHINE_EPSILON.float64 * 100);
    expect(unmeasured.allowance(-100, 1, true)).toBe(MACHINE_EPSILON.float64 * 100);
    expect(unmeasured.allowance(1, -100)).toBe(lossNoise(100, 'float64'));
  });

  it('where no measurement showed the noise (the loss undefined beside θ): the modelled allowance, settling or not', () => {
    const [unreadable] = noise((flat) => (flat[3] === 0.01 ? sine(flat) : NaN), true);
    expect(unreadable.unmeasured).toBe(false);
    expect(unreadable.measured).toBe(false);
    expect(unreadable.allowance(1, -100, true)).toBe(lossNoise(100, 'float64'));
    expect(unreadable.allowance(1, -100)).toBe(lossNoise(100, 'float64'));
  });

  it('once measured: 4 deviations of the noise measured, whatever the losses', () => {
    const [measured] = noise(sine, true);
    expect(measured.measured).toBe(true);
    expect(measured.allowance(1, -100, true)).toBe(measured.allowance(1e9, 0));
    expect(measured.allowance(1, 1)).toBeLessThan(1e-13);
  });
});

describe('LossNoise.saw', () => {
  const w = Float64Array.from([0.3, -1.2, 2.5, 0.01]);
  /** A loss that jumps by 1e-9 every 1e-4 along w[0]: the probe's first 20 points, 2⁻²⁰ apart, fall between two jumps. */
  const JUMP = 1e-9;
  const staircase = (flat: number[]): number => sine(flat) + JUMP * Math.floor(flat[0]! / 1e-4);
  /** `body` run on a measured LossNoise of `f`; returns it and the loss calls made by each `saw` of `body`. */
  const after = (
    f: (flat: number[]) => number,
    saws: readonly (readonly [number, number])[],
  ): [LossNoise, number[]] => {
    const { model, calls } = recorded({ w }, f);
    return inSession(model, calls, function* (session, steps) {
      const noise = new LossNoise(session, steps);
      yield* noise.measure();
      const made: number[] = [];
      for (const [shown, spacing] of saws) {
        const before = calls.length;
        yield* noise.saw(shown, spacing);
        made.push(calls.length - before);
      }
      return [noise, made] as [LossNoise, number[]];
    });
  };

  it('allows every later entry the noise an entry showed, without measuring again where it is within 4 × the allowance', () => {
    const [measured] = after(staircase, []);
    const allowed = measured.allowance(30, 30);
    expect(allowed).toBeLessThan(1e-13);
    const [noise, made] = after(staircase, [[4 * allowed, 2 ** -12]]);
    expect(made).toEqual([0]);
    expect(noise.allowance(30, 30)).toBe(4 * allowed);
  });

  it('measures again, once, at the spacing given where the noise shown is beyond 4 × the allowance: the jumps the probe fell between', () => {
    const [noise, made] = after(staircase, [
      [1e-12, 2 ** -12],
      [1e-6, 2 ** -12],
    ]);
    expect(made[0]).toBeGreaterThanOrEqual(19);
    // (1e-6 is far beyond 4 × the new allowance too: only the once-a-check rule stops a second measurement.)
    expect(made[1]).toBe(0);
    expect(noise.allowance(30, 30)).toBe(1e-6);
  });

  it('allows 4 deviations of the noise measured again: jumps of 1e-9 every 2.4 points 2⁻¹² apart read as 6.7e-10', () => {
    const [noise] = after(staircase, [[1e-12, 2 ** -12]]);
    // (1e-9/√12 is 2.9e-10.)
    expect(noise.allowance(30, 30)).toBeGreaterThan(4 * (JUMP / Math.sqrt(12)));
    expect(noise.allowance(30, 30)).toBeLessThan(4 * 4 * (JUMP / Math.sqrt(12)));
  });

  it('keeps the first measurement where the second shows nothing (the loss undefined along its line), and the noise shown', () => {
    const nearTheta = (flat: number[]): number => (Math.abs(flat[0]! - 0.3) < 1e-3 ? sine(flat) : NaN);
    const [noise, made] = after(nearTheta, [[1e-12, 2 ** -6]]);
    expect(made[0]).toBeGreaterThan(0);
    expect(noise.measured).toBe(true);
    expect(noise.allowance(30, 30)).toBe(1e-12);
  });
});

describe('LossNoise.confirm', () => {
  const w = Float64Array.from([0.3, -1.2, 2.5, 0.01]);
  /** Jumps of 1e-9 every 2e-5 along w[0]: the first line (19 points 2⁻²⁰ apart) meets one or two, the second (2⁻¹⁸ apart) about seven. */
  const JUMP = 1e-9;
  const staircase = (flat: number[]): number => sine(flat) + JUMP * Math.floor((flat[0]! - 0.29999) / 2e-5);
  /** `f`'s noise measured (unless `measured` is false), then `confirm` run `times`: the allowances before and after, what each confirm said, and the calls each made. */
  const confirmed = (
    f: (flat: number[]) => number,
    times: number,
    measured = true,
    tensors: Record<string, Float64Array | Float32Array> = { w },
  ): { before: number; after: number; said: boolean[]; made: Call[][] } => {
    const { model, calls } = recorded(tensors, f);
    return inSession(model, calls, function* (session, steps) {
      const noise = new LossNoise(session, steps);
      if (measured) yield* noise.measure();
      const before = noise.allowance(30, 30);
      const said: boolean[] = [],
        made: Call[][] = [];
      for (let k = 0; k < times; k++) {
        const from = calls.length;
        said.push(yield* noise.confirm());
        made.push(calls.slice(from));
      }
      return { before, after: noise.allowance(30, 30), said, made };
    });
  };

  it('measures again at 4 × the first spacing and keeps the larger deviation: jumps the first line nearly missed', () => {
    const { before, after, said, made } = confirmed(staircase, 1);
    expect(before).toBeLessThan(1e-13);
    expect(said).toEqual([true]);
    // Read exact at first and 10⁴ times that at the second line: a staircase, read at 16 and 64 × too.
    expect(made[0]).toHaveLength(3 * 19);
    // w[0]'s scale is w's root mean square, 1.39: the second line's points are 2⁻¹⁸ apart along it, then 2⁻¹⁶ and 2⁻¹⁴.
    expect(Math.abs(made[0]![18]!.at[0]! - 0.3) / 10).toBe(2 ** -18);
    expect(Math.abs(made[0]![37]!.at[0]! - 0.3) / 10).toBe(2 ** -16);
    expect(Math.abs(made[0]![56]!.at[0]! - 0.3) / 10).toBe(2 ** -14);
    // (1e-9/√12 is 2.9e-10: 4 deviations of it.)
    expect(after).toBeGreaterThan(4 * (JUMP / Math.sqrt(12)));
    expect(after).toBeLessThan(4 * 4 * (JUMP / Math.sqrt(12)));
  });

  it('reads no wider line where the first did not read the loss exact, or the second rose less than 1 000-fold', () => {
    // Noise of 1e-13 under the same jumps: the first line reads it (30 roundings of the loss, not exact).
    const noisy = (flat: number[]): number => staircase(flat) + 1e-13 * Math.sin(1e9 * flat[0]! + 1e7 * flat[1]!);
    const first = confirmed(noisy, 1);
    expect(first.before).toBeGreaterThan(4 * 4 * 30 * 1.2e-16);
    expect(first.said).toEqual([true]);
    expect(first.made[0]).toHaveLength(19);
    // Jumps of 1e-12: read exact at first, then about 100 times that.
    const small = (flat: number[]): number => sine(flat) + 1e-12 * Math.floor((flat[0]! - 0.29999) / 2e-5);
    const rise = confirmed(small, 1);
    expect(rise.before).toBeLessThan(4 * 30 * 1.2e-16);
    expect(rise.said).toEqual([true]);
    expect(rise.after).toBeLessThan(1000 * rise.before);
    expect(rise.made[0]).toHaveLength(19);
  });

  it('keeps only steady readings of a staircase at the wider spacings: the kinks a wider line crosses are no noise', () => {
    // The staircase above with five kinks 6e-5 … 1.4e-4 from θ along w[0]: beyond the second line (±3.8e-5), within the
    // third and fourth (±1.5e-4, ±6.1e-4).
    const kinks = [-1.3e-4, -7e-5, 6e-5, 9e-5, 1.4e-4];
    const bends = [2e-3, -3e-3, 4e-3, -2.5e-3, 3e-3];
    const kinked = (flat: number[]): number =>
      staircase(flat) + kinks.reduce((s, k, i) => s + bends[i]! * Math.max(0, flat[0]! - 0.3 - k), 0);
    const plain = confirmed(staircase, 1);
    const { after, said, made } = confirmed(kinked, 1);
    expect(said).toEqual([true]);
    expect(made[0]!.length).toBeGreaterThanOrEqual(3 * 19);
    expect(after).toBeLessThan(4 * 4 * (JUMP / Math.sqrt(12)));
    expect(after).toBeLessThanOrEqual(plain.after);
  });

  it('keeps the larger deviation where the second line bends only at θ: a kink every line through θ meets', () => {
    // The staircase above over a kink at θ itself (a ReLU input exactly 0 there: property seed 1076739260, GC_SEED=12,
    // whose cross-entropy cancels at a logit near 25 and rounds in steps of 1.2e-15; every line read as unsteady). Each side is one slope.
    const atTheta = (flat: number[]): number => staircase(flat) + 1e-2 * Math.max(0, flat[0]! - 0.3);
    const { before, after, said } = confirmed(atTheta, 1);
    expect(before).toBeLessThan(1e-13);
    expect(said).toEqual([true]);
    expect(after).toBeGreaterThan(4 * (JUMP / Math.sqrt(12)));
    expect(after).toBeLessThan(4 * 4 * (JUMP / Math.sqrt(12)));
  });

  it('confirms nothing in float32: a float32 loss reads at least its rounding, and its wider line meets kinks', () => {
    // The staircase above at float32 parameters, jumps of 1e-3 every 2e-2 along w[0] (the float32 first spacing is 2⁻¹⁰).
    const w32 = Float32Array.from([0.3, -1.2, 2.5, 0.01]);
    const stairs = (flat: number[]): number => Math.fround(sine(flat) + 1e-3 * Math.floor((flat[0]! - 0.29) / 2e-2));
    const { said, made } = confirmed(stairs, 1, true, { w: w32 });
    expect(said).toEqual([false]);
    expect(made[0]).toHaveLength(0);
  });

  it('runs once a check: a second confirm measures nothing and says nothing grew', () => {
    const { said, made } = confirmed(staircase, 2);
    expect(said).toEqual([true, false]);
    expect(made[1]).toHaveLength(0);
  });

  it('keeps the first deviation where the second reads no larger, and says so', () => {
    const plain = (flat: number[]): number => 30 + 1e-7 * Math.floor(flat[0]! / 1e-7) + flat[1]! * flat[2]!;
    const { before, after, said, made } = confirmed(plain, 1);
    expect(made[0]!.length).toBeGreaterThanOrEqual(19);
    expect(said).toEqual([false]);
    expect(after).toBe(before);
  });

  it('keeps the first deviation where the second line bends: kinks that would read as noise 500 × the real', () => {
    // Five kinks along w[0], 1.3e-5 … 3.4e-5 from θ (the first line, ±1e-5, meets none), over noise of 1e-12.
    const kinks = [-3.1e-5, -1.7e-5, 1.3e-5, 2.2e-5, 3.4e-5];
    const bends = [2e-3, -3e-3, 4e-3, -2.5e-3, 3e-3];
    const kinked = (flat: number[]): number =>
      sine(flat) +
      kinks.reduce((s, k, i) => s + bends[i]! * Math.max(0, flat[0]! - 0.3 - k), 0) +
      1e-12 * Math.sin(1e9 * (flat[0]! + flat[1]!));
    const { model, calls } = recorded({ w }, kinked);
    // What the second line reads without the steadiness its confirmation asks for.
    const plain = inSession(model, calls, (session, steps) => measureNoise(session, steps, 2 ** -18));
    const { before, after, said, made } = confirmed(kinked, 1);
    // (A first measurement at that spacing reads a closer line, which meets no kink: noise.ts, measureNoise.)
    expect(plain).toBeLessThan(before);
    expect(made[0]).toHaveLength(19);
    expect(said).toEqual([false]);
    expect(after).toBe(before);
  });

  it('measures nothing before the noise was measured', () => {
    const { said, made } = confirmed(staircase, 1, false);
    expect(said).toEqual([false]);
    expect(made[0]).toHaveLength(0);
  });
});

describe('the probe along one entry (own-line.ts)', () => {
  const w = Float64Array.from([0.3, -1.2, 2.5, 0.01]);
  const alongW = (k: number) => ({ flat: k, label: `w[${k}]` });
  /** The noise of terms fed by w[1] and w[2] only: a draw of 1e-9 × [−1, 1) from their bits, the same wherever only w[0] or w[3] moves. */
  const fedByOthers = (flat: number[]): number => sine(flat) + 1e-9 * draw(flat[1]!, flat[2]!);

  it('moves that entry alone, by t·δ, t = −9…10, δ a power of two at most 2⁻²⁰ of its scale', () => {
    const { model, calls } = recorded({ w }, sine);
    inSession(model, calls, (session, steps) => measureNoise(session, steps, undefined, false, alongW(2)));
    expect(calls).toHaveLength(19);
    // (w's root mean square is 1.39; w[2] = 2.5 is its own scale.)
    calls.forEach(({ at }, k) => expect(at).toEqual([0.3, -1.2, 2.5 + T[k]! * 2 ** -19, 0.01]));
  });

  it('reads the noise of the terms that entry feeds: one rounding of the loss along w[0], where the probe read the draw of w[1] and w[2]', () => {
    const { model, calls } = recorded({ w }, fedByOthers);
    expect(probe(model, calls)).toBeGreaterThan(1e-10);
    const own = inSession(model, calls, (session, steps) => measureNoise(session, steps, undefined, false, alongW(0)));
    // (Along w[0] the draw stands still: the line is the sine's, smooth, read at one rounding of θ's loss.)
    expect(own).toBe((MACHINE_EPSILON.float64 / 2) * fedByOthers([0.3, -1.2, 2.5, 0.01]));
  });

  it('names the entry at the points of its line where the model throws there, and restores it', () => {
    const { model, calls } = recorded({ w }, (flat) => {
      if (flat[0] !== 0.3) throw new Error('w[0] moved');
      return sine(flat);
    });
    expect(() =>
      inSession(model, calls, (session, steps) => measureNoise(session, steps, undefined, false, alongW(0))),
    ).toThrow(/at θ \+ -9·δ along w\[0\]/);
    expect(Array.from(w)).toEqual([0.3, -1.2, 2.5, 0.01]);
  });

  it('LossNoise.entryDeviation stands for the check’s σ while set: 4 deviations of it, whatever was measured or shown', () => {
    const { model, calls } = recorded({ w }, fedByOthers);
    const [before, during, after] = inSession(model, calls, function* (session, steps) {
      const noise = new LossNoise(session, steps);
      yield* noise.measure();
      yield* noise.saw(1e-6, 2 ** -12);
      const before = noise.allowance(30, 30);
      noise.entryDeviation = 1e-15;
      const during = noise.allowance(30, 30);
      noise.entryDeviation = undefined;
      return [before, during, noise.allowance(30, 30)];
    });
    expect(before).toBeGreaterThanOrEqual(1e-6);
    expect(during).toBe(4e-15);
    expect(after).toBe(before);
  });

  it('OwnLine.agreed judges w[0] again against its own line’s noise, then gives the check’s noise and the learned step back', () => {
    const failing: EntryEstimate = { numeric: 1.002, floor: 1e-3, step: 2 ** -7, errorEstimate: 1e-3 };
    const agreeing: EntryEstimate = { numeric: 1, floor: 1e-12, step: 2 ** -7, errorEstimate: 0 };
    const { model, calls } = recorded({ w }, fedByOthers);
    const [judged, [before, after], [during, learned]] = inSession(model, calls, function* (session, steps) {
      const noise = new LossNoise(session, steps);
      yield* noise.measure();
      steps.learn(0, 16);
      const allowed: number[] = [];
      const again = function* (): Generator<any, EntryEstimate, unknown> {
        allowed.push(noise.allowance(30, 30));
        steps.learn(0, 1);
        return agreeing;
      };
      const before = noise.allowance(30, 30);
      const judged = yield* new OwnLine(session, steps, noise, again).agreed(0, 0, 1, failing);
      return [judged, [before, noise.allowance(30, 30)], [...allowed, steps.learnedFactor(0)]] as const;
    });
    expect(judged).toBe(agreeing);
    expect(before).toBeGreaterThan(1e-10);
    // (Along w[0] the loss is the sine's, read at one rounding of θ's loss.)
    expect(during).toBeLessThan(1e-13);
    expect(after).toBe(before);
    expect(learned).toBe(16);
  });
});
