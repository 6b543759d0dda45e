/**
 * One tensor-adapter registry for both builds of core: an adapter registered through the ESM
 * build is used by a check run through the CommonJS build, and the other way round (the Jest
 * adapter loads core with `require` while a test file may `import` it). Runs on the built
 * packages (`pnpm build` first).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as esm from '@gradcheck/core';

const require = createRequire(import.meta.url);
/** `@gradcheck/core` through its `require` condition: dist/cjs/index.js. */
const cjs = require('@gradcheck/core') as typeof esm;

/** A tensor type no built-in view knows: a box around a Float64Array. */
class Box {
  constructor(readonly values: Float64Array) {}
}

const boxAdapter = (roles: string[]): esm.TensorAdapter<Box> => ({
  name: 'Box',
  matches: (value): value is Box => value instanceof Box,
  view: (box, role) => {
    roles.push(role);
    return {
      kind: 'Box',
      shape: [box.values.length],
      size: box.values.length,
      precision: 'float64',
      get: (i) => box.values[i]!,
      set: (i, v) => {
        box.values[i] = v;
      },
    };
  },
});

/** L(w) = ½‖w‖², with its gradient w (as a Box, so the gradient needs the adapter too). */
const quadratic = (): esm.GradientModel => {
  const w = new Box(Float64Array.from([0.5, -1.25, 2]));
  return {
    parameters: { w },
    loss: () => 0.5 * w.values.reduce((s, x) => s + x * x, 0),
    gradients: () => ({ w: new Box(Float64Array.from(w.values)) }),
  };
};

describe('one tensor-adapter registry shared by the ESM and CommonJS builds', () => {
  it('loads two distinct copies of core (else this test proves nothing)', () => {
    expect(cjs.checkGradients).not.toBe(esm.checkGradients);
    expect(cjs.GradcheckError).not.toBe(esm.GradcheckError);
  });

  for (const [register, check, label] of [
    [esm, cjs, 'registered through ESM, checked through CJS'],
    [cjs, esm, 'registered through CJS, checked through ESM'],
  ] as const) {
    it(label, () => {
      const model = quadratic();
      expect(() => check.checkGradients(model, null, null)).toThrow(/parameter w is a Box/);
      const roles: string[] = [];
      const unregister = register.registerTensorAdapter(boxAdapter(roles));
      try {
        expect(check.checkGradients(model, null, null).passed).toBe(true);
        expect(roles).toContain('parameter');
        expect(roles).toContain('gradient');
      } finally {
        unregister();
      }
      expect(() => check.checkGradients(model, null, null)).toThrow(/parameter w is a Box/);
    });
  }
});
