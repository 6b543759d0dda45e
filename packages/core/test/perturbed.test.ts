/**
 * Where a model throws at a point the estimator perturbed, the error says which entry was moved,
 * by which step and to what value (perturbed.ts builds those texts only when they are needed).
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, checkGradientsAsync, GradcheckError, type GradientModel } from '../src/index.js';
import { errorOf } from './caught.js';

const THETA = [0.75, -0.5];

/**
 * ½‖w‖² with the gradient of w[0] 50 % too large (so that entry is refined at h/2 and its kink
 * test asks for gradients at θ ± h/2); `throwsAt` decides, from w, where the model throws.
 */
function model(throwsAt: { loss?: (w: Float64Array) => boolean; gradients?: (w: Float64Array) => boolean }) {
  const w = Float64Array.from(THETA);
  const m: GradientModel = {
    parameters: { w },
    loss: () => {
      if (throwsAt.loss?.(w)) throw new Error('loss refused');
      return 0.5 * (w[0]! ** 2 + w[1]! ** 2);
    },
    gradients: () => {
      if (throwsAt.gradients?.(w)) throw new Error('gradients refused');
      return { w: [1.5 * w[0]!, w[1]!] };
    },
  };
  return { m, w };
}

/** Only w[0] moved from θ, by a positive amount. */
const onlyFirstUp = (w: Float64Array): boolean => w[1] === THETA[1] && w[0]! > THETA[0]!;

describe('what a model error at a perturbed point says', () => {
  it('names the entry, θ + h with its stored value, and θ − h', () => {
    const { m } = model({ loss: onlyFirstUp });
    const error = errorOf(() => checkGradients(m, null, null));
    expect(error.code).toBe('MODEL_THREW');
    expect(error.message).toMatch(/with w\[0\] = θ \+ h = 0\.75\d+ \(θ = 0\.75\)/);
    const below = model({ loss: (w) => w[1] === THETA[1] && w[0]! < THETA[0]! });
    expect(errorOf(() => checkGradients(below.m, null, null)).message).toMatch(
      /with w\[0\] = θ − h = 0\.74\d+ \(θ = 0\.75\)/,
    );
  });

  it('says the same in an async check (evaluated through the generator, not in place)', async () => {
    const above = model({ loss: onlyFirstUp });
    const error = await checkGradientsAsync(above.m, null, null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GradcheckError);
    expect((error as GradcheckError).message).toMatch(/with w\[0\] = θ \+ h = 0\.75\d+ \(θ = 0\.75\)/);
    const below = model({ loss: (w) => w[1] === THETA[1] && w[0]! < THETA[0]! });
    const second = await checkGradientsAsync(below.m, null, null).catch((e: unknown) => e);
    expect((second as GradcheckError).message).toMatch(/with w\[0\] = θ − h = 0\.74\d+ \(θ = 0\.75\)/);
    expect(Array.from(above.w)).toEqual(THETA);
  });

  it('says h/2 at the refinement, and restores θ', () => {
    let first = 0;
    const { m, w } = model({
      loss: (w) => {
        if (!onlyFirstUp(w)) return false;
        const d = w[0]! - THETA[0]!;
        if (first === 0) first = d;
        return d < first;
      },
    });
    const error = errorOf(() => checkGradients(m, null, null));
    expect(error.message).toMatch(/with w\[0\] = θ \+ h\/2 = 0\.75\d+ \(θ = 0\.75\)/);
    expect(Array.from(w)).toEqual(THETA);
  });

  it('says where the gradients were asked for to look for a kink, and restores θ', () => {
    const { m, w } = model({ gradients: (w) => w[0] !== THETA[0] });
    const error = errorOf(() => checkGradients(m, null, null));
    expect(error.code).toBe('MODEL_THREW');
    expect(error.message).toMatch(/with w\[0\] = 0\.75\d+ \(θ = 0\.75\), to look for a kink/);
    expect(Array.from(w)).toEqual(THETA);
  });
});
