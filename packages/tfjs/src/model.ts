import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs-core';
import { GradcheckError, type MaybePromise } from '@gradcheck/core';
import { flushPendingWrites } from './host.js';
import { readAndDispose, type HostTensor } from './read.js';
import { isLayerVariable, isTfVariable, variableOf, type LayerVariableLike } from './tfjs.js';
import { VariableSlot } from './variables.js';

/** The `tf.losses` a loss can be named by: each called as `tf.losses[name](yTrue, yPred)`. */
export const LOSS_NAMES = [
  'meanSquaredError',
  'absoluteDifference',
  'huberLoss',
  'logLoss',
  'hingeLoss',
  'sigmoidCrossEntropy',
  'softmaxCrossEntropy',
  'cosineDistance',
] as const;

/** A loss: the name of a `tf.losses` function, or `(yTrue, yPred) => tf.Scalar`. */
export type TfLoss = (typeof LOSS_NAMES)[number] | ((yTrue: Tensor, yPred: Tensor) => Scalar);

/** What `tfModel` accepts: a `tf.LayersModel` or anything with `trainableWeights` and `apply` or `predict`. */
export interface TfModelLike {
  /** The weights under test: tfjs-layers `LayerVariable`s or `tf.Variable`s. */
  readonly trainableWeights: readonly (LayerVariableLike | Variable)[];
  /** The forward pass with gradients recorded (a `tf.LayersModel` has it). */
  apply?(inputs: Tensor | Tensor[], kwargs?: { training?: boolean }): unknown;
  /** The forward pass, when there is no `apply`. */
  predict?(inputs: Tensor | Tensor[]): unknown;
}

/** Options of {@link tfModel}. */
export interface TfModelOptions {
  /**
   * Run the model in training mode (`apply(X, { training: true })`): dropout becomes random and
   * batch normalisation updates its moving statistics, so most models must be checked with the
   * default `false`.
   */
  readonly training?: boolean;
  /**
   * Read results with `data()` and return Promises (check with `checkGradientsAsync` or
   * `toPassGradientCheckAsync`): for backends that cannot read synchronously (WebGPU). The CPU and
   * WebAssembly backends read synchronously, the default.
   */
  readonly async?: boolean;
}

/** The gradcheck model `tfModel` builds: `{ parameters, loss(X, Y), gradients(X, Y) }` over tf tensors. */
export interface TfGradcheckModel {
  /** The trainable weights, by weight name (`dense_Dense1/kernel`). */
  readonly parameters: Record<string, VariableSlot>;
  /** The loss at the current weights. */
  loss(X: Tensor | Tensor[], Y: Tensor): MaybePromise<number>;
  /** The gradient of the loss with respect to every trainable weight, from `tf.variableGrads`. */
  gradients(X: Tensor | Tensor[], Y: Tensor): MaybePromise<Record<string, HostTensor>>;
}

function resolveLoss(loss: TfLoss): (yTrue: Tensor, yPred: Tensor) => Tensor {
  if (typeof loss === 'function') return loss;
  if (!(LOSS_NAMES as readonly string[]).includes(loss)) {
    throw new GradcheckError(
      'INVALID_OPTION',
      `unknown loss ${JSON.stringify(loss)}; use one of ${LOSS_NAMES.join(', ')} (tf.losses), ` +
        'or a function (yTrue, yPred) => tf.Scalar.',
    );
  }
  if (loss === 'cosineDistance') return (yTrue, yPred) => tf.losses.cosineDistance(yTrue, yPred, -1);
  const f = tf.losses[loss] as (yTrue: Tensor, yPred: Tensor) => Tensor;
  return (yTrue, yPred) => f(yTrue, yPred);
}

/** Unique parameter names from the weights' names, in the model's order. */
function nameWeights(weights: readonly (LayerVariableLike | Variable)[]): [string, Variable][] {
  const seen = new Map<string, number>();
  return weights.map((w) => {
    const base = isLayerVariable(w) ? (w.originalName ?? w.name) : w.name;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return [n === 0 ? base : `${base}_${n}`, variableOf(w)];
  });
}

