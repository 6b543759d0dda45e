import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs-core';
import { GradcheckError, type MaybePromise } from '@gradcheck/core';
import { flushPendingWrites, hostCopy } from './host.js';
import { readAndDispose, type HostTensor } from './read.js';
import { describeTf, isLayerVariable, isTfTensor, isTfVariable, variableOf, type LayerVariableLike } from './tfjs.js';
import { VariableSlot } from './variables.js';

/** The inputs of a {@link tfFunction} layer: one tensor (named `X`), or named tensors in `f`'s parameter order. */
export type TfInputs = Tensor | Record<string, Tensor>;

/** What `f` returns: one tensor, or named tensors. */
export type TfOutputs = Tensor | Record<string, Tensor>;

/** Options of {@link tfFunction}. */
export interface TfFunctionOptions {
  /**
   * The `tf.Variable`s (or tfjs-layers `LayerVariable`s) `f` closes over whose gradients are
   * checked as parameters, as a list (named by `variable.name`) or a record of names. Without it,
   * a variable that receives a gradient from `f` is an error (an unchecked weight is a silent
   * gap); `variables: []` checks the inputs only.
   */
  readonly variables?: readonly (Variable | LayerVariableLike)[] | Record<string, Variable | LayerVariableLike>;
  /** Read results with `data()` and return Promises (check with the async matcher); default false. */
  readonly async?: boolean;
}

/** The layer `tfFunction` builds (the layer protocol of `@gradcheck/core`). */
export interface TfFunctionLayer {
  /** The variables checked as parameters (absent when there are none). */
  readonly parameters?: Record<string, VariableSlot>;
  /** `f` at the inputs (their host copies while a check perturbs them), on the host. */
  forward(X: TfInputs): MaybePromise<HostTensor | Record<string, HostTensor>>;
  /**
   * tfjs's own vector–Jacobian product of `f` with cotangent `dY`: `{ dX }` for one input, `{ da, db }`
   * for inputs `{ a, b }`, and one entry per variable.
   */
  backward(dY: unknown, X: TfInputs): MaybePromise<Record<string, HostTensor>>;
}

function inputsOf(X: TfInputs): [string, Tensor][] {
  if (isTfTensor(X)) return [['X', X]];
  if (typeof X === 'object' && X !== null && !Array.isArray(X)) {
    const entries = Object.entries(X);
    for (const [name, t] of entries) {
      if (!isTfTensor(t)) {
        throw new GradcheckError(
          'UNSUPPORTED_TENSOR',
          `input ${name} of a tfFunction is not a tf.Tensor; pass every input of f as a tf.Tensor (close over anything else).`,
        );
      }
    }
    if (entries.length > 0) return entries;
  }
  throw new GradcheckError(
    'UNSUPPORTED_TENSOR',
    'a tfFunction takes a tf.Tensor, or a record of tf.Tensors in the order of f’s parameters ({ x, w } for (x, w) => …).',
  );
}

/** A tensor holding what a check wrote into the input's host copy (the input itself when none). */
function live(t: Tensor): Tensor {
  const host = hostCopy(t);
  return host ? tf.tensor(host.slice(), t.shape, 'float32') : t;
}

function outputsOf(y: unknown): [string | undefined, Tensor][] {
  const check = (t: unknown, name: string): Tensor => {
    if (!isTfTensor(t)) {
      throw new GradcheckError(
        'UNSUPPORTED_TENSOR',
        `f returned ${name === 'output' ? '' : `${name} as `}something that is not a tf.Tensor; f must return a tf.Tensor or a record of them.`,
      );
    }
    if (t.dtype !== 'float32') {
      throw new GradcheckError('UNSUPPORTED_TENSOR', `f returned ${name} as a ${describeTf(t)}; it must be float32.`);
    }
    return t;
  };
  if (isTfTensor(y)) return [[undefined, check(y, 'output')]];
  if (typeof y === 'object' && y !== null) return Object.entries(y).map(([k, t]) => [k, check(t, `output ${k}`)]);
  return [[undefined, check(y, 'output')]];
}

function namedVariables(variables: TfFunctionOptions['variables']): [string, Variable][] {
  if (variables === undefined) return [];
  const entries: [string, Variable | LayerVariableLike][] = Array.isArray(variables)
    ? variables.map((v: Variable | LayerVariableLike) => [isLayerVariable(v) ? (v.originalName ?? v.name) : v.name, v])
    : Object.entries(variables);
  return entries.map(([name, v]) => {
    if (!isTfVariable(v) && !isLayerVariable(v)) {
      throw new GradcheckError('UNSUPPORTED_TENSOR', `tfFunction: variables.${name} is not a tf.Variable.`);
    }
    return [name, variableOf(v)];
  });
}

/**
 * Reads the cotangent `dY` into float32: the core hands `backward` a copy of what `forward`
 * returned (`{ data, shape }`, or a record of them for a record output) holding R; a typed array,
 * a number array, a number or a `tf.Tensor` are read too.
 */
