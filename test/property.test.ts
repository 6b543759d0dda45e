/**
 * The proof that the verdict can be trusted, as property tests over seeded random models
 * (test/helpers/mlp.ts): no false alarm on correct gradients, every planted bug caught, and the
 * diagnosis naming the kind of bug where the bug has one. Counts are printed.
 */
import { describe, expect, it } from 'vitest';
import {
  checkGradients,
  formatReport,
  GradcheckError,
  type CheckResult,
  type DiagnosisKind,
  type TensorResult,
} from '@gradcheck/core';
import { seededRandom } from '../packages/core/src/random.js';
import {
  BUG_KINDS,
  buildNet,
  chooseBug,
  difference,
  modelOf,
  randomSpec,
  type Bug,
  type BugKind,
  type Net,
  type Spec,
} from './helpers/mlp.js';

const CORRECT_MODELS = Number(process.env.GC_MODELS ?? 1200);
const MODELS_PER_BUG = Number(process.env.GC_BUGS ?? 100);
/** A bug counts as planted when it moves some tensor's gradient by at least this classic difference (a 1 % error moves it 0.005). */
const PLANTED = 0.004;
/** Shifts every seed: `GC_SEED=1 pnpm vitest run test/property.test.ts` draws other models. */
const SHIFT = Number(process.env.GC_SEED ?? 0);

const describeSpec = (s: Spec): string =>
  `sizes ${s.sizes.join('-')}, m ${s.examples}, ${s.loss}${s.lambda ? ` λ ${s.lambda.toExponential(1)}` : ''}, ${s.precision}, ` +
  `scale ${s.scale.toExponential(1)}${s.zeroExample ? ', zero example' : ''}${s.deadUnit ? ', dead unit' : ''}, seed ${s.seed}`;

/** The diagnosis each bug kind should get on the tensors it hits, where it has one. */
const EXPECTED: Partial<Record<BugKind, DiagnosisKind>> = {
  'missing-mean': 'scale',
  'bias-summed': 'scale',
  'sign-flip': 'sign',
  'scale-1pct': 'scale',
  'one-entry': 'isolated',
  'off-by-one-layer': 'zero',
  swapped: 'swapped',
  'transposed-gradient': 'transposed',
  'dropped-regulariser': 'regulariser',
};

/**
 * How far above the finite-difference resolution a bug's error must be to count as planted: its
 * root-mean-square over a tensor, each entry's error times max(1, |θ|) (the scale of the step),
 * at least this many times ε^(2/3)·|L|, the accuracy central differences can reach at all (|L|
 * here the magnitude of the terms the loss is computed from, see `lossScale`).
 */
const RESOLVABLE = 50;
/** A failing tensor's error must be this many times its noise for its diagnosis to be due. */
const CLEAR = 10;
/** The share of due diagnoses that must name the planted kind. */
const DIAGNOSED = 0.9;

/**
 * The tensors a bug changes measurably: by a classic difference ≥ {@link PLANTED}, above the
 * resolution, counting only entries where the loss is differentiable (a wrong value at a ReLU
 * kink is no bug a finite difference can see: the check reports such entries as excluded).
 */
function hit(
  net: Net,
  bugged: Record<string, Float64Array>,
  correct: Record<string, Float64Array>,
): { targets: string[]; belowResolution: boolean } {
  const smooth = (n: string, g: Float64Array): number[] => Array.from(g).filter((_, i) => !net.atKink(n, i));
  const changed = Object.keys(correct).filter(
    (n) => difference(smooth(n, bugged[n]!), smooth(n, correct[n]!)) >= PLANTED,
  );
  const eps = net.spec.precision === 'float32' ? 2 ** -23 : 2 ** -52;
  const resolution = RESOLVABLE * eps ** (2 / 3) * net.lossScale();
  const targets = changed.filter((n) => {
    const theta = n.startsWith('W') ? net.W[Number(n.slice(1)) - 1]! : net.b[Number(n.slice(1)) - 1]!;
    let sum = 0;
    bugged[n]!.forEach((v, i) => {
      if (!net.atKink(n, i)) sum += ((v - correct[n]![i]!) * Math.max(1, Math.abs(theta[i]!))) ** 2;
    });
    return Math.sqrt(sum / theta.length) >= resolution;
  });
  return { targets, belowResolution: changed.length > 0 && targets.length === 0 };
}

