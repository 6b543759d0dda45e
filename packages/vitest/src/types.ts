// Type declarations of the matchers for Vitest 5, which reads custom matchers from its own
// `Matchers` interface only. A module (it has an import), so that `declare module` augments.
import type { GradientCheckMatchers } from '@gradcheck/core';

declare module 'vitest' {
  // T must be declared to merge with Vitest's Matchers<R, T>; the matchers do not use it.
  /* eslint-disable @typescript-eslint/no-unused-vars, @typescript-eslint/no-empty-object-type */
  interface Matchers<
    R extends void | Promise<void> = void | Promise<void>,
    T = unknown,
  > extends GradientCheckMatchers<R> {}
  /* eslint-enable @typescript-eslint/no-unused-vars, @typescript-eslint/no-empty-object-type */
}
