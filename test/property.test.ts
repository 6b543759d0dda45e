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
  type EntryResult,
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
import { blamed, flatIndex } from './helpers/blamed.js';
import { typicalQuotientError, VISIBLE } from './helpers/fd-error.js';

const CORRECT_MODELS = Number(process.env.GC_MODELS ?? 1200);
const MODELS_PER_BUG = Number(process.env.GC_BUGS ?? 100);
/** A bug counts as planted when it moves some tensor's gradient by at least this classic difference (a 1 % error moves it 0.005). */
const PLANTED = 0.004;
/** Shifts every seed: `GC_SEED=1 pnpm vitest run test/property.test.ts` draws other models. */
const SHIFT = Number(process.env.GC_SEED ?? 0);

const describeSpec = (s: Spec): string =>
  `sizes ${s.sizes.join('-')}, m ${s.examples}, ${s.loss}${s.lambda ? ` λ ${s.lambda.toExponential(1)}` : ''}, ${s.precision}, ` +
  `scale ${s.scale.toExponential(1)}${s.zeroExample ? ', zero example' : ''}${s.deadUnit ? ', dead unit' : ''}, seed ${s.seed}`;

/** The exact spec on a line of its own, after a failure's first line: what a test needs to pin the draw. */
const exactSpec = (s: Spec): string => `\n  exact spec: ${JSON.stringify(s)}`;

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
/**
 * The number of examples a missing mean should be named with: m, unless X (n₀ × m) and Y (n_L × m)
 * share another size, which leaves the examples' axis ambiguous (then the factor is given alone).
 */
function examplesOf(spec: Spec): number | undefined {
  const outputs = spec.sizes[spec.sizes.length - 1]!;
  const shared = new Set([spec.sizes[0]!, spec.examples].filter((d) => d > 1 && [outputs, spec.examples].includes(d)));
  return shared.size === 1 ? spec.examples : undefined;
}

/** A tensor's bug must be this many times the resolution for its diagnosis to be due. */
const CLEAR = 10;
/** Bug kinds planted in one tensor (a draw without one is redrawn). */
const ONE_TENSOR: readonly BugKind[] = [
  'sign-flip',
  'scale-1pct',
  'one-entry',
  'dropped-regulariser',
  'transposed-gradient',
  'transposed-weight',
  'swapped',
];
/** Bug kinds whose pattern shows on fewer than three entries. */
const FEW_ENTRIES_SUFFICE: readonly BugKind[] = [
  'off-by-one-layer',
  'swapped',
  'missing-mean',
  'bias-summed',
  'sign-flip',
];

/** `[i,j]` of flat entry `index` of tensor `name` as the report labels it (W is rows × columns). */
function formatEntry(net: Net, name: string, index: number): string {
  const l = Number(name.slice(1));
  if (!name.startsWith('W')) return `[${index}]`;
  const cols = net.spec.sizes[l - 1]!;
  return `[${Math.floor(index / cols)},${index % cols}]`;
}
/** The share of due diagnoses that must name the planted kind. */
const DIAGNOSED = 0.9;

/** The documented default tolerances (a result states the one it used; the test checks they agree). */
const TOLERANCE = { float64: 1e-6, float32: 1e-3 } as const;

/** What a bug does to one tensor's gradient, measured on the gradients themselves (never by the check). */
interface Effect {
  readonly name: string;
  /** Classic difference between the bugged and the correct gradient, over entries off any kink. */
  readonly difference: number;
  /** The bug's error (RMS over those entries, each × max(1, |θ|)) over the finite-difference resolution. */
  readonly overResolution: number;
  /** Entries off any kink the bug changed where the loss cannot show the change ({@link slopeHidden}). */
  readonly hidden: number;
}

/**
 * What a bug does to each tensor, counting only entries where the loss is differentiable (a wrong
 * value at a ReLU kink is no bug a finite difference can see: the check reports such entries as
 * excluded) and where the loss can show the bug's change of slope ({@link slopeHidden}). The resolution is {@link RESOLVABLE} × ε^(2/3)·|L|, the accuracy central differences
 * can reach at all (|L| here the magnitude of the terms the loss is computed from, see `lossScale`).
 */
function effects(net: Net, bugged: Record<string, Float64Array>, correct: Record<string, Float64Array>): Effect[] {
  const eps = net.spec.precision === 'float32' ? 2 ** -23 : 2 ** -52;
  const resolution = RESOLVABLE * eps ** (2 / 3) * net.lossScale();
  return Object.keys(correct).map((name) => {
    const change = (i: number): number => bugged[name]![i]! - correct[name]![i]!;
    const hidden = new Set(
      Array.from(correct[name]!.keys()).filter(
        (i) => !net.atKink(name, i) && change(i) !== 0 && slopeHidden(net, name, i, change(i)),
      ),
    );
    const seen = (i: number): boolean => !net.atKink(name, i) && !hidden.has(i);
    const smooth = (g: Float64Array): number[] => Array.from(g).filter((_, i) => seen(i));
    const theta = name.startsWith('W') ? net.W[Number(name.slice(1)) - 1]! : net.b[Number(name.slice(1)) - 1]!;
    let sum = 0;
    bugged[name]!.forEach((v, i) => {
      if (seen(i)) sum += ((v - correct[name]![i]!) * Math.max(1, Math.abs(theta[i]!))) ** 2;
    });
    return {
      name,
      difference: difference(smooth(bugged[name]!), smooth(correct[name]!)),
      overResolution: Math.sqrt(sum / theta.length) / resolution,
      hidden: hidden.size,
    };
  });
}

/**
 * Whether no difference of the loss as computed can measure the slope of entry `index` of
 * `tensor`: the gradient holds only within ±w of θ (the net has a ReLU kink within w, from its own
 * structure), and over that window the loss moves |slope|·w, less than one rounding of it (ε·|L|):
 * w is that rounding over |slope| (until stop 30 the power of two at or below it, which called two
 * W2 entries whose loss moves 0.8 of a rounding before their kinks visible: GC_SEED=24, 589519274).
 * Any wider step crosses the kink, any narrower one sees the loss stand still or move by a rounding. A check can
 * only fail such an entry where it is right (as it must fail a forgotten ReLU mask, whose loss
 * never moves at the gradient's slope either): a correct model failed on such entries alone is
 * counted and printed apart from the false alarms. Nor can it see a bug that changes the slope by
 * less than that (as at a kink, {@link effects}).
 */
function slopeHidden(net: Net, tensor: string, index: number, slope: number): boolean {
  // A slope of 0 shows as a loss that stands still within any step short of the nearest kink: hidden only at one.
  if (slope === 0) return net.atKink(tensor, index);
  const rounding = (net.spec.precision === 'float32' ? 2 ** -24 : 2 ** -53) * net.lossScale();
  // The widest w with |slope|·w at most a rounding (kinkWithin grows with w).
  return net.kinkWithin(tensor, index, Math.min(256, rounding / Math.abs(slope)));
}