describe('no false alarms on correct gradients', () => {
  it(`passes ${CORRECT_MODELS} random correct models (float64 and float32, scales 1e-3…1e4, kinks, dead units, three losses)`, () => {
    const random = seededRandom(5001 + 7919 * SHIFT);
    const alarms: string[] = [];
    const tally = {
      float64: 0,
      float32: 0,
      withKinks: 0,
      kinks: 0,
      zeroExample: 0,
      deadUnit: 0,
      losses: {} as Record<string, number>,
    };
    for (let n = 0; n < CORRECT_MODELS; n++) {
      const spec = randomSpec(random);
      const net = buildNet(spec);
      const result = checkGradients(modelOf(net), net.X, net.Y);
      tally[spec.precision]++;
      tally.losses[spec.loss] = (tally.losses[spec.loss] ?? 0) + 1;
      if (spec.zeroExample) tally.zeroExample++;
      if (spec.deadUnit) tally.deadUnit++;
      if (result.kinks.count) {
        tally.withKinks++;
        tally.kinks += result.kinks.count;
      }
      if (!result.passed) alarms.push(`${describeSpec(spec)}\n${formatReport(result)}`);
    }
    console.log(
      `correct models: ${CORRECT_MODELS} checked, ${alarms.length} false alarms ` +
        `(float64 ${tally.float64}, float32 ${tally.float32}; losses ${JSON.stringify(tally.losses)}; ` +
        `${tally.zeroExample} with an all-zero example, ${tally.deadUnit} with a dead unit; ` +
        `${tally.withKinks} models had ${tally.kinks} entries excluded as kinks)`,
    );
    expect(alarms.slice(0, 3)).toEqual([]);
  });
});

