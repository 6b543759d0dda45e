// The cotangent of a layer check (cotangent.ts) as a layer's author meets it: outputs of every
// kind it can project and copy dY into, and the messages when the output changes between calls.
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../src/index.js';
import { messageOf } from './caught.js';
import { Cotangent } from '../src/cotangent.js';

/** y = w·X elementwise over a Float64Array X; `forward` and `backward` may be replaced. */
function scaling(
  over: {
    forward?: (X: Float64Array, w: Float64Array, call: number) => unknown;
    backward?: (dY: never, X: Float64Array, w: Float64Array) => unknown;
  } = {},
) {
  const w = new Float64Array([0.5]);
  let calls = 0;
  return {
    parameters: { w },
    forward: (X: Float64Array) => (over.forward ? over.forward(X, w, ++calls) : X.map((x) => w[0]! * x)),
    backward: (dY: never, X: Float64Array) =>
      over.backward
        ? over.backward(dY, X, w)
        : {
            dw: [(dY as Float64Array).reduce((s, d, i) => s + d * X[i]!, 0)],
            dX: (dY as Float64Array).map((d) => w[0]! * d),
          },
  };
}
const X = (): Float64Array => new Float64Array([1, -2, 3]);

const KEEP = 'the output must keep its shape when the parameters and inputs move slightly.';

describe('outputs a layer check projects and copies dY into', () => {
  it('an output { data, shape }: dY is a copy of the same kind', () => {
    const layer = scaling({
      forward: (x, w) => ({ data: x.map((v) => w[0]! * v), shape: [3] }),
      backward: (dY: { data: Float64Array; shape: number[] }, x, w) => {
        expect(dY.shape).toEqual([3]);
        return { dw: [dY.data.reduce((s, d, i) => s + d * x[i]!, 0)], dX: dY.data.map((d) => w[0]! * d) };
      },
    });
    expect(checkGradients(layer, X()).passed).toBe(true);
  });

  it('an output { data, shape } written into the same buffer on every call: dY is a copy', () => {
    const out = { data: new Float64Array(3), shape: [3] };
    const layer = scaling({
      forward: (x, w) => {
        x.forEach((v, i) => (out.data[i] = w[0]! * v));
        return out;
      },
      backward: (dY: { data: Float64Array }, x, w) => {
        expect(dY).not.toBe(out);
        return { dw: [dY.data.reduce((s, d, i) => s + d * x[i]!, 0)], dX: dY.data.map((d) => w[0]! * d) };
      },
    });
    expect(checkGradients(layer, X()).passed).toBe(true);
  });

  it('a Map of outputs: dY is a Map too', () => {
    const layer = scaling({
      forward: (x, w) => new Map([['a', x.map((v) => w[0]! * v)]]),
      backward: (dY: Map<string, Float64Array>, x, w) => ({
        dw: [dY.get('a')!.reduce((s, d, i) => s + d * x[i]!, 0)],
        dX: dY.get('a')!.map((d) => w[0]! * d),
      }),
    });
    expect(checkGradients(layer, X()).passed).toBe(true);
  });

  it('an accessor it cannot copy: a fresh one from another forward pass holds dY', () => {
    const layer = scaling({
      forward: (x, w) => {
        const s = x.map((v) => w[0]! * v);
        return { size: 3, get: (i: number) => s[i]!, set: (i: number, v: number) => (s[i] = v) };
      },
      backward: (dY: { get(i: number): number }, x, w) => {
        const d = [0, 1, 2].map((i) => dY.get(i));
        return { dw: [d.reduce((s, v, i) => s + v * x[i]!, 0)], dX: d.map((v) => w[0]! * v) };
      },
    });
    expect(checkGradients(layer, X()).passed).toBe(true);
  });

  it('refuses the same uncopyable object returned on every call', () => {
    const store = new Float64Array(3);
    const same = { size: 3, get: (i: number) => store[i]!, set: (i: number, v: number) => (store[i] = v) };
    const layer = scaling({
      forward: (x, w) => {
        x.forEach((v, i) => (store[i] = w[0]! * v));
        return same;
      },
    });
    expect(messageOf(() => checkGradients(layer, X()))).toBe(
      'UNSUPPORTED_TENSOR: forward(X) returns the same an object on every call, and gradcheck cannot copy it to hold ' +
        'the cotangent dY; return a fresh tensor from forward, or give the type a clone() method.',
    );
  });
});

