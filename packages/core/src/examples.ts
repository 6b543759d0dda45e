/**
 * How many examples X holds, for the diagnosis of a missing or extra mean ("k = m"): inferred
 * from the axis X and Y share, on either axis, and only when that is unambiguous.
 */
import { viewTensor } from './tensors.js';

/**
 * The sizes an argument (X or Y) offers for the examples' axis: every dimension of a tensor; the
 * length of a plain array of examples (records, strings: anything but numbers and arrays), which
 * is certain; for a record of tensors (`{ features, mask }`), the dimensions all its members
 * share. `undefined` when the argument says nothing (a number, `undefined`, an empty record).
 */
function axesOf(value: unknown, depth = 0): { sizes: number[]; certain: boolean } | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  try {
    return { sizes: [...viewTensor(value, 'X', 'input').shape], certain: false };
  } catch {
    // not a tensor: an array of examples, or a record of tensors
  }
  if (Array.isArray(value)) return value.length > 0 ? { sizes: [value.length], certain: true } : undefined;
  if (depth > 0 || value instanceof Map || ArrayBuffer.isView(value)) return undefined;
  const members = Object.values(value)
    .map((v) => axesOf(v, depth + 1))
    .filter((a) => a !== undefined);
  if (members.length === 0) return undefined;
  const certain = members.find((a) => a.certain);
  if (certain) return certain;
  const common = members[0]!.sizes.filter((d) => members.every((a) => a.sizes.includes(d)));
  return { sizes: common.length > 0 ? common : members.flatMap((a) => a.sizes), certain: false };
}

/**
 * The number of examples in X, for the "k = m" diagnosis, or `undefined` unless it is
 * unambiguous: the length of a plain array of examples (X or Y, or a member of a record); else
 * the one size above 1 that a dimension of X shares with a dimension of Y, whichever the axis
 * (examples in rows, as TF.js has them, or in columns, as the classic course code). Two shared
 * sizes (X 4×6 and Y 4×6), or none (no usable Y), leave it unknown: the diagnosis then gives the
 * factor alone rather than guess.
 */
export function inferExamples(X: unknown, Y: unknown): number | undefined {
  const xs = axesOf(X),
    ys = axesOf(Y);
  if (xs?.certain) return xs.sizes[0]! > 1 ? xs.sizes[0] : undefined;
  if (ys?.certain) return ys.sizes[0]! > 1 ? ys.sizes[0] : undefined;
  if (!xs || !ys) return undefined;
  const shared = new Set(xs.sizes.filter((d) => d > 1 && ys.sizes.includes(d)));
  return shared.size === 1 ? [...shared][0] : undefined;
}
