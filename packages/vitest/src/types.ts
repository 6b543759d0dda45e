// Type declarations of the matchers; the arguments follow the received value T (see
// GradientCheckArguments in @gradcheck/core). A module (it has an import), so that the `declare`
// blocks augment. Vitest 5 reads custom matchers from its own `Matchers<R, T>`; Vitest 3.2 and 4
// from the global `jest.Matchers<R, T>` (their `Assertion<T>` extends it). Vitest 3.2 and 4 declare
// `vitest`'s `Matchers` with one type parameter, so there the first block is a TS2428 error in this
// file, which `skipLibCheck` (the default of `tsc --init` and Vite's templates) leaves unreported;
// the types then work all the same.
import type { GradientCheckMatchers } from '@gradcheck/core';

declare module 'vitest' {
  /* eslint-disable @typescript-eslint/no-empty-object-type */
  interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> extends GradientCheckMatchers<
    R,
    T
  > {}
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R, T = {}> extends GradientCheckMatchers<R, T> {}
  }
  /* eslint-enable @typescript-eslint/no-empty-object-type */
}
