import * as tf from '@tensorflow/tfjs-core';
import { outputUnits, type RcModelShape } from './model.js';

// The three output forms and their spike rules (docs/TRAINING.md, "Output layers"):
//
// - softmax over C units: spike when max_j y_j >= theta, predict argmax_j y_j.
// - one sigmoid unit y = P(class 1) for two classes, read as [1 - y, y]: a positive
//   spike is y >= theta, a negative spike y <= 1 - theta. The prediction is 1 when
//   y > 0.5, and the confidence max(y, 1 - y).
// - one sigmoid unit per class (C > 2): spike when max_j y_j >= theta, predict
//   argmax_j y_j. The units are independent, so several may be high at once.

/** Returns the class scores [n, output units] of logits [n, output units]: softmax or element-wise sigmoid. */
export function outputProbabilities(shape: RcModelShape, logits: tf.Tensor2D): tf.Tensor2D {
  return shape.output === 'softmax' ? tf.softmax(logits) : tf.sigmoid(logits);
}

/** The decision read from one example's output row at one step. */
export interface OutputReading {
  /** Predicted class index. */
  prediction: number;
  /** Score of the prediction: max_j y_j, or max(y, 1 - y) for one sigmoid unit. */
  confidence: number;
  /** True when the output crosses the threshold at this step. */
  spiked: boolean;
}

/**
 * Reads row `row` of the output scores `values` ([n, output units], row-major, as
 * outputProbabilities returns them) and applies the spike rule of the output form.
 * Ties go to the lower class index.
 */
export function readOutputRow(shape: RcModelShape, values: ArrayLike<number>, row: number, threshold: number): OutputReading {
  const units = outputUnits(shape);
  if (units === 1) {
    const y = values[row];
    return {
      prediction: y > 0.5 ? 1 : 0,
      confidence: Math.max(y, 1 - y),
      spiked: y >= threshold || y <= 1 - threshold,
    };
  }
  let prediction = 0;
  let confidence = values[row * units];
  for (let j = 1; j < units; j++) {
    if (values[row * units + j] > confidence) {
      confidence = values[row * units + j];
      prediction = j;
    }
  }
  return { prediction, confidence, spiked: confidence >= threshold };
}

/**
 * Returns each example's loss [n] from logits [n, output units] and class indices:
 * CE(y, label) - beta * H(y), H in nats.
 *
 * - softmax: CE and H of the softmax distribution.
 * - sigmoid: the sum over units of the binary cross-entropy against the one-hot
 *   target and of the binary entropy. For one unit this is CE and H of [1 - y, y].
 *   The log-probabilities are -softplus(-z) and -softplus(z), which stay finite for
 *   large |z|.
 */
export function outputLoss(shape: RcModelShape, logits: tf.Tensor2D, labels: number[], beta: number): tf.Tensor1D {
  const units = outputUnits(shape);
  const labelTensor = tf.tensor1d(labels, 'int32');
  const targets = units === 1 ? tf.reshape(tf.cast(labelTensor, 'float32'), [labels.length, 1]) : tf.oneHot(labelTensor, units);
  if (shape.output === 'softmax') {
    const logProbabilities = tf.logSoftmax(logits);
    const crossEntropy = tf.neg(tf.sum(tf.mul(targets, logProbabilities), 1));
    if (beta === 0) return crossEntropy as tf.Tensor1D;
    const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logProbabilities), logProbabilities), 1));
    return tf.sub(crossEntropy, tf.mul(beta, entropy));
  }
  const logPositive = tf.neg(tf.softplus(tf.neg(logits)));
  const logNegative = tf.neg(tf.softplus(logits));
  const complement = tf.sub(1, targets);
  const crossEntropy = tf.neg(tf.sum(tf.add(tf.mul(targets, logPositive), tf.mul(complement, logNegative)), 1));
  if (beta === 0) return crossEntropy as tf.Tensor1D;
  const y = tf.sigmoid(logits);
  const entropy = tf.neg(tf.sum(tf.add(tf.mul(y, logPositive), tf.mul(tf.sub(1, y), logNegative)), 1));
  return tf.sub(crossEntropy, tf.mul(beta, entropy));
}
