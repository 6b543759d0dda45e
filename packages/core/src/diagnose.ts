/**
 * What a mismatch looks like. For each failing tensor, several explanations of the error
 * analytic − numeric are fitted (a constant factor, a flipped sign, a missing path, a transpose,
 * another tensor's gradient, a missing L2 term, a single entry); the one that leaves the smallest
 * residual names the diagnosis, if it explains the error to within 20 % (4 % of its square).
 */
import type { RecordedEntries } from './compare.js';
import type { Diagnosis, DiagnosisKind } from './result.js';

/** What the diagnosis knows about one tensor. */
export interface TensorEvidence {
  /** The parameter's name. */
  readonly name: string;
  /** Its shape. */
  readonly shape: readonly number[];
  /** True when the tensor failed: only failing tensors are diagnosed. */
  readonly failing: boolean;
  /** The entries compared (kinks left out). */
  readonly entries: RecordedEntries;
  /** The finite-difference noise expected in the numeric gradient's norm (see `TensorResult.noiseNorm`). */
  readonly noiseNorm: number;
  /** The analytic gradient at any flat index of the tensor. */
  analyticAt(index: number): number;
  /** The parameter's value at any flat index. */
  thetaAt(index: number): number;
  /** `W1[2,3]` for a flat index. */
  label(index: number): string;
}

/** The share of the error norm an explanation may leave unexplained. */
const EXPLAINED = 0.2;
/** How close a factor must be to −1, m or 1/m to be called that (relative). */
const NAMED_FACTOR = 0.01;

interface Candidate {
  readonly kind: DiagnosisKind;
  /** `named-scale` for a factor of −1, m or 1/m; otherwise the kind. */
  readonly rank?: string;
  readonly residual2: number;
  readonly diagnosis: Omit<Diagnosis, 'kind'>;
}

/**
 * Which explanation wins among those that fit about equally well: the most specific first (an
 * analytic gradient that is exactly 0 first). A factor that is −1, m or 1/m is more specific
 * than a single entry, and that than any factor; a factor is simpler than an L2 term (which
 * also fits a factor wherever the L2 term dominates the gradient).
 */
const ORDER: readonly string[] = [
  'zero',
  'sign',
  'named-scale',
  'swapped',
  'transposed',
  'isolated',
  'partial-zero',
  'scale',
  'regulariser',
];
/** Explanations whose residuals differ by less than this share of the squared error fit equally well. */
const TIE = 1e-6;
/** A fitted factor below this is no factor: the analytic gradient is just far smaller. */
const NEGLIGIBLE_FACTOR = 1e-2;
/** Nor is one within this of 1 (it prints as 1.00): the mismatch lies elsewhere than in a factor. */
const UNIT_FACTOR = 5e-3;

function factorText(k: number): string {
  return Math.abs(k) >= 0.01 && Math.abs(k) < 1e4 ? k.toPrecision(3) : k.toExponential(2);
}

/** Least-squares fit of `target ≈ k · basis`: the factor and the squared residual. */
function fit(target: (i: number) => number, basis: (i: number) => number, n: number): [number, number] {
  let tb = 0,
    bb = 0,
    tt = 0;
  for (let i = 0; i < n; i++) {
    const t = target(i),
      b = basis(i);
    tb += t * b;
    bb += b * b;
    tt += t * t;
  }
  if (bb === 0) return [0, tt];
  const k = tb / bb;
  let r2 = 0;
  for (let i = 0; i < n; i++) r2 += (target(i) - k * basis(i)) ** 2;
  return [k, r2];
}

