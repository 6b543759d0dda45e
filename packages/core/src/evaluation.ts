import { GradcheckError, describeValue } from './errors.js';
import { isThenable, MODEL_CALLS, type CallNames, type NormalisedModel } from './model.js';
import { formatShape, viewTensor } from './tensors.js';

/** What an algorithm asks its driver to do: evaluate the model's loss or its gradients now. */
export type Request = 'loss' | 'gradients';

/**
 * A check written once as a generator: it yields a {@link Request} whenever it needs the model,
 * receives the model's raw answer, and returns its result. {@link runSync} and {@link runAsync}
 * drive the same generator for synchronous and Promise-returning models.
 */
export type Algorithm<T> = Generator<Request, T, unknown>;

/** The `ASYNC_MODEL` error for a Promise from the checked code's `request` call. */
const asyncModel = (request: Request, model: NormalisedModel): GradcheckError => {
  const calls = model.calls ?? MODEL_CALLS;
  return new GradcheckError(
    'ASYNC_MODEL',
    `${model.promised ?? calls[request]} returned a Promise: this code is asynchronous. Check it with ${calls.async}.`,
  );
};

function call(model: NormalisedModel, request: Request, X: unknown, Y: unknown): unknown {
  return request === 'loss' ? model.loss(X, Y) : model.gradients(X, Y);
}

/**
 * What X or Y is, for an error message: a tensor's shape (`3×5`), a plain array's length and what
 * it holds (`4 records`), a record's members (`{ features 4×3, weights 4 }`), or the value's type.
 */
export function describeData(value: unknown, depth = 0): string {
  if (value === null || value === undefined || typeof value !== 'object') return describeValue(value);
  try {
    return formatShape(viewTensor(value, 'X', 'input').shape);
  } catch {
    // not a tensor
  }
  if (Array.isArray(value)) {
    const kinds = new Set(value.map((v) => (v === null ? 'null' : typeof v === 'object' ? 'record' : typeof v)));
    return `${value.length} ${kinds.size === 1 ? `${[...kinds][0]}s` : 'values'}`;
  }
  if (depth > 0 || value instanceof Map || ArrayBuffer.isView(value)) return describeValue(value);
  const members = Object.entries(value).slice(0, 4);
  if (members.length === 0) return describeValue(value);
  return `{ ${members.map(([k, v]) => `${k} ${describeData(v, depth + 1)}`).join(', ')}${Object.keys(value).length > 4 ? ', …' : ''} }`;
}

/**
 * A model that threw or returned a non-finite loss is often one called with X and Y it does not
 * expect (swapped, or examples on the other axis): those errors say what X and Y were.
 */
function withData(error: unknown, X: unknown, Y: unknown): unknown {
  if (!(error instanceof GradcheckError) || (error.code !== 'MODEL_THREW' && error.code !== 'NON_FINITE_LOSS'))
    return error;
  // (A layer's check has no Y.)
  const data = Y === undefined ? `X ${describeData(X)}` : `X ${describeData(X)}, Y ${describeData(Y)}`;
  // At the end of the message's first line (the model's own message may run over several lines).
  const [first, ...rest] = error.message.split('\n');
  const message = [
    `${first!.replace(/\.$/, '')} (called with ${data})${error.code === 'MODEL_THREW' ? '' : '.'}`,
    ...rest,
  ].join('\n');
  return new GradcheckError(error.code, message, { cause: error.cause });
}

/**
 * Drives an algorithm synchronously. A Promise from the model is an `ASYNC_MODEL` error (thrown
 * into the algorithm, so that it restores the parameters before it leaves).
 */
export function runSync<T>(algorithm: Algorithm<T>, model: NormalisedModel, X: unknown, Y: unknown): T {
  try {
    return drive(algorithm, model, X, Y);
  } catch (error) {
    throw withData(error, X, Y);
  }
}

function drive<T>(algorithm: Algorithm<T>, model: NormalisedModel, X: unknown, Y: unknown): T {
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
      step = algorithm.throw(asyncModel(step.value, model));
      continue;
    }
    step = algorithm.next(answer);
  }
  return step.value;
}

/** Drives an algorithm, awaiting the model's answers. */
export async function runAsync<T>(algorithm: Algorithm<T>, model: NormalisedModel, X: unknown, Y: unknown): Promise<T> {
  try {
    return await driveAsync(algorithm, model, X, Y);
  } catch (error) {
    throw withData(error, X, Y);
  }
}

async function driveAsync<T>(algorithm: Algorithm<T>, model: NormalisedModel, X: unknown, Y: unknown): Promise<T> {
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

/** A model error as `MODEL_THREW`, naming `where()` (which entry was perturbed); a GradcheckError stays as it is. */
function modelError(request: Request, where: () => string, calls: CallNames, error: unknown): unknown {
  if (error instanceof GradcheckError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new GradcheckError('MODEL_THREW', `${calls[request]} threw ${where()}: ${message}`, { cause: error });
}

/** Checks a model's answer: a loss must be a finite number (gradients are read by the session). */
function checkedAnswer(request: Request, answer: unknown, where: () => string, calls: CallNames): unknown {
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
    throw modelError(request, where, calls, error);
  }
  return checkedAnswer(request, answer, where, calls);
}

/**
 * The model and its data, for evaluating it in place (a synchronous check): {@link evaluateNow}
 * calls the model where {@link evaluate} would yield, so that a check of a cheap model does not pay
 * for resuming every generator between the evaluation and {@link runSync} twice per evaluation.
 * `model`, `X` and `Y` are what {@link runSync} would call.
 */
export interface DirectModel {
  readonly model: NormalisedModel;
  readonly X: unknown;
  readonly Y: unknown;
}

/**
 * {@link evaluate} for a synchronous check, without a yield: the same call, errors and checks as
 * {@link runSync} and {@link evaluate} give together (a Promise is `ASYNC_MODEL`).
 */
export function evaluateNow(direct: DirectModel, request: Request, where: () => string, calls: CallNames): unknown {
  let answer: unknown;
  try {
    answer = call(direct.model, request, direct.X, direct.Y);
  } catch (error) {
    throw modelError(request, where, calls, error);
  }
  if (isThenable(answer)) {
    Promise.resolve(answer).catch(() => undefined);
    throw asyncModel(request, direct.model);
  }
  return checkedAnswer(request, answer, where, calls);
}

/**
 * What `yield*` over a step that needed no evaluation returns at once: an iterator that is its own
 * finished result. One per session, refilled for each answer (`yield*` reads it at once), so that
 * an evaluation in place allocates nothing where a generator function would allocate two objects.
 */
export class Answered<T> {
  readonly done = true;
  value: T = undefined as T;
  [Symbol.iterator](): this {
    return this;
  }
  next(): this {
    return this;
  }
  /** This step, answered with `value`: `yield* answer.with(v)` is `v`, with no yield. */
  with(value: T): Generator<Request, T, unknown> {
    this.value = value;
    return this as unknown as Generator<Request, T, unknown>;
  }
}
