/**
 * Post-training quantization of the float model into the QModel that the integer
 * reference simulator runs. The row rules are in quantize-rows.ts; this file
 * picks the scale of every layer input and output.
 *
 *   input frame      int8, s_x = max(|min|, |max|) / 127 from the metadata input range
 *   recurrent layer  gate pre-activations Q3.12, outputs (hidden state) Q0.15
 *   hidden dense     relu, linear: int16 Q(15 - f).f, f chosen from a bound on |y| (hiddenFracBits)
 *                    sigmoid: sum in Q3.12, output int16 Q0.15 from the sigmoid table
 *   output dense     int32 logits Q.12 (softmax or sigmoid)
 *
 *   LSTM, GRU   kernel M = s_w * s_in * 2^12, recurrent M = s_u * 2^-15 * 2^12, bias round(b * 2^12)
 *   dense       M = s_v * s_in * 2^f_out, bias round(b * 2^f_out), f_out = 12 for the logits and a sigmoid layer
 * where s_in is s_x for the first layer, 2^-15 after a recurrent or hidden
 * sigmoid layer and 2^-f after a hidden relu or linear layer in Q(15 - f).f.
 */
import { UserError } from '../common/errors.js';
import { log } from '../common/log.js';
import { GATE_FRAC_BITS, STATE_FRAC_BITS, sigmoidSpikeBoundFor, spikeBoundFor } from './fixed-point.js';
import { type FloatDenseLayer, type FloatGruLayer, type FloatLayer, type FloatLstmLayer, type FloatModel, outputLayer } from './float-model.js';
import { QMODEL_VERSION, type QDenseLayer, type QGruLayer, type QLayer, type QLstmLayer, type QModel, type WeightBits } from './qmodel.js';
import {
  HIDDEN_ABS_MAX,
  INPUT_ABS_MAX,
  buildRequant,
  checkAccumulators,
  checkTermSum,
  quantizeBias,
  quantizeRows,
} from './quantize-rows.js';

export { HIDDEN_ABS_MAX, INPUT_ABS_MAX } from './quantize-rows.js';

/** The exp sum of the spike test, at most classes * 2^16, must stay below 2^31. */
export const MAX_CLASSES = 32767;
/** Largest value of an int16 output. */
const INT16_OUTPUT_MAX = 32767;

const GATE_NAMES = { lstm: ['input gate', 'forget gate', 'cell candidate', 'output gate'], gru: ['update gate', 'reset gate', 'candidate'] };

export interface QuantizeOptions {
  /** Width of the stored weights; 8 unless stated. */
  weightBits?: WeightBits;
  /**
   * Largest |y| of each hidden dense layer's output measured on calibration
   * data, by layer index. Layers without a figure get the safe bound from the weights.
   */
  calibratedRanges?: Map<number, number>;
  /**
   * Largest |x| of the calibration inputs. It sets the input scale (|x| / 127)
   * when model.json does not state the input range.
   */
  calibratedInputMaxAbs?: number;
}

/** Scale of a layer input: one int8 or int16 step is `scale` in real units, and |x_q| <= absMax. */
interface InputFormat {
  scale: number;
  absMax: number;
  /** Largest real |x| of the input, for the safe bound of a hidden dense layer. */
  realBound: number;
}

function recurrentWhere(layer: FloatLstmLayer | FloatGruLayer): (row: number) => string {
  const names = GATE_NAMES[layer.kind];
  return (row) => `layer "${layer.name}" row ${row} (${names[Math.floor(row / layer.units)]}, unit ${row % layer.units})`;
}

/**
 * Quantizes the kernel, recurrent kernel and biases of an LSTM or GRU, with
 * the accumulator and exact-sum proofs for every gate row. `biases` are the
 * bias rows that the layer adds to one pre-activation sum.
 */
function quantizeRecurrent(layer: FloatLstmLayer | FloatGruLayer, input: InputFormat, bits: WeightBits, biases: Float32Array[]) {
  const rows = (layer.kind === 'lstm' ? 4 : 3) * layer.units;
  const where = recurrentWhere(layer);
  const kernel = quantizeRows(layer.kernel, layer.inputSize, rows, bits);
  const recurrent = quantizeRows(layer.recurrentKernel, layer.units, rows, bits);
  const kernelRequant = buildRequant(kernel.scales.map((s) => s * input.scale * 2 ** GATE_FRAC_BITS), where, 'kernel');
  const recurrentRequant = buildRequant(recurrent.scales.map((s) => s * 2 ** (GATE_FRAC_BITS - STATE_FRAC_BITS)), where, 'recurrent');
  const quantizedBiases = biases.map((bias) => quantizeBias(bias, GATE_FRAC_BITS, where));
  const kernelTerms = checkAccumulators(kernel, bits, input.absMax, kernelRequant, where, 'kernel');
  const recurrentTerms = checkAccumulators(recurrent, bits, HIDDEN_ABS_MAX, recurrentRequant, where, 'recurrent');
  checkTermSum([kernelTerms, recurrentTerms], quantizedBiases, where);
  const matrices = { kernel: kernel.values, kernelRequant, recurrentKernel: recurrent.values, recurrentRequant };
  return { matrices, biases: quantizedBiases };
}

function quantizeLstm(layer: FloatLstmLayer, input: InputFormat, bits: WeightBits): QLstmLayer {
  const { name, inputSize, units } = layer;
  const { matrices, biases } = quantizeRecurrent(layer, input, bits, [layer.bias]);
  return { kind: 'lstm', name, inputSize, units, weightBits: bits, ...matrices, bias: biases[0], recurrentActivation: layer.recurrentActivation };
}

