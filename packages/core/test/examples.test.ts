// How many examples X holds, for the "k = m" diagnosis (examples.ts): more of the rules its doc
// states than findings.test.ts's table: a size of 1 is no count, a record's members share the
// axis, and anything ambiguous stays unknown.
import { describe, expect, it } from 'vitest';
import { Matrix } from 'ml-matrix';
import { inferExamples } from '../src/examples.js';

const matrix = (rows: number, columns: number) => ({ data: new Float64Array(rows * columns), shape: [rows, columns] });

describe('the number of examples in X', () => {
  it.each<[string, unknown, unknown, number | undefined]>([
    ['examples in the columns of ml-matrix matrices', new Matrix(3, 7), new Matrix(1, 7), 7],
    ['a row vector X and Y of one size', matrix(1, 5), matrix(1, 5), 5],
    ['flat typed arrays of one size', new Float64Array(5), new Float64Array(5), 5],
    ['a plain array of labels as Y, whatever X', matrix(4, 6), ['a', 'b', 'c', 'd', 'e', 'f'], 6],
    ['a record whose member is a plain array of examples', { f: matrix(6, 4), labels: ['a', 'b', 'c'] }, null, 3],
    [
      'a record of tensors with no common size: any of their sizes',
      { f: matrix(6, 4), g: matrix(5, 3) },
      matrix(1, 5),
      5,
    ],
    ['a record of tensors sharing 6', { f: matrix(6, 4), g: matrix(6, 3) }, matrix(1, 6), 6],
    // Only the size the members share counts: Y's 4 (a size of f alone) does not make it ambiguous.
    ['a record of tensors sharing 6, Y of 6 × 4', { f: matrix(6, 4), g: matrix(6, 3) }, matrix(6, 4), 6],
    ['an empty array X, labels as Y', [], ['a', 'b', 'c'], 3],
    // Unknown: nothing unambiguous to go by.
    ['one example in a plain array', [{ x: 1 }], null, undefined],
    ['one label in a plain array', matrix(4, 6), ['a'], undefined],
    ['an empty array of examples', [], matrix(1, 3), undefined],
    ['a record nested in a record', { f: { g: matrix(6, 4) } }, matrix(1, 6), undefined],
    ['a Map of tensors', new Map([['f', matrix(6, 4)]]), matrix(1, 6), undefined],
    ['an empty record', {}, matrix(1, 6), undefined],
    ['a number as Y', matrix(4, 6), 3, undefined],
    ['X of sizes 4 and 1 and one label record', matrix(4, 1), [{ y: 1 }], undefined],
  ])('%s', (_, X, Y, m) => {
    expect(inferExamples(X, Y)).toBe(m);
  });
});
