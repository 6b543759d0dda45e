// @types/jest's global `expect`, with the matchers' types from importing `@gradcheck/jest` (types only).
import type {} from '@gradcheck/jest';
import { model, X, Y } from '../model.js';

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