function scaleCandidate(t: TensorEvidence, examples: number | undefined): Candidate | undefined {
  const { analytic, numeric } = t.entries;
  const n = analytic.length;
  const [k, residual2] = fit(
    (i) => analytic[i]!,
    (i) => numeric[i]!,
    n,
  );
  if (!Number.isFinite(k) || k === 0) return undefined;
  const significant = numeric.filter((v) => v !== 0).length;
  // How precisely the data pin k down: about the residual, or the numeric gradient's noise,
  // relative to the numeric gradient.
  let numeric2 = 0;
  for (const v of numeric) numeric2 += v * v;
  const uncertainty = 2 * Math.max(Math.sqrt(residual2 / numeric2), (Math.abs(k) * t.noiseNorm) / Math.sqrt(numeric2));
  // Never wider than a quarter of the factor named: a factor known that loosely has no name.
  const close = (a: number, b: number): boolean =>
    Math.abs(a - b) <= Math.max(NAMED_FACTOR, Math.min(uncertainty / Math.abs(b), 0.25)) * Math.abs(b);
  if (close(k, -1))
    return { kind: 'sign', residual2, diagnosis: { text: 'sign flipped: analytic ≈ −1 × numeric', factor: k } };
  const m = examples !== undefined && examples > 1 ? examples : undefined;
  if (m !== undefined && close(k, m)) {
    return {
      kind: 'scale',
      rank: 'named-scale',
      residual2,
      diagnosis: {
        text: `analytic ≈ ${factorText(k)} × numeric (${m} = examples in X: a missing 1/m)`,
        factor: k,
        examples: m,
      },
    };
  }
  if (m !== undefined && close(k, 1 / m)) {
    return {
      kind: 'scale',
      rank: 'named-scale',
      residual2,
      diagnosis: {
        text: `analytic ≈ ${factorText(k)} × numeric (1/${m}, ${m} = examples in X: an extra 1/m)`,
        factor: k,
        examples: m,
      },
    };
  }
  // A factor fitted to one entry explains anything: name it only when it is special.
  if (significant < 2 || Math.abs(k) < NEGLIGIBLE_FACTOR || Math.abs(k - 1) < UNIT_FACTOR) return undefined;
  return { kind: 'scale', residual2, diagnosis: { text: `analytic ≈ ${factorText(k)} × numeric`, factor: k } };
}

function zeroCandidate(t: TensorEvidence): Candidate | undefined {
  const { analytic, numeric } = t.entries;
  let residual2 = 0,
    count = 0;
  for (let i = 0; i < analytic.length; i++) {
    const g = analytic[i]!,
      v = numeric[i]!;
    if (v !== 0 && Math.abs(g) <= 1e-9 * Math.abs(v)) count++;
    else residual2 += (g - v) ** 2;
  }
  if (count === 0) return undefined;
  const everywhere = analytic.every((g, i) => Math.abs(g) <= 1e-9 * Math.abs(numeric[i]!));
  const of = everywhere ? 'everywhere' : `at ${count} of ${analytic.length} entries`;
  return {
    kind: 'zero',
    ...(everywhere ? {} : { rank: 'partial-zero' }),
    residual2,
    diagnosis: { text: `analytic is 0 where numeric is not (${of}): a missing path`, count },
  };
}

/**
 * Where in `entries` the entry a diagnosis of one entry off names is: the failing entry with the
 * largest excess, where one failed (the largest error may be one its noise allowed), else the entry
 * with the largest error; −1 where no entry is off.
 */
function isolatedPosition({ analytic, numeric, indices, worstFailing }: RecordedEntries): number {
  if (worstFailing !== undefined) return indices.indexOf(worstFailing);
  let worst = -1,
    worst2 = 0;
  for (let i = 0; i < analytic.length; i++) {
    const e2 = (analytic[i]! - numeric[i]!) ** 2;
    if (e2 > worst2) {
      worst2 = e2;
      worst = i;
    }
  }
  return worst;
}

function isolatedCandidate(t: TensorEvidence, error2: number): Candidate | undefined {
  const { analytic, numeric, indices } = t.entries;
  if (analytic.length < 3) return undefined;
  const worst = isolatedPosition(t.entries);
  if (worst < 0) return undefined;
  const worst2 = (analytic[worst]! - numeric[worst]!) ** 2;
  const entry = t.label(indices[worst]!);
  return { kind: 'isolated', residual2: error2 - worst2, diagnosis: { text: `only ${entry} is off`, entry } };
}

function transposedCandidate(t: TensorEvidence): Candidate | undefined {
  const [rows, columns] = t.shape;
  if (t.shape.length !== 2 || rows! < 2 || columns! < 2) return undefined;
  const { numeric, indices } = t.entries;
  // The numeric gradient at [i, j] against the analytic buffer read as the columns×rows transpose.
  let residual2 = 0;
  for (let e = 0; e < indices.length; e++) {
    const i = Math.floor(indices[e]! / columns!),
      j = indices[e]! % columns!;
    residual2 += (t.analyticAt(j * rows! + i) - numeric[e]!) ** 2;
  }
  return { kind: 'transposed', residual2, diagnosis: { text: 'analytic holds the numeric gradient transposed' } };
}

/** The diagnosis text of a tensor whose analytic gradient is `other`'s numeric one. */
function swappedWith(other: string): Omit<Diagnosis, 'kind'> {
  return { text: `analytic matches ${other}'s numeric gradient: gradients swapped?`, other };
}

