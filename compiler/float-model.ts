/**
 * The float model as loaded from model.json, and its forward pass in float64.
 * The compiler uses it to measure what quantization costs: float accuracy and
 * spike-time agreement against the integer reference simulator.
 *
 * Weight layouts are those of Keras and TensorFlow.js. The LSTM kernel is
 * [inputs][4 * units] and the recurrent kernel [units][4 * units], with the gate
 * blocks i, f, c (candidate), o along the columns. The dense kernel is [inputs][classes].
 */

export interface FloatLstmWeights {
  name: string;
  inputSize: number;
  units: number;
  /** [inputSize][4 * units]. */
  kernel: Float32Array;
  /** [units][4 * units]. */
  recurrentKernel: Float32Array;
  /** [4 * units]; zeros when the layer has no bias. */
  bias: Float32Array;
}

export interface FloatDenseWeights {
  name: string;
  inputSize: number;
  units: number;
  /** [inputSize][units]. */
  kernel: Float32Array;
  /** [units]; zeros when the layer has no bias. */
  bias: Float32Array;
}

/** The rank-coding settings stored in userDefinedMetadata.rankcode, with defaults filled in. */
export interface RankcodeSettings {
  /** Spike threshold theta on the top softmax probability. */
  threshold: number;
  labels: string[];
  /** Frames per training sequence; 0 when neither the metadata nor the input shape states it. */
  frames: number;
  /** Real input range; the int8 input scale is max(|inputMin|, |inputMax|) / 127. */
  inputMin: number;
  inputMax: number;
  task?: string;
  mode?: string;
  beta?: number;
}

export interface FloatModel {
  name: string;
  /** sha256 of model.json and its weight shards, hex. */
  sourceHash: string;
  lstm: FloatLstmWeights;
  dense: FloatDenseWeights;
  settings: RankcodeSettings;
}

/** Outcome of one sequence under the rank-coding decision rule. */
export interface SpikeDecision {
  spiked: boolean;
  /** 1-based frame of the spike, or the last frame when none spiked. */
  step: number;
  classIndex: number;
  /** Top softmax probability at `step`. */
  confidence: number;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Streaming float forward pass of the LSTM + dense softmax model. */
export class FloatSimulator {
  private readonly hidden: Float64Array;
  private readonly cell: Float64Array;
  private readonly gates: Float64Array;

  constructor(readonly model: FloatModel) {
    this.hidden = new Float64Array(model.lstm.units);
    this.cell = new Float64Array(model.lstm.units);
    this.gates = new Float64Array(4 * model.lstm.units);
  }

  reset(): void {
    this.hidden.fill(0);
    this.cell.fill(0);
  }

  /**
   * Runs one real-valued frame and returns the class probabilities.
   *   z = x W + h U + b;  i, f, o = sigmoid(z_i, z_f, z_o);  g = tanh(z_c)
   *   c' = f c + i g;  h' = o tanh(c');  y = softmax(h' V + b_d)
   */
  step(frame: ArrayLike<number>): Float64Array {
    const { lstm, dense } = this.model;
    const units = lstm.units;
    const width = 4 * units;
    const gates = this.gates;
    for (let k = 0; k < width; k++) gates[k] = lstm.bias[k];
    for (let j = 0; j < lstm.inputSize; j++) {
      const x = frame[j];
      if (x === 0) continue;
      for (let k = 0; k < width; k++) gates[k] += x * lstm.kernel[j * width + k];
    }
    for (let j = 0; j < units; j++) {
      const h = this.hidden[j];
      for (let k = 0; k < width; k++) gates[k] += h * lstm.recurrentKernel[j * width + k];
    }
    for (let u = 0; u < units; u++) {
      const inputGate = sigmoid(gates[u]);
      const forgetGate = sigmoid(gates[units + u]);
      const candidate = Math.tanh(gates[2 * units + u]);
      const outputGate = sigmoid(gates[3 * units + u]);
      this.cell[u] = forgetGate * this.cell[u] + inputGate * candidate;
      this.hidden[u] = outputGate * Math.tanh(this.cell[u]);
    }
    return softmax(denseForward(dense, this.hidden));
  }
}

function denseForward(dense: FloatDenseWeights, input: Float64Array): Float64Array {
  const logits = Float64Array.from(dense.bias);
  for (let j = 0; j < dense.inputSize; j++) {
    for (let c = 0; c < dense.units; c++) logits[c] += input[j] * dense.kernel[j * dense.units + c];
  }
  return logits;
}

/** Numerically stable softmax. */
export function softmax(logits: Float64Array): Float64Array {
  let max = -Infinity;
  for (const z of logits) max = Math.max(max, z);
  const probabilities = logits.map((z) => Math.exp(z - max));
  let sum = 0;
  for (const p of probabilities) sum += p;
  return probabilities.map((p) => p / sum);
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
  return best;
}

/** Returns the class probabilities after every frame of a sequence. */
export function floatProbabilities(model: FloatModel, frames: ArrayLike<number>[]): Float64Array[] {
  const simulator = new FloatSimulator(model);
  return frames.map((frame) => simulator.step(frame));
}

/**
 * Runs a sequence with early exit: t_sp is the first frame whose top probability
 * is >= theta, and frames after it are not computed. Without a spike, t_sp is the
 * last frame. The class is the argmax at t_sp.
 */
export function runFloat(model: FloatModel, frames: ArrayLike<number>[]): SpikeDecision {
  const simulator = new FloatSimulator(model);
  let decision: SpikeDecision = { spiked: false, step: 0, classIndex: 0, confidence: 0 };
  for (let t = 0; t < frames.length; t++) {
    const probabilities = simulator.step(frames[t]);
    const classIndex = argmax(probabilities);
    const confidence = probabilities[classIndex];
    decision = { spiked: confidence >= model.settings.threshold, step: t + 1, classIndex, confidence };
    if (decision.spiked) break;
  }
  return decision;
}
