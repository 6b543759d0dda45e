/**
 * The common shape of what a model's gradients call returns, read without viewing every tensor: a
 * plain object holding, under each parameter's name (or d + name), a Float64Array or Float32Array
 * of its size, and nothing else. The kink and bend tests read one entry of the gradients at each
 * perturbed point, and a large model's check asks for them many times.
 */
import type { ParameterSet, ParameterTensor } from './parameters.js';
import { hasTensorAdapters } from './tensors.js';

const isEnumerable = Object.prototype.propertyIsEnumerable;

/**
 * Entry `index` of `tensor`'s gradient in `gradients` where they have the common shape (see the
 * module's comment) and the entry is finite: what the structure-checking read (model.ts,
 * `readGradient`) returns then, without an error. `undefined` otherwise (a Map, another tensor type,
 * a registered adapter, a missing, extra or misfitting gradient, a non-finite entry): that read
 * decides, with its errors.
 */
export function typedGradientEntry(
  parameters: ParameterSet,
  gradients: unknown,
  tensor: ParameterTensor,
  index: number,
): number | undefined {
  if (typeof gradients !== 'object' || gradients === null || gradients instanceof Map) return undefined;
  if (Array.isArray(gradients) || ArrayBuffer.isView(gradients) || hasTensorAdapters()) return undefined;
  const { tensors } = parameters;
  if (Object.keys(gradients).length !== tensors.length) return undefined;
  const record = gradients as Record<string, unknown>;
  let value: number | undefined;
  for (const t of tensors) {
    const key = isEnumerable.call(record, t.name)
      ? t.name
      : isEnumerable.call(record, `d${t.name}`)
        ? `d${t.name}`
        : undefined;
    // (Two tensors read from one key leave another key unread: the full read decides.)
    if (key === undefined || (tensors.length > 1 && !distinctKey(tensors, t, key))) return undefined;
    const array = record[key];
    if (!(array instanceof Float64Array || array instanceof Float32Array) || array.length !== t.view.size)
      return undefined;
    if (t === tensor) value = array[index];
  }
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

/** True when no tensor before `t` may read its gradient from `key` (its name or d + its name). */
function distinctKey(tensors: readonly ParameterTensor[], t: ParameterTensor, key: string): boolean {
  for (const other of tensors) {
    if (other === t) return true;
    if (other.name === key || `d${other.name}` === key) return false;
  }
  return true;
}
