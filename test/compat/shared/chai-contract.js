// The Chai plugin's contract (Mocha provides describe/it), on the model of contract.js, whose
// linearModel, X and Y compat-run.mjs puts above this file.

/** The message of the AssertionError `assertion` throws (synchronously or as a rejection). */
async function failure(assertion) {
  try {
    await assertion();
  } catch (error) {
    expect(error.name).to.equal('AssertionError');
    return error.message;
  }
  throw new Error('the assertion passed');
}

describe('gradcheck chai plugin contract', () => {
  it('passes a correct model (defaults, classic eps, options) and .not a broken one', () => {
    expect(linearModel()).to.passGradientCheck(X, Y);
    expect(linearModel()).to.passGradientCheck(X, Y, 1e-7);
    expect(linearModel()).to.passGradientCheck(X, Y, { tolerance: 1e-7, seed: 7 });
    expect(linearModel({ broken: true })).not.to.passGradientCheck(X, Y);
    assert.passesGradientCheck(linearModel(), X, Y);
    expect(tanhLayer()).to.passGradientCheck([0.3, -0.2, 1.1]);
    expect(tanhLayer({ broken: true })).not.to.passGradientCheck([0.3, -0.2, 1.1]);
    expect(rosenbrock).to.passGradientCheck([-1.2, 1]);
  });

  it('fails a broken model with the report as the message', async () => {
    const message = await failure(() => expect(linearModel({ broken: true })).to.passGradientCheck(X, Y, 1e-7));
    expect(message).to.match(
      /^expect\(model\)\.to\.passGradientCheck\(X, Y, 1e-7\)\n\nAnalytic gradients disagree with central differences: difference \S+ > tolerance 1e-7 \(wrong: w\)/,
    );
    expect(message).to.match(/analytic ≈ 3\.00 × numeric \(3 = examples in X: a missing 1\/m\)/);
    expect(message).to.match(/worst entries/);
    expect(await failure(() => assert.passesGradientCheck(linearModel({ broken: true }), X, Y))).to.match(
      /\(wrong: w\)/,
    );
  });

  it('fails .not on a correct model, saying the gradients agree', async () => {
    expect(await failure(() => expect(linearModel()).not.to.passGradientCheck(X, Y))).to.match(
      /^expect\(model\)\.to\.not\.passGradientCheck\(X, Y\)\n\nExpected the analytic gradients to disagree with central differences, but they agree\./,
    );
  });

  it('fails on bad input with the GradcheckError code, with or without .not', async () => {
    expect(await failure(() => expect(null).to.passGradientCheck(X, Y))).to.match(
      /GradcheckError NOT_A_MODEL: expected a model, received null/,
    );
    expect(await failure(() => expect({ weights: [1] }).not.to.passGradientCheck(X, Y))).to.match(
      /NOT_A_MODEL[^]*so `\.not` fails too/,
    );
    expect(await failure(() => expect(linearModel()).to.passGradientCheck(X, Y, { tolerence: 1e-7 }))).to.match(
      /GradcheckError INVALID_OPTION: unknown option "tolerence"/,
    );
    expect(await failure(() => expect(linearModel({ async: true })).to.passGradientCheck(X, Y))).to.match(
      /GradcheckError ASYNC_MODEL/,
    );
  });

  it('checks async models when awaited, both ways, with the report on failure', async () => {
    await expect(linearModel({ async: true })).to.passGradientCheckAsync(X, Y);
    await expect(linearModel({ async: true, broken: true })).not.to.passGradientCheckAsync(X, Y);
    await assert.passesGradientCheckAsync(linearModel({ async: true }), X, Y, 1e-7);
    const message = await failure(() =>
      expect(linearModel({ async: true, broken: true })).to.passGradientCheckAsync(X, Y, 1e-7),
    );
    expect(message).to.match(/^expect\(model\)\.to\.passGradientCheckAsync\(X, Y, 1e-7\)\n\n[^]*\(wrong: w\)/);
  });
});
