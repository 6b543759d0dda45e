// The Chai plugin's type contract: `chai.use(gradcheck)` and the assertions on Chai's `Assertion`
// and `assert`. Chai's `Assertion` carries no type of its target, so X and Y cannot follow the
// model's types here (they do in Jest and Vitest); options and return types are checked.
// `type-host` (tsconfig `paths`) exports `chai` and the plugin, resolved from the project's node_modules.
import { chai, gradcheck } from 'type-host';

chai.use(gradcheck);
declare const model: {
  parameters: { W: number[] };
  loss(X: number[], Y: number[]): number;
  gradients(X: number[], Y: number[]): { W: number[] };
};
declare const X: number[];
declare const Y: number[];

export async function typeCases(): Promise<void> {
  chai.expect(model).to.passGradientCheck(X, Y);
  chai.expect(model).to.passGradientCheck(X, Y, 1e-7);
  chai.expect(model).not.to.passGradientCheck(X, Y, { tolerance: 1e-6, seed: 1 });
  await chai.expect(model).to.passGradientCheckAsync(X, Y);
  chai.assert.passesGradientCheck(model, X, Y, { worst: 3 });
  const done: Promise<void> = chai.assert.passesGradientCheckAsync(model, X, Y);
  await done;

  // @ts-expect-error: a misspelled option
  chai.expect(model).to.passGradientCheck(X, Y, { tolerence: 1e-6 });
  // @ts-expect-error: options are a number or an options object
  chai.assert.passesGradientCheck(model, X, Y, 'strict');
  // @ts-expect-error: X is required
  chai.expect(model).to.passGradientCheck();
  // @ts-expect-error: the sync assertion returns nothing to await
  void chai.expect(model).to.passGradientCheck(X, Y).then;
}
