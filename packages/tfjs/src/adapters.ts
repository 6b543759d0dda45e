import { GradcheckError, registerTensorAdapter, type TensorView } from '@gradcheck/core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { openHostCopy } from './host.js';
import { describeTf, isLayerVariable, isTfTensor, isTfVariable, variableOf, type LayerVariableLike } from './tfjs.js';
import { VariableSlot, assertFloat32, eagerVariableView } from './variables.js';

/** What a tensor is to the check: gradcheck's core passes it to `view` (older cores pass nothing). */
export type Role = 'parameter' | 'input' | 'gradient' | undefined;

const IMMUTABLE =
  'a tf.Tensor is immutable, so gradcheck cannot perturb it: make it a tf.variable(…) and compute with the variable, ' +
  'or check the computation with tfFunction((x, w) => …) and pass the tensor as an input';

function immutable(name: string, t: Tensor): GradcheckError {
  return new GradcheckError('UNSUPPORTED_TENSOR', `${name} is a ${describeTf(t)}; ${IMMUTABLE}.`);
}

/** A read-only view of a tensor's values: a write is refused (a tf.Tensor is immutable). */
function readView(t: Tensor, name: string): TensorView {
  assertFloat32(t, name);
  const data = t.dataSync() as Float32Array;
  return {
    kind: 'tf.Tensor',
    shape: t.shape,
    size: data.length,
    precision: 'float32',
    get: (i) => data[i]!,
    set: () => {
      throw immutable(name, t);
    },
  };
}

/**
 * An input tensor: a host copy kept for this tensor, which a check perturbs and `tfFunction`
 * computes with (other layers read the tensor itself, which never changes).
 */
function inputView(t: Tensor, name: string): TensorView {
  assertFloat32(t, name);
  const host = openHostCopy(t);
  return {
    kind: 'tf.Tensor',
    shape: t.shape,
    size: host.length,
    precision: 'float32',
    get: (i) => host[i]!,
    set: (i, v) => {
      host[i] = v;
    },
  };
}

/**
 * The view of a `tf.Tensor` (or `tf.Variable`) in the role the core says it plays: a plain tensor
 * is refused as a parameter (it cannot be written), viewed through a host copy as an input, and
 * read as a gradient or an output.
 */
export function tfTensorView(t: Tensor, role?: Role): TensorView {
  if (isTfVariable(t)) return eagerVariableView(t, `a ${role ?? 'tensor'} (tf.Variable ${t.name})`);
  if (role === 'parameter') throw immutable('a parameter', t);
  if (role === 'input') return inputView(t, 'an input');
  return readView(t, role === 'gradient' ? 'a gradient' : 'a tensor');
}

let registered = false;

/**
 * Teaches `@gradcheck/core` the tfjs types (done once when this package is imported):
 * `tf.Variable` and tfjs-layers' `LayerVariable` are written through `assign`; a plain `tf.Tensor`
 * is read as a gradient, viewed through a host copy as an input, and refused as a parameter.
 */
export function registerTfjsAdapters(): void {
  if (registered) return;
  registered = true;
  registerTensorAdapter<VariableSlot>({
    name: 'tf.Variable (tfModel / tfFunction)',
    matches: (v): v is VariableSlot => v instanceof VariableSlot,
    view: (slot) => slot.view(),
  });
  registerTensorAdapter<LayerVariableLike>({
    name: 'LayerVariable',
    matches: isLayerVariable,
    view: (v) => eagerVariableView(variableOf(v), `parameter ${v.originalName ?? v.name}`),
  });
  registerTensorAdapter<Tensor>({
    name: 'tf.Tensor',
    matches: isTfTensor,
    view: (t, role?: Role) => tfTensorView(t, role),
  });
}
