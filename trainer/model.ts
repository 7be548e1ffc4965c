import * as tf from '@tensorflow/tfjs-core';
import { matMul, matMulConstantLeft } from './matmul.js';
import { SeededRandom } from './random.js';

/** Sizes of an LSTM classifier: LSTM(units) over frames of inputSize, then Dense(classes, softmax) at every step. */
export interface RcLstmShape {
  inputSize: number;
  units: number;
  classes: number;
}

/**
 * Trainable weights in the Keras layout, gate order i, f, c, o:
 * kernel [inputSize, 4 units], recurrentKernel [units, 4 units], bias [4 units],
 * denseKernel [units, classes], denseBias [classes]. The recurrent activation is the
 * logistic sigmoid, the cell and output activations tanh.
 */
export interface RcLstm extends RcLstmShape {
  kernel: tf.Variable<tf.Rank.R2>;
  recurrentKernel: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
  denseKernel: tf.Variable<tf.Rank.R2>;
  denseBias: tf.Variable<tf.Rank.R1>;
}

export interface LstmState {
  h: tf.Tensor2D;
  c: tf.Tensor2D;
}

/** The weights of an RcLstm as plain arrays, in the order of RcLstm's fields. */
export interface RcLstmWeights extends RcLstmShape {
  kernel: Float32Array;
  recurrentKernel: Float32Array;
  bias: Float32Array;
  denseKernel: Float32Array;
  denseBias: Float32Array;
}

/**
 * Initializes weights as Keras does by default: Glorot-uniform kernels, an
 * orthogonal recurrent kernel, and zero biases except the forget-gate bias, which is
 * 1 (unit_forget_bias). The seeded generator runs in JavaScript, so a seed gives the
 * same initial weights on every backend.
 */
export function initRcLstmWeights(shape: RcLstmShape, seed: number): RcLstmWeights {
  const random = new SeededRandom(seed);
  const gates = 4 * shape.units;
  const bias = new Float32Array(gates);
  bias.fill(1, shape.units, 2 * shape.units);
  return {
    ...shape,
    kernel: glorotUniform(random, shape.inputSize, gates),
    recurrentKernel: orthogonal(random, shape.units, gates),
    bias,
    denseKernel: glorotUniform(random, shape.units, shape.classes),
    denseBias: new Float32Array(shape.classes),
  };
}

/** Creates trainable variables holding the given weights. */
export function createRcLstm(weights: RcLstmWeights): RcLstm {
  const { inputSize, units, classes } = weights;
  return {
    inputSize,
    units,
    classes,
    kernel: tf.variable(tf.tensor2d(weights.kernel, [inputSize, 4 * units])),
    recurrentKernel: tf.variable(tf.tensor2d(weights.recurrentKernel, [units, 4 * units])),
    bias: tf.variable(tf.tensor1d(weights.bias)),
    denseKernel: tf.variable(tf.tensor2d(weights.denseKernel, [units, classes])),
    denseBias: tf.variable(tf.tensor1d(weights.denseBias)),
  };
}

export function trainableVariables(model: RcLstm): tf.Variable[] {
  return [model.kernel, model.recurrentKernel, model.bias, model.denseKernel, model.denseBias];
}

export function disposeRcLstm(model: RcLstm): void {
  for (const variable of trainableVariables(model)) variable.dispose();
}

/** Downloads the current weights. */
export function readRcLstmWeights(model: RcLstm): RcLstmWeights {
  const read = (variable: tf.Variable) => variable.dataSync() as Float32Array;
  return {
    inputSize: model.inputSize,
    units: model.units,
    classes: model.classes,
    kernel: read(model.kernel),
    recurrentKernel: read(model.recurrentKernel),
    bias: read(model.bias),
    denseKernel: read(model.denseKernel),
    denseBias: read(model.denseBias),
  };
}

/**
 * Projects input frames [rows, inputSize] to gate pre-activations [rows, 4 units],
 * bias included. The frames are data: no gradient flows to them.
 */
export function projectInputs(model: RcLstm, frames: tf.Tensor2D): tf.Tensor2D {
  return tf.add(matMulConstantLeft(frames, model.kernel), model.bias);
}

/**
 * Runs one LSTM step on projected inputs [n, 4 units]. `previous` undefined is the
 * zero state of the first step, which skips the recurrent matMul. The rows of
 * `previous` must match the rows of `projected`.
 */
export function lstmStep(model: RcLstm, projected: tf.Tensor2D, previous: LstmState | undefined): LstmState {
  const preActivations = previous === undefined ? projected : tf.add(projected, matMul(previous.h, model.recurrentKernel));
  const [inputGate, forgetGate, candidate, outputGate] = tf.split(preActivations, 4, 1) as tf.Tensor2D[];
  const written = tf.mul<tf.Tensor2D>(tf.sigmoid(inputGate), tf.tanh(candidate));
  const c = previous === undefined ? written : tf.add<tf.Tensor2D>(tf.mul(tf.sigmoid(forgetGate), previous.c), written);
  const h = tf.mul<tf.Tensor2D>(tf.sigmoid(outputGate), tf.tanh(c));
  return { h, c };
}

/** Returns the output logits [n, classes] of hidden states [n, units]. */
export function denseLogits(model: RcLstm, h: tf.Tensor2D): tf.Tensor2D {
  return tf.add(matMul(h, model.denseKernel), model.denseBias);
}

function glorotUniform(random: SeededRandom, fanIn: number, fanOut: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const values = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < values.length; i++) values[i] = (2 * random.nextFloat() - 1) * limit;
  return values;
}

/**
 * Returns a [rows, cols] matrix with orthonormal rows (rows <= cols), as Keras's
 * Orthogonal initializer: the Q factor of a Gaussian [cols, rows] matrix with the
 * signs of diag(R) made positive, transposed. Modified Gram-Schmidt yields that Q
 * directly because it makes every diagonal entry of R positive.
 */
function orthogonal(random: SeededRandom, rows: number, cols: number): Float32Array {
  // columns[j] is column j of the Gaussian [cols, rows] matrix, so row j of the result.
  const columns: Float64Array[] = [];
  for (let j = 0; j < rows; j++) {
    const column = new Float64Array(cols);
    for (let i = 0; i < cols; i++) column[i] = random.nextNormal();
    for (const done of columns) {
      let dot = 0;
      for (let i = 0; i < cols; i++) dot += done[i] * column[i];
      for (let i = 0; i < cols; i++) column[i] -= dot * done[i];
    }
    let norm = 0;
    for (let i = 0; i < cols; i++) norm += column[i] * column[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < cols; i++) column[i] /= norm;
    columns.push(column);
  }
  const values = new Float32Array(rows * cols);
  columns.forEach((column, j) => values.set(column, j * cols));
  return values;
}
