/**
 * Layer checks can be trusted: over seeded random layers (dense, convolution with random stride
 * and padding, max pooling, batch normalisation, elementwise activations, a two-input op, a
 * two-output layer; test/helpers/layers.ts), no false alarm on a correct backward, and every bug
 * planted in dX or in a weight gradient caught, on the tensor it is in; the same with float32
 * weights and inputs, and in directional mode. Counts are printed.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, formatReport, GradcheckError, type CheckResult, type Layer } from '@gradcheck/core';
import { seededRandom } from '@gradcheck/core/internal';
import { BUGS, LAYER_KINDS, randomLayer, type Case, type LayerKind, type T } from './helpers/layers.js';

const CORRECT_PER_KIND = Number(process.env.GC_LAYERS ?? 60);
const PER_BUG = Number(process.env.GC_LAYER_BUGS ?? 25);
const DIRECTIONAL_PER_BUG = Number(process.env.GC_LAYER_DIRECTIONAL ?? 10);
const FLOAT32_PER_BUG = Number(process.env.GC_LAYER_FLOAT32 ?? 10);
/** Shifts every seed: `GC_SEED=1 pnpm exec vitest run test/layers.property.test.ts` draws other layers. */
const SHIFT = Number(process.env.GC_SEED ?? 0);
/** A bug counts as planted in a tensor when it moves its gradient by at least this classic difference. */
const PLANTED = 1e-3;

const isT = (v: unknown): v is T => typeof v === 'object' && v !== null && 'data' in v && 'shape' in v;

/** A Gaussian cotangent shaped like the layer's output (a record of them for a record output). */
function cotangentFor(output: unknown, seed: number): unknown {
  const rng = seededRandom(seed);
  const like = (t: T): T => ({ data: t.data.map(() => rng.gaussian()), shape: [...t.shape] });
  if (isT(output)) return like(output);
  return Object.fromEntries(Object.entries(output as Record<string, T>).map(([k, t]) => [k, like(t)]));
}

/** backward's gradients by tensor name (`dX` → `X`; a bare tensor is X's), as flat arrays. */
function gradientsOf(layer: Layer, X: unknown, dY: unknown): Map<string, Float64Array> {
  layer.forward(X);
  const g = layer.backward(dY, X) as unknown;
  if (isT(g)) return new Map([['X', g.data]]);
  return new Map(Object.entries(g as Record<string, T>).map(([k, t]) => [k.replace(/^d/, ''), t.data]));
}

const classic = (a: Float64Array, b: Float64Array): number => {
  let e = 0,
    na = 0,
    nb = 0;
  a.forEach((x, i) => {
    e += (x - b[i]!) ** 2;
    na += x * x;
    nb += b[i]! ** 2;
  });
  return na + nb === 0 ? 0 : Math.sqrt(e) / (Math.sqrt(na) + Math.sqrt(nb));
};

/**
 * How far above float32 resolution a bug's error must be to count as planted (the rule of
 * test/property.test.ts): its root-mean-square over a tensor, each entry's error times
 * max(1, |θ|), at least this many times ε^(2/3) times the magnitude of the terms of ⟨R, Y⟩.
 */
const RESOLVABLE = 50;
const FLOAT32_RESOLUTION = (2 ** -23) ** (2 / 3);

/** The layer's tensors by name (its parameters, and X or the record of inputs), as flat arrays. */
function tensorsOf(c: Case): Map<string, ArrayLike<number>> {
  const all = new Map<string, ArrayLike<number>>();
  for (const [name, t] of Object.entries((c.layer.parameters ?? {}) as Record<string, T>)) all.set(name, t.data);
  if (isT(c.X)) all.set('X', c.X.data);
  else for (const [name, t] of Object.entries(c.X as Record<string, T>)) all.set(name, t.data);
  return all;
}

/** Σ|Rᵢ·Yᵢ|: the magnitude of the terms of ⟨R, Y⟩. */
function termMagnitude(output: unknown, dY: unknown): number {
  const parts = (v: unknown): T[] => (isT(v) ? [v] : Object.values(v as Record<string, T>));
  const r = parts(dY);
  return parts(output).reduce((s, y, k) => s + y.data.reduce((a, v, i) => a + Math.abs(v * r[k]!.data[i]!), 0), 0);
}

/**
 * The tensors whose gradient the bug moves by at least {@link PLANTED} at this draw: the second
 * call of the buggy backward (so that accumulation shows) against the correct one. In float32,
 * only where the error is above the resolution of finite differences at all ({@link RESOLVABLE}).
 */