/** {@link slopeHidden} for an entry of a result. */
function unresolvable(net: Net, entry: EntryResult): boolean {
  return slopeHidden(net, entry.tensor, flatIndexIn(net, entry), entry.analytic);
}

/** The index of a result's entry in its tensor's flat data. */
function flatIndexIn(net: Net, entry: EntryResult): number {
  const parameter = net.parameters[entry.tensor]!;
  return flatIndex('shape' in parameter ? parameter.shape : [parameter.length], entry);
}

/**
 * Whether a check of a correct `net` failed only because it left out more entries as kinks than a
 * check may (findings.ts: at least 8 and over a quarter, a failure issue 9 asks for), with no entry
 * failing its comparison and every entry it left out sitting within its step of a kink of the net
 * ({@link Net.kinkWithin}, the net's own structure): a finding as designed, counted apart from false
 * alarms. The entries are read from the same check listing every entry, kinks among them.
 */
function failedOnKinksAlone(net: Net, result: CheckResult): boolean {
  const findings = result.findings ?? [];
  if (result.passed || findings.length === 0 || !findings.every((f) => / were left out as kinks/.test(f))) return false;
  if (result.tensors.some((t) => t.failing > 0)) return false;
  // (Entries at kinks are listed with kinks: 'fail'.)
  const all = checkGradients(modelOf(net), net.X, net.Y, { worst: result.parameters, kinks: 'fail' }).worst;
  const left = all.filter((e) => e.kink);
  return left.length === result.kinks.count && left.every((e) => net.kinkWithin(e.tensor, flatIndexIn(net, e), e.step));
}

/**
 * How a check of a correct `net` ended: passed; failed only for the entries it left out as kinks
 * ({@link failedOnKinksAlone}, a finding as designed); failed only on entries whose slope the loss cannot
 * show ({@link unresolvable}); or a false alarm. The last two are counted apart from each other.
 */
function correctVerdict(net: Net, result: CheckResult): 'passed' | 'kinks' | 'unresolved' | 'alarm' {
  if (result.passed) return 'passed';
  if (failedOnKinksAlone(net, result)) return 'kinks';
  return blamed(result)?.every((e) => unresolvable(net, e)) ? 'unresolved' : 'alarm';
}

/**
 * Caught: the check of `net` with `bug` fails on a tensor whose gradient the bug changed, and every
 * other tensor it fails fails only on entries whose slope the loss cannot show ({@link unresolvable}:
 * a correct gradient a check may fail there, as the correct-models test counts apart from false
 * alarms), or fails in `clean` too, the check of the same net without the bug: that failure is the
 * draw's own false alarm, counted with the correct models, not a bug missed. Those entries are read
 * from the same check listing every entry.
 */
function caught(
  net: Net,
  bug: Bug,
  result: CheckResult,
  bugged: Record<string, Float64Array>,
  correct: Record<string, Float64Array>,
  clean?: CheckResult,
): boolean {
  const changed = (name: string): boolean => bugged[name]!.some((v, i) => v !== correct[name]![i]);
  const failsWithout = (name: string): boolean => clean?.tensors.some((t) => t.name === name && !t.passed) ?? false;
  const failed = result.tensors.filter((t) => !t.passed);
  if (result.passed || !failed.some((t) => changed(t.name))) return false;
  const unchanged = failed.filter((t) => !changed(t.name) && !failsWithout(t.name));
  if (unchanged.length === 0) return true;
  const all = checkGradients(modelOf(net, bug), net.X, net.Y, { worst: result.parameters }).worst;
  return unchanged.every((t) => {
    const entries = all.filter((e) => e.tensor === t.name && e.excess > 1 && !e.kink);
    return entries.length > 0 && entries.length === t.failing && entries.every((e) => unresolvable(net, e));
  });
}

/**
 * Whether central differences can see a bug at all: some entry it changes, away from a kink, is off
 * by at least {@link VISIBLE} × the error they actually make there at their best step size
 * (`typicalQuotientError`, against the correct gradient). Asked only of a bug the check missed.
 */
function seenByCentralDifferences(
  net: Net,
  bugged: Record<string, Float64Array>,
  correct: Record<string, Float64Array>,
): boolean {
  return Object.entries(correct).some(([name, g]) => {
    const tensor = net.parameters[name]!;
    const data = ArrayBuffer.isView(tensor) ? tensor : tensor.data;
    return Array.from(g.keys()).some((i) => {
      const error = Math.abs(bugged[name]![i]! - g[i]!);
      return error > 0 && !net.atKink(name, i) && error >= VISIBLE * typicalQuotientError(data, i, net.loss, g[i]!);
    });
  });
}

/** Whether the default check of the net `spec` builds, with `bug` planted, catches it ({@link caught}). */
function caughtIn(spec: Spec, bug: Bug): boolean {
  const net = buildNet(spec);
  return caught(net, bug, checkGradients(modelOf(net, bug), net.X, net.Y), net.gradients(bug), net.gradients());
}

/** Why a draw was not counted as a planted bug (or counted in the band below the planted size). */
type Redraw = 'nowhere to plant' | 'changes nothing' | 'where the loss cannot show it' | 'below tolerance';

describe('no false alarms on correct gradients', () => {
  it(`passes ${CORRECT_MODELS} random correct models (float64 and float32, scales 1e-3…1e4, kinks, dead units, three losses)`, () => {
    const random = seededRandom(5001 + 7919 * SHIFT);
    const alarms: string[] = [],
      unresolved: string[] = [],
      onKinks: string[] = [];
    const tally = {
      float64: 0,
      float32: 0,
      withKinks: 0,
      kinks: 0,
      widest: [0, 1] as [number, number],
      mostInTensor: 0,
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
        // How close the correct models come to the rule that fails a check for its kinks (findings.ts).
        const checked = result.tensors.reduce((n, t) => n + t.checked, 0);
        if (result.kinks.count / checked > tally.widest[0] / tally.widest[1])
          tally.widest = [result.kinks.count, checked];
        tally.mostInTensor = Math.max(tally.mostInTensor, ...result.tensors.map((t) => t.kinks));
      }
      const verdict = correctVerdict(net, result);
      if (verdict === 'kinks') onKinks.push(`${spec.seed} (${result.kinks.count} of ${result.parameters})`);
      else if (verdict === 'unresolved')
        unresolved.push(
          `${spec.seed} (${blamed(result)!
            .map((e) => e.label)
            .join(', ')})`,
        );
      else if (verdict === 'alarm') alarms.push(`${describeSpec(spec)}${exactSpec(spec)}\n${formatReport(result)}`);
    }
    console.log(
      `correct models: ${CORRECT_MODELS} checked, ${alarms.length} false alarms` +
        (unresolved.length
          ? `, ${unresolved.length} failed only on entries whose slope the loss cannot show (moves less than a rounding before a kink: ${unresolved.join('; ')})`
          : '') +
        (onKinks.length
          ? `, ${onKinks.length} failed only for the entries left out as kinks, each within its step of a kink of the net (the kink rule's finding, as designed: ${onKinks.join('; ')})`
          : '') +
        ' ' +
        `(float64 ${tally.float64}, float32 ${tally.float32}; losses ${JSON.stringify(tally.losses)}; ` +
        `${tally.zeroExample} with an all-zero example, ${tally.deadUnit} with a dead unit; ` +
        `${tally.withKinks} models had ${tally.kinks} entries excluded as kinks; largest share ${tally.widest[0]} of ` +
        `${tally.widest[1]} entries checked, most in one tensor ${tally.mostInTensor})`,
    );
    expect(alarms.slice(0, 3)).toEqual([]);
  });
});

