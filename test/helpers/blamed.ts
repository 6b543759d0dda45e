import type { CheckResult, EntryResult } from '@gradcheck/core';

/**
 * The entries a failed check blamed (failing, not left out as kinks), where its worst entries list
 * them all; else undefined.
 */
export function blamed(result: CheckResult): EntryResult[] | undefined {
  const failing = result.worst.filter((e) => e.excess > 1 && !e.kink);
  return failing.length > 0 && failing.length === result.tensors.reduce((n, t) => n + t.failing, 0)
    ? failing
    : undefined;
}

/** An entry's flat index in a tensor of `shape` (row-major). */
export function flatIndex(shape: readonly number[], entry: EntryResult): number {
  return entry.index.reduce((flat, i, k) => flat * shape[k]! + i, 0);
}