/**
 * A TensorFlow.js model with a loss, as a gradcheck model: its trainable weights are the
 * parameters (perturbed through host copies and `assign`, restored exactly), the loss is
 * `loss(Y, model.apply(X))`, and the analytic gradients come from `tf.variableGrads`. Every
 * evaluation is tidied: `tf.memory().numTensors` is the same before and after a check.
 *
 * @param model - a `tf.LayersModel` (or anything with `trainableWeights` and `apply` or `predict`).
 * @param loss - a `tf.losses` name (`'meanSquaredError'`, `'softmaxCrossEntropy'`, …; called with
 *   `(yTrue, yPred)`) or a function `(yTrue, yPred) => tf.Scalar`.
 * @example
 * ```ts
 * import '@gradcheck/tfjs';
 * expect(tfModel(model, 'meanSquaredError')).toPassGradientCheck(xs, ys);
 * ```
 */
export function tfModel(model: TfModelLike, loss: TfLoss, options: TfModelOptions = {}): TfGradcheckModel {
  if (typeof model !== 'object' || model === null || !Array.isArray(model.trainableWeights)) {
    throw new GradcheckError(
      'NOT_A_MODEL',
      'tfModel(model, loss) expects a tf.LayersModel, or an object with trainableWeights and apply(X) or predict(X).',
    );
  }
  const forward = (X: Tensor | Tensor[]): unknown =>
    typeof model.apply === 'function'
      ? model.apply(X, { training: options.training ?? false })
      : typeof model.predict === 'function'
        ? model.predict(X)
        : (() => {
            throw new GradcheckError('NOT_A_MODEL', 'tfModel(model, loss): the model has neither apply nor predict.');
          })();
  for (const w of model.trainableWeights) {
    if (!isLayerVariable(w) && !isTfVariable(w)) {
      throw new GradcheckError(
        'NOT_A_MODEL',
        'tfModel(model, loss): model.trainableWeights holds something that is neither a tf.Variable nor a LayerVariable.',
      );
    }
  }
  const lossOf = resolveLoss(loss);
  const named = nameWeights(model.trainableWeights);
  if (named.length === 0)
    throw new GradcheckError('NO_PARAMETERS', 'tfModel(model, loss): the model has no trainable weights.');
  const parameters: Record<string, VariableSlot> = {};
  for (const [name, variable] of named) parameters[name] = new VariableSlot(variable, name);
  const async = options.async ?? false;
  const scalar = (X: Tensor | Tensor[], Y: Tensor): Scalar => {
    const value = lossOf(Y, forward(X) as Tensor);
    if (value.size !== 1) {
      throw new GradcheckError(
        'LOSS_NOT_A_NUMBER',
        `the loss returned a tensor of shape [${value.shape.join(',')}]; it must be a scalar (reduce it with tf.mean or tf.sum).`,
      );
    }
    return tf.reshape(value, []) as Scalar;
  };
  return {
    parameters,
    loss(X, Y) {
      flushPendingWrites();
      const value = tf.tidy(() => scalar(X, Y));
      return readAndDispose([value], async, ([v]) => v!.data[0]!);
    },
    gradients(X, Y) {
      flushPendingWrites();
      const variables = named.map(([, v]) => v);
      const { value, grads } = tf.variableGrads(() => scalar(X, Y), variables);
      value.dispose();
      const ordered = named.map(([, v]) => grads[v.name] ?? tf.zerosLike(v));
      for (const [name, g] of Object.entries(grads)) if (!ordered.includes(g)) grads[name]!.dispose();
      return readAndDispose(ordered, async, (values) =>
        Object.fromEntries(named.map(([name], k) => [name, values[k]!])),
      );
    },
  };
}