describe('pinned draws', () => {
  it('a missing mean whose check also fails an unchanged tensor only where the loss cannot show its slope (GC_SEED=6)', () => {
    // float32, scale 2.9e-3: b2[3] = 0 sits on the kink of example 4 (both layer-1 units off), and
    // examples 0 and 1 cross their kinks within ±7.7e-7 of it: its correct slope −2.9e-4 holds where
    // the loss (0.693) moves 2e-10, under a rounding; beyond ±2.6e-6 every example sits on one side and
    // the loss is flat to 1e-7. The check fails b2 on that entry in the correct model too.
    const spec: Spec = {
      sizes: [3, 2, 6, 1],
      loss: 'cross-entropy',
      examples: 6,
      lambda: 0.5682907535633235,
      precision: 'float32',
      scale: 0.0028899177973970482,
      zeroExample: true,
      deadUnit: false,
      seed: 1275433224,
    };
    const net = buildNet(spec);
    const bug: Bug = { kind: 'missing-mean' };
    const result = checkGradients(modelOf(net, bug), net.X, net.Y);
    const failing = (tensor: string): number => result.tensors.find((t) => t.name === tensor)!.failing;
    expect([failing('W2'), failing('b2')]).toEqual([12, 1]);
    expect(caught(net, bug, result, net.gradients(bug), net.gradients())).toBe(true);
    const clean = checkGradients(modelOf(net), net.X, net.Y);
    expect(blamed(clean)!.map((e) => e.label)).toEqual(['b2[3]']);
    expect(blamed(clean)!.every((e) => unresolvable(net, e))).toBe(true);
  });

  it('a correct float32 net with two W2 entries whose loss moves 0.8 of a rounding before their kinks passes, and they read as hidden (GC_SEED=24)', () => {
    // W2[2,5] and W2[2,3]: gradients −7.9e-6 and −6.2e-6, kinks 8.3e-3 and 1.05e-2 from θ, a loss of 1.38 whose
    // float32 value stands still out to 2⁻⁴. The power of two at or below the window (2⁻⁷) had called them visible,
    // and the check failed them (counted apart) until stop 31 stopped its widening at kinks between h/2 and h.
    const net = buildNet({
      sizes: [5, 6, 4, 5, 2],
      loss: 'cross-entropy',
      examples: 3,
      lambda: 0,
      precision: 'float32',
      scale: 0.041062165152729084,
      zeroExample: true,
      deadUnit: true,
      seed: 589519274,
    });
    expect(checkGradients(modelOf(net), net.X, net.Y).passed).toBe(true);
    // W2 is 4×6: W2[2,5] and W2[2,3] are entries 17 and 15 of its data.
    const gradient = net.gradients().W2!;
    expect([17, 15].map((i) => slopeHidden(net, 'W2', i, gradient[i]!))).toEqual([true, true]);
  });

  it('a correct float32 bias whose gradient steps up and back between its four samples passes, judged by its mean along the step, and a wrong one there fails (GC_SEED=16, 22)', () => {
    // 1494519843 (seed 16, a missing-mean draw; until stop 33 b2 failed beside the bug, and without it). b2[0] = 0;
    // four examples' layer-2 unit 0 switches on between θ and θ + 3e-3, each adding ±3.8e-4 (W3[0]·(σ − y)/m), so
    // the gradient −3.795e-4 doubles on about θ + 2.5e-4 … 7.5e-4 and θ + 2.0e-3 … 3.0e-3. At h = 2⁻⁸ the four
    // samples θ ± h/2, θ ± h all fall outside those windows and read no jump; the loss's one-sided slopes
    // (−3.9e-4 left, −5.3e-4 right, from seventeen losses a side) differ within the allowance the check gives its
    // five losses there, and the central quotient −4.50e-4 failed by 1.67 × its allowance. The seventeen
    // samples' mean, −4.26e-4, moves it to −4.04e-4 (judgedAlongPath, gradient-kink.ts).
    const spec: Spec = {
      sizes: [3, 6, 2, 1],
      loss: 'cross-entropy',
      examples: 5,
      lambda: 0,
      precision: 'float32',
      scale: 0.14863243052784658,
      zeroExample: false,
      deadUnit: false,
      seed: 1494519843,
    };
    const net = buildNet(spec);
    const bias = net.b[1]!,
      theta = bias[0]!;
    const gradientAt = (offset: number): number => {
      bias[0] = theta + offset;
      const g = net.gradients().b2![0]!;
      bias[0] = theta;
      return g;
    };
    const g = gradientAt(0);
    for (const k of [-1, -0.5, 0.5, 1]) expect(Math.abs(gradientAt(k * 2 ** -8) / g - 1)).toBeLessThan(0.02);
    for (const offset of [5e-4, 2.5e-3]) expect(gradientAt(offset) / g).toBeCloseTo(2, 1);
    const clean = checkGradients(modelOf(net), net.X, net.Y, { worst: 41 });
    expect(clean.passed).toBe(true);
    const entry = clean.worst.find((e) => e.label === 'b2[0]')!;
    expect(entry.step).toBe(2 ** -8);
    expect(entry.numeric).toBeCloseTo(-4.04e-4, 6);
    // A wrong b2[0] there (+2.1e-4: one-entry, 1.5 g + a tenth of b2's largest) fails, and fails alone.
    const bug: Bug = { kind: 'one-entry', tensor: 'b2', entry: 0 };
    const result = checkGradients(modelOf(net, bug), net.X, net.Y);
    expect(blamed(result)!.map((e) => e.label)).toEqual(['b2[0]']);
    expect(caught(net, bug, result, net.gradients(bug), net.gradients(), clean)).toBe(true);
    // 463707 (seed 22): a float32 b1[2], −1.530e-4, doubled on about θ − 2.0e-3 and θ − 1.1e-2 … −8.8e-3, failed at
    // 2⁻⁶ by 1.41 ×; its samples' mean moves the quotient −1.717e-4 to −1.541e-4.
    const other = buildNet({
      sizes: [5, 6, 2],
      loss: 'softmax-l2',
      examples: 5,
      lambda: 0.0019354091312070412,
      precision: 'float32',
      scale: 0.02017367463991489,
      zeroExample: false,
      deadUnit: false,
      seed: 463707,
    });
    expect(checkGradients(modelOf(other), other.X, other.Y).passed).toBe(true);
  });

  it('a wrong ReLU derivative is caught though a noisier narrower step agrees with it (GC_SEED=5)', () => {
    // float32, scale 2.1e-2: b3[3] = 4.5e-4 is 4.5e-4 from its unit's kink. At h = 2⁻¹², kink-free, the
    // loss's slope is −7.8e-3 (±2.4e-4); the bug's gradient is −3.5e-6. At h = 2⁻¹⁶ the loss moves by two
    // roundings, and the floor of that estimate, 2.2e-2, covered both: that agreement passed the entry.
    const spec: Spec = {
      sizes: [5, 4, 2, 4, 4],
      loss: 'softmax-l2',
      examples: 5,
      lambda: 0.04711816753951291,
      precision: 'float32',
      scale: 0.020881174155596798,
      zeroExample: false,
      deadUnit: true,
      seed: 2070644852,
    };
    const net = buildNet(spec);
    const bug: Bug = { kind: 'wrong-activation-derivative' };
    const result = checkGradients(modelOf(net, bug), net.X, net.Y);
    expect(result.worst.find((e) => e.label === 'b3[3]')!.excess).toBeGreaterThan(1);
    expect(caught(net, bug, result, net.gradients(bug), net.gradients())).toBe(true);
    expect(checkGradients(modelOf(net), net.X, net.Y).passed).toBe(true);
  });

  it.each([
    // GC_SEED=10: W2[0,3] (gradient 9.34e-3) read 9.34e-3 ± 7.7e-4 at h = 8 and 1.03e-2 ± 1.9e-4 at 32: a
    // move of 9.3e-4, under the errors' sum (9.6e-4), over their root sum of squares (7.9e-4).
    [
      10,
      { sizes: [5, 4, 4, 3, 4], examples: 6, lambda: 0.004991390019805969, scale: 15.804246687208693 },
      { deadUnit: true, seed: 445288875 },
      'W2[0,3]',
      8,
    ],
    // GC_SEED=26: a loss near 1e9 (ulp 64) whose W2[2,2] (gradient −0.887) read −0.875 ± 0.95 at h = 256
    // and −1.875 ± 0.24 at 1024, where the loss's + side has left the curve its gradient follows.
    [
      26,
      { sizes: [5, 5, 3, 2], examples: 4, lambda: 0.017286283133588275, scale: 2587.0574036432354 },
      { deadUnit: false, seed: 38328477 },
      'W2[2,2]',
      256,
    ],
  ] as const)(
    'a correct float32 entry is judged at the narrower step where a widening for noise moved it beyond the two errors combined (GC_SEED=%i)',
    (_, draw, rest, entry, step) => {
      const spec: Spec = {
        ...draw,
        ...rest,
        sizes: [...draw.sizes],
        loss: 'softmax-l2',
        precision: 'float32',
        zeroExample: false,
      };
      const net = buildNet(spec);
      const result = checkGradients(modelOf(net), net.X, net.Y, { worst: 200 });
      expect(result.passed).toBe(true);
      expect(result.worst.find((e) => e.label === entry)!.step).toBeCloseTo(step, 4);
    },
  );

  /** A float64 sigmoid network with a cross-entropy, no L2 term and no dead unit, as drawn. */
  const saturatedNet = (
    draw: Pick<Spec, 'examples' | 'scale' | 'zeroExample' | 'seed'> & { sizes: readonly number[] },
  ) =>
    buildNet({
      ...draw,
      sizes: [...draw.sizes],
      loss: 'cross-entropy',
      lambda: 0,
      precision: 'float64',
      deadUnit: false,
    });

  it.each([
    // GC_SEED=13: one sigmoid unit whose pre-activation is about 740: the loss underflows to 7.5e-321, and
    // its backward's a − y is exactly 0 (a = 1), where the central difference reads −8.9e-321.
    [13, { sizes: [1, 1], examples: 1, zeroExample: false, scale: 547.4911247529698, seed: 1797645186 }, 'W1[0,0]'],
    // GC_SEED=19: the loss 4.3e-320, b1's central difference 4.3e-320 against an analytic 0.
    [19, { sizes: [3, 1], examples: 2, zeroExample: true, scale: 2883.388598755697, seed: 1212048711 }, 'b1[0]'],
  ] as const)(
    'a saturated net whose loss underflows passes: a derivative below the smallest normal number is no evidence (GC_SEED=%i)',
    (_, draw, entry) => {
      const net = saturatedNet(draw);
      const result = checkGradients(modelOf(net), net.X, net.Y);
      const worst = result.worst.find((e) => e.label === entry)!;
      expect(worst.analytic).toBe(0);
      expect(Math.abs(worst.numeric)).toBeGreaterThan(0);
      expect(Math.abs(worst.numeric)).toBeLessThan(2 ** -1022);
      expect(result.passed).toBe(true);
    },
  );

  it.each([
    // GC_SEED=8: a single sigmoid unit at scale 81, loss 2⁻⁴⁹: its logits near 34 make
    // max(z, 0) + log1p(e^−|z|) − t·z cancel, so the loss moves in steps of 2⁻⁴⁹, first at h = 2⁻¹,
    // while b1's gradient is −1.3e-15. At three widenings (h = 2⁻⁶) it "never moved the loss".
    [8, { sizes: [2, 1], examples: 4, scale: 81.10584878395201, zeroExample: false, seed: 2091813393 }, 'b1[0]'],
    // GC_SEED=26: the loss exactly 0; b3 (gradient −1.3e-15) moves it by 3.6e-15 first at h = 2⁻¹.
    [26, { sizes: [1, 4, 6, 1], examples: 2, scale: 23.18404725615768, zeroExample: true, seed: 1920326200 }, 'b3[0]'],
  ] as const)(
    'a saturated cross-entropy coarser than 16³ default steps is widened to a unit of θ until it moves (GC_SEED=%i)',
    (_, draw, entry) => {
      const net = saturatedNet(draw);
      const result = checkGradients(modelOf(net), net.X, net.Y, { worst: 200 });
      expect(result.passed).toBe(true);
      expect(result.tensors.some((t) => t.unread)).toBe(false);
      expect(result.worst.find((e) => e.label === entry)!.step).toBe(1);
    },
  );

  it.each([
    // GC_SEED=22: float64, biases b2 exactly 0, a unit 1e-5 from its kink. The noise probe's first line
    // moves b2 by 2⁻²⁰ a point, crosses that kink and read σ = 4.5e-11 for a loss computed to 1e-16;
    // b2[0]'s 1 % bug (2.8e-6) passed within the 4.7e-5 that allowed. Its line changes slope: a closer one
    // reads the loss's rounding, and the bug fails.
    [
      22,
      {
        sizes: [2, 6, 2, 3],
        loss: 'cross-entropy',
        examples: 6,
        lambda: 0.014063195613876233,
        precision: 'float64',
        scale: 0.007822457433724757,
        zeroExample: false,
        deadUnit: true,
        seed: 603412613,
      },
      { kind: 'scale-1pct', tensor: 'b2' },
    ],
    // GC_SEED=11: the same for a dropped L2 term of W2 (float64, a dead unit).
    [
      11,
      {
        sizes: [5, 6, 2, 3],
        loss: 'mse',
        examples: 6,
        lambda: 0.0476427687118511,
        precision: 'float64',
        scale: 0.010765559348303342,
        zeroExample: false,
        deadUnit: true,
        seed: 772705922,
      },
      { kind: 'dropped-regulariser', tensor: 'W2' },
    ],
  ] as const)(
    'a noise probe whose line crosses kinks reads a closer line: a small float64 bug fails (GC_SEED=%i)',
    (_, spec, bug) => {
      expect(caughtIn(spec as Spec, bug as Bug)).toBe(true);
    },
  );

  it.each([
    // GC_SEED=25: float64, b2[3] = 0 with units 2.9e-6 and 1e-5 from their kinks. At h = 3.8e-6 the left
    // slopes showed the first kink, its fourth difference read as noise 9.3e-11, and the widening went
    // back to h, where that noise hid the kink: a gradient of 3.1e-5 where the loss's slope is −2.9e-6
    // agreed within 2.6e-4. At h/16 the kink is outside the step and the bug fails.
    [
      25,
      {
        sizes: [2, 2, 6, 1],
        loss: 'cross-entropy',
        examples: 4,
        lambda: 0.210013004931504,
        precision: 'float64',
        scale: 0.009080132499573939,
        zeroExample: false,
        deadUnit: false,
        seed: 162736587,
      },
      { kind: 'one-entry', tensor: 'b2', entry: 3 },
    ],
    // GC_SEED=8: the same in float32: b2[4] of a unit dead for every example (gradient 0) whose kink lies
    // between h/2 and h to the right; a gradient of 3.8e-3 agreed within the kink read as noise. At h/16 the
    // loss stands still.
    [
      8,
      {
        sizes: [3, 4, 6, 1],
        loss: 'cross-entropy',
        examples: 2,
        lambda: 0.00174824632976335,
        precision: 'float32',
        scale: 0.2077793395839567,
        zeroExample: true,
        deadUnit: false,
        seed: 720112763,
      },
      { kind: 'one-entry', tensor: 'b2', entry: 4 },
    ],
  ] as const)(
    'a kink the first step showed, hidden by its own noise when the widening went back to that step: a narrower step fails the bug (GC_SEED=%i)',
    (_, spec, bug) => {
      expect(caughtIn(spec as Spec, bug as Bug)).toBe(true);
    },
  );

  it('a sign flip beyond every kink the loss showed fails at the sharper step, though a noisier narrower step agrees (GC_SEED=8)', () => {
    // float32 b2[1]: gradient 1.39e-3, slopes 1.56e-3 and 1.37e-3 at h = 2⁻⁸; off at h/16, and within a
    // floor of 1.7e-2 at h/256, which had passed it.
    const spec: Spec = {
      sizes: [2, 3, 2, 3],
      loss: 'softmax-l2',
      examples: 7,
      lambda: 0.2326184044725072,
      precision: 'float32',
      scale: 0.005178993041687492,
      zeroExample: true,
      deadUnit: false,
      seed: 1530457556,
    };
    expect(caughtIn(spec, { kind: 'sign-flip', tensor: 'b2' })).toBe(true);
  });

  it('a missing mean is blamed on the weights alone, where a correct bias has kinks beyond h/2 on both sides (GC_SEED=28)', () => {
    // float32 b1[2] = 0, gradient −6.25e-4 at θ and θ ± h/2 but 0 at θ ± h (h = 2⁻⁸): off by 2.1e-4 at h,
    // where the four gradient samples read no jump, so it was never narrowed and b1 was blamed too.
    const spec: Spec = {
      sizes: [2, 6, 2],
      loss: 'softmax-l2',
      examples: 4,
      lambda: 0.12930295943941367,
      precision: 'float32',
      scale: 0.008655417852546317,
      zeroExample: false,
      deadUnit: false,
      seed: 1082038392,
    };
    expect(caughtIn(spec, { kind: 'missing-mean' })).toBe(true);
  });

  it('a correct entry beyond the slopes read where the widening went back, but within its first reading of that step, passes (GC_SEED=12)', () => {
    // float64 b2[2] = 0 between two bends, gradient −8.18e-9: the first reading at h = 3.8e-6 showed
    // the kink (opposed bends that reach the gradient); read again against the carried noise it did
    // not, and without the first reading the narrowing kept a disagreement at h/16 (3.3e-9 off).
    const net = buildNet({
      sizes: [4, 6, 4, 5, 2],
      loss: 'softmax-l2',
      examples: 5,
      lambda: 0.0014233031715591691,
      precision: 'float64',
      scale: 0.0017221251500578606,
      zeroExample: false,
      deadUnit: true,
      seed: 70161866,
    });
    expect(checkGradients(modelOf(net), net.X, net.Y).passed).toBe(true);
  });

  it('a correct net whose cross-entropy rounds in steps of 20 roundings passes, though every noise line bends at θ (GC_SEED=12)', () => {
    // float64, an all-zero example and a dead unit: ReLU inputs exactly 0 at θ bend every line the noise probe walks.
    // A logit near 25 makes the loss move in steps of ulp(25)/3 = 1.2e-15; the first line read σ = 6.1e-17, and
    // W2[0,2] (gradient −2.52e-11) failed by 7e-14 against a floor of 6.2e-14 while the second line, σ = 2.8e-16, was refused.
    const net = buildNet({
      sizes: [5, 4, 6, 1],
      loss: 'cross-entropy',
      examples: 3,
      lambda: 0,
      precision: 'float64',
      scale: 3.141959528473337,
      zeroExample: true,
      deadUnit: true,
      seed: 1076739260,
    });
    const result = checkGradients(modelOf(net), net.X, net.Y);
    expect(result.passed).toBe(true);
    expect(result.tensors.find((t) => t.name === 'b2')!.unread).toBeUndefined();
  });

  it('a correct float32 bias whose gradient jumps between h/2 and h of a step widened for noise passes (GC_SEED=26)', () => {
    // b1[2] = 0, gradient −2.80e-5: jumps at −0.030, −0.017, +0.0047 and +0.033 that cancel in the bend over
    // θ ± 2⁻⁵ (2.3e-6); widened from 2⁻⁶ (error 2.35e-5) to 2⁻⁴, its quotient there was off by 1.37e-5 and failed.
    const net = buildNet({
      sizes: [4, 6, 6, 6, 3],
      loss: 'mse',
      examples: 6,
      lambda: 0,
      precision: 'float32',
      scale: 0.09198591191953531,
      zeroExample: false,
      deadUnit: false,
      seed: 1554025036,
    });
    expect(checkGradients(modelOf(net), net.X, net.Y).passed).toBe(true);
  });

  it('a wrong float32 bias whose gradient jumps between h/2 and h of its narrowed step fails at h/2, where the correct one agrees (GC_SEED=26)', () => {
    // b1[0]: gradient 5.56e-4, a jump of 1.6e-2 at 2.0e-4 right of θ. Its loss showed the kink at 2⁻⁸; narrowed to
    // h = 2⁻¹², a planted 4.87e-3 agreed with D(h) = 1.83e-3 within the truncation estimate the jump made (4.2e-3).
    const spec: Spec = {
      sizes: [2, 2, 2],
      loss: 'softmax-l2',
      examples: 5,
      lambda: 0.6251324917526647,
      precision: 'float32',
      scale: 0.15061756120273406,
      zeroExample: false,
      deadUnit: false,
      seed: 2102080803,
    };
    const bug: Bug = { kind: 'one-entry', tensor: 'b1', entry: 0 };
    expect(caughtIn(spec, bug)).toBe(true);
    const net = buildNet(spec);
    const clean = checkGradients(modelOf(net), net.X, net.Y, { worst: 20 });
    expect(clean.passed).toBe(true);
    expect(clean.worst.find((e) => e.label === 'b1[0]')!.step).toBe(2 ** -13);
  });

  it('a correct net with 8 of 29 entries exactly at kinks fails for the kink rule alone, counted apart from false alarms (GC_SEED=16)', () => {
    // Four units of layer 2 whose pre-activation is exactly 0 where unit 0 of layer 1 is off (their
    // biases 0, their weights from the dead unit 1 are 0): W2[i,1] and b2[i] sit on kinks.
    const net = buildNet({
      sizes: [3, 2, 5, 1],
      loss: 'mse',
      examples: 6,
      lambda: 0,
      precision: 'float64',
      scale: 22.007061203241168,
      zeroExample: false,
      deadUnit: true,
      seed: 1603950698,
    });
    const result = checkGradients(modelOf(net), net.X, net.Y);
    expect(result.passed).toBe(false);
    expect(result.kinks.count).toBe(8);
    expect(result.findings).toEqual([
      expect.stringMatching(/^8 of the 29 entries checked \(28 %\) were left out as kinks/),
    ]);
    expect(failedOnKinksAlone(net, result)).toBe(true);
    // With the kink rule's entries counted as failing, the same net's other entries agree.
    const failed = checkGradients(modelOf(net), net.X, net.Y, { kinks: 'fail', worst: 29 });
    expect(failed.worst.filter((e) => e.excess > 1 && !e.kink)).toEqual([]);
  });

  it('a gradient of 0 beside a kink the default step crosses passes, and a wrong bias beside it is caught alone (GC_SEED=5)', () => {
    // float32, scale 51: W1[0,0] = −78.4 has gradient 0; 0.068 below it a unit switches on and the loss
    // (336) falls by 96 before it flattens again. At h = 0.25 that fall read as noise (a fourth difference
    // of 185), the step widened to 256, crossed another kink and failed the entry (numeric 0.28); at
    // h = 2⁻⁶ the loss stands still.
    const spec: Spec = {
      sizes: [1, 3, 2, 5, 1],
      loss: 'cross-entropy',
      examples: 4,
      lambda: 0,
      precision: 'float32',
      scale: 50.87681892961116,
      zeroExample: true,
      deadUnit: true,
      seed: 1586327476,
    };
    const net = buildNet(spec);
    const clean = checkGradients(modelOf(net), net.X, net.Y, { worst: 100 });
    expect(clean.worst.find((e) => e.label === 'W1[0,0]')).toMatchObject({ analytic: 0, numeric: 0 });
    expect(clean.passed).toBe(true);
    const bug: Bug = { kind: 'one-entry', tensor: 'b4', entry: 0 };
    const result = checkGradients(modelOf(net, bug), net.X, net.Y);
    expect(result.tensors.filter((t) => !t.passed).map((t) => t.name)).toEqual(['b4']);
  });

  it('an innocent float32 bias beside a wrong ReLU derivative is not blamed: its widening stops where the loss stands still on one side (GC_SEED=13)', () => {
    // b1[1] (gradient 0) was widened to its widest step until stop 34, 8 × its scale = 1.09e-2, and failed there by
    // 1.08 × on a kink; ×4 from 2⁻⁸ now passes 8 × its scale, where the loss stands still on one side of θ, and it
    // is judged at 2⁻⁸ (0.36 × its allowance). Property seed 21's draw, the stop's first case, is in
    // packages/core/test/still-side.test.ts.
    const net = buildNet({
      sizes: [3, 3, 6, 1],
      loss: 'cross-entropy',
      examples: 1,
      lambda: 0.006062512047382583,
      precision: 'float32',
      scale: 0.01561186442144693,
      zeroExample: true,
      deadUnit: false,
      seed: 1292835644,
    });
    expect(checkGradients(modelOf(net), net.X, net.Y).passed).toBe(true);
    const bug: Bug = { kind: 'wrong-activation-derivative' };
    const result = checkGradients(modelOf(net, bug), net.X, net.Y);
    expect(result.tensors.filter((t) => !t.passed).map((t) => t.name)).toEqual(['b2']);
    expect(caught(net, bug, result, net.gradients(bug), net.gradients())).toBe(true);
  });

  // GC_SEED=36's innocent float32 bias 3.4e-4 from its kink (330089777) is pinned in
  // packages/core/test/smooth-parting.test.ts, where the mutation runs read it.

  it('a sign-flipped float32 bias beside a kink fails: no second noise reading in float32 (GC_SEED=44)', () => {
    // b1[1] (gradient −1.52e-3) at a kink within 2⁻¹²: the first reading of the noise gave σ = 8.9e-8, a second at 4 ×
    // the spacing 6.1e-7 (its line crossed kinks), and the flipped gradient passed within 1.0e-2 at 2⁻¹².
    const net = buildNet({
      sizes: [2, 2, 1],
      loss: 'cross-entropy',
      examples: 6,
      lambda: 0,
      precision: 'float32',
      scale: 0.026435380413035652,
      zeroExample: false,
      deadUnit: false,
      seed: 451722728,
    });
    expect(checkGradients(modelOf(net), net.X, net.Y).passed).toBe(true);
    const bug: Bug = { kind: 'sign-flip', tensor: 'b1' };
    const result = checkGradients(modelOf(net, bug), net.X, net.Y);
    expect(result.passed).toBe(false);
    expect(blamed(result)!.map((e) => e.label)).toContain('b1[1]');
  });

  it('a correct float64 bias whose one steady one-sided slope is not its own passes (GC_SEED=35)', () => {
    // b3[1] = −2.19e-4 where the right slope reads −2.83e-4 at every step from 2⁻¹⁸ to 2⁻²⁶ (a second kink within the
    // narrowest step) and the left one moves from 0 towards −2.19e-4: θ's piece is narrower than 1e-9. A rule tried at
    // stop 37 held the analytic value to a side whose slope stays across the steps, and failed it (docs/verdict.md).
    const net = buildNet({
      sizes: [3, 6, 4, 6, 2],
      loss: 'cross-entropy',
      examples: 4,
      lambda: 0.19194780369568892,
      precision: 'float64',
      scale: 0.0014813127243168247,
      zeroExample: false,
      deadUnit: true,
      seed: 625476819,
    });
    expect(checkGradients(modelOf(net), net.X, net.Y).passed).toBe(true);
  });

  it('a wrong float32 bias whose narrowing passes from across its kink to a still loss is judged between them (GC_SEED=32)', () => {
    // b2[0], a kink 2.0e-4 left of θ: read across it at 2⁻¹², then still at 2⁻¹⁶, where the transposed W3's gradient
    // 1.64e-3 agreed within the floor 5.9e-3; at 2⁻¹⁴ the loss reads −7.3e-4 (narrowing.ts, BETWEEN).
    const net = buildNet({
      sizes: [5, 2, 2, 2],
      loss: 'mse',
      examples: 1,
      lambda: 0.07680262109661058,
      precision: 'float32',
      scale: 0.00323418548704436,
      zeroExample: true,
      deadUnit: true,
      seed: 1223685002,
    });
    expect(checkGradients(modelOf(net), net.X, net.Y).passed).toBe(true);
    const bug: Bug = { kind: 'transposed-weight', tensor: 'W3' };
    const result = checkGradients(modelOf(net, bug), net.X, net.Y);
    expect(result.passed).toBe(false);
    expect(blamed(result)!.map((e) => e.label)).toContain('b2[0]');
  });
});

