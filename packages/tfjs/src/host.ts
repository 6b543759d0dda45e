import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * State shared by every copy of this package loaded in one process (its ESM and CommonJS builds
 * may both be): the host copies of input tensors that a check perturbs, and the variables whose
 * host copies hold writes not yet assigned. Kept on `globalThis` under a registered symbol.
 */
interface HostState {
  /** tf.Tensor → the host copy a check perturbs; `tfFunction` computes with it instead. */
  readonly inputs: WeakMap<Tensor, Float32Array>;
  /** Views with writes not yet assigned to their variable; see {@link flushPendingWrites}. */
  readonly pending: Set<{ commit(): void }>;
}

const KEY = Symbol.for('@gradcheck/tfjs/host-state');

function state(): HostState {
  const g = globalThis as { [KEY]?: HostState };
  return (g[KEY] ??= { inputs: new WeakMap(), pending: new Set() });
}

/** Starts a fresh host copy of `tensor`'s values, which a check may then perturb. */
export function openHostCopy(tensor: Tensor): Float32Array {
  const copy = Float32Array.from(tensor.dataSync() as Float32Array);
  state().inputs.set(tensor, copy);
  return copy;
}

/** The host copy of `tensor`, if a check viewed it as an input. */
export function hostCopy(tensor: Tensor): Float32Array | undefined {
  return state().inputs.get(tensor);
}

/** Marks a view as holding writes that must reach its variable before the next evaluation. */
export function markPending(view: { commit(): void }): void {
  state().pending.add(view);
}

/** Forgets a view's pending writes (it has just committed them). */
export function clearPending(view: { commit(): void }): void {
  state().pending.delete(view);
}

/**
 * Assigns every pending write to its variable. `tfModel` and `tfFunction` call it before each
 * evaluation, so that a check writing one entry at a time costs one `assign` per evaluation
 * rather than one per write.
 */
export function flushPendingWrites(): void {
  const { pending } = state();
  for (const view of [...pending]) view.commit();
}
