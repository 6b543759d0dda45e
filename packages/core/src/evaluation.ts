import { GradcheckError, describeValue } from './errors.js';
import { isThenable, MODEL_CALLS, type CallNames, type NormalisedModel } from './model.js';

/** What an algorithm asks its driver to do: evaluate the model's loss or its gradients now. */
export type Request = 'loss' | 'gradients';

/**
 * A check written once as a generator: it yields a {@link Request} whenever it needs the model,
 * receives the model's raw answer, and returns its result. {@link runSync} and {@link runAsync}
 * drive the same generator for synchronous and Promise-returning models.
 */
export type Algorithm<T> = Generator<Request, T, unknown>;

function call(model: NormalisedModel, request: Request, X: unknown, Y: unknown): unknown {
  return request === 'loss' ? model.loss(X, Y) : model.gradients(X, Y);
}

/**
 * Drives an algorithm synchronously. A Promise from the model is an `ASYNC_MODEL` error (thrown
 * into the algorithm, so that it restores the parameters before it leaves).
 */
export function runSync<T>(algorithm: Algorithm<T>, model: NormalisedModel, X: unknown, Y: unknown): T {
  let step = algorithm.next();
  while (!step.done) {
    let answer: unknown;
    try {
      answer = call(model, step.value, X, Y);
    } catch (error) {
      step = algorithm.throw(error);
      continue;
    }
    if (isThenable(answer)) {
      Promise.resolve(answer).catch(() => undefined);
      const calls = model.calls ?? MODEL_CALLS;
      step = algorithm.throw(
        new GradcheckError(
          'ASYNC_MODEL',
          `${calls[step.value]} returned a Promise: this code is asynchronous. Check it with ${calls.async}.`,
        ),
      );
      continue;
    }
    step = algorithm.next(answer);
  }
  return step.value;
}

/** Drives an algorithm, awaiting the model's answers. */
export async function runAsync<T>(algorithm: Algorithm<T>, model: NormalisedModel, X: unknown, Y: unknown): Promise<T> {
  let step = algorithm.next();
  while (!step.done) {
    let answer: unknown;
    try {
      answer = await call(model, step.value, X, Y);
    } catch (error) {
      step = algorithm.throw(error);
      continue;
    }
    step = algorithm.next(answer);
  }
  return step.value;
}

/**
 * Asks for one model evaluation and checks the answer: a model error becomes `MODEL_THREW` with
 * `where()` (which entry was perturbed) in its message; a loss must be a finite number. `where` is
 * called only when there is an error to describe, so a check formats no text per evaluation.
 */
export function* evaluate(
  request: Request,
  where: () => string,
  calls: CallNames = MODEL_CALLS,
): Generator<Request, unknown, unknown> {
  let answer: unknown;
  try {
    answer = yield request;
  } catch (error) {
    if (error instanceof GradcheckError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new GradcheckError('MODEL_THREW', `${calls[request]} threw ${where()}: ${message}`, { cause: error });
  }
  if (request === 'gradients') return answer;
  if (typeof answer !== 'number') {
    throw new GradcheckError(
      'LOSS_NOT_A_NUMBER',
      `${calls.loss} returned ${describeValue(answer)} ${where()}; it must return a number` +
        (typeof answer === 'object' && answer !== null ? ' (for a 1×1 matrix, return m.get(0, 0)).' : '.'),
    );
  }
  if (!Number.isFinite(answer)) {
    throw new GradcheckError('NON_FINITE_LOSS', `${calls.loss} is ${answer} ${where()}.`);
  }
  return answer;
}
