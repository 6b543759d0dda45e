import type { Tensor } from '@tensorflow/tfjs-core';
import type { MaybePromise } from '@gradcheck/core';

/** A tensor's values on the host, with its shape: a tensor type `@gradcheck/core` reads as it is. */
export interface HostTensor {
  readonly data: Float32Array;
  readonly shape: number[];
}

/**
 * Reads `tensors` to the host (with `dataSync()`, or `data()` when `async`), disposes them and
 * hands their values to `build`. The tensors are disposed on every way out.
 */
export function readAndDispose<T>(
  tensors: readonly Tensor[],
  async: boolean,
  build: (values: HostTensor[]) => T,
): MaybePromise<T> {
  const host = (t: Tensor, data: unknown): HostTensor => ({
    data: Float32Array.from(data as Float32Array),
    shape: t.shape,
  });
  const dispose = (): void => {
    for (const t of tensors) t.dispose();
  };
  if (!async) {
    try {
      return build(tensors.map((t) => host(t, t.dataSync())));
    } finally {
      dispose();
    }
  }
  return Promise.all(tensors.map((t) => t.data())).then(
    (values) => {
      dispose();
      return build(tensors.map((t, k) => host(t, values[k])));
    },
    (error: unknown) => {
      dispose();
      throw error;
    },
  );
}
