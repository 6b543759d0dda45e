// `expect` imported from @jest/globals (`injectGlobals: false`), typed by `declare module 'expect'`.
import { expect } from '@jest/globals';
import type {} from '@gradcheck/jest/jest-globals';
import { model, X, Y } from '../model.js';

expect(model).toPassGradientCheck(X, Y);
expect(model).not.toPassGradientCheck(X, Y, 1e-7);
const done: Promise<void> = expect(model).toPassGradientCheckAsync(X, Y, { tolerance: 1e-6 });
void done;

// @ts-expect-error: options are a number or an options object
expect(model).toPassGradientCheck(X, Y, 'strict');
// @ts-expect-error: a misspelled option
expect(model).not.toPassGradientCheck(X, Y, { tolerence: 1e-6 });
