// The diagnosis of a failing tensor as a table: for each pattern of analytic against numeric
// gradients, the kind and the one line the report prints (diagnose.ts). The property test draws
// such bugs at random; these are the deterministic cases, one per explanation and per tie rule.
import { describe, expect, it } from 'vitest';
import { diagnoseTensors, type TensorEvidence } from '../src/diagnose.js';
import { checkGradients } from '../src/index.js';

interface Spec {
  name?: string;
  /** The flat index of the failing entry with the largest excess (compare.ts's `worstFailing`). */
  worstFailing?: number;
  shape?: number[];
  analytic: number[];
  numeric: number[];
  theta?: number[];
  failing?: boolean;
  noiseNorm?: number;
  /** Flat indices compared (default: every entry). */
  indices?: number[];
}

function evidence(spec: Spec): TensorEvidence {
  const name = spec.name ?? 'W';
  const shape = spec.shape ?? [spec.analytic.length];
  const indices = spec.indices ?? spec.analytic.map((_, i) => i);
  return {
    name,
    shape,
    failing: spec.failing ?? true,
    entries: {
      indices,
      analytic: indices.map((i) => spec.analytic[i]!),
      numeric: indices.map((_, e) => spec.numeric[e]!),
      ...(spec.worstFailing === undefined ? {} : { worstFailing: spec.worstFailing }),
    },
    noiseNorm: spec.noiseNorm ?? 0,
    analyticAt: (i) => spec.analytic[i]!,
    thetaAt: (i) => spec.theta?.[i] ?? 1,
    label: (i) => `${name}[${i}]`,
  };
}

const diagnose = (spec: Spec, examples?: number) => diagnoseTensors([evidence(spec)], examples)[0];

const numeric = [0.5, -1.25, 2, 0.75, -0.3, 1.1];

