// The diagnosis of a failing tensor as a table: for each pattern of analytic against numeric
// gradients, the kind and the one line the report prints (diagnose.ts). The property test draws
// such bugs at random; these are the deterministic cases, one per explanation and per tie rule.
import { describe, expect, it } from 'vitest';
import { diagnoseTensors, type TensorEvidence } from '../src/diagnose.js';

interface Spec {
  name?: string;
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
