/**
 * Where a step widened for noise stops: beyond {@link STILL_SIDE_SHARE} of the entry's scale, a step
 * at which the loss stands bitwise still on one side of θ and moves on the other has reached a kink
 * that the noise hid at the narrower steps (docs/verdict.md, "The widening").
 */
import type { FiveLosses } from './entry-rules.js';

/**
 * The share of an entry's scale beyond which a step widened for noise is not taken where the loss
 * stands still on one side of θ only ({@link stillOnOneSide}). Up to it (the widest share until
 * stop 34) a loss kept to coarse quanta stands still on a side at ordinary steps of small float32
 * weights: a prototype that stepped back at every widened step where either side stood still (its
 * first step's widening held to 8 ×) missed 35 more real-code bugs over seeds 0–29 (the draws it
 * printed: float32 weights of scale 5e-4 to 5e-3).
 */
export const STILL_SIDE_SHARE = 8;

/**
 * Whether the five losses at θ − h, θ − h/2, θ, θ + h/2 and θ + h stand bitwise still on exactly one
 * side of θ: equal to the loss at θ at both points of that side, not at both of the other.
 */
export function stillOnOneSide(losses: FiveLosses): boolean {
  const [minus, minusHalf, centre, plusHalf, plus] = losses;
  return (minus === centre && minusHalf === centre) !== (plus === centre && plusHalf === centre);
}

/**
 * Whether a step `h` widened for noise, at which the loss read `losses` (none where the step settled
 * the entry), has reached a kink: it moves the entry by more than {@link STILL_SIDE_SHARE} of its
 * `scale`, and the loss stands still on one side of θ. Property GC_SEED=21, 598250676: a correct
 * float32 b2[3] exactly at a kink (an all-zero example) stood still left of θ at 2⁻⁴ and fell
 * right of it (at 2⁻⁶ and 2⁻⁸ the fall was within the noise), and failed there once the widening
 * could reach 32 × its scale.
 */
export function stillSideBeyond(h: number, scale: number, losses: FiveLosses | undefined): boolean {
  return losses !== undefined && h > STILL_SIDE_SHARE * scale && stillOnOneSide(losses);
}
