/**
 * Vitest matchers for numerical gradient checking. Importing this module has no side effects:
 * register the matchers with `setupFiles: ['@gradcheck/vitest/setup']`, or by hand with
 * `expect.extend(matchers)`.
 * @packageDocumentation
 */
import './types.js';

export { gradientCheckMatchers as matchers, toPassGradientCheck, toPassGradientCheckAsync } from '@gradcheck/core';
export type {
  CheckOptions,
  CheckOptionsInput,
  CheckResult,
  GradientCheckMatchers,
  GradientModel,
  FunctionalModel,
  Model,
} from '@gradcheck/core';