function plantedIn(
  kind: LayerKind,
  bug: string,
  seed: number,
  precision: 'float64' | 'float32' = 'float64',
  resolutionRule = true,
): string[] {
  const buggy = randomLayer(kind, bug, seededRandom(seed), true, precision);
  const reference = randomLayer(kind, bug, seededRandom(seed), false, precision);
  const output = reference.layer.forward(reference.X);
  const dY = cotangentFor(output, seed + 1);
  gradientsOf(buggy.layer, buggy.X, dY);
  const wrong = gradientsOf(buggy.layer, buggy.X, dY);
  const right = gradientsOf(reference.layer, reference.X, dY);
  const theta = tensorsOf(reference);
  const resolution = RESOLVABLE * FLOAT32_RESOLUTION * termMagnitude(output, dY);
  const resolvable = (name: string, g: Float64Array): boolean => {
    if (precision === 'float64' || !resolutionRule) return true;
    const w = wrong.get(name)!,
      t = theta.get(name)!;
    const ms = g.reduce((s, v, i) => s + ((v - w[i]!) * Math.max(1, Math.abs(t[i]!))) ** 2, 0) / g.length;
    return Math.sqrt(ms) >= resolution;
  };
  return [...right]
    .filter(([name, g]) => classic(g, wrong.get(name)!) >= PLANTED && resolvable(name, g))
    .map(([name]) => name);
}

const failingTensors = (r: CheckResult): string[] => r.tensors.filter((t) => !t.passed).map((t) => t.name);
const show = (c: Case, seed: number, r: CheckResult): string =>
  `${c.describe} (${c.bug}, seed ${seed})\n${formatReport(r)}`;