describe('every planted bug caught, and diagnosed where it has a kind', () => {
  const summary: string[] = [];

  it.each(BUG_KINDS)('%s', (kind) => {
    const random = seededRandom(7000 + BUG_KINDS.indexOf(kind) + 7919 * SHIFT);
    const misses: string[] = [],
      misdiagnosed: string[] = [];
    let planted = 0,
      tries = 0,
      diagnosed = 0,
      notDue = 0,
      refused = 0;
    const below = { float64: 0, float32: 0 },
      plantedBy = { float64: 0, float32: 0 };
    while (planted < MODELS_PER_BUG) {
      if (++tries > 20 * MODELS_PER_BUG) throw new Error(`could not plant ${kind} in ${MODELS_PER_BUG} models`);
      const spec = randomSpec(random, kind);
      const net = buildNet(spec);
      const bug: Bug | undefined = chooseBug(net, kind, random);
      if (
        !bug ||
        bug.kind !== kind ||
        ([
          'sign-flip',
          'scale-1pct',
          'one-entry',
          'dropped-regulariser',
          'transposed-gradient',
          'transposed-weight',
          'swapped',
        ].includes(kind) &&
          !bug.tensor)
      )
        continue;
      const correct = net.gradients();
      const bugged = net.gradients(bug);
      const { targets, belowResolution } = hit(net, bugged, correct);
      if (belowResolution) below[spec.precision]++;
      if (targets.length === 0) continue; // the bug changes nothing here (dead paths, kinks), or less than finite differences can see
      planted++;
      plantedBy[spec.precision]++;
      let result: CheckResult;
      try {
        result = checkGradients(modelOf(net, bug), net.X, net.Y);
      } catch (error) {
        // A bug that overflows the gradient (×z at scale 1e4, stored in float32) is refused loudly.
        if (error instanceof GradcheckError && error.code === 'NON_FINITE_GRADIENT') {
          refused++;
          continue;
        }
        throw error;
      }
      // Caught: the check fails, and blames only tensors whose gradient the bug changed.
      const failed = result.tensors.filter((t) => !t.passed).map((t) => t.name);
      const changedAtAll = (n: string): boolean => bugged[n]!.some((v, i) => v !== correct[n]![i]);
      if (result.passed || !failed.every(changedAtAll)) {
        misses.push(
          `${describeSpec(spec)} bug ${JSON.stringify(bug)} hits ${targets.join(', ')}\n${formatReport(result)}`,
        );
        continue;
      }
      const expected = EXPECTED[kind];
      if (!expected) continue;
      // Entries the correct model's own check finds not differentiable within the step give
      // kink-contaminated numeric gradients, which no pattern fits: no diagnosis is due there.
      const clean = new Set(
        checkGradients(modelOf(net), net.X, net.Y, { taylor: false })
          .tensors.filter((t) => t.kinks === 0)
          .map((t) => t.name),
      );
      // A factor on all entries and a single wrong entry look alike when one entry carries the
      // tensor's whole gradient: tell them apart only with three entries of some size.
      const identifiable = (t: TensorResult): boolean => {
        if (kind !== 'scale-1pct' && kind !== 'one-entry') return true;
        const g = correct[t.name]!,
          largest = g.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
        return g.filter((v) => Math.abs(v) >= 0.1 * largest).length >= 3;
      };
      const involved = (name: string): string[] => (kind === 'swapped' ? [bug.tensor!, bug.other!] : [name]);
      // The diagnosis is due where a hit tensor failed with enough entries to show the pattern and
      // an error that stands clear of the finite-difference noise.
      const due = result.tensors.filter(
        (t) =>
          targets.includes(t.name) &&
          !t.passed &&
          t.errorNorm >= CLEAR * t.noiseNorm &&
          involved(t.name).every((n) => clean.has(n)) &&
          identifiable(t) &&
          (t.checked - t.kinks >= 3 ||
            ['off-by-one-layer', 'swapped', 'missing-mean', 'bias-summed', 'sign-flip'].includes(kind)),
      );
      // With the data term of a gradient exactly 0, a dropped L2 term leaves it exactly 0: "zero" is exact too.
      const allZero = (name: string): boolean => {
        const largest = correct[name]!.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
        return bugged[name]!.every((v) => Math.abs(v) <= 1e-9 * largest);
      };
      const right = due.every(
        (t) =>
          (t.diagnosis?.kind === expected ||
            (kind === 'dropped-regulariser' && allZero(t.name) && t.diagnosis?.kind === 'zero')) &&
          (kind === 'missing-mean' || kind === 'bias-summed' ? t.diagnosis!.examples === spec.examples : true) &&
          (kind === 'swapped' ? t.diagnosis!.other === (t.name === bug.tensor ? bug.other : bug.tensor) : true),
      );
      if (due.length === 0) notDue++;
      else if (right) diagnosed++;
      else misdiagnosed.push(`${describeSpec(spec)} bug ${JSON.stringify(bug)}\n${formatReport(result)}`);
    }
    let line =
      `${kind}: ${planted} planted (float64 ${plantedBy.float64}, float32 ${plantedBy.float32}), ` +
      `${planted - misses.length} caught${refused ? ` (${refused} of them refused as a non-finite gradient)` : ''}, ${misses.length} missed` +
      (EXPECTED[kind]
        ? `; diagnosis "${EXPECTED[kind]}" right in ${diagnosed} of ${planted - misses.length - notDue} ` +
          `(not due in ${notDue}: kinks, noise or too few entries to show the pattern)`
        : '');
    line += `; not counted: ${below.float64 + below.float32} below the finite-difference resolution (float32 ${below.float32})`;
    summary.push(line);
    console.log(line);
    expect(misses.slice(0, 2)).toEqual([]);
    // The diagnosis is a pattern fit on noisy numbers: it must name the right kind in at least
    // 90 % of the cases where it is due (measured over four seeds × 300 bugs per kind: 98–100 %
    // for every kind but swaps, 94–96 % for swaps).
    const due = diagnosed + misdiagnosed.length;
    if (diagnosed < DIAGNOSED * due) expect(misdiagnosed.slice(0, 2)).toEqual([]);
  });
});
