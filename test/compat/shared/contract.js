// The matcher contract of the compatibility matrix, written once in plain JavaScript: each fixture
// project gets it behind a header that brings `describe`, `it` and `expect` from its runner
// (scripts/compat-run.mjs writes the test file; chai-contract.js is the same for Chai). The model is a tiny linear least-squares fit, so
// that the fixtures need nothing but the runner and the packed gradcheck packages.

/** loss = 1/(2m)·Σ (w·x + b − y)²; `broken` forgets the 1/m in dw (a missing mean). */
function linearModel({ broken = false, async = false, delayMs = 0 } = {}) {
  const w = new Float64Array([0.3, -0.7]);
  const b = new Float64Array([0.1]);
  const residuals = (X, Y) => Y.map((y, i) => w[0] * X[i][0] + w[1] * X[i][1] + b[0] - y);
  const loss = (X, Y) => residuals(X, Y).reduce((s, r) => s + r * r, 0) / (2 * Y.length);
  const gradients = (X, Y) => {
    const r = residuals(X, Y);
    const m = Y.length;
    const dw = new Float64Array([0, 1].map((j) => r.reduce((s, ri, i) => s + ri * X[i][j], 0) / (broken ? 1 : m)));
    const db = new Float64Array([r.reduce((s, ri) => s + ri, 0) / m]);
    return { dw, db };
  };
  if (!async) return { parameters: { w, b }, loss, gradients };
  const later = (value) => new Promise((resolve) => setTimeout(() => resolve(value), delayMs));
  return {
    parameters: { w, b },
    loss: (X, Y) => later(loss(X, Y)),
    gradients: (X, Y) => later(gradients(X, Y)),
  };
}

/** A layer y = w ⊙ tanh(x) with dX (and dw); `broken` forgets tanh's derivative in dX. */
function tanhLayer({ broken = false } = {}) {
  const w = new Float64Array([0.5, -1.5, 2]);
  return {
    parameters: { w },
    forward: (x) => x.map((v, i) => w[i] * Math.tanh(v)),
    backward: (dY, x) => ({
      dw: x.map((v, i) => dY[i] * Math.tanh(v)),
      dX: x.map((v, i) => dY[i] * w[i] * (broken ? 1 : 1 - Math.tanh(v) ** 2)),
    }),
  };
}
/** Rosenbrock's function and its gradient. */
const rosenbrock = {
  f: ([a, b]) => (1 - a) ** 2 + 100 * (b - a * a) ** 2,
  grad: ([a, b]) => [-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)],
};

const X = [
  [1, 2],
  [0.5, -1],
  [2, 0.3],
];
const Y = [1, 0, 2];

describe('gradcheck matcher contract', () => {
  it('passes a correct model (defaults, classic eps, options) and .not a broken one', () => {
    expect(linearModel()).toPassGradientCheck(X, Y);
    expect(linearModel()).toPassGradientCheck(X, Y, 1e-7);
    expect(linearModel()).toPassGradientCheck(X, Y, { tolerance: 1e-7, seed: 7 });
    expect(linearModel({ broken: true })).not.toPassGradientCheck(X, Y);
  });

  it('checks a layer (with its input) and a function: pass, .not, and the report naming input entries', () => {
    expect(tanhLayer()).toPassGradientCheck([0.3, -0.2, 1.1]);
    expect(tanhLayer({ broken: true })).not.toPassGradientCheck([0.3, -0.2, 1.1], { seed: 3 });
    expect(() => expect(tanhLayer({ broken: true })).toPassGradientCheck([0.3, -0.2, 1.1])).toThrow(
      /toPassGradientCheck\(X\)[^]*\(wrong: X\)[^]*X\[\d\]/,
    );
    expect(rosenbrock).toPassGradientCheck([-1.2, 1]);
  });

  it('fails a broken model with the report as the message', () => {
    expect(() => expect(linearModel({ broken: true })).toPassGradientCheck(X, Y, 1e-7)).toThrow(
      /toPassGradientCheck\(X, Y, 1e-7\)[^]*Analytic gradients disagree with central differences: difference \S+ > tolerance 1e-7 \(wrong: w\)[^]*worst entries/,
    );
    expect(() => expect(linearModel({ broken: true })).toPassGradientCheck(X, Y)).toThrow(
      /analytic ≈ 3\.00 × numeric \(3 = examples in X: a missing 1\/m\)/,
    );
  });

  it('fails .not on a correct model, saying the gradients agree', () => {
    expect(() => expect(linearModel()).not.toPassGradientCheck(X, Y)).toThrow(
      /\.not\.toPassGradientCheck\(X, Y\)[^]*Expected the analytic gradients to disagree with central differences, but they agree\./,
    );
  });

  it('fails on bad input with the GradcheckError code, with or without .not', () => {
    expect(() => expect(null).toPassGradientCheck(X, Y)).toThrow(
      /GradcheckError NOT_A_MODEL: expected a model, received null/,
    );
    expect(() => expect({ weights: [1] }).not.toPassGradientCheck(X, Y)).toThrow(/NOT_A_MODEL[^]*so `\.not` fails too/);
    expect(() => expect(linearModel()).toPassGradientCheck(X, Y, { tolerence: 1e-7 })).toThrow(
      /GradcheckError INVALID_OPTION: unknown option "tolerence"/,
    );
    expect(() => expect(linearModel({ async: true })).toPassGradientCheck(X, Y)).toThrow(
      /GradcheckError ASYNC_MODEL: [^]*await expect\(model\)\.toPassGradientCheckAsync\(X, Y\)/,
    );
  });

  it('checks async models when awaited, both ways, with the report on failure', async () => {
    await expect(linearModel({ async: true })).toPassGradientCheckAsync(X, Y);
    await expect(linearModel({ async: true, broken: true })).not.toPassGradientCheckAsync(X, Y);
    // Caught through an async function: Bun's expect.extend runs an async matcher to its end and
    // throws, where Jest and Vitest return a Promise that rejects.
    const error = await (async () =>
      expect(linearModel({ async: true, broken: true })).toPassGradientCheckAsync(X, Y, 1e-7))().then(
      () => undefined,
      (e) => e,
    );
    expect(String(error?.message)).toMatch(/toPassGradientCheckAsync\(X, Y, 1e-7\)[^]*\(wrong: w\)/);
  });
});