describe('every planted bug caught, and diagnosed where it has a kind', () => {
  it.each(BUG_KINDS)('%s', (kind) => {
    const random = seededRandom(7000 + BUG_KINDS.indexOf(kind) + 7919 * SHIFT);
    const misses: string[] = [],
      misdiagnosed: string[] = [],
      redraws: string[] = [],
      bandMisses: string[] = [],
      knownMisses: string[] = [],
      underFDError: string[] = [];
    /** The draws' correct models: their false alarms, and how many failed as the correct-models test counts apart. */
    const cleanAlarms: string[] = [];
    let cleanApart = 0;
    const reasons: Record<Redraw, number> = {
      'nowhere to plant': 0,
      'changes nothing': 0,
      'where the loss cannot show it': 0,
      'below tolerance': 0,
    };
    let planted = 0,
      tries = 0,
      diagnosed = 0,
      notDue = 0,
      refused = 0;
    const band = {
      resolvable: { drawn: 0, caught: 0 },
      unresolvable: { drawn: 0, caught: 0 },
      clear: { drawn: 0, caught: 0 },
    };
    const plantedBy = { float64: 0, float32: 0 };
    const redraw = (reason: Redraw, spec: Spec, bug?: Bug): void => {
      reasons[reason]++;
      redraws.push(
        `  redraw ${redraws.length + 1} (${reason}): ${describeSpec(spec)}${bug ? ` bug ${JSON.stringify(bug)}` : ''}`,
      );
    };
    const check = (net: Net, bug: Bug): CheckResult | undefined => {
      try {
        const result = checkGradients(modelOf(net, bug), net.X, net.Y);
        expect(result.tolerance).toBe(TOLERANCE[net.spec.precision]);
        return result;
      } catch (error) {
        // A bug that overflows the gradient (×z at scale 1e4, stored in float32) is refused loudly.
        if (error instanceof GradcheckError && error.code === 'NON_FINITE_GRADIENT') return undefined;
        throw error;
      }
    };
    while (planted < MODELS_PER_BUG) {
      if (++tries > 20 * MODELS_PER_BUG) throw new Error(`could not plant ${kind} in ${MODELS_PER_BUG} models`);
      const spec = randomSpec(random, kind);
      const net = buildNet(spec);
      const bug: Bug | undefined = chooseBug(net, kind, random);
      if (!bug || bug.kind !== kind || (ONE_TENSOR.includes(kind) && !bug.tensor)) {
        redraw('nowhere to plant', spec, bug);
        continue;
      }
      const correct = net.gradients();
      const bugged = net.gradients(bug);
      const all = effects(net, bugged, correct);
      const effect = all.filter((e) => e.difference > 0);
      const visible = effect.filter((e) => e.overResolution >= 1);
      const tolerance = TOLERANCE[spec.precision];
      const targets = visible.filter((e) => e.difference >= PLANTED).map((e) => e.name);
      if (targets.length === 0) {
        const above = effect.filter((e) => e.difference >= tolerance);
        if (effect.length === 0)
          redraw(all.some((e) => e.hidden) ? 'where the loss cannot show it' : 'changes nothing', spec, bug);
        else if (above.length === 0) redraw('below tolerance', spec, bug);
        else {
          // The band: a bug above the tolerance but below the planted size or the resolution.
          const part = visible.some((e) => e.difference >= tolerance) ? band.resolvable : band.unresolvable;
          part.drawn++;
          const result = check(net, bug);
          const clear = visible.some((e) => e.difference >= 10 * tolerance && e.overResolution >= CLEAR);
          if (clear) band.clear.drawn++;
          if (!result || caught(net, bug, result, bugged, correct)) {
            part.caught++;
            if (clear) band.clear.caught++;
          } else if (clear) {
            bandMisses.push(`${describeSpec(spec)} bug ${JSON.stringify(bug)}\n${formatReport(result)}`);
          }
        }
        continue;
      }
      planted++;
      plantedBy[spec.precision]++;
      // The draw without its bug is a correct model too: counted with the false alarms, and what tells a
      // bug missed from the draw's own false alarm beside it (GC_SEED=16, 1494519843: b2 failed either way until stop 33).
      const clean = checkGradients(modelOf(net), net.X, net.Y);
      const cleanVerdict = correctVerdict(net, clean);
      if (cleanVerdict === 'alarm') cleanAlarms.push(`${describeSpec(spec)}${exactSpec(spec)}\n${formatReport(clean)}`);
      else if (cleanVerdict !== 'passed') cleanApart++;
      const result = check(net, bug);
      if (!result) {
        refused++;
        continue;
      }
      if (!caught(net, bug, result, bugged, correct, clean)) {
        // A bug under 3 × the error central differences actually make is not due (issue 9: as the
        // real-code test counts float32 bugs), however far above the modelled resolution.
        if (!seenByCentralDifferences(net, bugged, correct)) {
          underFDError.push(`${describeSpec(spec)} bug ${JSON.stringify(bug)}`);
          continue;
        }
        // A known miss, counted and printed: a wrong entry where the loss is flat (a dead ReLU
        // unit's bias or weight, true gradient 0) passes because the check widens the step until
        // the unit comes alive and then excuses the entry. Pinned by an it.fails test in
        // packages/core/test/rules.test.ts; issue 9 owns the fix.
        if (kind === 'one-entry' && correct[bug.tensor!]![bug.entry!] === 0 && net.flatAt(bug.tensor!, bug.entry!)) {
          knownMisses.push(`${describeSpec(spec)} bug ${JSON.stringify(bug)}`);
          continue;
        }
        misses.push(
          `${describeSpec(spec)} bug ${JSON.stringify(bug)} hits ${targets.join(', ')}${exactSpec(spec)}\n${formatReport(result)}`,
        );
        continue;
      }
      const expected = EXPECTED[kind];
      if (!expected) continue;
      // Whether a diagnosis is due follows from the planted bug alone, never from the check's
      // estimates: the tensor's error stands CLEAR times above the resolution, no entry of the
      // tensors involved has a ReLU kink within the largest step the check took (kinks make
      // numeric gradients no pattern fits), and the tensor has entries enough to show the pattern.
      const step = result.stepRange[1];
      const smooth = (name: string): boolean =>
        Array.from(correct[name]!.keys()).every((i) => !net.kinkWithin(name, i, step));
      // A factor on all entries and a single wrong entry look alike when one entry carries the
      // tensor's whole gradient: tell them apart only with three entries of some size.
      const identifiable = (name: string): boolean => {
        if (kind !== 'scale-1pct' && kind !== 'one-entry') return true;
        const g = correct[name]!,
          largest = g.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
        return g.filter((v) => Math.abs(v) >= 0.1 * largest).length >= 3;
      };
      const involved = (name: string): string[] => (kind === 'swapped' ? [bug.tensor!, bug.other!] : [name]);
      const due = visible.filter(
        (e) =>
          targets.includes(e.name) &&
          e.overResolution >= CLEAR &&
          involved(e.name).every(smooth) &&
          identifiable(e.name) &&
          (correct[e.name]!.length >= 3 || FEW_ENTRIES_SUFFICE.includes(kind)),
      );
      // With the data term of a gradient exactly 0, a dropped L2 term leaves it exactly 0: "zero" is exact too.
      const allZero = (name: string): boolean => {
        const largest = correct[name]!.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
        return bugged[name]!.every((v) => Math.abs(v) <= 1e-9 * largest);
      };
      const right = due.every((e) => {
        const t = result.tensors.find((r) => r.name === e.name)!;
        const d = t.diagnosis;
        if (t.passed || !d) return false;
        if (kind === 'dropped-regulariser' && allZero(t.name)) return d.kind === 'zero' || d.kind === expected;
        if (d.kind !== expected) return false;
        const near = (value: number | undefined, target: number, within: number): boolean =>
          value !== undefined && Math.abs(value / target - 1) <= within;
        switch (kind) {
          // analytic = m × numeric: the factor m itself, positive, not 1/m.
          case 'missing-mean':
          case 'bias-summed':
            // m is named only where X and Y leave the examples' axis unambiguous (else the factor alone).
            return (
              d.examples === examplesOf(spec) &&
              near(d.factor, spec.examples, 0.05) &&
              /a missing 1\/m/.test(d.text) === (examplesOf(spec) !== undefined)
            );
          // analytic = 1.01 × numeric: above 1 (not 1/1.01), positive.
          case 'scale-1pct':
            return near(d.factor, 1.01, 0.003) && d.factor! > 1;
          // analytic = −1 × numeric.
          case 'sign-flip':
            return near(d.factor, -1, 0.05);
          // numeric − analytic = (λ/m)·θ: the L2 term's own factor, positive.
          case 'dropped-regulariser':
            return near(d.factor, spec.lambda / spec.examples, 0.05);
          case 'one-entry':
            return d.entry === `${t.name}${formatEntry(net, t.name, bug.entry!)}`;
          case 'swapped':
            return d.other === (t.name === bug.tensor ? bug.other : bug.tensor);
          default:
            return true;
        }
      });
      if (due.length === 0) notDue++;
      else if (right) diagnosed++;
      else misdiagnosed.push(`${describeSpec(spec)} bug ${JSON.stringify(bug)}\n${formatReport(result)}`);
    }
    const redrawn = Object.entries(reasons)
      .filter(([, n]) => n > 0)
      .map(([reason, n]) => `${reason} ${n}`);
    const line =
      `${kind}: ${planted} planted (float64 ${plantedBy.float64}, float32 ${plantedBy.float32}), ` +
      `${planted - misses.length - knownMisses.length - underFDError.length} caught${refused ? ` (${refused} of them refused as a non-finite gradient)` : ''}, ` +
      `${misses.length} missed${knownMisses.length ? `, ${knownMisses.length} known misses (a wrong entry where the loss is flat: issue 9)` : ''}` +
      (underFDError.length
        ? `, ${underFDError.length} passed under ${VISIBLE} × the FD error actually made (not due)`
        : '') +
      (EXPECTED[kind]
        ? `; diagnosis "${EXPECTED[kind]}" with its factor right in ${diagnosed} of ${diagnosed + misdiagnosed.length} due ` +
          `(not due in ${notDue}: a kink within the step, an error under ${CLEAR}× the resolution, or too few entries)`
        : '') +
      `; band (difference ≥ tolerance, but < ${PLANTED} or under the resolution): ` +
      `${band.resolvable.caught} of ${band.resolvable.drawn} caught above the resolution, ` +
      `${band.unresolvable.caught} of ${band.unresolvable.drawn} under it ` +
      `(${band.clear.caught} of ${band.clear.drawn} with difference ≥ 10 × tolerance and error ≥ ${CLEAR}× resolution, which must be)` +
      `; redrawn ${redraws.length} of ${tries} draws${redrawn.length ? `: ${redrawn.join(', ')}` : ''}` +
      `; the ${planted} draws without their bug: false alarms ${cleanAlarms.length}` +
      (cleanApart ? ` (${cleanApart} more failed as the correct-models test counts apart)` : '');
    console.log(
      [
        line,
        ...misses.map((m) => `  missed: ${m.split('\n')[0]}`),
        ...cleanAlarms.map((m) => `  false alarm without the bug: ${m.split('\n')[0]}`),
        ...knownMisses.map((m) => `  known miss: ${m}`),
        ...underFDError.map((m) => `  passed under ${VISIBLE} × the FD error: ${m}`),
        ...redraws,
      ].join('\n'),
    );
    expect(misses.slice(0, 2)).toEqual([]);
    expect(cleanAlarms.slice(0, 2)).toEqual([]);
    // Band bugs clearly above the tolerance and the resolution are caught too.
    expect(bandMisses.slice(0, 2)).toEqual([]);
    // The diagnosis is a pattern fit on noisy numbers: it must name the right kind, with the
    // right factor, direction and sign, in at least 90 % of the cases where it is due.
    const due = diagnosed + misdiagnosed.length;
    if (diagnosed < DIAGNOSED * due) expect(misdiagnosed.slice(0, 2)).toEqual([]);
  });
});
