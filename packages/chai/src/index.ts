/**
 * Chai plugin for numerical gradient checking: `chai.use(gradcheck)`, then
 * `expect(model).to.passGradientCheck(X, Y)`, `.not`, `passGradientCheckAsync` and
 * `assert.passesGradientCheck(model, X, Y)`. For Mocha and any runner that uses Chai.
 * @packageDocumentation
 */
import './types.js';
import { gradcheck } from './plugin.js';

export { gradcheck, type ChaiLike, type ChaiUtilsLike } from './plugin.js';
export type { CheckOptions, CheckOptionsInput, CheckResult, GradientModel, Model } from '@gradcheck/core';
export default gradcheck;
