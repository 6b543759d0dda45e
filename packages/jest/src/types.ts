// Type declarations of the matchers for every way Jest users reach `expect`. A module (it has an
// import), so that its `declare` blocks augment instead of replace.
import type { GradientCheckMatchers } from '@gradcheck/core';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    /** The global `expect` typed by @types/jest. */
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars
    interface Matchers<R, T = {}> extends GradientCheckMatchers<R> {}
  }
}

declare module 'expect' {
  /** `expect` from @jest/globals (Jest ≥ 29) and the standalone `expect` package. */
  // eslint-disable-next-line @typescript-eslint/no-unused-vars, @typescript-eslint/no-empty-object-type
  interface Matchers<R extends void | Promise<void>, T = unknown> extends GradientCheckMatchers<R> {}
}
