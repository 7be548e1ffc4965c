/**
 * The quantized model: the integer-only form of a network that the reference
 * simulator runs and every target emits. Formats and rules are in
 * docs/FIXED_POINT.md; the names here follow that page.
 *
 * Weight matrices are row-major with one row per output unit ([rows][cols]),
 * which is the transpose of the Keras kernel layout [inputs][units].
 *
 * Layer order: one or more recurrent layers (LSTM or GRU), then hidden dense
 * layers, then the dense softmax layer that gives the logits. The first layer
 * reads the int8 frame. Every later layer reads the int16 output of the layer
 * before it: Q0.15 from a recurrent layer, Qm.n from a hidden dense layer.
 */
import type { DenseActivation, GateActivation } from './float-layers.js';

export type { DenseActivation, GateActivation } from './float-layers.js';

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
 * Dense layer. The output layer (softmax) gives int32 logits in Q.12; a hidden
 * layer (relu or linear) gives int16 values in Q(15 - f).f, f = outputFracBits.
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
  /** int32 in output units (2^-outputFracBits). */
  bias: number[];
  activation: DenseActivation;
  /** Fractional bits of the output: 12 for the logits, 0..15 for a hidden layer. */
  outputFracBits: number;
}

export type QLayer = QLstmLayer | QGruLayer | QDenseLayer;
export type QRecurrentLayer = QLstmLayer | QGruLayer;

export interface QModel {
  format: 'rankcode-qmodel';
  version: 2;
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
  /** Spike threshold theta on the top softmax probability. */
  threshold: number;
  /** Integer spike bound K = floor(2^16 / theta): a frame spikes when sum_j exp(z_j - z_max) in Q0.16 is <= K. */
  spikeBound: number;
  labels: string[];
  layers: QLayer[];
}

/** Gate rows per unit: 4 for an LSTM (i, f, g, o), 3 for a GRU (z, r, h). */
export function gateRows(layer: QRecurrentLayer): number {
  return (layer.kind === 'lstm' ? 4 : 3) * layer.units;
}

/** Returns the output layer of a quantized model: its last layer, dense softmax. */
export function outputLayerOf(model: QModel): QDenseLayer {
  const last = model.layers[model.layers.length - 1];
  if (last === undefined || last.kind !== 'dense' || last.activation !== 'softmax') {
    throw new Error('internal error: the last layer of a quantized model is dense softmax');
  }
  return last;
}
