// Type declarations of the plugin's assertions on the global `Chai` namespace that @types/chai
// declares (chai 5 and 6 ship no types of their own; @types/chai 5 types both). A module (it has an
// import), so that `declare global` augments.
import type { CheckOptionsInput } from '@gradcheck/core';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Chai {
    interface Assertion {
      /**
       * Checks the model's analytic gradients against central finite differences, synchronously;
       * fails with gradcheck's report (under `.not`: when they agree). `options` is the classic
       * bare eps (step = tolerance = eps) or an options object.
       */
      passGradientCheck(X: unknown, Y?: unknown, options?: CheckOptionsInput): void;
      /** {@link Chai.Assertion.passGradientCheck} for async models: always `await` (or return) it. */
      passGradientCheckAsync(X: unknown, Y?: unknown, options?: CheckOptionsInput): Promise<void>;
    }
    interface AssertStatic {
      /** `assert` form of {@link Chai.Assertion.passGradientCheck}. */
      passesGradientCheck(model: object, X: unknown, Y?: unknown, options?: CheckOptionsInput): void;
      /** `assert` form of {@link Chai.Assertion.passGradientCheckAsync}: always `await` it. */
      passesGradientCheckAsync(model: object, X: unknown, Y?: unknown, options?: CheckOptionsInput): Promise<void>;
    }
  }
}