describe('layer checks over random layers', () => {
  it(`never fail a correct backward (${CORRECT_PER_KIND} random layers of each of ${LAYER_KINDS.length} kinds)`, () => {
    const alarms: string[] = [];
    const counts: string[] = [];
    let inputs = 0;
    for (const kind of LAYER_KINDS) {
      let passed = 0;
      for (let n = 0; n < CORRECT_PER_KIND; n++) {
        const seed = 1000 * (LAYER_KINDS.indexOf(kind) + 1) + n + SHIFT * 100_000;
        const c = randomLayer(kind, 'none', seededRandom(seed));
        const r = checkGradients(c.layer, c.X, { seed });
        if (r.passed) passed++;
        else alarms.push(show(c, seed, r));
        inputs += r.inputs?.names.length ?? 0;
      }
      counts.push(`${kind} ${passed}/${CORRECT_PER_KIND}`);
    }
    console.log(`correct layers passed: ${counts.join(', ')}; ${inputs} input tensors checked`);
    expect(alarms, alarms.slice(0, 3).join('\n\n')).toEqual([]);
  });

  it(`catch every planted bug in dX and in weight gradients, on the tensor it is in (${PER_BUG} random layers per bug)`, () => {
    const missed: string[] = [];
    const rows: string[] = [];
    let caught = 0,
      planted = 0,
      notPlanted = 0;
    for (const kind of LAYER_KINDS) {
      for (const bug of BUGS[kind]) {
        let bugCaught = 0,
          bugPlanted = 0;
        for (let n = 0; n < PER_BUG; n++) {
          const seed =
            7_000_000 + 1000 * BUGS[kind].indexOf(bug) + 50_000 * LAYER_KINDS.indexOf(kind) + n + SHIFT * 100_000;
          const expected = plantedIn(kind, bug, seed);
          if (expected.length === 0) {
            notPlanted++;
            continue;
          }
          bugPlanted++;
          const c = randomLayer(kind, bug, seededRandom(seed));
          let r: CheckResult;
          try {
            r = checkGradients(c.layer, c.X, { seed });
          } catch (error) {
            // A gradient that accumulates across calls is caught before any entry is compared.
            if (error instanceof GradcheckError && error.code === 'NONDETERMINISTIC_GRADIENT') {
              bugCaught++;
              continue;
            }
            throw error;
          }
          const failing = failingTensors(r);
          if (!r.passed && expected.every((t) => failing.includes(t))) bugCaught++;
          else missed.push(`expected ${expected.join(', ')} to fail\n${show(c, seed, r)}`);
        }
        caught += bugCaught;
        planted += bugPlanted;
        rows.push(`${kind}/${bug} ${bugCaught}/${bugPlanted}`);
      }
    }
    console.log(
      `planted bugs caught: ${caught}/${planted} (${notPlanted} draws where the bug changed nothing, skipped)\n  ${rows.join('\n  ')}`,
    );
    expect(planted).toBeGreaterThan(0.8 * PER_BUG * Object.values(BUGS).flat().length);
    expect(missed, missed.slice(0, 3).join('\n\n')).toEqual([]);
  });

  it(`float32 weights and inputs: no false alarm, every planted bug caught (${FLOAT32_PER_BUG} layers per bug and kind)`, () => {
    const alarms: string[] = [],
      missed: string[] = [];
    let correct = 0,
      caught = 0,
      planted = 0,
      belowResolution = 0;
    for (const kind of LAYER_KINDS) {
      for (let n = 0; n < FLOAT32_PER_BUG; n++) {
        const seed = 5_000_000 + 1000 * LAYER_KINDS.indexOf(kind) + n + SHIFT * 100_000;
        const c = randomLayer(kind, 'none', seededRandom(seed), true, 'float32');
        const r = checkGradients(c.layer, c.X, { seed });
        expect(r.precision).toBe('float32');
        if (r.passed) correct++;
        else alarms.push(show(c, seed, r));
      }
      for (const bug of BUGS[kind]) {
        for (let n = 0; n < FLOAT32_PER_BUG; n++) {
          const seed =
            11_000_000 + 1000 * BUGS[kind].indexOf(bug) + 50_000 * LAYER_KINDS.indexOf(kind) + n + SHIFT * 100_000;
          if (plantedIn(kind, bug, seed, 'float32').length === 0) {
            if (plantedIn(kind, bug, seed, 'float32', false).length > 0) belowResolution++;
            continue;
          }
          planted++;
          const c = randomLayer(kind, bug, seededRandom(seed), true, 'float32');
          try {
            const r = checkGradients(c.layer, c.X, { seed });
            if (!r.passed) caught++;
            else missed.push(show(c, seed, r));
          } catch (error) {
            if (!(error instanceof GradcheckError && error.code === 'NONDETERMINISTIC_GRADIENT')) throw error;
            caught++;
          }
        }
      }
    }
    console.log(
      `float32: correct layers passed ${correct}/${FLOAT32_PER_BUG * LAYER_KINDS.length}, planted bugs caught ${caught}/${planted} ` +
        `(not counted: ${belowResolution} below the finite-difference resolution of float32)`,
    );
    expect(alarms, alarms.slice(0, 3).join('\n\n')).toEqual([]);
    expect(missed, missed.slice(0, 3).join('\n\n')).toEqual([]);
  });

  it(`directional checks (3 directions): no false alarm, every planted bug caught (${DIRECTIONAL_PER_BUG} layers per bug and kind)`, () => {
    const options = (seed: number) => ({ seed, mode: 'directional' as const, directions: 3 });
    const alarms: string[] = [],
      missed: string[] = [];
    let correct = 0,
      caught = 0,
      planted = 0;
    for (const kind of LAYER_KINDS) {
      for (let n = 0; n < DIRECTIONAL_PER_BUG; n++) {
        const seed = 3_000_000 + 1000 * LAYER_KINDS.indexOf(kind) + n + SHIFT * 100_000;
        const c = randomLayer(kind, 'none', seededRandom(seed));
        const r = checkGradients(c.layer, c.X, options(seed));
        if (r.passed) correct++;
        else alarms.push(show(c, seed, r));
      }
      for (const bug of BUGS[kind]) {
        for (let n = 0; n < DIRECTIONAL_PER_BUG; n++) {
          const seed =
            9_000_000 + 1000 * BUGS[kind].indexOf(bug) + 50_000 * LAYER_KINDS.indexOf(kind) + n + SHIFT * 100_000;
          if (plantedIn(kind, bug, seed).length === 0) continue;
          planted++;
          const c = randomLayer(kind, bug, seededRandom(seed));
          try {
            const r = checkGradients(c.layer, c.X, options(seed));
            if (!r.passed) caught++;
            else missed.push(show(c, seed, r));
          } catch (error) {
            if (!(error instanceof GradcheckError && error.code === 'NONDETERMINISTIC_GRADIENT')) throw error;
            caught++;
          }
        }
      }
    }
    console.log(
      `directional: correct layers passed ${correct}/${DIRECTIONAL_PER_BUG * LAYER_KINDS.length}, planted bugs caught ${caught}/${planted}`,
    );
    expect(alarms, alarms.slice(0, 3).join('\n\n')).toEqual([]);
    expect(missed, missed.slice(0, 3).join('\n\n')).toEqual([]);
  });
});