describe('an output that changes between calls', () => {
  // backward sums dY over the tensor parts of a record (those parts are w·X in the first calls).
  const after = (first: (x: Float64Array, w: Float64Array) => unknown, later: (x: Float64Array) => unknown) =>
    scaling({
      forward: (x, w, call) => (call > 2 ? later(x) : first(x, w)),
      backward: (dY: Float64Array | Record<string, unknown>, x, w) => {
        const parts = dY instanceof Float64Array ? [dY] : Object.values(dY).filter((v) => v instanceof Float64Array);
        const d = x.map((_, i) => parts.reduce((s, p) => s + p[i]!, 0));
        return { dw: [d.reduce((s, v, i) => s + v * x[i]!, 0)], dX: d.map((v) => w[0]! * v) };
      },
    });
  const tensor = (x: Float64Array, w: Float64Array) => x.map((v) => w[0]! * v);

  it.each([
    [
      'a shorter tensor',
      after(tensor, (x) => x.slice(0, 2)),
      `SHAPE_MISMATCH: forward(X) output is 2 here but was 3 at the first forward pass; ${KEEP}`,
    ],
    [
      'a number',
      after(tensor, () => 3),
      `SHAPE_MISMATCH: forward(X) output is a number here but was 3 at the first forward pass; ${KEEP}`,
    ],
    [
      'a tensor where a number was',
      after(
        (x, w) => ({ a: tensor(x, w), n: 1 }),
        (x) => ({ a: x, n: x }),
      ),
      `SHAPE_MISMATCH: forward(X) output n is 3 here but was a number at the first forward pass; ${KEEP}`,
    ],
    [
      'a record where one tensor was',
      after(tensor, (x) => ({ a: x })),
      'SHAPE_MISMATCH: forward(X) returned outputs a here but (one tensor) at the first forward pass.',
    ],
    [
      'a one-entry tensor where a number was',
      after(
        (x, w) => ({ a: tensor(x, w), n: 1 }),
        (x) => ({ a: x, n: [5] }),
      ),
      `SHAPE_MISMATCH: forward(X) output n is 1 here but was a number at the first forward pass; ${KEEP}`,
    ],
    [
      'a record with one output more',
      after(
        (x, w) => ({ a: tensor(x, w) }),
        (x) => ({ a: x, b: x }),
      ),
      'SHAPE_MISMATCH: forward(X) returned outputs a, b here but a at the first forward pass.',
    ],
    [
      'one tensor where a record was',
      after(
        (x, w) => ({ a: tensor(x, w) }),
        (x) => x,
      ),
      'SHAPE_MISMATCH: forward(X) returned outputs (one tensor) here but a at the first forward pass.',
    ],
    [
      'a record with another name',
      after(
        (x, w) => ({ a: tensor(x, w), b: tensor(x, w) }),
        (x) => ({ a: x, c: x }),
      ),
      'SHAPE_MISMATCH: forward(X) returned outputs a, c here but a, b at the first forward pass.',
    ],
  ])('%s', (_, layer, message) => {
    expect(messageOf(() => checkGradients(layer, X()))).toBe(message);
  });

  it.each<[string, unknown, string]>([
    ['a string', 'y', 'returned "y"'],
    ['an empty record', {}, 'returned an object'],
    ['null', null, 'returned null'],
    ['an array of strings', ['a', 'b'], 'returned an array of length 2'],
    ['an Int8Array (no float tensor)', Int8Array.from([1, 2]), 'returned Int8Array of length 2'],
  ])('refuses an output that is no tensor: %s', (_, output, returned) => {
    expect(messageOf(() => checkGradients(scaling({ forward: () => output }), X()))).toBe(
      `UNSUPPORTED_TENSOR: forward(X) ${returned}; a layer's output must be a tensor, a record of tensors, or a number.`,
    );
  });

  it('names the part of a record output that is no tensor', () => {
    expect(messageOf(() => checkGradients(scaling({ forward: () => ({ a: 'y' }) }), X()))).toMatch(
      /^UNSUPPORTED_TENSOR: forward\(X\) output a is "y"; expected /,
    );
  });

  it('names dY when the output’s clone() returns no tensor', () => {
    const layer = scaling({
      forward: (x, w) => {
        const s = x.map((v) => w[0]! * v);
        return { size: 3, get: (i: number) => s[i]!, set: (i: number, v: number) => (s[i] = v), clone: () => 'copy' };
      },
    });
    expect(messageOf(() => checkGradients(layer, X()))).toMatch(
      /^UNSUPPORTED_TENSOR: the cotangent dY is "copy"; expected /,
    );
  });
});

