import type { Tensor, Variable } from '@tensorflow/tfjs-core';

/**
 * Recognising tfjs values by shape rather than with `instanceof`, so that tensors of any copy of
 * tfjs-core (the `@tensorflow/tfjs` bundle, a second install) are recognised alike.
 */

/** True for a `tf.Tensor` (a `tf.Variable` is one too). */
export function isTfTensor(value: unknown): value is Tensor {
  const t = value as Partial<Tensor> | null;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof t!.dataSync === 'function' &&
    typeof t!.data === 'function' &&
    typeof t!.throwIfDisposed === 'function' &&
    Array.isArray(t!.shape) &&
    typeof t!.dtype === 'string'
  );
}

/** True for a `tf.Variable`: a tensor that can be written through `assign`. */
export function isTfVariable(value: unknown): value is Variable {
  return isTfTensor(value) && typeof (value as Partial<Variable>).assign === 'function';
}

/** A tfjs-layers `LayerVariable` (the entries of `model.trainableWeights`): wraps a `tf.Variable`. */
export interface LayerVariableLike {
  readonly name: string;
  readonly originalName?: string;
  /** The variable behind it (typed `Tensor` by tfjs-layers; a `tf.Variable` at run time). */
  read(): Tensor;
}

/** True for a tfjs-layers `LayerVariable`. */
export function isLayerVariable(value: unknown): value is LayerVariableLike {
  const v = value as Partial<LayerVariableLike> | null;
  return (
    typeof value === 'object' &&
    value !== null &&
    !isTfTensor(value) &&
    typeof v!.read === 'function' &&
    typeof (v as { write?: unknown }).write === 'function' &&
    typeof v!.name === 'string'
  );
}

/** The `tf.Variable` behind a variable-like value (a `tf.Variable` or a `LayerVariable`). */
export function variableOf(value: Variable | LayerVariableLike): Variable {
  const v = isLayerVariable(value) ? value.read() : value;
  if (!isTfVariable(v)) {
    throw new TypeError(`${isLayerVariable(value) ? value.name : 'a weight'} does not hold a tf.Variable`);
  }
  return v;
}

/** `'tf.Variable 3×4 float32'`, for messages. */
export function describeTf(t: Tensor): string {
  const kind = isTfVariable(t) ? 'tf.Variable' : 'tf.Tensor';
  return `${kind} ${t.shape.length === 0 ? 'scalar' : t.shape.join('×')} ${t.dtype}`;
}
