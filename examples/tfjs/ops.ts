// TensorFlow.js code under test: an op with a hand-written gradient (tf.customGrad) and a custom
// layer that uses it, each with a switch that plants a wrong gradient.
import * as tf from '@tensorflow/tfjs';

/** What a planted bug does to a hand-written gradient. */
export type Bug = 'none' | 'scaled' | 'sign-flipped' | 'transposed';

/**
 * swish(x) = x·σ(x) with its derivative written by hand: σ(x) + x·σ(x)·(1 − σ(x)).
 * `bug` plants a wrong derivative (scaled by 3, or with its sign flipped).
 */
export function swish(bug: Bug = 'none'): (x: tf.Tensor) => tf.Tensor {
  const op = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x]);
    return {
      value: tf.mul(x, tf.sigmoid(x)),
      gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => {
        const s = tf.sigmoid(saved!);
        const d = tf.add(s, tf.mul(saved!, tf.mul(s, tf.sub(1, s))));
        const g = tf.mul(dy, d);
        return bug === 'scaled' ? tf.mul(g, 3) : bug === 'sign-flipped' ? tf.neg(g) : g;
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (x) => op(x) as tf.Tensor;
}

/**
 * A numerically stable log-sum-exp over the last axis, m + log Σ exp(x − m), with its gradient
 * written by hand: softmax(x)·dy.
 */
export const logSumExp = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const m = tf.max(x, -1, true);
  const value = tf.add(tf.squeeze(m, [-1]), tf.log(tf.sum(tf.exp(tf.sub(x, m)), -1)));
  save([x]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.mul(tf.expandDims(dy, -1), tf.softmax(saved!)),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;

/**
 * x·W with the gradient written by hand: dx = dy·Wᵀ, dW = xᵀ·dy. `bug` plants a wrong dW
 * (scaled by 3, sign-flipped or transposed).
 */
export function matMulOp(bug: Bug = 'none'): (x: tf.Tensor, w: tf.Tensor) => tf.Tensor {
  const op = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x, w]);
    return {
      value: tf.matMul(x, w),
      gradFunc: (dy: tf.Tensor, [sx, sw]: tf.Tensor[]) => {
        const dW = tf.matMul(sx!, dy, true, false);
        const wrong =
          bug === 'scaled'
            ? tf.mul(dW, 3)
            : bug === 'sign-flipped'
              ? tf.neg(dW)
              : bug === 'transposed'
                ? tf.transpose(dW)
                : dW;
        return [tf.matMul(dy, sw!, false, true), wrong];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (x, w) => op(x, w) as tf.Tensor;
}

/** A dense layer with a swish activation, both with hand-written gradients: a custom tf.layers.Layer. */
export class SwishDense extends tf.layers.Layer {
  static className = 'SwishDense';
  private kernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;
  private readonly matMul: (x: tf.Tensor, w: tf.Tensor) => tf.Tensor;
  private readonly activation: (x: tf.Tensor) => tf.Tensor;

  constructor(
    private readonly units: number,
    bug: { matMul?: Bug; swish?: Bug } = {},
    inputShape?: number[],
  ) {
    super(inputShape ? { inputShape } : {});
    this.matMul = matMulOp(bug.matMul);
    this.activation = swish(bug.swish);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const inputs = (inputShape as tf.Shape)[1]!;
    this.kernel = this.addWeight('kernel', [inputs, this.units], 'float32', tf.initializers.glorotNormal({ seed: 1 }));
    this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.randomNormal({ seed: 2, stddev: 0.1 }));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(inputShape as tf.Shape)[0]!, this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return this.activation(tf.add(this.matMul(x, this.kernel.read()), this.bias.read()));
  }
}
tf.serialization.registerClass(SwishDense);

/** A small model: SwishDense(4 → 4) then a dense layer to 2 outputs. */
export function swishModel(bug: { matMul?: Bug; swish?: Bug } = {}): tf.LayersModel {
  const model = tf.sequential();
  model.add(new SwishDense(4, bug, [4]));
  model.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) }));
  return model;
}

/** Seeded inputs and targets: 5 examples of 4 features, 2 targets each. */
export function data(): { xs: tf.Tensor; ys: tf.Tensor } {
  return {
    xs: tf.randomNormal([5, 4], 0, 1, 'float32', 7),
    ys: tf.randomNormal([5, 2], 0, 1, 'float32', 8),
  };
}
