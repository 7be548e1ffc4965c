import * as tf from '@tensorflow/tfjs-core';
import { matMul, matMulConstantLeft } from './matmul.js';
import type { LstmLayer, RcModel, RecurrentActivation } from './model.js';

/** Hidden and cell state of one LSTM layer, one row per example. */
export interface LstmState {
  h: tf.Tensor2D;
  c: tf.Tensor2D;
}

/**
 * Projects input frames [rows, inputSize] of the first LSTM layer to gate
 * pre-activations [rows, 4 units], bias included. The frames are data: no gradient
 * flows to them.
 */
export function projectFrames(layer: LstmLayer, frames: tf.Tensor2D): tf.Tensor2D {
  return tf.add(matMulConstantLeft(frames, layer.kernel), layer.bias);
}

/** Projects the hidden states [rows, units below] of the layer below to gate pre-activations [rows, 4 units], bias included. */
export function projectHidden(layer: LstmLayer, hidden: tf.Tensor2D): tf.Tensor2D {
  return tf.add(matMul(hidden, layer.kernel), layer.bias);
}

/**
 * Applies the gate activation. hard_sigmoid is written as tfjs-layers 4.22 writes
 * it (add(0.5, mul(0.2, x)), then clipByValue to [0, 1]), so the exported model
 * computes the same float32 values.
 */
export function recurrentGate(activation: RecurrentActivation, x: tf.Tensor2D): tf.Tensor2D {
  if (activation === 'sigmoid') return tf.sigmoid(x);
  return tf.clipByValue(tf.add(0.5, tf.mul(0.2, x)), 0, 1) as tf.Tensor2D;
}

/**
 * Runs one LSTM step on projected inputs [n, 4 units]. `previous` undefined is the
 * zero state of the first step, which skips the recurrent matMul. The rows of
 * `previous` must match the rows of `projected`.
 */
export function lstmStep(layer: LstmLayer, activation: RecurrentActivation, projected: tf.Tensor2D, previous: LstmState | undefined): LstmState {
  const preActivations = previous === undefined ? projected : tf.add(projected, matMul(previous.h, layer.recurrentKernel));
  const [inputGate, forgetGate, candidate, outputGate] = tf.split(preActivations, 4, 1) as tf.Tensor2D[];
  const written = tf.mul<tf.Tensor2D>(recurrentGate(activation, inputGate), tf.tanh(candidate));
  const c = previous === undefined ? written : tf.add<tf.Tensor2D>(tf.mul(recurrentGate(activation, forgetGate), previous.c), written);
  const h = tf.mul<tf.Tensor2D>(recurrentGate(activation, outputGate), tf.tanh(c));
  return { h, c };
}

/**
 * Runs one step of every LSTM layer on input frames [n, inputSize] and returns the
 * new states, the first layer first. `previous` undefined is the zero state.
 */
export function stackStep(model: RcModel, frames: tf.Tensor2D, previous: LstmState[] | undefined): LstmState[] {
  const states: LstmState[] = [];
  model.lstm.forEach((layer, i) => {
    const projected = i === 0 ? projectFrames(layer, frames) : projectHidden(layer, states[i - 1].h);
    states.push(lstmStep(layer, model.recurrentActivation, projected, previous?.[i]));
  });
  return states;
}

/** Returns the output logits [n, output units] of the last LSTM layer's hidden states [n, units]: the hidden Dense relu layers, then the linear output layer. */
export function outputLogits(model: RcModel, hidden: tf.Tensor2D): tf.Tensor2D {
  let x = hidden;
  for (const layer of model.dense) {
    x = tf.add(matMul(x, layer.kernel), layer.bias);
    if (layer.activation === 'relu') x = tf.relu(x);
  }
  return x;
}