describe('the diagnosis of one failing tensor', () => {
  it.each([
    ['a missing 1/m', numeric.map((v) => 4 * v), 4, 'analytic ≈ 4.00 × numeric (4 = examples in X: a missing 1/m)'],
    ['an extra 1/m', numeric.map((v) => v / 4), 4, 'analytic ≈ 0.250 × numeric (1/4, 4 = examples in X: an extra 1/m)'],
    ['a factor with no name', numeric.map((v) => 1.7 * v), 4, 'analytic ≈ 1.70 × numeric'],
    ['a factor of 3 without the examples', numeric.map((v) => 3 * v), undefined, 'analytic ≈ 3.00 × numeric'],
    ['a large factor', numeric.map((v) => 2e4 * v), undefined, 'analytic ≈ 2.00e+4 × numeric'],
    ['a flipped sign', numeric.map((v) => -v), 4, 'sign flipped: analytic ≈ −1 × numeric'],
    ['no gradient at all', numeric.map(() => 0), 4, 'analytic is 0 where numeric is not (everywhere): a missing path'],
    [
      'no gradient at two entries',
      numeric.map((v, i) => (i < 2 ? 0 : v)),
      4,
      'analytic is 0 where numeric is not (at 2 of 6 entries): a missing path',
    ],
    ['one entry off', numeric.map((v, i) => (i === 3 ? v + 5 : v)), 4, 'only W[3] is off'],
  ])('%s', (_, analytic, examples, text) => {
    expect(diagnose({ analytic, numeric }, examples)?.text).toBe(text);
  });

  it('writes a factor below 0.01 in exponent notation', () => {
    expect(diagnose({ analytic: numeric.map((v) => v / 200), numeric }, 200)?.text).toBe(
      'analytic ≈ 5.00e-3 × numeric (1/200, 200 = examples in X: an extra 1/m)',
    );
    const theta = [1, -2, 0.5, 3, -1, 2];
    expect(diagnose({ analytic: numeric.map((v, i) => v - 0.005 * theta[i]!), numeric, theta })?.text).toBe(
      'numeric − analytic ≈ 5.00e-3 × θ: a missing or wrong L2 term',
    );
  });

  it('names a missing L2 term and its λ', () => {
    const theta = [1, -2, 0.5, 3, -1, 2];
    const d = diagnose({ analytic: numeric.map((v, i) => v - 0.1 * theta[i]!), numeric, theta }, 4);
    expect(d).toMatchObject({
      kind: 'regulariser',
      text: 'numeric − analytic ≈ 0.100 × θ: a missing or wrong L2 term',
    });
    expect(d!.factor).toBeCloseTo(0.1, 12);
  });

  it('names a missing L2 term from 3 entries compared, not from 2', () => {
    const theta = [1, -2, 0.5];
    const three = diagnose({
      analytic: [0.5, -1.25, 2].map((v, i) => v - 0.1 * theta[i]!),
      numeric: [0.5, -1.25, 2],
      theta,
    });
    expect(three).toMatchObject({
      kind: 'regulariser',
      text: 'numeric − analytic ≈ 0.100 × θ: a missing or wrong L2 term',
    });
    const two = diagnose({ analytic: [0.5, -1.25].map((v, i) => v - 0.1 * theta[i]!), numeric: [0.5, -1.25], theta });
    expect(two?.kind).not.toBe('regulariser');
  });

  it('names a transposed gradient of a matrix', () => {
    // W is 2×3; the analytic buffer holds the 3×2 transpose of the numeric gradient.
    const n = [1, 2, 3, 4, 5, 6];
    const transposed = [1, 4, 2, 5, 3, 6];
    expect(diagnose({ shape: [2, 3], analytic: transposed, numeric: n })).toMatchObject({
      kind: 'transposed',
      text: 'analytic holds the numeric gradient transposed',
    });
    // A vector has no transpose: the same numbers are no diagnosis of that kind.
    expect(diagnose({ shape: [6], analytic: transposed, numeric: n })?.kind).not.toBe('transposed');
  });

  it('gives no diagnosis when nothing explains the error, or when there is no error', () => {
    expect(diagnose({ analytic: [3, -1, 0.2, 5, 1, -4], numeric })).toBeUndefined();
    expect(diagnose({ analytic: numeric, numeric })).toBeUndefined();
  });

  it('leaves passing tensors undiagnosed', () => {
    expect(diagnose({ analytic: numeric.map((v) => 2 * v), numeric, failing: false })).toBeUndefined();
  });

  it('calls a factor within noise of m by its name, and one far from m a plain factor', () => {
    const noisy = numeric.map((v, i) => 4 * v * (1 + (i % 2 ? 0.02 : -0.02)));
    // The residual of the fit makes the factor uncertain by more than 1 %: still m.
    expect(diagnose({ analytic: noisy, numeric }, 4)?.examples).toBe(4);
    // An exact factor of 4.8 is known precisely, and 20 % from m = 4: a plain factor.
    expect(diagnose({ analytic: numeric.map((v) => 4.8 * v), numeric }, 4)?.text).toBe('analytic ≈ 4.80 × numeric');
  });

  describe('among explanations that fit equally well, the most specific', () => {
    it('a factor of m before a single entry', () => {
      // Entry 1 is 4 × its numeric value, the tiny entry 5 is right: "only W[1]" fits exactly, × 4 to 1e-7.
      const n = [0, 2, 0, 0, 0, 1e-3];
      const d = diagnose({ analytic: [0, 8, 0, 0, 0, 1e-3], numeric: n }, 4);
      expect(d).toMatchObject({ kind: 'scale', examples: 4 });
    });

    it('a single entry before a factor with no name', () => {
      const n = [0, 2, 0, 0, 0, 1e-3];
      expect(diagnose({ analytic: [0, 3.4, 0, 0, 0, 1e-3], numeric: n })?.text).toBe('only W[1] is off');
    });

    it('a single entry before a missing path at that one entry', () => {
      expect(diagnose({ analytic: numeric.map((v, i) => (i === 2 ? 0 : v)), numeric })?.text).toBe('only W[2] is off');
    });

    it('a flipped sign before a transpose (an antisymmetric gradient)', () => {
      const n = [0, 1.5, -2, -1.5, 0, 0.5, 2, -0.5, 0];
      expect(diagnose({ shape: [3, 3], analytic: n.map((v) => -v), numeric: n })?.kind).toBe('sign');
    });

    it('a flipped sign before a swap with a tensor whose gradient is the negative', () => {
      const a = [0.5, -1, 2, 0.25];
      const negative = a.map((v) => -v);
      const diagnoses = diagnoseTensors(
        [
          evidence({ name: 'W', analytic: negative, numeric: a }),
          evidence({ name: 'V', analytic: negative, numeric: negative, failing: false }),
        ],
        undefined,
      );
      expect(diagnoses[0]?.kind).toBe('sign');
    });
  });

  it('prefers a named factor to a single entry when both explain the error', () => {
    // Only two entries are non-zero: ×4 and "only W[1]" both fit; the examples' factor is the more specific.
    const sparse = [0, 2, 0, 0, 0, 0.001];
    expect(diagnose({ analytic: sparse.map((v) => 4 * v), numeric: sparse }, 4)?.kind).toBe('scale');
  });
});

