// Type declarations of the matchers for every way Jest users reach `expect`; the arguments follow
// the received value T (see GradientCheckArguments in @gradcheck/core). A module (it has an
// import), so that its `declare` blocks augment instead of replace.
import type { GradientCheckMatchers } from '@gradcheck/core';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    /** The global `expect` typed by @types/jest. */
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Matchers<R, T = {}> extends GradientCheckMatchers<R, T> {}
  }
}

declare module 'expect' {
  /** `expect` from @jest/globals (Jest ≥ 29) and the standalone `expect` package. */
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers<R extends void | Promise<void>, T = unknown> extends GradientCheckMatchers<R, T> {}
}