function swappedCandidates(t: TensorEvidence, all: readonly TensorEvidence[]): Candidate[] {
  const size = t.shape.reduce((a, b) => a * b, 1);
  let analytic2 = 0;
  for (const g of t.entries.analytic) analytic2 += g * g;
  return all
    .filter((o) => o !== t && o.shape.reduce((a, b) => a * b, 1) === size && o.entries.indices.length > 0)
    .flatMap((o): Candidate[] => {
      const { indices, numeric } = o.entries;
      let residual2 = 0;
      for (let e = 0; e < indices.length; e++) residual2 += (t.analyticAt(indices[e]!) - numeric[e]!) ** 2;
      // Scale to this tensor's entries when the other tensor had fewer compared (kinks left out).
      residual2 *= t.entries.indices.length / indices.length;
      // The match must explain the analytic values themselves: near 0, any small gradient matches.
      if (!(residual2 < EXPLAINED ** 2 * analytic2)) return [];
      return [{ kind: 'swapped', residual2, diagnosis: swappedWith(o.name) }];
    });
}

function regulariserCandidate(t: TensorEvidence): Candidate | undefined {
  const { analytic, numeric, indices } = t.entries;
  if (analytic.length < 3) return undefined;
  const [lambda, residual2] = fit(
    (i) => numeric[i]! - analytic[i]!,
    (i) => t.thetaAt(indices[i]!),
    analytic.length,
  );
  if (!(lambda !== 0 && Number.isFinite(lambda))) return undefined;
  return {
    kind: 'regulariser',
    residual2,
    diagnosis: { text: `numeric − analytic ≈ ${factorText(lambda)} × θ: a missing or wrong L2 term`, factor: lambda },
  };
}

/** The diagnosis of one failing tensor, or `undefined` when no pattern explains its mismatch. */
export function diagnoseTensor(
  t: TensorEvidence,
  all: readonly TensorEvidence[],
  examples: number | undefined,
): Diagnosis | undefined {
  const { analytic, numeric } = t.entries;
  let error2 = 0;
  for (let i = 0; i < analytic.length; i++) error2 += (analytic[i]! - numeric[i]!) ** 2;
  if (error2 === 0) return undefined;
  const candidates = [
    zeroCandidate(t),
    isolatedCandidate(t, error2),
    scaleCandidate(t, examples),
    transposedCandidate(t),
    ...swappedCandidates(t, all),
    regulariserCandidate(t),
  ].filter((c): c is Candidate => c !== undefined && c.residual2 <= EXPLAINED ** 2 * error2);
  const rank = (c: Candidate): number => ORDER.indexOf(c.rank ?? c.kind);
  candidates.sort((a, b) => a.residual2 - b.residual2 || rank(a) - rank(b));
  const best = candidates[0];
  if (!best) return undefined;
  // Residuals that differ by less than the noise cannot tell explanations apart.
  const tied = candidates.filter((c) => c.residual2 <= best.residual2 + Math.max(TIE * error2, 4 * t.noiseNorm ** 2));
  tied.sort((a, b) => rank(a) - rank(b));
  return { kind: tied[0]!.kind, ...tied[0]!.diagnosis };
}

/**
 * Diagnoses every failing tensor; `undefined` for passing tensors and unexplained mismatches. A
 * swap goes both ways: when A's analytic gradient matches B's numeric one, B is called swapped
 * with A too if its analytic gradient is closer to A's numeric gradient than to its own.
 */
export function diagnoseTensors(
  tensors: readonly TensorEvidence[],
  examples: number | undefined,
): (Diagnosis | undefined)[] {
  const diagnoses = tensors.map((t) => (t.failing ? diagnoseTensor(t, tensors, examples) : undefined));
  tensors.forEach((t, a) => {
    const other = diagnoses[a]?.kind === 'swapped' ? tensors.findIndex((o) => o.name === diagnoses[a]!.other) : -1;
    if (other < 0 || !tensors[other]!.failing || diagnoses[other]?.kind === 'swapped') return;
    const b = tensors[other]!;
    let toOwn = 0,
      toSwapped = 0;
    b.entries.indices.forEach((index, e) => {
      toOwn += (b.analyticAt(index) - b.entries.numeric[e]!) ** 2;
    });
    t.entries.indices.forEach((index, e) => {
      toSwapped += (b.analyticAt(index) - t.entries.numeric[e]!) ** 2;
    });
    toSwapped *= b.entries.indices.length / Math.max(1, t.entries.indices.length);
    if (toSwapped < toOwn) {
      diagnoses[other] = { kind: 'swapped', ...swappedWith(t.name) };
    }
  });
  return diagnoses;
}
