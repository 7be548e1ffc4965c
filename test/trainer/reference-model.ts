/**
 * A reference forward pass and RC loss for every model form, one example and one
 * frame at a time, written with plain tf ops and independently of the trainer's
 * forward code (trainer/forward.ts, trainer/output.ts, trainer/rc-loss.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FrameSequences } from '../../trainer/data/frames.js';
import { createRcModel, initRcModelWeights, outputUnits, type RcModel, type RcModelShape } from '../../trainer/model.js';
import { SeededRandom } from '../../trainer/random.js';

function gate(model: RcModel, x: tf.Tensor2D): tf.Tensor2D {
  if (model.recurrentActivation === 'sigmoid') return tf.sigmoid(x);
  return tf.minimum(tf.maximum(tf.add(tf.mul(x, 0.2), 0.5), 0), 1);
}

/** Returns the output scores [1, output units] of one example after each of its first `steps` frames. */
export function referenceOutputs(model: RcModel, source: FrameSequences, example: number, steps: number): tf.Tensor2D[] {
  const outputs: tf.Tensor2D[] = [];
  let hs = model.lstm.map((layer) => tf.zeros([1, layer.units]) as tf.Tensor2D);
  let cs = model.lstm.map((layer) => tf.zeros([1, layer.units]) as tf.Tensor2D);
  for (let step = 0; step < steps; step++) {
    const frame = new Float32Array(source.frameSize);
    source.writeFrame(example, step, frame, 0);
    let x: tf.Tensor2D = tf.tensor2d(frame, [1, source.frameSize]);
    const nextHs: tf.Tensor2D[] = [];
    const nextCs: tf.Tensor2D[] = [];
    model.lstm.forEach((layer, i) => {
      const z = tf.add(tf.add(tf.matMul(x, layer.kernel), tf.matMul(hs[i], layer.recurrentKernel)), layer.bias) as tf.Tensor2D;
      const block = (index: number) => tf.slice(z, [0, index * layer.units], [1, layer.units]);
      const c = tf.add(tf.mul(gate(model, block(1)), cs[i]), tf.mul(gate(model, block(0)), tf.tanh(block(2)))) as tf.Tensor2D;
      const h = tf.mul(gate(model, block(3)), tf.tanh(c)) as tf.Tensor2D;
      nextHs.push(h);
      nextCs.push(c);
      x = h;
    });
    hs = nextHs;
    cs = nextCs;
    model.dense.forEach((layer) => {
      x = tf.add(tf.matMul(x, layer.kernel), layer.bias);
      if (layer.activation === 'relu') x = tf.relu(x);
    });
    outputs.push(model.output === 'softmax' ? tf.softmax(x) : tf.sigmoid(x));
  }
  return outputs;
}

/**
 * Returns the reference RC loss of one output row y [1, units], CE - beta * H. For
 * softmax outputs CE and H are those of the distribution. For sigmoid outputs they
 * are sums over the units of the binary cross-entropy and the binary entropy. Both
 * are computed from y itself rather than from logits.
 */
export function referenceExampleLoss(model: RcModel, y: tf.Tensor2D, label: number, beta: number): tf.Scalar {
  const units = outputUnits(model);
  if (model.output === 'softmax') {
    const logY = tf.log(y);
    const crossEntropy = tf.neg(tf.sum(tf.mul(tf.oneHot([label], units), logY)));
    const entropy = tf.neg(tf.sum(tf.mul(y, logY)));
    return tf.sub(crossEntropy, tf.mul(beta, entropy));
  }
  const target = units === 1 ? tf.tensor2d([[label]]) : tf.oneHot([label], units);
  const logY = tf.log(y);
  const logNotY = tf.log(tf.sub(1, y));
  const crossEntropy = tf.neg(tf.sum(tf.add(tf.mul(target, logY), tf.mul(tf.sub(1, target), logNotY))));
  const entropy = tf.neg(tf.sum(tf.add(tf.mul(y, logY), tf.mul(tf.sub(1, y), logNotY))));
  return tf.sub(crossEntropy, tf.mul(beta, entropy));
}

/** Reference batch loss: each example's loss at its spike step, one example at a time, averaged over the batch. */
export function referenceLoss(model: RcModel, source: FrameSequences, examples: ArrayLike<number>, spikeSteps: ArrayLike<number>, beta: number): tf.Scalar {
  const losses = Array.from(examples, (example, i) => {
    const outputs = referenceOutputs(model, source, example, spikeSteps[i]);
    return referenceExampleLoss(model, outputs[spikeSteps[i] - 1], source.labels[example], beta);
  });
  return tf.div(tf.addN(losses), losses.length) as tf.Scalar;
}

/**
 * Creates a model with random, non-zero biases and larger output weights than at
 * initialization, so that every weight matters and the outputs spread out. `spread`
 * is the standard deviation of the added noise. Keep it small for sigmoid outputs:
 * the reference computes log(1 - y) from y, which loses precision as y nears 1.
 */
export function randomModel(shape: RcModelShape, seed: number, spread = 1.5): RcModel {
  const weights = initRcModelWeights(shape, seed);
  const random = new SeededRandom(seed + 100);
  const arrays = [...weights.lstm.map((layer) => layer.bias), ...weights.dense.flatMap((layer) => [layer.kernel, layer.bias])];
  for (const values of arrays) {
    for (let i = 0; i < values.length; i++) values[i] += spread * random.nextNormal();
  }
  return createRcModel(weights);
}