function cotangent(dY: unknown, name: string | undefined): Float32Array {
  const value = name === undefined ? dY : (dY as Record<string, unknown> | null)?.[name];
  const what = name === undefined ? 'dY' : `dY.${name}`;
  if (typeof value === 'number') return Float32Array.of(value);
  if (isTfTensor(value)) return Float32Array.from(value.dataSync() as Float32Array);
  const data =
    typeof value === 'object' && value !== null && 'data' in value ? (value as { data: unknown }).data : value;
  if (ArrayBuffer.isView(data) || (Array.isArray(data) && data.every((v) => typeof v === 'number'))) {
    return Float32Array.from(data as ArrayLike<number>);
  }
  throw new GradcheckError(
    'UNSUPPORTED_TENSOR',
    `the cotangent ${what} is not { data, shape }, a typed array, a number array or a tf.Tensor.`,
  );
}

/**
 * A function of tf tensors as a gradcheck layer: `f(...inputs)` is the forward pass, and the
 * backward pass is tfjs's own gradient of ⟨dY, f(inputs)⟩ (so `tf.customGrad` and kernel gradients
 * are what the check tests). A check perturbs host copies of the inputs, which `forward` computes
 * with, and the variables named in `options.variables` through `assign`.
 *
 * Inputs are one `tf.Tensor` (the layer's input `X`, gradient `dX`), or a record whose insertion
 * order is the order of `f`'s parameters: `{ x, w }` calls `f(x, w)`, gradients `dx`, `dw`.
 *
 * @example
 * ```ts
 * import { tfFunction } from '@gradcheck/tfjs';
 * expect(tfFunction((x, w) => tf.matMul(x, w))).toPassGradientCheck({ x, w });
 * ```
 */
export function tfFunction(f: (...inputs: Tensor[]) => TfOutputs, options: TfFunctionOptions = {}): TfFunctionLayer {
  if (typeof f !== 'function') {
    throw new GradcheckError('NOT_A_MODEL', 'tfFunction(f) expects a function of tf tensors returning a tf.Tensor.');
  }
  const variables = namedVariables(options.variables);
  const declared = options.variables !== undefined;
  const async = options.async ?? false;
  const parameters = variables.length
    ? Object.fromEntries(variables.map(([name, v]) => [name, new VariableSlot(v, name)]))
    : undefined;

  const forward = (X: TfInputs): MaybePromise<HostTensor | Record<string, HostTensor>> => {
    const inputs = inputsOf(X);
    flushPendingWrites();
    let names: (string | undefined)[] = [];
    const outputs = tf.tidy(() => {
      const ys = outputsOf(f(...inputs.map(([, t]) => live(t))));
      names = ys.map(([k]) => k);
      // Clones, so that disposing them never disposes a tensor f returned as it was (an input).
      return ys.map(([, y]) => tf.clone(y));
    });
    return readAndDispose(outputs, async, (values) =>
      names[0] === undefined ? values[0]! : Object.fromEntries(names.map((k, i) => [k!, values[i]!])),
    );
  };

  const backward = (dY: unknown, X: TfInputs): MaybePromise<Record<string, HostTensor>> => {
    const inputs = inputsOf(X);
    flushPendingWrites();
    const checked = variables.map(([, v]) => v);
    const others = declared
      ? []
      : Object.values(tf.engine().registeredVariables).filter((v) => v.trainable && !checked.includes(v));
    const grads = tf.tidy(() => {
      const xs = inputs.map(([, t]) => live(t));
      const loss = (): Scalar => {
        const ys = outputsOf(f(...xs));
        let total = tf.scalar(0);
        for (const [name, y] of ys) {
          const r = cotangent(dY, name);
          if (r.length !== y.size) {
            throw new GradcheckError(
              'SHAPE_MISMATCH',
              `the cotangent ${name === undefined ? 'dY' : `dY.${name}`} has ${r.length} entries but f's output has shape [${y.shape.join(',')}].`,
            );
          }
          total = tf.add(total, tf.sum(tf.mul(y, tf.tensor(r, y.shape, 'float32'))));
        }
        return total as Scalar;
      };
      const all = [...xs, ...checked, ...others];
      const { grads } = tf.engine().gradients(loss, all, undefined, true);
      const unchecked = others.filter((_, k) => grads[xs.length + checked.length + k] != null);
      if (unchecked.length > 0) {
        throw new GradcheckError(
          'MISSING_GRADIENT',
          `f computes with tf.Variable${unchecked.length > 1 ? 's' : ''} ${unchecked.map((v) => v.name).join(', ')}, ` +
            'which tfFunction would not check: list them in tfFunction(f, { variables: [...] }) to check their gradients, ' +
            'or pass { variables: [] } to check the inputs only.',
        );
      }
      return all.slice(0, xs.length + checked.length).map((x, k) => grads[k] ?? tf.zerosLike(x));
    });
    const names = [...inputs.map(([name]) => `d${name}`), ...variables.map(([name]) => name)];
    return readAndDispose(grads, async, (values) => Object.fromEntries(names.map((name, k) => [name, values[k]!])));
  };

  return { ...(parameters ? { parameters } : {}), forward, backward };
}
