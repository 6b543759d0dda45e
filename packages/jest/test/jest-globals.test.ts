// `@gradcheck/jest/jest-globals` registers the matchers on the `expect` of @jest/globals, with
// Jest's globals off (`injectGlobals: false`), and `@gradcheck/jest/setup` says what to use then.
import { describe, expect, it } from '@jest/globals';
import { ReferenceNetwork, initializeParameters, randomData } from '@gradcheck/reference-network';

describe('@gradcheck/jest/jest-globals', () => {
  it('works without a global expect', () => {
    expect(typeof (globalThis as { expect?: unknown }).expect).toBe('undefined');
    const { X, Y } = randomData(4, 5);
    expect(new ReferenceNetwork(initializeParameters([4, 3, 1]))).toPassGradientCheck(X, Y);
    expect(new ReferenceNetwork(initializeParameters([4, 3, 1]), { broken: true })).not.toPassGradientCheck(X, Y);
  });

  it('is what @gradcheck/jest/setup points to when there is no global expect', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(() => require('@gradcheck/jest/setup')).toThrow(
      '@gradcheck/jest/setup found no global `expect` to extend. List it in `setupFilesAfterEnv` (not `setupFiles`), or with `injectGlobals: false` use `@gradcheck/jest/jest-globals`.',
    );
  });
});
