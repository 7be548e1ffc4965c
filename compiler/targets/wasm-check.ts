/**
 * Checks that a quantized model fits the WebAssembly runtime before any code is
 * generated: the layer order it supports, matching sizes, integer ranges, and
 * dot products that cannot overflow their accumulators.
 */
import { UserError } from '../../common/errors.js';
import { INT32_MAX, INT32_MIN } from '../fixed-point.js';
import { type QDenseLayer, type QLayer, type QModel, type QRecurrentLayer, type Requant, type WeightBits, gateRows } from '../qmodel.js';

/** Largest magnitude of an int8 frame value: Int8Array frames may hold -128. */
export const MAX_FRAME_MAGNITUDE = 128;
/** Largest magnitude of an int16 layer input: a Q0.15 hidden state or a hidden dense output. */
export const MAX_HIDDEN_MAGNITUDE = 32768;
/** Accumulator bounds: int8 weights sum in i32, int16 weights in i64 with |acc| < 2^47 so that acc * mult fits. */
const ACCUMULATOR_LIMITS: Record<WeightBits, number> = { 8: INT32_MAX, 16: 2 ** 47 - 1 };
const ACCUMULATOR_LIMIT_TEXT: Record<WeightBits, string> = { 8: '2^31 - 1', 16: '2^47 - 1' };
const WEIGHT_RANGES: Record<WeightBits, [number, number]> = { 8: [-128, 127], 16: [-32768, 32767] };
const KIND_NAMES = { lstm: 'LSTM', gru: 'GRU', dense: 'dense' };
const GATE_ACTIVATIONS = new Set(['sigmoid', 'hard_sigmoid_keras2', 'hard_sigmoid_keras3']);

/** The layers in runtime order: recurrent layers, hidden dense layers, then the dense head. */
export interface LayerPlan {
  layers: QLayer[];
  head: QDenseLayer;
}

function checkIntegers(values: ArrayLike<number>, min: number, max: number, subject: string): void {
  for (let k = 0; k < values.length; k++) {
    const value = values[k];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new UserError(`${subject}[${k}] is ${value}, expected an integer in [${min}, ${max}]`);
    }
  }
}

function checkLength(values: ArrayLike<number>, expected: number, subject: string): void {
  if (values.length !== expected) {
    throw new UserError(`${subject} has ${values.length} values, expected ${expected}`);
  }
}

function checkRequant(requant: Requant, rows: number, subject: string): void {
  checkLength(requant.mult, rows, `${subject}.mult`);
  checkLength(requant.shift, rows, `${subject}.shift`);
  checkIntegers(requant.mult, 0, 2 ** 15 - 1, `${subject}.mult`);
  checkIntegers(requant.shift, 1, 62, `${subject}.shift`);
}

/**
 * Checks a weight matrix and rejects a row whose accumulator could leave its
 * range: sum_j |w_rj| * maxInput must stay within int32 for int8 weights and
 * below 2^47 for int16 weights. The runtime's i32 sums wrap, so such a row
 * could differ from the reference, which sums exactly.
 */
function checkMatrix(kernel: number[], bits: WeightBits, rows: number, columns: number, maxInput: number, subject: string): void {
  if (bits !== 8 && bits !== 16) throw new UserError(`${subject} has weightBits ${String(bits)}, expected 8 or 16`);
  checkLength(kernel, rows * columns, subject);
  checkIntegers(kernel, WEIGHT_RANGES[bits][0], WEIGHT_RANGES[bits][1], subject);
  for (let r = 0; r < rows; r++) {
    let absoluteSum = 0;
    for (let j = 0; j < columns; j++) absoluteSum += Math.abs(kernel[r * columns + j]);
    const bound = absoluteSum * maxInput;
    if (bound > ACCUMULATOR_LIMITS[bits]) {
      throw new UserError(
        `${subject} row ${r}: sum |w| * max |x| = ${bound} exceeds ${ACCUMULATOR_LIMIT_TEXT[bits]}, so its accumulator could overflow; ` +
          'use fewer inputs or units in this layer',
      );
    }
  }
}

function checkRecurrent(layer: QRecurrentLayer, inputSize: number, maxInput: number): void {
  const subject = `${layer.kind.toUpperCase()} layer "${layer.name}"`;
  if (!Number.isInteger(layer.units) || layer.units < 1) throw new UserError(`${subject} has ${layer.units} units, expected at least 1`);
  const rows = gateRows(layer);
  if (!GATE_ACTIVATIONS.has(layer.recurrentActivation)) {
    throw new UserError(`${subject} has recurrentActivation ${layer.recurrentActivation}, and the wasm target supports ${[...GATE_ACTIVATIONS].join(', ')}`);
  }
  checkMatrix(layer.kernel, layer.weightBits, rows, inputSize, maxInput, `${subject} kernel`);
  checkMatrix(layer.recurrentKernel, layer.weightBits, rows, layer.units, MAX_HIDDEN_MAGNITUDE, `${subject} recurrentKernel`);
  checkLength(layer.bias, rows, `${subject} bias`);
  checkIntegers(layer.bias, INT32_MIN, INT32_MAX, `${subject} bias`);
  if (layer.kind === 'gru') {
    checkLength(layer.recurrentBias, rows, `${subject} recurrentBias`);
    checkIntegers(layer.recurrentBias, INT32_MIN, INT32_MAX, `${subject} recurrentBias`);
  }
  checkRequant(layer.kernelRequant, rows, `${subject} kernelRequant`);
  checkRequant(layer.recurrentRequant, rows, `${subject} recurrentRequant`);
}

