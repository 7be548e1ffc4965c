/**
 * The quantized model: the integer-only form of a network that the reference
 * simulator runs and every target emits. Formats and rules are in
 * docs/FIXED_POINT.md; the names here follow that page.
 *
 * Weight matrices are row-major with one row per output unit ([rows][cols]),
 * which is the transpose of the Keras kernel layout [inputs][units].
 *
 * Layer order: one or more recurrent layers (LSTM or GRU), then hidden dense
 * layers, then the dense softmax or sigmoid layer that gives the logits. The
 * first layer reads the int8 frame. Every later layer reads the int16 output of
 * the layer before it: Q0.15 from a recurrent layer or a hidden sigmoid layer,
 * Qm.n from a hidden relu or linear layer.
 *
 * Version 3 added sigmoid dense layers and the sigmoid spike bound. A version 2
 * file has softmax outputs only and means the same in version 3, so readers
 * accept both.
 */
import type { DenseActivation, GateActivation } from './float-layers.js';

export type { DenseActivation, GateActivation } from './float-layers.js';

/** Activation of the output layer, which picks the spike rule. */
export type OutputKind = 'softmax' | 'sigmoid';

/** The version this compiler writes. */
export const QMODEL_VERSION = 3;
/** Versions that this compiler's reference simulator reads. */
export const READABLE_QMODEL_VERSIONS: readonly number[] = [2, 3];

/** A per-row requantization multiplier: real = mult * 2^-shift, 0 <= mult < 2^15, 1 <= shift <= 62. */
export interface Requant {
  mult: number[];
  shift: number[];
}

/**
 * Width of the stored weights. int8 weights accumulate in int32 and int16
 * weights in int64; the compiler proves for every row that the sum fits.
 */
export type WeightBits = 8 | 16;

/** LSTM layer. Gate rows are ordered i, f, g (cell candidate), o, `units` rows each, as in Keras. */
export interface QLstmLayer {
  kind: 'lstm';
  name: string;
  inputSize: number;
  units: number;
  weightBits: WeightBits;
  /** int8 or int16, [4 * units][inputSize]. */
  kernel: number[];
  /** Maps kernel accumulators (weight x layer input) to the gate format Q3.12. */
  kernelRequant: Requant;
  /** int8 or int16, [4 * units][units]. */
  recurrentKernel: number[];
  /** Maps recurrent accumulators (weight x Q0.15 hidden state) to Q3.12. */
  recurrentRequant: Requant;
  /** int32 in Q3.12 units (may exceed the int16 range; the sum saturates). */
  bias: number[];
  /** The activation of gates i, f and o. */
  recurrentActivation: GateActivation;
}

/** GRU layer. Gate rows are ordered z (update), r (reset), h (candidate), `units` rows each, as in Keras. */
export interface QGruLayer {
  kind: 'gru';
  name: string;
  inputSize: number;
  units: number;
  weightBits: WeightBits;
  /** int8 or int16, [3 * units][inputSize]. */
  kernel: number[];
  kernelRequant: Requant;
  /** int8 or int16, [3 * units][units]. */
  recurrentKernel: number[];
  recurrentRequant: Requant;
  /** Input bias, int32 in Q3.12 units, [3 * units]. */
  bias: number[];
  /** Recurrent bias, int32 in Q3.12 units, [3 * units]; all zero when resetAfter is false. */
  recurrentBias: number[];
  /** Keras reset_after: the reset gate scales U_h h + b_rec (true) or h before U_h (false). */
  resetAfter: boolean;
  /** The activation of gates z and r. */
  recurrentActivation: GateActivation;
}

/**
 * Dense layer. The output layer (softmax or sigmoid) gives int32 logits in
 * Q.12. A hidden relu or linear layer gives int16 values in Q(15 - f).f,
 * f = outputFracBits. A hidden sigmoid layer requantizes to Q3.12
 * (outputFracBits 12), saturates to int16 and gives the sigmoid table's
 * output, int16 Q0.15.
 */
export interface QDenseLayer {
  kind: 'dense';
  name: string;
  inputSize: number;
  units: number;
  weightBits: WeightBits;
  /** int8 or int16, [units][inputSize]. */
  kernel: number[];
  /** Maps accumulators (weight x layer input) to the output format. */
  requant: Requant;
  /** int32 in units of 2^-outputFracBits. */
  bias: number[];
  activation: DenseActivation;
  /** Fractional bits of the requantized sum: 12 for the logits and a hidden sigmoid layer, 0..15 for a hidden relu or linear layer. */
  outputFracBits: number;
}

export type QLayer = QLstmLayer | QGruLayer | QDenseLayer;
export type QRecurrentLayer = QLstmLayer | QGruLayer;

export interface QModel {
  format: 'rankcode-qmodel';
  /** 3 when written by this compiler; 2 from older compilers (softmax outputs only). */
  version: 2 | 3;
  /** Model name from the source file, unsanitized. */
  name: string;
  /** sha256 of model.json and its weight shards, hex. */
  sourceHash: string;
  /** Values per frame. */
  inputSize: number;
  /** Frames per sequence the model was trained on, 0 when the model does not state it; the runtimes accept any length. */
  frames: number;
  /** Real value of one int8 input step: x_real = inputScale * x_q. */
  inputScale: number;
  /** Spike threshold theta on the class score: the top softmax probability or sigmoid output. */
  threshold: number;
  /**
   * Integer spike bound, by the activation of the output layer (docs/FIXED_POINT.md, "Spike test and confidence"):
   * softmax: K = floor(2^16 / theta), a frame spikes when sum_j exp(z_j - z_max) in Q0.16 is <= K;
   * sigmoid: L, the smallest logit z in Q.12 with sigmoid(z / 2^12) >= theta (INT32_MAX for theta = 1).
   */
  spikeBound: number;
  labels: string[];
  layers: QLayer[];
}

/** Gate rows per unit: 4 for an LSTM (i, f, g, o), 3 for a GRU (z, r, h). */
export function gateRows(layer: QRecurrentLayer): number {
  return (layer.kind === 'lstm' ? 4 : 3) * layer.units;
}

/** Returns the output layer of a quantized model: its last layer, dense softmax or sigmoid. */
export function outputLayerOf(model: QModel): QDenseLayer {
  const last = model.layers[model.layers.length - 1];
  if (last === undefined || last.kind !== 'dense' || !isOutputActivation(last.activation)) {
    throw new Error('internal error: the last layer of a quantized model is dense softmax or sigmoid');
  }
  return last;
}

/** Returns true for the activations of an output layer: softmax and sigmoid. */
export function isOutputActivation(activation: DenseActivation): activation is OutputKind {
  return activation === 'softmax' || activation === 'sigmoid';
}

/** Returns the spike rule of a quantized model: the activation of its output layer. */
export function outputKindOf(model: QModel): OutputKind {
  return outputLayerOf(model).activation as OutputKind;
}

/** Returns the number of classes of a quantized model: 2 for one sigmoid output unit, else one per logit. */
export function classCountOf(model: QModel): number {
  const output = outputLayerOf(model);
  return output.activation === 'sigmoid' && output.units === 1 ? 2 : output.units;
}
