// How an error message describes a value it refused (errors.ts describeValue): the words a user
// reads after "received …" or "X is …".
import { describe, expect, it } from 'vitest';
import { Matrix } from 'ml-matrix';
import { describeValue } from '../src/errors.js';

describe('describeValue', () => {
  it.each([
    [null, 'null'],
    [undefined, 'undefined'],
    [2.5, '2.5'],
    [Promise.resolve(1), 'a Promise'],
    // A thenable of another library is a Promise to the user, whatever its class.
    [{ then: () => undefined }, 'a Promise'],
    [new Matrix(2, 3), 'Matrix 2×3'],
    [[1, 2], 'an array of length 2'],
    [new Float32Array(4), 'Float32Array of length 4'],
    // rows or columns alone make no matrix.
    [{ rows: 2 }, 'an object'],
    [{ columns: 3 }, 'an object'],
    [{ rows: 2, columns: '3' }, 'an object'],
    [new (class Layer {})(), 'a Layer'],
  ])('%o is %s', (value, text) => {
    expect(describeValue(value)).toBe(text);
  });
});