function checkDense(layer: QDenseLayer, inputSize: number, maxInput: number, isHead: boolean): void {
  const subject = `dense layer "${layer.name}"`;
  if (!Number.isInteger(layer.units) || layer.units < 1) throw new UserError(`${subject} has ${layer.units} units, expected at least 1`);
  if (isHead && layer.activation !== 'softmax' && layer.activation !== 'sigmoid') {
    throw new UserError(`${subject} is the last layer with activation ${layer.activation}, and the wasm target needs softmax or sigmoid there`);
  }
  if (!isHead && layer.activation !== 'relu' && layer.activation !== 'linear' && layer.activation !== 'sigmoid') {
    throw new UserError(`${subject} is a hidden layer with activation ${layer.activation}, and the wasm target supports relu, linear and sigmoid there`);
  }
  if (!isHead && layer.activation === 'sigmoid') checkIntegers([layer.outputFracBits], 12, 12, `${subject} outputFracBits (Q3.12 sum of a sigmoid layer)`);
  else if (!isHead) checkIntegers([layer.outputFracBits], 0, 15, `${subject} outputFracBits`);
  checkMatrix(layer.kernel, layer.weightBits, layer.units, inputSize, maxInput, `${subject} kernel`);
  checkLength(layer.bias, layer.units, `${subject} bias`);
  checkIntegers(layer.bias, INT32_MIN, INT32_MAX, `${subject} bias`);
  checkRequant(layer.requant, layer.units, `${subject} requant`);
}

/**
 * Validates a quantized model for the wasm target and returns its layers in
 * runtime order. Throws a UserError that names the layer and the value.
 */
export function planLayers(model: QModel): LayerPlan {
  if (!Number.isInteger(model.inputSize) || model.inputSize < 1) {
    throw new UserError(`model inputSize is ${model.inputSize}, expected a positive integer`);
  }
  const sigmoidOutput = model.layers[model.layers.length - 1]?.kind === 'dense' && (model.layers[model.layers.length - 1] as QDenseLayer).activation === 'sigmoid';
  const lowestBound = sigmoidOutput ? INT32_MIN : 1;
  if (!Number.isInteger(model.spikeBound) || model.spikeBound < lowestBound || model.spikeBound > INT32_MAX) {
    const range = sigmoidOutput ? '[-2^31, 2^31 - 1], the logit L of a sigmoid output' : '[1, 2^31 - 1]';
    throw new UserError(`model spikeBound is ${model.spikeBound}, expected an integer in ${range}`);
  }
  if (!(model.inputScale > 0) || !Number.isFinite(model.inputScale)) {
    throw new UserError(`model inputScale is ${model.inputScale}, expected a positive finite number`);
  }
  const head = model.layers[model.layers.length - 1];
  if (head === undefined || head.kind !== 'dense') {
    throw new UserError('the last layer of the model must be a dense layer, which gives the logits');
  }
  const firstDense = model.layers.findIndex((layer) => layer.kind === 'dense');
  const late = model.layers.slice(firstDense).find((layer) => layer.kind !== 'dense');
  if (late !== undefined) {
    throw new UserError(`layer "${late.name}" (${KIND_NAMES[late.kind]}) follows a dense layer; the wasm target supports recurrent layers, then dense layers`);
  }
  let inputSize = model.inputSize;
  model.layers.forEach((layer, index) => {
    if (layer.inputSize !== inputSize) {
      throw new UserError(`${KIND_NAMES[layer.kind]} layer "${layer.name}" takes ${layer.inputSize} inputs, but the layer below gives ${inputSize}`);
    }
    const maxInput = index === 0 ? MAX_FRAME_MAGNITUDE : MAX_HIDDEN_MAGNITUDE;
    if (layer.kind === 'dense') checkDense(layer, inputSize, maxInput, layer === head);
    else checkRecurrent(layer, inputSize, maxInput);
    inputSize = layer.units;
  });
  const classes = head.activation === 'sigmoid' && head.units === 1 ? 2 : head.units;
  if (model.labels.length !== classes) {
    throw new UserError(`the model has ${model.labels.length} labels but ${classes} classes (${head.units} ${head.activation} logits)`);
  }
  return { layers: model.layers, head };
}
