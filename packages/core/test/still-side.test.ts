/**
 * Where a step widened for noise stops (still-side.ts): beyond STILL_SIDE_SHARE of the entry's scale,
 * at a loss that stands bitwise still on one side of θ only. The draws that asked for it are pinned in
 * test/property.test.ts (GC_SEED=21) and test/real-code.pinned.test.ts (GC_SEED=27).
 */
import { describe, expect, it } from 'vitest';
import { STILL_SIDE_SHARE, stillOnOneSide, stillSideBeyond } from '../src/still-side.js';
import type { FiveLosses } from '../src/entry-rules.js';

// The losses at θ − h, θ − h/2, θ, θ + h/2, θ + h.
const leftStill: FiveLosses = [5, 5, 5, 4.5, 4];
const rightStill: FiveLosses = [6, 5.5, 5, 5, 5];

describe('stillOnOneSide', () => {
  it('reads a loss equal to its value at θ at both points of one side and not of the other', () => {
    expect(stillOnOneSide(leftStill)).toBe(true);
    expect(stillOnOneSide(rightStill)).toBe(true);
    expect(stillOnOneSide([5, 5, 5, 5, 4])).toBe(true); // the other side moved at h only
  });

  it('reads no side still where one point of a side moved, and none where both sides stood still', () => {
    expect(stillOnOneSide([5.1, 5, 5, 4.5, 4])).toBe(false); // moved at θ − h only
    expect(stillOnOneSide([5, 5.1, 5, 4.5, 4])).toBe(false); // moved at θ − h/2 only
    expect(stillOnOneSide([6, 5.5, 5, 4.5, 4])).toBe(false);
    expect(stillOnOneSide([5, 5, 5, 5, 5])).toBe(false); // flat: the widening's flat rule decides
  });
});

describe('stillSideBeyond', () => {
  const scale = 0.01;
  const beyond = STILL_SIDE_SHARE * scale;

  it('stops a widening beyond STILL_SIDE_SHARE × the scale where the loss stood still on one side', () => {
    expect(STILL_SIDE_SHARE).toBe(8);
    expect(stillSideBeyond(beyond * 1.0001, scale, leftStill)).toBe(true);
    expect(stillSideBeyond(4 * beyond, scale, rightStill)).toBe(true);
  });

  it('lets it go on at or within that share, where the losses moved on both sides, or were not read', () => {
    expect(stillSideBeyond(beyond, scale, leftStill)).toBe(false);
    expect(stillSideBeyond(beyond / 4, scale, leftStill)).toBe(false);
    expect(stillSideBeyond(4 * beyond, scale, [6, 5.5, 5, 4.5, 4])).toBe(false);
    expect(stillSideBeyond(4 * beyond, scale, undefined)).toBe(false);
  });
});