function quantizeGru(layer: FloatGruLayer, input: InputFormat, bits: WeightBits): QGruLayer {
  const { name, inputSize, units, resetAfter, recurrentActivation } = layer;
  const { matrices, biases } = quantizeRecurrent(layer, input, bits, [layer.inputBias, layer.recurrentBias]);
  return { kind: 'gru', name, inputSize, units, weightBits: bits, ...matrices, bias: biases[0], recurrentBias: biases[1], resetAfter, recurrentActivation };
}

/**
 * Returns the largest |y| that a hidden dense layer can output for inputs of at
 * most `inputBound`: max_r (sum_j |V_jr| * inputBound + |b_r|). relu only lowers it.
 */
export function safeOutputBound(layer: FloatDenseLayer, inputBound: number): number {
  let bound = 0;
  for (let r = 0; r < layer.units; r++) {
    let sum = Math.abs(layer.bias[r]);
    for (let j = 0; j < layer.inputSize; j++) sum += Math.abs(layer.kernel[j * layer.units + r]) * inputBound;
    bound = Math.max(bound, sum);
  }
  return bound;
}

/**
 * Picks the fractional bits f of a hidden dense output in int16 Q(15 - f).f:
 * the largest f in 0..15 whose range, 32767 * 2^-f, still covers `bound`.
 */
export function hiddenFracBits(bound: number): number {
  if (!(bound > 0)) return STATE_FRAC_BITS;
  const bits = Math.floor(Math.log2(INT16_OUTPUT_MAX / bound));
  return Math.max(0, Math.min(STATE_FRAC_BITS, bits));
}

function quantizeDense(layer: FloatDenseLayer, input: InputFormat, bits: WeightBits, outputFracBits: number, isOutput: boolean): QDenseLayer {
  const { name, inputSize, units } = layer;
  if (isOutput && units > MAX_CLASSES) throw new UserError(`layer "${name}" has ${units} classes; the integer spike test supports at most ${MAX_CLASSES}.`);
  const where = (row: number) => `layer "${name}" output ${row}`;
  const rows = quantizeRows(layer.kernel, inputSize, units, bits);
  const requant = buildRequant(rows.scales.map((s) => s * input.scale * 2 ** outputFracBits), where, 'dense');
  const bias = quantizeBias(layer.bias, outputFracBits, where);
  const terms = checkAccumulators(rows, bits, input.absMax, requant, where, 'dense');
  checkTermSum([terms], [bias], where);
  return { kind: 'dense', name, inputSize, units, weightBits: bits, kernel: rows.values, requant, bias, activation: layer.activation, outputFracBits };
}

function quantizeLayer(layer: FloatLayer, index: number, isOutput: boolean, input: InputFormat, options: QuantizeOptions): { layer: QLayer; output: InputFormat } {
  const bits = options.weightBits ?? 8;
  // Q0.15 in int16: recurrent outputs and sigmoid outputs, both within [-1, 1].
  const state = { scale: 2 ** -STATE_FRAC_BITS, absMax: HIDDEN_ABS_MAX, realBound: 1 };
  if (layer.kind === 'lstm') return { layer: quantizeLstm(layer, input, bits), output: state };
  if (layer.kind === 'gru') return { layer: quantizeGru(layer, input, bits), output: state };
  // The logits, and the Q3.12 sum of a hidden sigmoid layer, whose table output is Q0.15 whatever the sum: no calibration needed.
  if (isOutput || layer.activation === 'sigmoid') return { layer: quantizeDense(layer, input, bits, GATE_FRAC_BITS, isOutput), output: state };

  const safeBound = safeOutputBound(layer, input.realBound);
  const calibrated = options.calibratedRanges?.get(index);
  const bound = calibrated ?? safeBound;
  const fracBits = hiddenFracBits(bound);
  if (bound > INT16_OUTPUT_MAX) {
    log.warn(`Dense layer "${layer.name}" can output up to ${bound.toPrecision(4)}, beyond the int16 range at Q15.0; larger values saturate.`);
  }
  const range = INT16_OUTPUT_MAX * 2 ** -fracBits;
  return {
    layer: quantizeDense(layer, input, bits, fracBits, false),
    output: { scale: 2 ** -fracBits, absMax: HIDDEN_ABS_MAX, realBound: Math.min(range, safeBound) },
  };
}

/** Returns the real value of one int8 input step for the metadata input range. */
export function inputScaleFor(inputMin: number, inputMax: number): number {
  return Math.max(Math.abs(inputMin), Math.abs(inputMax)) / 127;
}

/** Quantizes a float model; throws UserError when a multiplier, bias or accumulator does not fit. */
export function quantizeModel(model: FloatModel, options: QuantizeOptions = {}): QModel {
  const { settings } = model;
  const calibratedInput = settings.inputRangeStated ? undefined : options.calibratedInputMaxAbs;
  const inputScale =
    calibratedInput !== undefined && calibratedInput > 0
      ? inputScaleFor(-calibratedInput, calibratedInput)
      : inputScaleFor(settings.inputMin, settings.inputMax);
  let input: InputFormat = { scale: inputScale, absMax: INPUT_ABS_MAX, realBound: INPUT_ABS_MAX * inputScale };
  const layers = model.layers.map((layer, index) => {
    const quantized = quantizeLayer(layer, index, index === model.layers.length - 1, input, options);
    input = quantized.output;
    return quantized.layer;
  });
  return {
    format: 'rankcode-qmodel',
    version: QMODEL_VERSION,
    name: model.name,
    sourceHash: model.sourceHash,
    inputSize: model.layers[0].inputSize,
    frames: settings.frames,
    inputScale,
    threshold: settings.threshold,
    spikeBound: outputLayer(model).activation === 'sigmoid' ? sigmoidSpikeBoundFor(settings.threshold) : spikeBoundFor(settings.threshold),
    labels: [...settings.labels],
    layers,
  };
}
