/**
 * The comparison's per-entry record (appended-numbers.ts): numbers appended one at a time, kept
 * exactly and in order across the array's growth, and handed out as a new plain array.
 */
import { describe, expect, it } from 'vitest';
import { AppendedNumbers } from '../src/appended-numbers.js';

describe('AppendedNumbers', () => {
  it('keeps every number appended, exactly and in order, beyond its first capacity', () => {
    for (const expected of [0, 1, 3, 10_000]) {
      const appended = new AppendedNumbers(expected);
      const values = Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? i : Math.sin(i) * 1e-300 * (i % 7)));
      values[17] = -0;
      values[18] = Number.MAX_VALUE;
      for (const v of values) appended.push(v);
      expect(appended.length).toBe(values.length);
      const out = appended.toArray();
      expect(Array.isArray(out)).toBe(true);
      expect(out).toEqual(values);
      expect(Object.is(out[17], -0)).toBe(true);
    }
  });

  it('is empty before anything is appended, and hands out a new array each time', () => {
    const appended = new AppendedNumbers(4);
    expect(appended.toArray()).toEqual([]);
    appended.push(2.5);
    const first = appended.toArray();
    first.push(7);
    expect(appended.toArray()).toEqual([2.5]);
    expect(appended.length).toBe(1);
  });
});
