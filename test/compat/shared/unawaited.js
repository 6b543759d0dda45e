// An async check that is not awaited, on a slow broken model (each evaluation waits 5 ms, so the
// check is still running when the test ends): the setup entry's afterEach must fail this test
// with UNAWAITED_CHECK, and the next test must still run and pass (no crashed worker).
const w = new Float64Array([0.3, -0.7]);
const X = [
  [1, 2],
  [0.5, -1],
];
const Y = [1, 0];
const later = (value) => new Promise((resolve) => setTimeout(() => resolve(value), 5));
const residuals = () => Y.map((y, i) => w[0] * X[i][0] + w[1] * X[i][1] - y);
const slowBrokenModel = {
  parameters: { w },
  loss: () => later(residuals().reduce((s, r) => s + r * r, 0) / 4),
  // broken: no 1/m
  gradients: () =>
    later({ w: new Float64Array([0, 1].map((j) => residuals().reduce((s, r, i) => s + r * X[i][j], 0))) }),
};

describe('an unawaited toPassGradientCheckAsync', () => {
  it('unawaited check on a slow broken model', () => {
    expect(slowBrokenModel).toPassGradientCheckAsync(X, Y);
  });
  it('the next test runs and passes', () => {
    expect(1 + 1).toBe(2);
  });
});