describe('gradients of two tensors swapped', () => {
  const a = [0.5, -1, 2, 0.25],
    b = [3, 1, -2, 0.75];

  it('names the swap both ways', () => {
    const diagnoses = diagnoseTensors(
      [evidence({ name: 'W', analytic: b, numeric: a }), evidence({ name: 'V', analytic: a, numeric: b })],
      undefined,
    );
    expect(diagnoses.map((d) => d?.text)).toEqual([
      "analytic matches V's numeric gradient: gradients swapped?",
      "analytic matches W's numeric gradient: gradients swapped?",
    ]);
    expect(diagnoses.map((d) => d?.other)).toEqual(['V', 'W']);
  });

  it('calls the other tensor swapped too when its analytic gradient is nearer the first one’s numeric', () => {
    // V's analytic gradient is W's numeric one only roughly (30 % off): too far to be called a swap
    // on its own, but nearer W's numeric gradient than its own.
    const rough = a.map((v, i) => v * (i % 2 ? 1.3 : 0.7));
    const diagnoses = diagnoseTensors(
      [evidence({ name: 'W', analytic: b, numeric: a }), evidence({ name: 'V', analytic: rough, numeric: b })],
      undefined,
    );
    expect(diagnoses.map((d) => d?.kind)).toEqual(['swapped', 'swapped']);
    expect(diagnoses[1]!.other).toBe('W');
  });

  it('calls a swap that fits within 8 % a swap, judged over the entries as they are', () => {
    // W's analytic gradient is V's numeric one, 8 % off at every entry: well within the 20 % a swap allows.
    const near = b.map((v, i) => v * (i % 2 ? 1.08 : 0.92));
    const diagnoses = diagnoseTensors(
      [
        evidence({ name: 'W', analytic: near, numeric: a }),
        evidence({ name: 'V', analytic: b, numeric: b, failing: false }),
      ],
      undefined,
    );
    expect(diagnoses[0]).toMatchObject({ kind: 'swapped', other: 'V' });
  });

  it('scales a swap’s residual up to the tensor’s size when the other tensor compared fewer entries', () => {
    // V compared 2 of its 4 entries (kinks left out). W's analytic gradient is V's numeric one 30 % off at
    // both: over 2 entries that is half the residual 4 entries 30 % off would leave: no swap.
    const v = [3, 1, -3, 1];
    const rough = v.map((x) => 1.3 * x);
    const diagnoses = diagnoseTensors(
      [
        evidence({ name: 'W', analytic: rough, numeric: a }),
        evidence({ name: 'V', analytic: v, numeric: [v[0]!, v[2]!], indices: [0, 2], failing: false }),
      ],
      undefined,
    );
    expect(diagnoses[0]?.kind).not.toBe('swapped');
  });

  it('does not call a passing tensor swapped', () => {
    const diagnoses = diagnoseTensors(
      [
        evidence({ name: 'W', analytic: b, numeric: a }),
        evidence({ name: 'V', analytic: b, numeric: b, failing: false }),
      ],
      undefined,
    );
    expect(diagnoses[0]?.kind).toBe('swapped');
    expect(diagnoses[1]).toBeUndefined();
  });

  it('does not match a tensor of another size', () => {
    const diagnoses = diagnoseTensors(
      [
        evidence({ name: 'W', analytic: b, numeric: a }),
        evidence({ name: 'V', analytic: [...a, 1], numeric: [...b, 1] }),
      ],
      undefined,
    );
    expect(diagnoses[0]?.kind).not.toBe('swapped');
  });
});

