// The unawaited check for Chai, on unawaited.js's slow broken model (put above this file by
// compat-run.mjs): with `--require @gradcheck/chai/mocha`, the root afterEach fails the run with
// UNAWAITED_CHECK. Mocha reports the test itself as passed, then the failing "after each" hook,
// and skips the rest of the describe block (its rule for a failing hook).

describe('an unawaited passGradientCheckAsync', () => {
  it('unawaited check on a slow broken model', () => {
    expect(slowBrokenModel).to.passGradientCheckAsync(X, Y);
  });
  it('the next test is skipped by Mocha after the failing hook', () => {
    expect(1 + 1).to.equal(2);
  });
});
