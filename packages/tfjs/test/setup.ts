// The CPU backend, and tfjs's gradients: in Node, tfjs-core's own bundle registers none; the
// Node bundle of tfjs-layers (like the @tensorflow/tfjs bundle) registers all of them.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';

export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  await tf.setBackend(name);
  await tf.ready();
  if (tf.getBackend() !== name) throw new Error(`backend ${name} did not start (got ${tf.getBackend()})`);
}

/** Seeded values in (-1, 1), the same on every run. */
export function numbers(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}
