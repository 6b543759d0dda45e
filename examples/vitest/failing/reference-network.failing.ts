// Deliberately failing: every test here must fail, each with its own message. test/runner-output
// runs this file through real Vitest (vitest.failing.config.ts) and checks the exit code and the
// messages' key lines.
import { expect, test } from 'vitest';
import { asAsync, network } from '../network.js';

test('broken backprop', () => {
  const { model, X, Y } = network(true);
  expect(model).toPassGradientCheck(X, Y, 1e-7);
});

test('correct backprop under .not', () => {
  const { model, X, Y } = network();
  expect(model).not.toPassGradientCheck(X, Y);
});

test('not a model', () => {
  const { X, Y } = network();
  expect({ weights: [1, 2] }).toPassGradientCheck(X, Y);
});

test('async model through the sync matcher', () => {
  const { model, X, Y } = network();
  expect(asAsync(model)).toPassGradientCheck(X, Y);
});

test('broken async model through the async matcher', async () => {
  const { model, X, Y } = network(true);
  await expect(asAsync(model)).toPassGradientCheckAsync(X, Y);
});
