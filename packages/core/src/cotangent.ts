/**
 * The cotangent R of a layer check: a seeded Gaussian tensor shaped like the layer's output (a
 * record of them for a record output), the projection ⟨R, Y⟩ the check differentiates, and dY for
 * backward in the output's own type.
 */
import { GradcheckError, describeValue } from './errors.js';
import type { CallNames } from './model.js';
import { entriesOf } from './parameters.js';
import { seededRandom, type Random } from './random.js';
import { formatShape, viewTensor, type Precision, type TensorRole, type TensorView } from './tensors.js';

/** A seed for the cotangents that differs from the seed of the check's directions and samples. */
const COTANGENT_SEED_OFFSET = 0x5eed;

/** True when `value` is a tensor gradcheck can view in `role` (not a record of them). */
export function isTensor(value: unknown, role: TensorRole): boolean {
  try {
    viewTensor(value, 'value', role);
    return true;
  } catch {
    return false;
  }
}

/**
 * A copy of a tensor that gradcheck may write the cotangent into, or `undefined` for a type it
 * cannot copy (then the output of a second forward pass holds the cotangent).
 */
function copyTensor(value: unknown): unknown {
  if (value instanceof Float64Array || value instanceof Float32Array) return value.slice();
  if (Array.isArray(value)) return value.map((x) => (Array.isArray(x) ? copyTensor(x) : x));
  if (typeof value === 'object' && value !== null) {
    const o = value as { data?: unknown; shape?: unknown; clone?: unknown };
    if (typeof o.clone === 'function') return (o.clone as () => unknown).call(value);
    if ('data' in o && Array.isArray(o.shape)) return { ...o, data: copyTensor(o.data), shape: [...o.shape] };
  }
  return undefined;
}

/** One output of a layer: its name in a record output (`''` for a single output) and its cotangent. */
interface OutputSlot {
  readonly name: string;
  /** `undefined` for a number output. */
  readonly shape: readonly number[] | undefined;
  readonly cotangent: Float64Array;
  /** Y at the given point (the first forward pass), and its magnitude entry by entry. */
  readonly value: Float64Array;
  readonly magnitude: Float64Array;
}

/**
 * ±Σ|Rᵢ·Yᵢ| over every output, the magnitude of the terms of ⟨R, Y⟩, with the sign of ⟨R, Y⟩ (so
 * that the sum and the offset cannot cancel).
 */
function offsetOf(outputs: readonly OutputSlot[]): number {
  let magnitude = 0,
    sum = 0;
  for (const o of outputs) {
    for (let i = 0; i < o.cotangent.length; i++) {
      magnitude += Math.abs(o.cotangent[i]! * o.magnitude[i]!);
      sum += o.cotangent[i]! * o.value[i]!;
    }
  }
  return sum < 0 ? -magnitude : magnitude;
}

/** A layer's cotangents, drawn for its output's shape at the first forward pass. */
export class Cotangent {
  private readonly random: Random;
  private slots: OutputSlot[] | undefined;

  /**
   * @param seed - The check's seed; the cotangents are drawn from a generator seeded from it.
   * @param calls - The layer's call names, for messages.
   */
  constructor(
    seed: number,
    private readonly calls: CallNames,
  ) {
    this.random = seededRandom(seed + COTANGENT_SEED_OFFSET);
  }

  /** The output's storage precision: `'float32'` when any output part is float32. */
  precision: Precision = 'float64';

  /** True once the output's shape is known (after the first forward pass). */
  get drawn(): boolean {
    return this.slots !== undefined;
  }

  /** Draws the next cotangent (Gaussian, one per output entry) for the output shape seen so far. */
  next(): void {
    if (!this.slots) return;
    this.slots = this.slots.map((o) => ({ ...o, cotangent: this.draw(o.cotangent.length) }));
    this.offset = offsetOf(this.slots!);
  }

  /**
   * A constant added to ⟨R, Y⟩: ±Σ|Rᵢ·Yᵢ| at the given point (the sign of ⟨R, Y⟩ there). The check models a loss's rounding
   * as ε·|L|, but ⟨R, Y⟩ is a sum of terms of both signs whose rounding is ε·Σ|Rᵢ·Yᵢ|, far above
   * ε·|⟨R, Y⟩| when the terms cancel; the offset makes the loss's magnitude that of its terms and
   * changes no derivative. The result reports ⟨R, Y⟩ without it.
   */
  offset = 0;

  private draw(n: number): Float64Array {
    const r = new Float64Array(n);
    for (let i = 0; i < n; i++) r[i] = this.random.gaussian();
    return r;
  }

