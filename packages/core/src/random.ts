/**
 * Seeded randomness for every random choice a check makes (directions, samples), so that a
 * failure is reproducible from the seed printed with it.
 */

/** The default seed of a check. */
export const DEFAULT_SEED = 20240229;

/** A seeded generator of uniform, Gaussian and Rademacher draws (mulberry32 underneath). */
export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box–Muller). */
  gaussian(): number;
  /** −1 or +1 with equal probability: a symmetric direction entry. */
  sign(): number;
  /** A whole number in [0, n). */
  below(n: number): number;
}

/** A {@link Random} from a 32-bit seed. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform,
    gaussian: () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()),
    sign: () => (uniform() < 0.5 ? -1 : 1),
    below: (n) => Math.floor(uniform() * n),
  };
}
