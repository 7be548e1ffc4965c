import * as tf from '@tensorflow/tfjs-core';
import { assert } from '../common/errors.js';
import type { OutputKind } from './data/user-data.js';
import { SeededRandom } from './random.js';

export const RECURRENT_ACTIVATIONS = ['sigmoid', 'hard_sigmoid'] as const;
/**
 * Gate activation of the LSTM layers: the logistic sigmoid, or hard_sigmoid as
 * Keras 2 and TensorFlow.js define it, clip(0.2 x + 0.5, 0, 1).
 */
export type RecurrentActivation = (typeof RECURRENT_ACTIVATIONS)[number];

/** Activation of a Dense layer of the head; the output layer is linear here and its activation is part of OutputKind. */
export type HiddenActivation = 'relu' | 'linear';

/**
 * Architecture of a rank-coding classifier: LSTM layers (every one returns its
 * sequence), then hidden Dense relu layers and one output layer, all applied at
 * every step.
 */
export interface RcModelShape {
  /** Values per frame, the input size of the first LSTM layer. */
  inputSize: number;
  /** Hidden units of each LSTM layer, the input side first. */
  lstmUnits: number[];
  /** Units of each hidden Dense relu layer between the last LSTM layer and the output layer. */
  denseUnits: number[];
  /** Class count C; the output layer has outputUnits(shape) units. */
  classes: number;
  /** 'softmax': C units. 'sigmoid': one unit, the probability of class 1, when C = 2; one unit per class otherwise. */
  output: OutputKind;
  recurrentActivation: RecurrentActivation;
}

/** Returns the unit count of the output layer: 1 for a sigmoid output of two classes, else the class count. */
export function outputUnits(shape: Pick<RcModelShape, 'output' | 'classes'>): number {
  return shape.output === 'sigmoid' && shape.classes === 2 ? 1 : shape.classes;
}

/** Weights of one LSTM layer in the Keras layout, gate order i, f, c, o: kernel [in, 4 units], recurrentKernel [units, 4 units], bias [4 units]. */
export interface LstmWeights {
  kernel: Float32Array;
  recurrentKernel: Float32Array;
  bias: Float32Array;
}

/** Weights of one Dense layer: kernel [in, units], bias [units]. */
export interface DenseWeights {
  kernel: Float32Array;
  bias: Float32Array;
}

/** The weights of an RcModel as plain arrays. `dense` lists the hidden Dense layers, then the output layer. */
export interface RcModelWeights extends RcModelShape {
  lstm: LstmWeights[];
  dense: DenseWeights[];
}

export interface LstmLayer {
  inputSize: number;
  units: number;
  kernel: tf.Variable<tf.Rank.R2>;
  recurrentKernel: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
}

export interface DenseLayer {
  inputSize: number;
  units: number;
  activation: HiddenActivation;
  kernel: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
}

/** Trainable variables of a rank-coding classifier. `dense` lists the hidden Dense layers, then the linear output layer (logits). */
export interface RcModel extends RcModelShape {
  lstm: LstmLayer[];
  dense: DenseLayer[];
}

/** Returns [inputSize, units] of every Dense layer, hidden layers first and the output layer last. */
export function denseSizes(shape: RcModelShape): [number, number][] {
  const widths = [shape.lstmUnits[shape.lstmUnits.length - 1], ...shape.denseUnits, outputUnits(shape)];
  return widths.slice(1).map((units, i) => [widths[i], units]);
}

/** Returns the input size of every LSTM layer: the frame size, then the units of the layer below. */
export function lstmInputSizes(shape: RcModelShape): number[] {
  return shape.lstmUnits.map((_, i) => (i === 0 ? shape.inputSize : shape.lstmUnits[i - 1]));
}

/**
 * Initializes weights as Keras does by default: Glorot-uniform kernels, orthogonal
 * recurrent kernels, and zero biases except the LSTM forget-gate bias, which is 1
 * (unit_forget_bias). The seeded generator runs in JavaScript, so a seed gives the
 * same initial weights on every backend. The draws go layer by layer from the
 * input side, so a one-layer model without a head gets the same weights as before
 * stacking and heads existed.
 */
export function initRcModelWeights(shape: RcModelShape, seed: number): RcModelWeights {
  checkShape(shape);
  const random = new SeededRandom(seed);
  const inputSizes = lstmInputSizes(shape);
  const lstm = shape.lstmUnits.map((units, i): LstmWeights => {
    const bias = new Float32Array(4 * units);
    bias.fill(1, units, 2 * units);
    return {
      kernel: glorotUniform(random, inputSizes[i], 4 * units),
      recurrentKernel: orthogonal(random, units, 4 * units),
      bias,
    };
  });
  const dense = denseSizes(shape).map(([inputSize, units]): DenseWeights => ({
    kernel: glorotUniform(random, inputSize, units),
    bias: new Float32Array(units),
  }));
  return { ...copyShape(shape), lstm, dense };
}

