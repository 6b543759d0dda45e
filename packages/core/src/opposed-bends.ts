/**
 * What the loss shows of two kinks closer to θ than any step the check takes: a pure rule over the
 * five losses of one entry, read with its one-sided slopes (entry-rules.ts `oneSidedSlopes`).
 */
import type { StepTaken } from './difference.js';

/** The slope of the secant through (a, la) and (b, lb). */
const secant = (a: number, la: number, b: number, lb: number): number => (lb - la) / (b - a);

/**
 * The root-sum-square noise of a bend (the change of slope between secants over widths `outer` and
 * `inner`) where each loss is off by `modelled`: √6·σ/w for equal halves w.
 */
const bendNoise = (modelled: number, outer: number, inner: number): number =>
  modelled * Math.hypot(1 / outer, 1 / outer + 1 / inner, 1 / inner);

/**
 * Two kinks within half the step, one on each side of θ, read from the loss alone: its secants
 * over [θ − h, θ − h/2] and [θ − h/2, θ] bend one way and those over [θ, θ + h/2] and
 * [θ + h/2, θ + h] the other, each beyond the `modelled` noise of its three losses (root sum of
 * squares: √6·σ/(h/2) for halves of h/2). The piece through θ between the kinks is then narrower
 * than h/2 and no step here measures its slope; it only has to pass both inner secants (each
 * averages it with a flatter outer piece): at least their larger where the loss bent up then down,
 * at most their smaller where it bent down then up. A convex or concave loss (a softplus narrower
 * than the step) bends the same way on both sides: no bound. (A float64 ReLU net of weights 1e-3
 * with zero biases: a deep bias moves pre-activations of 1e-11, two of them within 3e-11 of θ, the
 * narrowest step 9.3e-10.)
 */
export function opposedBends(
  theta: number,
  coarse: StepTaken,
  fine: StepTaken,
  losses: readonly [number, number, number, number, number],
  modelled: number,
): { readonly above: boolean; readonly bound: number } | undefined {
  const innerLeft = secant(fine.minus, losses[1], theta, losses[2]),
    innerRight = secant(theta, losses[2], fine.plus, losses[3]);
  const bendLeft = innerLeft - secant(coarse.minus, losses[0], fine.minus, losses[1]),
    bendRight = secant(fine.plus, losses[3], coarse.plus, losses[4]) - innerRight;
  if (
    Math.abs(bendLeft) <= bendNoise(modelled, fine.minus - coarse.minus, theta - fine.minus) ||
    Math.abs(bendRight) <= bendNoise(modelled, coarse.plus - fine.plus, fine.plus - theta) ||
    bendLeft > 0 === bendRight > 0
  )
    return undefined;
  const above = bendLeft > 0;
  const slack = Math.SQRT2 * modelled * Math.max(1 / (theta - fine.minus), 1 / (fine.plus - theta));
  return {
    above,
    bound: above ? Math.max(innerLeft, innerRight) - slack : Math.min(innerLeft, innerRight) + slack,
  };
}
