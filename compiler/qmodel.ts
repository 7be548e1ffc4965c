/**
 * The quantized model: the integer-only form of a network that the reference
 * simulator runs and every target emits. Formats and rules are in
 * docs/FIXED_POINT.md; the names here follow that page.
 *
 * Weight matrices are row-major with one row per output unit ([rows][cols]),
 * which is the transpose of the Keras kernel layout [inputs][units].
 */

/** A per-row requantization multiplier: real = mult * 2^-shift, 0 <= mult < 2^15, 1 <= shift <= 62. */
export interface Requant {
  mult: number[];
  shift: number[];
}

/** LSTM layer. Gate rows are ordered i, f, g (cell candidate), o, `units` rows each, as in Keras. */
export interface QLstmLayer {
  kind: 'lstm';
  name: string;
  inputSize: number;
  units: number;
  /** int8, [4 * units][inputSize]. */
  kernel: number[];
  /** Maps kernel accumulators (int8 weight x int8 input) to the gate format Q3.12. */
  kernelRequant: Requant;
  /** int8, [4 * units][units]. */
  recurrentKernel: number[];
  /** Maps recurrent accumulators (int8 weight x Q0.15 hidden state) to Q3.12. */
  recurrentRequant: Requant;
  /** int32 in Q3.12 units (may exceed the int16 range; the sum saturates). */
  bias: number[];
  recurrentActivation: 'sigmoid';
}

/** Dense output layer giving the logits in Q.12 (int32). */
export interface QDenseLayer {
  kind: 'dense';
  name: string;
  inputSize: number;
  units: number;
  /** int8, [units][inputSize]. */
  kernel: number[];
  /** Maps accumulators (int8 weight x Q0.15 input) to Q.12 logits. */
  requant: Requant;
  /** int32 in Q.12 units. */
  bias: number[];
  activation: 'softmax';
}

export type QLayer = QLstmLayer | QDenseLayer;

export interface QModel {
  format: 'rankcode-qmodel';
  version: 1;
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