  /** The output's parts: `['', value]` for a single tensor or number, the entries of a record. */
  private outputParts(output: unknown): [string, unknown][] {
    if (typeof output === 'number' || isTensor(output, 'gradient')) return [['', output]];
    if (typeof output === 'object' && output !== null && !Array.isArray(output) && !ArrayBuffer.isView(output)) {
      const parts = entriesOf(output, `${this.calls.loss} result`);
      if (parts.length > 0) return parts;
    }
    throw new GradcheckError(
      'UNSUPPORTED_TENSOR',
      `${this.calls.loss} returned ${describeValue(output)}; a layer's output must be a tensor, ` +
        'a record of tensors, or a number.',
    );
  }

  /** Views one output part, checking it against the shape seen at the first forward pass. */
  private viewPart(name: string, value: unknown, expected: OutputSlot | undefined): TensorView | number {
    const label = name ? `output ${name}` : 'output';
    if (typeof value === 'number') {
      if (expected && expected.shape !== undefined) throw this.outputChanged(label, 'a number', expected);
      return value;
    }
    const view = viewTensor(value, `${this.calls.loss} ${label}`, 'gradient');
    if (expected && (expected.shape === undefined || expected.cotangent.length !== view.size)) {
      throw this.outputChanged(label, formatShape(view.shape), expected);
    }
    return view;
  }

  private outputChanged(label: string, now: string, was: OutputSlot): GradcheckError {
    return new GradcheckError(
      'SHAPE_MISMATCH',
      `${this.calls.loss} ${label} is ${now} here but was ${was.shape ? formatShape(was.shape) : 'a number'} ` +
        'at the first forward pass; the output must keep its shape when the parameters and inputs move slightly.',
    );
  }

  /** Learns the output's shape and draws the first cotangent. */
  learn(output: unknown): void {
    this.slots = this.outputParts(output).map(([name, value]) => {
      const v = this.viewPart(name, value, undefined);
      const values = typeof v === 'number' ? Float64Array.of(v) : new Float64Array(v.size);
      if (typeof v !== 'number') for (let i = 0; i < v.size; i++) values[i] = v.get(i);
      const shape = typeof v === 'number' ? undefined : v.shape;
      if (typeof v !== 'number' && v.precision === 'float32') this.precision = 'float32';
      return { name, shape, cotangent: this.draw(values.length), value: values, magnitude: values.map(Math.abs) };
    });
    this.offset = offsetOf(this.slots!);
  }

  /**
   * ⟨R, output⟩ + {@link Cotangent.offset}, summed with Neumaier's compensation so that the sum
   * adds no rounding of its own.
   */
  project(output: unknown): number {
    const parts = this.outputParts(output);
    const slots = this.slots!;
    if (parts.length !== slots.length || parts.some(([name], k) => name !== slots[k]!.name)) {
      throw new GradcheckError(
        'SHAPE_MISMATCH',
        `${this.calls.loss} returned outputs ${parts.map(([n]) => n || '(one tensor)').join(', ')} here but ` +
          `${slots.map((s) => s.name || '(one tensor)').join(', ')} at the first forward pass.`,
      );
    }
    let sum = this.offset,
      compensation = 0;
    const add = (term: number): void => {
      const t = sum + term;
      compensation += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
      sum = t;
    };
    parts.forEach(([name, value], k) => {
      const slot = slots[k]!;
      const v = this.viewPart(name, value, slot);
      if (typeof v === 'number') add(slot.cotangent[0]! * v);
      else for (let i = 0; i < v.size; i++) add(slot.cotangent[i]! * v.get(i));
    });
    return sum + compensation;
  }

  /**
   * dY for backward: a fresh copy of `output` (the same type as forward returns) holding R, so that
   * a backward that writes into dY cannot corrupt R; for a type gradcheck cannot copy, `spare` (the
   * output of another forward pass at the same point) holds R.
   */
  like(output: unknown, spare: () => unknown): unknown {
    const slots = this.slots!;
    const fill = (value: unknown, slot: OutputSlot, replacement: () => unknown): unknown => {
      if (slot.shape === undefined) return slot.cotangent[0];
      let copy = copyTensor(value);
      if (copy === undefined) {
        copy = replacement();
        if (copy === value) {
          throw new GradcheckError(
            'UNSUPPORTED_TENSOR',
            `${this.calls.loss} returns the same ${describeValue(value)} on every call, and gradcheck cannot copy ` +
              'it to hold the cotangent dY; return a fresh tensor from forward, or give the type a clone() method.',
          );
        }
      }
      const view = viewTensor(copy, 'the cotangent dY', 'input');
      for (let i = 0; i < view.size; i++) view.set(i, slot.cotangent[i]!);
      return copy;
    };
    if (slots.length === 1 && slots[0]!.name === '') return fill(output, slots[0]!, spare);
    const record: Record<string, unknown> = {};
    let other: Record<string, unknown> | undefined;
    for (const slot of slots) {
      record[slot.name] = fill((output as Record<string, unknown>)[slot.name], slot, () => {
        other ??= Object.fromEntries(this.outputParts(spare()));
        return other[slot.name];
      });
    }
    return output instanceof Map ? new Map(Object.entries(record)) : record;
  }
}
