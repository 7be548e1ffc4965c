/**
 * Checks that a quantized model fits the WebAssembly runtime before any code is
 * generated: the layer order it supports, matching sizes, integer ranges, and
 * dot products that cannot overflow their int32 accumulators.
 */
import { UserError } from '../../common/errors.js';
import { INT32_MAX, INT32_MIN } from '../fixed-point.js';
import type { QDenseLayer, QLstmLayer, QModel, Requant } from '../qmodel.js';

/** Largest magnitude of an int8 frame value: Int8Array frames may hold -128. */
export const MAX_FRAME_MAGNITUDE = 128;
/** Largest magnitude of a Q0.15 hidden state value. */
export const MAX_HIDDEN_MAGNITUDE = 32768;

/** The layers in runtime order: zero or more LSTM layers, then the dense head. */
export interface LayerPlan {
  lstms: QLstmLayer[];
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
 * Rejects a row whose accumulator could leave the int32 range, that is when
 * sum_j |w_rj| * maxInput > 2^31 - 1. The runtime's i32 sums wrap, so such a row
 * could differ from the reference, which sums exactly.
 */
function checkAccumulatorBound(kernel: number[], rows: number, columns: number, maxInput: number, subject: string): void {
  for (let r = 0; r < rows; r++) {
    let absoluteSum = 0;
    for (let j = 0; j < columns; j++) absoluteSum += Math.abs(kernel[r * columns + j]);
    const bound = absoluteSum * maxInput;
    if (bound > INT32_MAX) {
      throw new UserError(
        `${subject} row ${r}: sum |w| * max |x| = ${bound} exceeds 2^31 - 1, so its int32 accumulator could overflow; ` +
          'use fewer inputs or units in this layer',
      );
    }
  }
}

function checkLstm(layer: QLstmLayer, inputSize: number, inputIsFrame: boolean): void {
  const subject = `LSTM layer "${layer.name}"`;
  const rows = 4 * layer.units;
  if (layer.inputSize !== inputSize) {
    throw new UserError(`${subject} takes ${layer.inputSize} inputs, but the layer below gives ${inputSize}`);
  }
  if (!Number.isInteger(layer.units) || layer.units < 1) throw new UserError(`${subject} has ${layer.units} units, expected at least 1`);
  if (layer.recurrentActivation !== 'sigmoid') {
    throw new UserError(`${subject} has recurrentActivation ${layer.recurrentActivation}, and the wasm target supports only sigmoid`);
  }
  checkLength(layer.kernel, rows * inputSize, `${subject} kernel`);
  checkLength(layer.recurrentKernel, rows * layer.units, `${subject} recurrentKernel`);
  checkLength(layer.bias, rows, `${subject} bias`);
  checkIntegers(layer.kernel, -128, 127, `${subject} kernel`);
  checkIntegers(layer.recurrentKernel, -128, 127, `${subject} recurrentKernel`);
  checkIntegers(layer.bias, INT32_MIN, INT32_MAX, `${subject} bias`);
  checkRequant(layer.kernelRequant, rows, `${subject} kernelRequant`);
  checkRequant(layer.recurrentRequant, rows, `${subject} recurrentRequant`);
  const maxInput = inputIsFrame ? MAX_FRAME_MAGNITUDE : MAX_HIDDEN_MAGNITUDE;
  checkAccumulatorBound(layer.kernel, rows, inputSize, maxInput, `${subject} kernel`);
  checkAccumulatorBound(layer.recurrentKernel, rows, layer.units, MAX_HIDDEN_MAGNITUDE, `${subject} recurrentKernel`);
}

function checkDense(layer: QDenseLayer, inputSize: number, inputIsFrame: boolean): void {
  const subject = `dense layer "${layer.name}"`;
  if (layer.inputSize !== inputSize) {
    throw new UserError(`${subject} takes ${layer.inputSize} inputs, but the layer below gives ${inputSize}`);
  }
  if (!Number.isInteger(layer.units) || layer.units < 1) throw new UserError(`${subject} has ${layer.units} units, expected at least 1`);
  if (layer.activation !== 'softmax') {
    throw new UserError(`${subject} has activation ${layer.activation}, and the wasm target supports only softmax`);
  }
  checkLength(layer.kernel, layer.units * inputSize, `${subject} kernel`);
  checkLength(layer.bias, layer.units, `${subject} bias`);
  checkIntegers(layer.kernel, -128, 127, `${subject} kernel`);
  checkIntegers(layer.bias, INT32_MIN, INT32_MAX, `${subject} bias`);
  checkRequant(layer.requant, layer.units, `${subject} requant`);
  const maxInput = inputIsFrame ? MAX_FRAME_MAGNITUDE : MAX_HIDDEN_MAGNITUDE;
  checkAccumulatorBound(layer.kernel, layer.units, inputSize, maxInput, `${subject} kernel`);
}

/**
 * Validates a quantized model for the wasm target and returns its layers in
 * runtime order. Throws a UserError that names the layer and the value.
 */
export function planLayers(model: QModel): LayerPlan {
  if (!Number.isInteger(model.inputSize) || model.inputSize < 1) {
    throw new UserError(`model inputSize is ${model.inputSize}, expected a positive integer`);
  }
  if (!Number.isInteger(model.spikeBound) || model.spikeBound < 1 || model.spikeBound > INT32_MAX) {
    throw new UserError(`model spikeBound is ${model.spikeBound}, expected an integer in [1, 2^31 - 1]`);
  }
  if (!(model.inputScale > 0) || !Number.isFinite(model.inputScale)) {
    throw new UserError(`model inputScale is ${model.inputScale}, expected a positive finite number`);
  }
  const head = model.layers[model.layers.length - 1];
  if (head === undefined || head.kind !== 'dense') {
    throw new UserError('the last layer of the model must be a dense layer, which gives the logits');
  }
  const lstms: QLstmLayer[] = [];
  let inputSize = model.inputSize;
  for (const layer of model.layers.slice(0, -1)) {
    if (layer.kind !== 'lstm') {
      throw new UserError(`layer "${layer.name}" is a ${layer.kind} layer before the last layer; the wasm target supports LSTM layers followed by one dense layer`);
    }
    checkLstm(layer, inputSize, lstms.length === 0);
    lstms.push(layer);
    inputSize = layer.units;
  }
  checkDense(head, inputSize, lstms.length === 0);
  if (model.labels.length !== head.units) {
    throw new UserError(`the model has ${model.labels.length} labels but ${head.units} logits`);
  }
  return { lstms, head };
}