describe('the cotangent R', () => {
  it.each([1e8, -1e8])(
    'a correct layer whose output carries a large constant (%d) passes: the loss’s rounding is that of its terms',
    (c) => {
      const w = new Float64Array([0.5, -0.25]);
      const layer = {
        parameters: { w },
        forward: (x: Float64Array) => new Float64Array([c + w[0]! * x[0]! + w[1]! * x[1]!]),
        backward: (dY: Float64Array, x: Float64Array) => ({
          dw: [dY[0]! * x[0]!, dY[0]! * x[1]!],
          dX: [dY[0]! * w[0]!, dY[0]! * w[1]!],
        }),
      };
      expect(checkGradients(layer, new Float64Array([1.5, -0.7])).passed).toBe(true);
    },
  );

  it('is drawn afresh for each of several cotangents: backward sees a new dY each time', () => {
    const seen = new Set<string>();
    const layer = scaling({
      backward: (dY: Float64Array, x, w) => {
        seen.add(Array.from(dY).join(','));
        return { dw: [dY.reduce((s, d, i) => s + d * x[i]!, 0)], dX: dY.map((d) => w[0]! * d) };
      },
    });
    expect(checkGradients(layer, X(), { cotangents: 3 }).passed).toBe(true);
    expect(seen.size).toBe(3);
  });
});

describe('the offset of a layer’s loss (round 7)', () => {
  it('has the sign of ⟨R, Y⟩, so that the loss’s magnitude is |offset| + |⟨R, Y⟩|, for every cotangent drawn', () => {
    // Outputs of mixed sign and size: for some seeds Σ R·Y and Σ R/Y differ in sign.
    const Y = new Float64Array([10, -0.1, 3, -7]);
    const calls = { loss: 'forward(X)', gradients: 'backward(dY, X)', async: 'checkGradientsAsync' };
    for (let seed = 1; seed <= 20; seed++) {
      const c = new Cotangent(seed, calls);
      c.learn(Y);
      const inner = c.project(Y) - c.offset;
      expect(Math.sign(c.offset)).toBe(Math.sign(inner));
      expect(Math.abs(c.project(Y))).toBeCloseTo(Math.abs(c.offset) + Math.abs(inner), 12);
    }
  });
});

describe('a record output whose first key is the empty string (round 7)', () => {
  it("is a record of two outputs, not one tensor: dY holds both, under '' and y", () => {
    const layer = scaling({
      forward: (x, w) => ({ '': x.map((v) => w[0]! * v), y: x.map((v) => 2 * w[0]! * v) }),
      backward: (dY: Record<string, Float64Array>, x, w) => {
        expect(Object.keys(dY)).toEqual(['', 'y']);
        const d = dY['']!.map((v, i) => v + 2 * dY.y![i]!);
        return { dw: [d.reduce((s, v, i) => s + v * x[i]!, 0)], dX: d.map((v) => w[0]! * v) };
      },
    });
    expect(checkGradients(layer, X()).passed).toBe(true);
  });
});