describe('how near m a factor must be to be called m', () => {
  // Alternating numeric gradient, and an error part orthogonal to it: the fitted factor is exact
  // (k = 4.2 or 4.4), and the residual's share of the numeric gradient sets how precisely k is known.
  const alternating = (scale: number): number[] => [1, -1, 1, -1, 1, -1].map((s) => s * scale);
  const orthogonal = (size: number): number[] => [1, 1, -1, -1, 1, 1].map((s) => s * size);
  const withFactor = (k: number, scale: number, residual: number): number[] =>
    alternating(scale).map((v, i) => k * v + orthogonal(residual)[i]!);

  it('5 % from m, with a residual of 30 % of the numeric gradient: k is that loosely known, so it is m', () => {
    expect(diagnose({ analytic: withFactor(4.2, 1, 0.3), numeric: alternating(1) }, 4)?.examples).toBe(4);
    // The same ratio at a gradient ten times smaller: the same diagnosis (only the ratio counts).
    expect(diagnose({ analytic: withFactor(4.2, 0.1, 0.03), numeric: alternating(0.1) }, 4)?.examples).toBe(4);
  });

  it('10 % from m with a residual of 10 %: k is known to 5 %, a plain factor', () => {
    expect(diagnose({ analytic: withFactor(4.4, 1, 0.1), numeric: alternating(1) }, 4)?.text).toBe(
      'analytic ≈ 4.40 × numeric',
    );
  });

  it('the noise of the numeric gradient makes k uncertain too', () => {
    // An exact factor of 4.2, but the numeric gradient's noise is 30 % of its norm relative to k.
    const numeric = alternating(0.1);
    const noiseNorm = (0.3 * Math.sqrt(0.06)) / 4.2;
    expect(diagnose({ analytic: numeric.map((v) => 4.2 * v), numeric, noiseNorm }, 4)?.examples).toBe(4);
    expect(diagnose({ analytic: numeric.map((v) => 4.2 * v), numeric }, 4)?.text).toBe('analytic ≈ 4.20 × numeric');
  });

  it('one example is no m: a factor near 1 is a plain factor (none within half a percent of 1)', () => {
    expect(diagnose({ analytic: numeric.map((v) => 1.008 * v), numeric }, 1)?.text).toBe('analytic ≈ 1.01 × numeric');
    expect(diagnose({ analytic: numeric.map((v) => 1.004 * v), numeric }, 1)).toBeUndefined();
  });
});

describe('a factor that explains nothing', () => {
  it('fitted to a single non-zero entry: no diagnosis (two entries do get one)', () => {
    expect(diagnose({ analytic: [0, 3], numeric: [0, 2] })).toBeUndefined();
    expect(diagnose({ analytic: [3, 1.5], numeric: [2, 1] })?.text).toBe('analytic ≈ 1.50 × numeric');
  });

  it('below 0.01: the analytic gradient is just far smaller, no factor', () => {
    const n = [1, -1, 1, -1, 1, -1];
    expect(diagnose({ analytic: n.map((v) => 0.005 * v), numeric: n })).toBeUndefined();
    expect(diagnose({ analytic: n.map((v) => 0.02 * v), numeric: n })?.text).toBe('analytic ≈ 0.0200 × numeric');
  });
});

