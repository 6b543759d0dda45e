/**
 * A list of numbers appended one at a time, kept in a Float64Array that doubles when full: the
 * comparison records three numbers per entry checked, and pushing them onto plain arrays (which
 * V8 regrows and copies as they pass each size) cost a cheap model's check more than the rest of
 * the entry's tally. Any number is kept exactly (a Float64Array holds every double, −0 included).
 */

/** The largest first array of an {@link AppendedNumbers}, in numbers. */
const FIRST_CAPACITY = 4096;

/** Numbers appended one at a time (see the module's comment). */
export class AppendedNumbers {
  private values: Float64Array;
  /** How many numbers were appended. */
  length = 0;

  /**
   * @param expected - How many numbers are likely to be appended (a tensor's size): the first
   *   array holds that many, up to {@link FIRST_CAPACITY} (a mode that records few entries of a large
   *   tensor allocates little).
   */
  constructor(expected: number) {
    this.values = new Float64Array(Math.max(1, Math.min(expected, FIRST_CAPACITY)));
  }

  /** Appends `value`. */
  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(2 * this.length);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  /** The numbers appended, in order, as a new plain array. */
  toArray(): number[] {
    return Array.from(this.values.subarray(0, this.length));
  }
}
