/** A fake `performance` clock for the tests of a describe block that time progress reports. */
import { afterEach, beforeEach, vi } from 'vitest';

/**
 * Fakes `performance` before each test of the enclosing describe block, its clock started well
 * after its origin (so that a time measured from the wrong end shows), and restores it after each.
 */
export function onFakeClock(): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance'] });
    vi.advanceTimersByTime(10_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