describe('explanations that must not be claimed', () => {
  it('a missing path at one entry does not explain errors everywhere else', () => {
    expect(diagnose({ analytic: [0, -1, 0.2, 5, 1, -4], numeric })).toBeUndefined();
  });

  it('a single entry, first or in a tensor of three', () => {
    expect(diagnose({ analytic: numeric.map((v, i) => (i === 0 ? v - 4 : v)), numeric })?.text).toBe(
      'only W[0] is off',
    );
    expect(diagnose({ analytic: [0.5, 3, 2], numeric: [0.5, -1.25, 2] })?.text).toBe('only W[1] is off');
  });

  it('one entry off is the entry that failed: never one whose larger error its noise allowed', () => {
    // W[0]'s error of 10 was within its allowance; W[1], off by 1, failed.
    const analytic = [1000, 1, 2, 3, 800];
    expect(diagnose({ analytic, numeric: [1010, 2, 2, 3, 800] })?.text).toBe('only W[0] is off');
    expect(diagnose({ analytic, numeric: [1010, 2, 2, 3, 800], worstFailing: 1 })).toBeUndefined();
    expect(diagnose({ analytic, numeric: [1000.1, 3, 2, 3, 800], worstFailing: 1 })?.text).toBe('only W[1] is off');
  });

  it('no factor within half a percent of 1: it would print as 1.00', () => {
    expect(diagnose({ analytic: numeric.map((v) => 1.004 * v), numeric })).toBeUndefined();
    expect(diagnose({ analytic: numeric.map((v) => 0.996 * v), numeric })).toBeUndefined();
    expect(diagnose({ analytic: numeric.map((v) => 1.01 * v), numeric })?.text).toBe('analytic ≈ 1.01 × numeric');
  });

  it('a transpose only of a matrix: a 3×2 matrix is, a 2×2×2 tensor never', () => {
    const n = [1, 2, 3, 4, 5, 6];
    // W is 3×2; the analytic buffer holds the 2×3 transpose.
    expect(diagnose({ shape: [3, 2], analytic: [1, 3, 5, 2, 4, 6], numeric: n })?.kind).toBe('transposed');
    // A 2×2×2 tensor whose numeric gradient repeats analytic entries in the pattern its first two
    // axes read as a matrix would give: no transpose (and nothing else) explains it.
    const a = [0.3, -1.1, 2.5, 0.7, -2.2, 1.9, 0.4, -0.8];
    const pattern = [0, 2, 1, 3, 2, 4, 3, 5].map((i) => a[i]!);
    expect(diagnose({ shape: [2, 2, 2], analytic: a, numeric: pattern })).toBeUndefined();
  });

  it('a swap needs the analytic values themselves matched: a near-zero gradient matches any small one', () => {
    const a = [0.5, -1, 2, 0.25];
    const diagnoses = diagnoseTensors(
      [
        evidence({ name: 'W', analytic: [1e-3, -2e-3, 1e-3, 5e-4], numeric: a }),
        evidence({ name: 'V', analytic: [0, 0, 0, 0], numeric: [0, 0, 0, 0], failing: false }),
      ],
      undefined,
    );
    expect(diagnoses[0]).toBeUndefined();
  });

  it('a swap with a smaller tensor is no swap, even where their entries match', () => {
    const a = [0.5, -1, 2, 0.25],
      b = [3, 1, -2, 0.75];
    const diagnoses = diagnoseTensors(
      [
        evidence({ name: 'W', analytic: b, numeric: a }),
        evidence({ name: 'V', analytic: b.slice(0, 3), numeric: b.slice(0, 3), failing: false }),
      ],
      undefined,
    );
    expect(diagnoses[0]?.kind).not.toBe('swapped');
  });

  it('a plain factor before an L2 term where θ is proportional to the numeric gradient (both fit exactly)', () => {
    expect(diagnose({ analytic: numeric.map((v) => 0.7 * v), numeric, theta: numeric })?.kind).toBe('scale');
  });

  it('writes a factor of exactly 0.01 in fixed point', () => {
    expect(diagnose({ analytic: [0.01, 0.01], numeric: [1, 1] })?.text).toBe('analytic ≈ 0.0100 × numeric');
  });
});

describe('what counts as a missing path', () => {
  it('only entries whose numeric gradient is not 0: an entry 0 on both sides is not counted', () => {
    const n = [0.5, 0, 2, 0.75, -0.3, 1.1];
    expect(diagnose({ analytic: n.map((v, i) => (i === 0 ? 0 : v)), numeric: n })?.text).toBe('only W[0] is off');
    expect(diagnose({ analytic: n.map((v, i) => (i < 3 ? 0 : v)), numeric: n })?.text).toBe(
      'analytic is 0 where numeric is not (at 2 of 6 entries): a missing path',
    );
  });

  it('an analytic gradient 10⁻⁵ of a small numeric one is not 0 (the test is relative)', () => {
    const n = [1e-3, -2e-3, 1e-3, -1e-3, 2e-3, -1e-3];
    expect(diagnose({ analytic: n.map((v) => 1e-5 * v), numeric: n })).toBeUndefined();
    expect(diagnose({ analytic: n.map((v, i) => (i < 2 ? 1e-5 * v : v)), numeric: n })?.kind).not.toBe('zero');
  });
});

