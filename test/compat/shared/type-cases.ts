// The type contract every runner's matcher types must keep, written once: each type-test project
// maps `type-host` (tsconfig `paths`) to a file that exports the runner's `expect`, and compiles
// this file with `tsc`. Every `@ts-expect-error` line must meet an error, or tsc fails.
import { expect } from 'type-host';

interface Params {
  W: number[];
}
/** A model whose X (a Float64Array) and Y (labels, a number[]) have different types. */
declare const model: {
  parameters: Params;
  loss(X: Float64Array, Y: number[]): number;
  gradients(X: Float64Array, Y: number[]): Params;
};
declare const asyncModel: {
  parameters: Params;
  loss(X: Float64Array, Y: number[]): Promise<number>;
  gradients(X: Float64Array, Y: number[]): Promise<Params>;
};
/** A layer: its input is checked too; no Y. */
declare const layer: {
  parameters: Params;
  forward(X: Float64Array): Float64Array;
  backward(dY: Float64Array, X: Float64Array): { dX: Float64Array; W: number[] };
};
/** A scalar function of one input, with its gradient. */
declare const fn: { f(x: Float64Array): number; grad(x: Float64Array): Float64Array };
/** A model that declares no parameter types: any X and Y. */
declare const untyped: { parameters: Params; loss(X: any, Y: any): number; gradients(X: any, Y: any): Params };
declare const X: Float64Array;
declare const Y: number[];

export async function typeCases(): Promise<void> {
  expect(model).toPassGradientCheck(X, Y);
  expect(model).toPassGradientCheck(X, Y, 1e-7);
  expect(model).not.toPassGradientCheck(X, Y, { tolerance: 1e-6, step: 1e-5, worst: 3, seed: 1 });
  await expect(asyncModel).toPassGradientCheckAsync(X, Y);
  await expect(asyncModel).not.toPassGradientCheckAsync(X, Y, { seed: 2 });
  const done: Promise<void> = expect(asyncModel).toPassGradientCheckAsync(X, Y, 1e-7);
  await done;
  expect(layer).toPassGradientCheck(X);
  expect(layer).toPassGradientCheck(X, { tolerance: 1e-6 });
  expect(fn).toPassGradientCheck(X);
  expect(fn).not.toPassGradientCheck(X, { seed: 3 });
  expect(untyped).toPassGradientCheck('anything', 42);

  // @ts-expect-error: X and Y swapped
  expect(model).toPassGradientCheck(Y, X);
  // @ts-expect-error: X and Y swapped, async
  await expect(asyncModel).toPassGradientCheckAsync(Y, X);
  // @ts-expect-error: a method, not the model: expect(model.loss)
  expect(model.loss).toPassGradientCheck(X, Y);
  // @ts-expect-error: options are a number or an options object
  expect(model).toPassGradientCheck(X, Y, 'strict');
  // @ts-expect-error: a misspelled option
  expect(model).toPassGradientCheck(X, Y, { tolerence: 1e-6 });
  // @ts-expect-error: X and Y are required
  expect(model).toPassGradientCheck();
  // a layer's options may be the classic bare eps too, as at run time
  expect(layer).toPassGradientCheck(X, 1e-7);
  // @ts-expect-error: a layer's options are a number or an options object
  expect(layer).toPassGradientCheck(X, 'strict');
  // @ts-expect-error: a layer takes X and options, no Y
  expect(layer).toPassGradientCheck(X, Y, 1e-7);
  // @ts-expect-error: a layer's input has the type forward declares
  expect(layer).toPassGradientCheck(Y);
  expect(fn).toPassGradientCheck(X, 1e-7);
  // @ts-expect-error: a function takes x and options, not x and Y
  expect(fn).toPassGradientCheck(X, Y, 1e-7);
  // @ts-expect-error: a function's input has the type f declares
  expect(fn).toPassGradientCheck(Y);
  // @ts-expect-error: the sync matcher returns nothing to await
  void expect(model).toPassGradientCheck(X, Y).then;
}
