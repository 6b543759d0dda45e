/**
 * An entry's step widened for the loss's noise (estimate.ts): where the noise, not truncation, decides
 * the error at a step, a wider step balances the two better. Takes the estimator's estimate at a step
 * as a function, and only evaluates through it.
 */
import type { EntryEstimate } from './difference.js';
import { widenedStep, widenedTooFar, widensBeyond, type FiveLosses } from './entry-rules.js';
import type { NarrowerAt } from './narrowing.js';
import { unlessFar } from './perturbed.js';
import type { Steps } from './session.js';
import { stillSideBeyond } from './still-side.js';

/**
 * An entry's estimate at step h (`noisy`: it may return marked noisy, so that the widening goes on),
 * whether the loss stood still within it, and its one-sided slopes and five losses where read.
 */
export type WiderAt = (h: number, noisy: boolean) => ReturnType<NarrowerAt>;

/** Whether the analytic gradient bends within step h beyond `allowed` (perturbed.ts, `bendsWithinStep`). */
export type BendsWithin = (h: number, allowed: number) => Steps<boolean>;

/** Where an entry's widening for noise starts: its estimate at step `h`, and whether the loss stood still there. */
export interface WideningStart {
  readonly estimate: EntryEstimate;
  readonly flat: boolean;
  readonly h: number;
}

/**
 * The estimate of an entry (`start`) widened by `NOISE_WIDENING` while its error is the loss's noise
 * (marked `noisy`): until truncation shows, the entry agrees, or the widenings run out (counted from
 * `from`, up to `widest`). It goes back to the step before where a side of the loss stands still beyond
 * the step (still-side.ts; `scale` the entry's), where truncation grew faster than the noise fell
 * ({@link widenedTooFar}, against `analytic`), or where the analytic gradient bends within the step
 * beyond the error of the step before (`bends`): a kink within the wider step, which the narrower left out;
 * and where the loss is not finite at the wider step (perturbed.ts, `unlessFar`). (Not where the loss's one-sided
 * slopes first show a kink at the wider step: that kink may lie within the narrower step, its noise hiding it
 * there; docs/verdict.md, stop 36.) Returns the estimate, whether the loss stood still, and the step.
 */
export function* widenedForNoise(
  at: WiderAt,
  start: WideningStart,
  range: { readonly from: number; readonly widest: number; readonly scale: number },
  analytic: number,
  bends: BendsWithin,
): Steps<readonly [EntryEstimate, boolean, number]> {
  let { estimate, flat, h } = start;
  const { from, widest, scale } = range;
  while (estimate.noisy && !flat) {
    const previous = estimate,
      before = h;
    h = widenedStep(h, from, widest)!;
    let losses: FiveLosses | undefined;
    // (A loss not finite at the wider step ends the widening.)
    const wider = yield* unlessFar(at(h, widensBeyond(h, from, widest)));
    if (wider) [estimate, flat, , losses] = wider;
    if (
      !wider ||
      stillSideBeyond(h, scale, losses) ||
      widenedTooFar(analytic, previous, estimate) ||
      (yield* bends(h, previous.errorEstimate))
    ) {
      h = before;
      [estimate, flat] = yield* at(h, false);
    }
  }
  return [estimate, flat, h];
}