describe('the best fit first, the rank only among ties (round 6)', () => {
  it('a plain factor that fits exactly beats a single entry that leaves a little (not a tie)', () => {
    // Nearly all the error of 1.7 × numeric sits at W[2]: the single entry explains 99.998 % of it,
    // the factor all of it.
    const n = [0.01, 0.02, 10, 0.03, -0.02, 0.01];
    expect(diagnose({ analytic: n.map((v) => 1.7 * v), numeric: n })?.text).toBe('analytic ≈ 1.70 × numeric');
  });

  it('names a missing L2 term in a tensor of three entries', () => {
    const theta = [1, -2, 0.5];
    const n = [0.5, -1.25, 2];
    expect(diagnose({ analytic: n.map((v, i) => v - 0.1 * theta[i]!), numeric: n, theta })?.text).toBe(
      'numeric − analytic ≈ 0.100 × θ: a missing or wrong L2 term',
    );
  });

  it('scales a swap’s residual up to this tensor’s entries when the other had only some compared', () => {
    // V compared 2 of its 4 entries (kinks left out); its numeric gradient there is W's analytic one,
    // off by x at the first: the residual x² counts twice, against 4 % of ‖W's analytic‖² (0.5825).
    const a = [0.5, -1, 2, 0.25],
      b = [3, 1, -2, 0.75];
    const swapped = (x: number) =>
      diagnoseTensors(
        [
          evidence({ name: 'W', analytic: b, numeric: a }),
          evidence({ name: 'V', analytic: [3, 1, 5, 5], numeric: [3 + x, 1], indices: [0, 1], failing: false }),
        ],
        undefined,
      )[0]?.kind;
    expect(swapped(0.4)).toBe('swapped'); // 2 · 0.16 = 0.32
    expect(swapped(0.8)).toBeUndefined(); // 2 · 0.64 = 1.28
  });
});

