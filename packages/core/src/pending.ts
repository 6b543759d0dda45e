import { GradcheckError } from './errors.js';

/** One async check that has started and not yet settled. */
interface PendingCheck {
  /** The assertion as the user wrote it: `expect(model).toPassGradientCheckAsync(X, Y)`. */
  readonly assertion: string;
  /** Set when a test ended without waiting for it: its late verdict is then dropped. */
  abandoned: boolean;
}

/**
 * The checks in flight. On `globalThis` under a registered symbol, so that the ESM and CommonJS
 * builds of core (both can be loaded in one process) share one registry.
 */
const registryKey = Symbol.for('@gradcheck/core/pending-checks');
function registry(): Set<PendingCheck> {
  const scope = globalThis as { [registryKey]?: Set<PendingCheck> };
  return (scope[registryKey] ??= new Set());
}

/**
 * Runs `check` as a pending async check: it stays in the registry until it settles, so that a
 * test that ends before then can be failed ({@link failOnPendingChecks}). If the test was failed
 * for it (the check was abandoned), its late outcome is replaced by `abandoned()`, so that the
 * host's promise neither fails a later test nor rejects unhandled and crashes a worker.
 */
export async function trackPendingCheck<T>(assertion: string, check: () => Promise<T>, abandoned: () => T): Promise<T> {
  const pending: PendingCheck = { assertion, abandoned: false };
  const checks = registry();
  checks.add(pending);
  try {
    const outcome = await check();
    return pending.abandoned ? abandoned() : outcome;
  } catch (error) {
    if (pending.abandoned) return abandoned();
    throw error;
  } finally {
    checks.delete(pending);
  }
}

/**
 * Fails the current test when an async check it started is still running, which means it was not
 * awaited: its verdict could otherwise arrive after the test has passed. The adapters' setup
 * entries call it in `afterEach`; a runner without them can do the same. Marks those checks
 * abandoned (see {@link trackPendingCheck}) and throws `GradcheckError UNAWAITED_CHECK`.
 *
 * @example
 * ```ts
 * afterEach(failOnPendingChecks)
 * ```
 */
export function failOnPendingChecks(): void {
  const checks = registry();
  if (checks.size === 0) return;
  const abandoned = [...checks];
  checks.clear();
  for (const check of abandoned) check.abandoned = true;
  const first = abandoned[0]!.assertion;
  const count = abandoned.length === 1 ? 'was' : `and ${abandoned.length - 1} more were`;
  const error = new GradcheckError(
    'UNAWAITED_CHECK',
    `${first} ${count} still running when the test ended: it was not awaited, so its verdict could not ` +
      `fail the test. Write \`await ${first}\` in an async test.`,
  );
  // No stack: its frames would point inside gradcheck, not at the test the runner names.
  error.stack = `${error.name} ${error.code}: ${error.message}`;
  throw error;
}
