import * as tf from '@tensorflow/tfjs-core';
import type { Variable } from '@tensorflow/tfjs-core';
import { GradcheckError, type TensorView } from '@gradcheck/core';
import { clearPending, markPending } from './host.js';
import { describeTf } from './tfjs.js';

/** Refuses a tensor that is not float32: tfjs computes in float32, and an int tensor cannot be perturbed. */
export function assertFloat32(t: tf.Tensor, name: string): void {
  if (t.dtype !== 'float32') {
    throw new GradcheckError(
      'UNSUPPORTED_TENSOR',
      `${name} is a ${describeTf(t)}; gradcheck perturbs float32 tensors only ` +
        `(cast it with tf.cast(…, 'float32'), or close over a non-differentiable ${t.dtype} tensor inside the function).`,
    );
  }
}

/** Assigns a copy of `host` to `variable` (a copy: the CPU backend would otherwise keep `host` itself). */
export function assignHost(variable: Variable, host: Float32Array): void {
  const value = tf.tensor(host.slice(), variable.shape, 'float32');
  try {
    variable.assign(value);
  } finally {
    value.dispose();
  }
}

/**
 * A view over a `tf.Variable` through a host copy of its values, written back with `assign` after
 * every write: correct in any model (the model reads the variable itself), at the cost of one
 * copy of the variable per write. `tfModel` and `tfFunction` use {@link VariableSlot} instead.
 */
export function eagerVariableView(variable: Variable, name: string): TensorView {
  assertFloat32(variable, name);
  const host = Float32Array.from(variable.dataSync() as Float32Array);
  return {
    kind: 'tf.Variable',
    shape: variable.shape,
    size: host.length,
    precision: 'float32',
    get: (i) => host[i]!,
    set: (i, v) => {
      host[i] = v;
      assignHost(variable, host);
    },
  };
}

/**
 * A `tf.Variable` as a parameter of a model that `tfModel` or `tfFunction` built: writes go to a
 * host copy and reach the variable in one `assign` just before the wrapper's next evaluation
 * (see {@link flushPendingWrites}); a write that brings every entry back to its original value
 * assigns at once, so a check that ends leaves the variable exactly as it found it.
 */
export class VariableSlot {
  /**
   * @param variable - the live variable.
   * @param name - the parameter's name in reports.
   */
  constructor(
    readonly variable: Variable,
    readonly name: string,
  ) {}

  /** A fresh view: a host copy of the variable's values as they are now. */
  view(): TensorView {
    const { variable } = this;
    assertFloat32(variable, `parameter ${this.name}`);
    const host = Float32Array.from(variable.dataSync() as Float32Array);
    const original = host.slice();
    /** Entries of `host` that differ from `original`, and whether the variable holds such a state. */
    let differing = 0;
    let assignedChanged = false;
    const writer = {
      commit(): void {
        clearPending(writer);
        assignHost(variable, host);
        assignedChanged = differing > 0;
      },
    };
    return {
      kind: 'tf.Variable',
      shape: variable.shape,
      size: host.length,
      precision: 'float32',
      get: (i) => host[i]!,
      set: (i, v) => {
        const before = Object.is(host[i], original[i]) ? 0 : 1;
        host[i] = v;
        differing += (Object.is(host[i], original[i]) ? 0 : 1) - before;
        if (differing > 0) markPending(writer);
        else if (assignedChanged) writer.commit();
        else clearPending(writer);
      },
    };
  }
}