describe('the tie window and the swap named both ways (round 7)', () => {
  it('residuals that differ by up to 4·noiseNorm² are tied, the edge included: the more specific wins', () => {
    // W[0] and W[1] read 0 where numeric is 10 and 1, W[2] is off by 1: the missing path leaves 1,
    // "only W[0]" leaves 1 + 1 = 2. With noiseNorm 0.5 the window is exactly 1: tied, and a single
    // entry ranks before a partial missing path. Without noise (window 1e-6 of the error) the smaller wins.
    const spec = { analytic: [0, 0, 4], numeric: [10, 1, 3] };
    expect(diagnose({ ...spec, noiseNorm: 0.5 })?.text).toBe('only W[0] is off');
    expect(diagnose({ ...spec, noiseNorm: 0.49 })?.text).toBe(
      'analytic is 0 where numeric is not (at 2 of 3 entries): a missing path',
    );
    expect(diagnose(spec)?.kind).toBe('zero');
  });

  it('calls the first tensor swapped too when the second one is found swapped with it', () => {
    // The case "the other tensor swapped too" with the tensors in the other order: V (first) only
    // roughly holds W's numeric gradient, W (second) exactly V's.
    const a = [0.5, -1, 2, 0.25],
      b = [3, 1, -2, 0.75];
    const rough = a.map((v, i) => v * (i % 2 ? 1.3 : 0.7));
    const diagnoses = diagnoseTensors(
      [evidence({ name: 'V', analytic: rough, numeric: b }), evidence({ name: 'W', analytic: b, numeric: a })],
      undefined,
    );
    expect(diagnoses.map((d) => d?.other)).toEqual(['W', 'V']);
  });

  it('keeps a swap already named: V swapped with U is not renamed swapped with W', () => {
    // W's analytic gradient is V's numeric one, V's analytic gradient is U's numeric one, and W's
    // numeric gradient is U's 10 % larger: V is nearer W's numeric gradient than its own, but already
    // diagnosed (swapped with U, the exact match).
    const u = [1, 2, -1, 0.5],
      v = [3, -1, 2, -2];
    const diagnoses = diagnoseTensors(
      [
        evidence({ name: 'W', analytic: v, numeric: u.map((x) => 1.1 * x) }),
        evidence({ name: 'V', analytic: u, numeric: v }),
        evidence({ name: 'U', analytic: u, numeric: u, failing: false }),
      ],
      undefined,
    );
    expect(diagnoses.map((d) => d?.other)).toEqual(['V', 'U', undefined]);
  });

  it('does not call the other tensor swapped when its analytic gradient is nearer its own numeric one', () => {
    // W holds V's numeric gradient; V's own analytic gradient is 5 % off its numeric one and far from W's.
    const a = [0.5, -1, 2, 0.25],
      b = [3, 1, -2, 0.75];
    const diagnoses = diagnoseTensors(
      [
        evidence({ name: 'W', analytic: b, numeric: a }),
        evidence({ name: 'V', analytic: b.map((x) => 1.05 * x), numeric: b }),
      ],
      undefined,
    );
    expect(diagnoses[0]).toMatchObject({ kind: 'swapped', other: 'V' });
    expect(diagnoses[1]).toMatchObject({ kind: 'scale', text: 'analytic ≈ 1.05 × numeric' });
  });

  it('measures the other tensor’s distance to the first one’s numeric gradient with its sign', () => {
    // V's analytic gradient is W's numeric one 30 % off (0.74 away), its own numeric one is 3.6 away:
    // swapped. (Against −W's numeric gradient it would be 6.2 away: not.)
    const a = [1, 2, -1, 1.5],
      b = [0.5, -0.5, 0.5, 0.5];
    const rough = a.map((v, i) => v * (i % 2 ? 1.3 : 0.7));
    const diagnoses = diagnoseTensors(
      [evidence({ name: 'W', analytic: b, numeric: a }), evidence({ name: 'V', analytic: rough, numeric: b })],
      undefined,
    );
    expect(diagnoses[1]).toMatchObject({ kind: 'swapped', other: 'W' });
  });

  it('does not call a tensor exactly halfway between its own numeric gradient and the other’s swapped', () => {
    // V's analytic gradient [1, 1, 1, 1] is 2² · 4 = 4 from both [0, 2, 0, 2] and [2, 0, 2, 0]: not nearer the swap.
    const diagnoses = diagnoseTensors(
      [
        evidence({ name: 'W', analytic: [0, 2, 0, 2], numeric: [2, 0, 2, 0] }),
        evidence({ name: 'V', analytic: [1, 1, 1, 1], numeric: [0, 2, 0, 2] }),
      ],
      undefined,
    );
    expect(diagnoses[0]).toMatchObject({ kind: 'swapped', other: 'V' });
    expect(diagnoses[1]).toBeUndefined();
  });

  it('compares the other tensor’s distances per entry when the first compared fewer entries (kinks left out)', () => {
    // W compared entries 0 and 2 of 4; its analytic gradient is V's numeric one. V's analytic gradient
    // is 0.1 from W's numeric one at both (0.02 over 2 entries: 0.04 scaled to V's 4), and 0.1 from its
    // own at the same two entries, plus d at entry 3: swapped once V's own distance exceeds 0.04.
    const v = [1, 2, 3, 4];
    const other = (d: number) =>
      diagnoseTensors(
        [
          evidence({ name: 'W', analytic: v, numeric: [1.2, 3.2], indices: [0, 2] }),
          evidence({ name: 'V', analytic: [1.1, 2, 3.1, 4 + d], numeric: v }),
        ],
        undefined,
      ).map((x) => x?.other);
    expect(other(0)).toEqual(['V', undefined]); // own 0.02 < 0.04
    expect(other(0.2)).toEqual(['V', 'W']); // own 0.06 > 0.04
  });
});

