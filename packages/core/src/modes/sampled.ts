/**
 * The sampled check: central differences over a stratified sample of every tensor's entries (half
 * the largest analytic gradients, half at random), as many as the budget allows or `samples` asks.
 */
import type { Algorithm } from '../evaluation.js';
import type { ParameterSet } from '../parameters.js';
import { seededRandom, type Random } from '../random.js';
import type { CheckSession } from '../session.js';
import { EntryCheck } from './entry-check.js';
import type { ModeOutcome } from './mode.js';

/** Checks a stratified sample of every tensor's entries elementwise. */
export function* sampledCheck(session: CheckSession, reason: string): Algorithm<ModeOutcome> {
  session.mode = 'sampled';
  session.phase = 'sample';
  const { parameters, options } = session;
  const sizes = parameters.tensors.map((t) => t.view.size);
  const shares =
    options.samples !== undefined
      ? sizes.map((n) => Math.min(n, options.samples!))
      : shareEntries(
          sizes,
          Math.max(parameters.tensors.length, Math.floor(Math.min(session.evaluationsLeft(), 2 * parameters.size) / 2)),
        );
  const sample = sampleEntries(parameters, session.analytic, shares, seededRandom(options.seed));
  const entries = new EntryCheck(session);
  for (const [k, i] of sample) {
    const checked = entries.checked;
    if (checked > 0 && (session.outOfTime() || (options.samples === undefined && session.evaluationsLeft() < 2))) break;
    if (entries.checkedInPlace(k, i) < 0) entries.record(k, i, yield* entries.estimate(k, i));
    session.progress(entries.checked, sample.length);
  }
  session.assertUnchanged();
  session.progress(entries.checked, sample.length, true);
  return {
    mode: 'sampled',
    reason,
    comparison: entries.comparison,
    checked: entries.checked,
    stepRange: entries.stepRange(),
    warnings:
      entries.checked === sample.length
        ? []
        : [`the budget ran out after ${entries.checked} of ${sample.length} sampled entries.`],
  };
}
/**
 * Sampling: which entries a sampled check checks. Every tensor gets its share of the budget (a
 * small tensor all its entries, the rest split evenly among the larger ones); within a tensor,
 * half the share goes to the entries with the largest analytic gradients and half to entries drawn
 * uniformly at random (seeded) from the others. The checking order interleaves the tensors, so that
 * a time budget that runs out still leaves every tensor checked.
 */

/**
 * Splits `entries` among tensors of the given sizes: every tensor gets an equal share, a tensor
 * smaller than its share gets all of itself and leaves the rest to the others.
 */
export function shareEntries(sizes: readonly number[], entries: number): number[] {
  const shares = sizes.map(() => 0);
  const order = sizes.map((_, k) => k).sort((a, b) => sizes[a]! - sizes[b]!);
  let left = entries;
  order.forEach((k, r) => {
    const share = Math.min(sizes[k]!, Math.floor(left / (order.length - r)));
    shares[k] = share;
    left -= share;
  });
  return shares;
}

/** Indices of the `count` entries of largest |values[offset + i]| among `size` entries, largest first. */
export function largestEntries(values: Float64Array, offset: number, size: number, count: number): number[] {
  // A min-heap of the `count` largest so far: O(size · log count).
  const heap: number[] = [];
  const key = (i: number): number => Math.abs(values[offset + i]!);
  const sift = (at: number): void => {
    for (;;) {
      const l = 2 * at + 1,
        r = l + 1;
      let least = at;
      if (l < heap.length && key(heap[l]!) < key(heap[least]!)) least = l;
      if (r < heap.length && key(heap[r]!) < key(heap[least]!)) least = r;
      if (least === at) return;
      [heap[at], heap[least]] = [heap[least]!, heap[at]!];
      at = least;
    }
  };
  for (let i = 0; i < size && count > 0; i++) {
    if (heap.length < count) {
      heap.push(i);
      for (let at = heap.length - 1; at > 0;) {
        const up = (at - 1) >> 1;
        if (key(heap[up]!) <= key(heap[at]!)) break;
        [heap[at], heap[up]] = [heap[up]!, heap[at]!];
        at = up;
      }
    } else if (key(i) > key(heap[0]!)) {
      heap[0] = i;
      sift(0);
    }
  }
  return heap.sort((a, b) => key(b) - key(a) || a - b);
}

/**
 * The entries to check in each tensor: `shares[k]` of tensor k, the largest analytic gradients
 * and random others alternating. Returns `[tensorIndex, entryIndex]` pairs in checking order
 * (round robin over the tensors).
 */
export function sampleEntries(
  parameters: ParameterSet,
  analytic: Float64Array,
  shares: readonly number[],
  random: Random,
): [number, number][] {
  const perTensor = parameters.tensors.map(({ view, offset }, k) => {
    const n = view.size,
      share = shares[k]!;
    if (share >= n) return Array.from({ length: n }, (_, i) => i);
    const largest = largestEntries(analytic, offset, n, Math.ceil(share / 2));
    const chosen = new Set(largest);
    const drawn: number[] = [];
    while (chosen.size < share) {
      const i = random.below(n);
      if (!chosen.has(i)) {
        chosen.add(i);
        drawn.push(i);
      }
    }
    const order: number[] = [];
    for (let r = 0; r < largest.length || r < drawn.length; r++) {
      if (r < largest.length) order.push(largest[r]!);
      if (r < drawn.length) order.push(drawn[r]!);
    }
    return order;
  });
  const pairs: [number, number][] = [];
  const longest = Math.max(...perTensor.map((e) => e.length));
  for (let r = 0; r < longest; r++)
    perTensor.forEach((entries, k) => {
      if (r < entries.length) pairs.push([k, entries[r]!]);
    });
  return pairs;
}
