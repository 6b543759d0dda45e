// The classic reference network (4-5-3-1, three examples): the correct backprop passes the
// gradient check, the broken backprop (hidden dW not divided by m) is caught.
import { describe, expect, test } from 'vitest';
import { asAsync, network } from './network.js';

describe('the reference network', () => {
  test('correct backprop passes the gradient check', () => {
    const { model, X, Y } = network();
    expect(model).toPassGradientCheck(X, Y);
    expect(model).toPassGradientCheck(X, Y, 1e-7);
  });

  test('broken backprop fails it', () => {
    const { model, X, Y } = network(true);
    expect(model).not.toPassGradientCheck(X, Y);
    expect(model).not.toPassGradientCheck(X, Y, 1e-7);
  });

  test('an async model is checked with the awaited async matcher', async () => {
    const { model, X, Y } = network();
    await expect(asAsync(model)).toPassGradientCheckAsync(X, Y);
  });

  test('options are typed', () => {
    const { model, X, Y } = network();
    // @ts-expect-error: `tolerence` is not an option (a typo of `tolerance`)
    expect(() => expect(model).toPassGradientCheck(X, Y, { tolerence: 1e-7 })).toThrow('unknown option "tolerence"');
  });
});