describe('the edges of the named factor and of a missing path (round 7)', () => {
  it('a factor 25 % from m is still m when k is that uncertain (the edge included)', () => {
    // k = 5 exactly, m = 4; the noise makes k uncertain by more than 25 %, so the window is its widest, 1.
    const n = [1, 2, 2];
    expect(diagnose({ analytic: n.map((v) => 5 * v), numeric: n, noiseNorm: 1 }, 4)?.text).toBe(
      'analytic ≈ 5.00 × numeric (4 = examples in X: a missing 1/m)',
    );
  });

  it('an analytic value exactly 10⁻⁹ of the numeric one counts as 0', () => {
    expect(diagnose({ analytic: [1e-9, 0, 0], numeric: [1, 2, 3] })?.text).toBe(
      'analytic is 0 where numeric is not (everywhere): a missing path',
    );
  });

  it('a missing path is "everywhere" only where every analytic value is 0 relative to its numeric one', () => {
    // W[1]'s analytic 1e-4 is no 0 next to its numeric 1e-6, though it leaves almost no error.
    expect(diagnose({ analytic: [0, 1e-4, 0], numeric: [1, 1e-6, 2] })?.text).toBe(
      'analytic is 0 where numeric is not (at 2 of 3 entries): a missing path',
    );
  });

  it('an analytic gradient 5e-10 × numeric is a missing path, even when 1/m is 5e-10', () => {
    expect(diagnose({ analytic: numeric.map((v) => 5e-10 * v), numeric }, 2e9)?.text).toBe(
      'analytic is 0 where numeric is not (everywhere): a missing path',
    );
  });
});

describe('the 20 % edges of a swap, to the last bit (round 7)', () => {
  // 0.2 ** 2 · 25 is 1 + 2⁻⁵² in floating point, and so is 1² + (2⁻²⁶)²: residuals that sit exactly on the edge.
  const tiny = 2 ** -26;
  const swapOf = (analytic: number[], numeric: number[], other: number[]) =>
    diagnoseTensors(
      [
        evidence({ name: 'W', analytic, numeric }),
        evidence({ name: 'V', analytic: other, numeric: other, failing: false }),
      ],
      undefined,
    )[0];

  it('a match that leaves exactly 20 % of the analytic norm explains nothing (strict); just inside, it does', () => {
    // ‖W's analytic − V's numeric‖² = 1 + 2⁻⁵² = 0.2² · ‖[3, 4]‖²: not below it.
    expect(swapOf([3, 4], [0, 0], [2, 4 - tiny])).toBeUndefined();
    expect(swapOf([3, 4], [0, 0], [2, 4])).toMatchObject({ kind: 'swapped', other: 'V' });
  });

  it('a swap that leaves exactly 20 % of the error norm still explains it (the edge included)', () => {
    // W's error ‖[6, 8] − [3, 12]‖² = 25; the swap leaves 1 + 2⁻⁵² = 0.2² · 25.
    expect(swapOf([6, 8], [3, 12], [5, 8 - tiny])).toMatchObject({ kind: 'swapped', other: 'V' });
  });
});

describe('in a check, the diagnosis agrees with the table', () => {
  it('names no entry that passed: w[0], off by 0.5 of 1e6 (within the tolerance), beside w[1], off by 1e-3 of 1', () => {
    const w = new Float64Array([1, 1, 1, 1]);
    const model = {
      parameters: { w },
      loss: () => 0.5 * (1e6 * w[0]! * w[0]! + w[1]! * w[1]! + w[2]! * w[2]! + w[3]! * w[3]!),
      gradients: () => ({ w: new Float64Array([1e6 * w[0]! + 0.5, w[1]! + 1e-3, w[2]!, w[3]!]) }),
    };
    const result = checkGradients(model, [0], [0]);
    expect(result.worst.filter((e) => e.excess > 1).map((e) => e.label)).toEqual(['w[1]']);
    // Before, "only w[0] is off" (the largest error); no pattern explains an error norm that w[0]'s allowed error carries.
    expect(result.tensors[0]).toMatchObject({ failing: 1, passed: false });
    expect(result.tensors[0]!.diagnosis).toBeUndefined();
  });
});
