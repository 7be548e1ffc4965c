import * as tf from '@tensorflow/tfjs-core';

// The wasm backend of TensorFlow.js 4.22 runs matMul with a transpose flag about
// 10x slower than on operands transposed beforehand: on 2 cores, [128, 784]^T x
// [128, 256] took 21.6 ms with transposeA and 2.1 ms after tf.transpose. The
// built-in matMul gradient uses the flags, so the gradients below transpose first.

/** a x b, whose gradients use tf.transpose and a plain matMul. */
export const matMul = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[1] as tf.Tensor2D)),
      tf.matMul(tf.transpose(saved[0] as tf.Tensor2D), dy as tf.Tensor2D),
    ],
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/**
 * constant x b for a constant left operand, such as input frames: only b gets a
 * gradient, so the backward pass costs one matMul instead of two. The constant goes
 * through `save` because the gradient tape disposes every tensor it did not save.
 */
export function matMulConstantLeft(constant: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const product = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [right, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    save([constant]);
    return {
      value: tf.matMul(constant, right),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.matMul(tf.transpose(saved[0] as tf.Tensor2D), dy as tf.Tensor2D),
    };
  });
  return product(b) as tf.Tensor2D;
}
