// The standalone `expect` package, extended by hand with the side-effect-free matchers export.
import { expect } from 'expect';
import * as matchers from '@gradcheck/jest/matchers';
import { model, X, Y } from '../model.js';

expect.extend(matchers);
expect(model).toPassGradientCheck(X, Y);
expect(model).not.toPassGradientCheck(X, Y, 1e-7);
const done: Promise<void> = expect(model).toPassGradientCheckAsync(X, Y);
void done;

// @ts-expect-error: options are a number or an options object
expect(model).toPassGradientCheck(X, Y, 'strict');
// @ts-expect-error: a misspelled option
expect(model).toPassGradientCheck(X, Y, { tolerence: 1e-6 });
