import { describe, expect, it } from 'vitest';
import { registerTensorAdapter } from '../src/index.js';
import { readGradient } from '../src/model.js';
import { ParameterSet } from '../src/parameters.js';
import { typedGradientEntry } from '../src/typed-gradients.js';

const parameters = ParameterSet.from({ W: new Float64Array(6), b: new Float32Array(2) });
const [W, b] = parameters.tensors as [(typeof parameters.tensors)[0], (typeof parameters.tensors)[0]];
const common = () => ({ dW: Float64Array.from([1, 2, 3, 4, 5, -0]), b: Float32Array.from([0.1, 7]) });

describe('typedGradientEntry', () => {
  it('reads the entry readGradient reads where the gradients have the common shape', () => {
    for (const [tensor, size] of [
      [W, 6],
      [b, 2],
    ] as const)
      for (let i = 0; i < size; i++) {
        const typed = typedGradientEntry(parameters, common(), tensor, i);
        expect(typed).not.toBeUndefined();
        expect(Object.is(typed, readGradient(parameters, common(), tensor, i))).toBe(true);
      }
    expect(Object.is(typedGradientEntry(parameters, common(), W, 5), -0)).toBe(true);
    expect(typedGradientEntry(parameters, common(), b, 0)).toBe(Math.fround(0.1));
  });

  it('leaves every other shape to readGradient, which checks it', () => {
    const cases: unknown[] = [
      new Map(Object.entries(common())),
      { ...common(), dA1: new Float64Array(3) },
      { dW: common().dW },
      { dW: new Float64Array(5), b: common().b },
      { dW: [1, 2, 3, 4, 5, 6], b: common().b },
      { dW: Float64Array.from([NaN, 0, 0, 0, 0, 0]), b: common().b },
      { W: common().dW, dW: common().dW },
      null,
      [common().dW, common().b],
    ];
    for (const gradients of cases) expect(typedGradientEntry(parameters, gradients, W, 0)).toBeUndefined();
  });

  it('leaves gradients to readGradient while an adapter is registered (it may claim typed arrays)', () => {
    const unregister = registerTensorAdapter({
      name: 'none',
      matches: (_v): _v is never => false,
      view: () => {
        throw new Error('unused');
      },
    });
    try {
      expect(typedGradientEntry(parameters, common(), W, 1)).toBeUndefined();
      expect(readGradient(parameters, common(), W, 1)).toBe(2);
    } finally {
      unregister();
    }
    expect(typedGradientEntry(parameters, common(), W, 1)).toBe(2);
  });

  it('leaves gradients to readGradient where two tensors would read one key (W and dW both from dW)', () => {
    const gradients = { dW: Float64Array.from([1, 2, 3]), ddW: Float64Array.from([4, 5, 6]) };
    for (const named of [
      ParameterSet.from({ W: new Float64Array(3), dW: new Float64Array(3) }),
      ParameterSet.from({ dW: new Float64Array(3), W: new Float64Array(3) }),
    ])
      for (const tensor of named.tensors) expect(typedGradientEntry(named, gradients, tensor, 0)).toBeUndefined();
  });

  it('leaves an array of gradients to readGradient (which refuses it) even where a tensor is named 0', () => {
    const indexed = ParameterSet.from({ '0': new Float64Array(2) });
    const [only] = indexed.tensors as [(typeof indexed.tensors)[0]];
    for (const gradients of [[Float64Array.from([1, 2])], Float64Array.from([1, 2])]) {
      expect(typedGradientEntry(indexed, gradients, only, 0)).toBeUndefined();
      expect(() => readGradient(indexed, gradients, only, 0)).toThrow(
        /expected an object or Map from names to tensors/,
      );
    }
  });
});
