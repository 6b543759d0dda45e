import { describe, expect, it } from 'vitest';
import { failOnPendingChecks } from '../src/index.js';
import { trackPendingCheck } from '../src/pending.js';
import { errorOf } from './caught.js';

/** A promise and the functions that settle it. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void, reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('checks left running when a test ends', () => {
  it('nothing pending: failOnPendingChecks does nothing', () => {
    expect(() => failOnPendingChecks()).not.toThrow();
  });

  it('a check that settled in time is not pending any more, and its outcome is its own', async () => {
    await expect(
      trackPendingCheck(
        'A',
        () => Promise.resolve('verdict'),
        () => 'dropped',
      ),
    ).resolves.toBe('verdict');
    await expect(
      trackPendingCheck(
        'B',
        () => Promise.reject(new Error('model threw')),
        () => 'dropped',
      ),
    ).rejects.toThrow('model threw');
    expect(() => failOnPendingChecks()).not.toThrow();
  });

  it('one unawaited check fails the test, names the assertion, and its late verdict is dropped', async () => {
    const late = deferred<string>();
    const tracked = trackPendingCheck(
      'expect(model).toPassGradientCheckAsync(X, Y)',
      () => late.promise,
      () => 'dropped',
    );
    const error = errorOf(() => failOnPendingChecks());
    expect(error.code).toBe('UNAWAITED_CHECK');
    expect(error.message).toBe(
      'expect(model).toPassGradientCheckAsync(X, Y) was still running when the test ended: it was not awaited, ' +
        'so its verdict could not fail the test. Write `await expect(model).toPassGradientCheckAsync(X, Y)` in an ' +
        'async test.',
    );
    expect(error.stack).toBe(`GradcheckError UNAWAITED_CHECK: ${error.message}`);
    // Failed once: the next test starts clean.
    expect(() => failOnPendingChecks()).not.toThrow();
    late.resolve('a failing verdict');
    await expect(tracked).resolves.toBe('dropped');
  });

  it('several: counts the others, and a late rejection is dropped too (no unhandled rejection)', async () => {
    const first = deferred<string>(),
      second = deferred<string>(),
      third = deferred<string>();
    const tracked = [
      trackPendingCheck(
        'check 1',
        () => first.promise,
        () => 'dropped',
      ),
      trackPendingCheck(
        'check 2',
        () => second.promise,
        () => 'dropped',
      ),
      trackPendingCheck(
        'check 3',
        () => third.promise,
        () => 'dropped',
      ),
    ];
    expect(errorOf(() => failOnPendingChecks()).message).toMatch(/^check 1 and 2 more were still running when/);
    first.reject(new Error('late failure'));
    second.resolve('late pass');
    third.resolve('late pass');
    await expect(Promise.all(tracked)).resolves.toEqual(['dropped', 'dropped', 'dropped']);
  });

  it('two pending: "and 1 more were"', async () => {
    const a = deferred<number>(),
      b = deferred<number>();
    const tracked = [
      trackPendingCheck(
        'p',
        () => a.promise,
        () => -1,
      ),
      trackPendingCheck(
        'q',
        () => b.promise,
        () => -1,
      ),
    ];
    expect(errorOf(() => failOnPendingChecks()).message).toMatch(/^p and 1 more were still running/);
    a.resolve(1);
    b.resolve(2);
    await expect(Promise.all(tracked)).resolves.toEqual([-1, -1]);
  });

  it('a check that ends before the test does is not failed by a later test end', async () => {
    const a = deferred<number>();
    const tracked = trackPendingCheck(
      'p',
      () => a.promise,
      () => -1,
    );
    a.resolve(7);
    await expect(tracked).resolves.toBe(7);
    expect(() => failOnPendingChecks()).not.toThrow();
  });
});
