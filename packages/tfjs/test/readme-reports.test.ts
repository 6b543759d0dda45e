// The reports the README shows are the reports the code prints (only the time a check took may
// differ): a tf.customGrad swish whose gradFunc has its sign flipped, on the input
// examples/tfjs/ops.test.ts gives it, and tfjs's own tf.avgPool(x, 3, 1, 'same') (finding 1).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { checkGradients, formatReport } from '@gradcheck/core';
import { tfFunction } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The README's reports, by the `--- title` line before each, without the time a check took. */
function shown(): Map<string, string> {
  const block = /## A failing report[\s\S]*?```\n([\s\S]*?)\n```/.exec(readme)![1]!;
  const reports = new Map<string, string>();
  for (const part of block.split(/^--- /m).slice(1)) {
    const [title, ...lines] = part.split('\n');
    reports.set(title!, timeless(lines.join('\n')));
  }
  return reports;
}

const timeless = (report: string): string => report.replace(/ · [\d.]+ ms\n/, ' · … ms\n').trimEnd();

/** swish(x) = x·σ(x), its hand-written derivative's sign flipped (examples/tfjs/ops.ts, bug 'sign-flipped'). */
const flippedSwish = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: tf.mul(x, tf.sigmoid(x)),
    gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => {
      const s = tf.sigmoid(saved!);
      return tf.neg(tf.mul(dy, tf.add(s, tf.mul(saved!, tf.mul(s, tf.sub(1, s))))));
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

describe('the README shows the reports the code prints', () => {
  it('a sign-flipped swish and tf.avgPool with padding "same"', () => {
    const swish = checkGradients(
      tfFunction((x) => flippedSwish(x) as tf.Tensor),
      tf.randomNormal([3, 5], 0, 2, 'float32', 1),
    );
    const pool = checkGradients(
      tfFunction((x) => tf.avgPool(x as tf.Tensor4D, 3, 1, 'same')),
      tf.randomNormal([1, 5, 5, 1], 0, 1, 'float32', 1),
    );
    expect(shown()).toEqual(
      new Map([
        ['swish, sign-flipped gradFunc', timeless(formatReport(swish))],
        ['tf.avgPool same', timeless(formatReport(pool))],
      ]),
    );
  });
});