/** Creates trainable variables holding the given weights. */
export function createRcModel(weights: RcModelWeights): RcModel {
  checkWeights(weights);
  const inputSizes = lstmInputSizes(weights);
  const lstm = weights.lstm.map((layer, i): LstmLayer => {
    const units = weights.lstmUnits[i];
    return {
      inputSize: inputSizes[i],
      units,
      kernel: makeVariable(layer.kernel, [inputSizes[i], 4 * units]),
      recurrentKernel: makeVariable(layer.recurrentKernel, [units, 4 * units]),
      bias: makeVariable(layer.bias, [4 * units]),
    };
  });
  const sizes = denseSizes(weights);
  const dense = weights.dense.map((layer, i): DenseLayer => {
    const [inputSize, units] = sizes[i];
    return {
      inputSize,
      units,
      activation: i < weights.denseUnits.length ? 'relu' : 'linear',
      kernel: makeVariable(layer.kernel, [inputSize, units]),
      bias: makeVariable(layer.bias, [units]),
    };
  });
  return { ...copyShape(weights), lstm, dense };
}

/** Creates a variable that contains `values`. tf.tidy disposes the temporary tensor, which would otherwise stay alive. */
function makeVariable<R extends tf.Rank>(values: Float32Array, shape: number[]): tf.Variable<R> {
  return tf.tidy(() => tf.variable(tf.tensor(values, shape))) as unknown as tf.Variable<R>;
}

/** Returns every trainable variable in a fixed order: each LSTM layer's kernel, recurrent kernel and bias, then each Dense layer's kernel and bias. */
export function trainableVariables(model: RcModel): tf.Variable[] {
  return [
    ...model.lstm.flatMap((layer) => [layer.kernel, layer.recurrentKernel, layer.bias]),
    ...model.dense.flatMap((layer) => [layer.kernel, layer.bias]),
  ];
}

/** Returns the Keras weight name of each entry of trainableVariables, such as lstm_1/recurrent_kernel. */
export function variableNames(shape: RcModelShape): string[] {
  return [
    ...shape.lstmUnits.flatMap((_, i) => ['kernel', 'recurrent_kernel', 'bias'].map((name) => `${layerName('lstm', i)}/${name}`)),
    ...denseSizes(shape).flatMap((_, i) => ['kernel', 'bias'].map((name) => `${layerName('dense', i)}/${name}`)),
  ];
}

/** Returns the Keras default name of the index-th layer of a kind: lstm, lstm_1, lstm_2, ... */
export function layerName(kind: 'lstm' | 'dense', index: number): string {
  return index === 0 ? kind : `${kind}_${index}`;
}

export function disposeRcModel(model: RcModel): void {
  for (const variable of trainableVariables(model)) variable.dispose();
}

/** Downloads the current weights. */
export function readRcModelWeights(model: RcModel): RcModelWeights {
  const read = (variable: tf.Variable) => variable.dataSync() as Float32Array;
  return {
    ...copyShape(model),
    lstm: model.lstm.map((layer) => ({ kernel: read(layer.kernel), recurrentKernel: read(layer.recurrentKernel), bias: read(layer.bias) })),
    dense: model.dense.map((layer) => ({ kernel: read(layer.kernel), bias: read(layer.bias) })),
  };
}

/** Returns the weights in trainableVariables order. */
export function flattenWeights(weights: RcModelWeights): Float32Array[] {
  return [...weights.lstm.flatMap((layer) => [layer.kernel, layer.recurrentKernel, layer.bias]), ...weights.dense.flatMap((layer) => [layer.kernel, layer.bias])];
}

/** Overwrites the model's variables with `weights`, which must have the model's shape. */
export function assignRcModelWeights(model: RcModel, weights: RcModelWeights): void {
  assert(sameShape(model, weights), 'the weights do not have the shape of the model');
  const variables = trainableVariables(model);
  flattenWeights(weights).forEach((values, i) => {
    const variable = variables[i];
    tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
  });
}

export function sameShape(a: RcModelShape, b: RcModelShape): boolean {
  return JSON.stringify(copyShape(a)) === JSON.stringify(copyShape(b));
}

/** Returns only the RcModelShape fields of `shape`, in a fixed order. */
export function copyShape(shape: RcModelShape): RcModelShape {
  return {
    inputSize: shape.inputSize,
    lstmUnits: [...shape.lstmUnits],
    denseUnits: [...shape.denseUnits],
    classes: shape.classes,
    output: shape.output,
    recurrentActivation: shape.recurrentActivation,
  };
}

function checkShape(shape: RcModelShape): void {
  assert(shape.lstmUnits.length >= 1, 'a model needs at least one LSTM layer');
  const sizes = [shape.inputSize, ...shape.lstmUnits, ...shape.denseUnits, shape.classes];
  assert(sizes.every((size) => Number.isInteger(size) && size >= 1), () => `invalid layer sizes ${sizes.join(', ')}`);
  assert(shape.classes >= 2, () => `a classifier needs at least 2 classes, got ${shape.classes}`);
}

function checkWeights(weights: RcModelWeights): void {
  checkShape(weights);
  assert(weights.lstm.length === weights.lstmUnits.length, 'one set of LSTM weights per LSTM layer');
  assert(weights.dense.length === weights.denseUnits.length + 1, 'one set of Dense weights per hidden layer and one for the output layer');
  const inputSizes = lstmInputSizes(weights);
  weights.lstm.forEach((layer, i) => {
    const units = weights.lstmUnits[i];
    assert(layer.kernel.length === inputSizes[i] * 4 * units && layer.recurrentKernel.length === units * 4 * units && layer.bias.length === 4 * units, () => `LSTM layer ${i} has weights of the wrong size`);
  });
  denseSizes(weights).forEach(([inputSize, units], i) => {
    assert(weights.dense[i].kernel.length === inputSize * units && weights.dense[i].bias.length === units, () => `Dense layer ${i} has weights of the wrong size`);
  });
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

