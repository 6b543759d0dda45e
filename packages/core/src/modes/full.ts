/** The full check: central differences over every parameter entry. */
import type { Algorithm } from '../evaluation.js';
import type { CheckSession } from '../session.js';
import { EntryCheck } from './entry-check.js';
import type { ModeOutcome } from './mode.js';

/** Checks every entry of every tensor elementwise. */
export function* fullCheck(session: CheckSession, reason: string): Algorithm<ModeOutcome> {
  const entries = new EntryCheck(session);
  const { tensors, size } = session.parameters;
  session.mode = session.phase = 'full';
  for (let k = 0; k < tensors.length; k++) {
    const n = tensors[k]!.view.size;
    // The entries that settle in place are checked by a plain loop (entries.settleRun), the others here.
    for (let i = entries.settleRun(k, 0, n, size); i < n; i = entries.settleRun(k, i + 1, n, size)) {
      entries.record(k, i, yield* entries.estimate(k, i));
      session.progress(entries.checked, size);
    }
  }
  session.assertUnchanged();
  session.progress(entries.checked, size, true);
  return {
    mode: 'full',
    reason,
    comparison: entries.comparison,
    checked: entries.checked,
    stepRange: entries.stepRange(),
    warnings: [],
  };
}
