// Vitest 5's `expect`, typed through `declare module 'vitest'` by importing the adapter (what the
// `setupFiles` entry's users get from `"types": ["@gradcheck/vitest"]` or a setup file import).
import { expect } from 'vitest';
import type {} from '@gradcheck/vitest';
import { ReferenceNetwork, initializeParameters, randomData } from '@gradcheck/reference-network';

const model = new ReferenceNetwork(initializeParameters([4, 3, 1]));
const { X, Y } = randomData(4, 5);

expect(model).toPassGradientCheck(X, Y);
expect(model).toPassGradientCheck(X, Y, 1e-7);
expect(model).not.toPassGradientCheck(X, Y, { tolerance: 1e-6, step: 1e-5, worst: 3, seed: 1 });
const done: Promise<void> = expect(model).toPassGradientCheckAsync(X, Y);
void done;

// @ts-expect-error: options are a number or an options object
expect(model).toPassGradientCheck(X, Y, 'strict');
// @ts-expect-error: a misspelled option
expect(model).toPassGradientCheck(X, Y, { tolerence: 1e-6 });
// @ts-expect-error: X and Y are required
expect(model).toPassGradientCheck();
// @ts-expect-error: the sync matcher returns nothing to await
void expect(model).toPassGradientCheck(X, Y).then;
