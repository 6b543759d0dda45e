import type { GradientModel } from '@gradcheck/core';

/** Removes ANSI colour codes, so that messages compare the same with colours on or off. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/**
 * The message of the assertion error `assertion` throws, without colours and with the one
 * nondeterministic number (the check's wall time) replaced, ready for a snapshot.
 */
export function failureMessage(assertion: () => unknown): string {
  try {
    assertion();
  } catch (error) {
    return stripAnsi((error as Error).message).replace(/· [\d.]+ ms/g, '· <time> ms');
  }
  throw new Error('the assertion passed');
}

/** The same model with `loss` and `gradients` returning Promises. */
export function asyncModel<X, Y>(model: GradientModel<X, Y>): GradientModel<X, Y> {
  return {
    parameters: model.parameters,
    loss: async (X, Y) => model.loss(X, Y),
    gradients: async (X, Y) => model.gradients(X, Y),
  };
}
