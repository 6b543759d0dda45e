// Gradient checks of hand-written layers: each checks the weights' gradients AND the input
// gradient dX (the one a wrong backward silently passes down to every layer below), against
// ⟨R, forward(X)⟩ for a seeded random cotangent R. Copy this file for your own layers.
import { describe, expect, test } from 'vitest';
import type { Layer } from '@gradcheck/core';
import { batchNorm, conv2d, maxPool2d, random, type Tensor } from './layers.js';

/** The same layer with a mistake planted in its backward pass, to see that the check catches it. */
function broken(layer: Layer<Tensor, Tensor>, plant: (gradients: Record<string, Tensor>) => void) {
  return {
    ...layer,
    backward: (dY: Tensor, X: Tensor) => {
      const gradients = layer.backward(dY, X) as Record<string, Tensor>;
      plant(gradients);
      return gradients;
    },
  };
}

describe('a convolution with stride and padding', () => {
  const conv = conv2d({ inChannels: 2, outChannels: 3, kernel: 3, stride: 2, padding: 1 });
  const X = random([2, 2, 7, 6], 42); // batch 2, 2 channels, 7×6

  test('passes: kernels, bias and the input gradient', () => {
    expect(conv).toPassGradientCheck(X);
  });

  test('passes with options (here more random cotangents)', () => {
    expect(conv).toPassGradientCheck(X, { cotangents: 3, seed: 7 });
  });

  test('a dX that forgets the padding offset is caught', () => {
    const shifted = broken(conv, ({ dX }) => {
      dX!.data.copyWithin(1, 0); // every input gradient moved by one column
    });
    expect(shifted).not.toPassGradientCheck(X);
  });

  test('a wrong kernel gradient is caught', () => {
    expect(broken(conv, ({ dK }) => dK!.data.forEach((v, i) => (dK!.data[i] = 2 * v)))).not.toPassGradientCheck(X);
  });
});

describe('a max pool', () => {
  const pool = maxPool2d({ size: 2, stride: 2 });
  const X = random([1, 3, 6, 6], 5);

  test('passes (backward uses the argmax its forward pass cached)', () => {
    expect(pool).toPassGradientCheck(X);
  });

  test('a gradient routed to the wrong entry of the window is caught', () => {
    const pool2 = maxPool2d({ size: 2, stride: 2 });
    const firstInWindow = {
      ...pool2,
      backward: (dY: Tensor, X: Tensor) => {
        const dX = { data: new Float64Array(X.data.length), shape: X.shape };
        const [, , h, w] = X.shape as [number, number, number, number];
        const ow = w / 2;
        dY.data.forEach((g, y) => {
          const m = Math.floor(y / ((h / 2) * ow)),
            i = Math.floor(y / ow) % (h / 2),
            j = y % ow;
          dX.data[(m * h + 2 * i) * w + 2 * j] += g;
        });
        return { dX };
      },
    };
    expect(firstInWindow).not.toPassGradientCheck(X);
  });
});

describe('a batch normalisation', () => {
  const bn = batchNorm(4);
  const X = random([8, 4], 3);

  test('passes: gamma, beta and the input gradient', () => {
    expect(bn).toPassGradientCheck(X);
  });

  test('a dX off by a constant per feature (what a forgotten mean(dy) term does) is caught', () => {
    const shifted = broken(bn, ({ dX }) => dX!.data.forEach((v, i) => (dX!.data[i] = v + 0.01 * (1 + (i % 4)))));
    expect(shifted).not.toPassGradientCheck(X);
  });
});

describe('a plain function and its gradient', () => {
  test('Rosenbrock', () => {
    const rosenbrock = {
      f: ([a, b]: number[]) => (1 - a!) ** 2 + 100 * (b! - a! * a!) ** 2,
      grad: ([a, b]: number[]) => [-2 * (1 - a!) - 400 * a! * (b! - a! * a!), 200 * (b! - a! * a!)],
    };
    expect(rosenbrock).toPassGradientCheck([-1.2, 1]);
  });
});
