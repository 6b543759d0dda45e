// Type declarations of the matchers for Vitest 5, which reads custom matchers from its own
// `Matchers` interface only. A module (it has an import), so that `declare module` augments.
import type { GradientCheckMatchers } from '@gradcheck/core';

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars, @typescript-eslint/no-empty-object-type
  interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> extends GradientCheckMatchers<R> {}
}
