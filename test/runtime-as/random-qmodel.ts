/**
 * Seeded random quantized models and frames for the runtime tests and the
 * benchmark. The scales put gate pre-activations, hidden states and logits in
 * their working ranges, and a few rows get extreme requantization parameters
 * and biases so that the saturation and i64 paths run too.
 */
import { quantizeMultiplier, spikeBoundFor } from '../../compiler/fixed-point.js';
import type { QDenseLayer, QLayer, QLstmLayer, QModel, Requant } from '../../compiler/qmodel.js';

/** mulberry32: a small, fast 32-bit PRNG; the same seed gives the same sequence. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max]. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Normal-ish value (sum of three uniforms) with mean 0 and standard deviation about `std`. */
  gaussian(std: number): number {
    return (this.next() + this.next() + this.next() - 1.5) * 2 * std;
  }
}

export interface RandomModelSpec {
  seed: number;
  inputSize: number;
  /** Units of each LSTM layer, bottom first; empty for a dense-only model. */
  lstmUnits: number[];
  classes: number;
  threshold: number;
  /**
   * Gives the dense head extreme rows too (saturated logits, huge biases). Such a
   * head spikes on almost every first frame, so it is off unless a test needs it.
   */
  headExtremes?: boolean;
}

/** Typical magnitude of a Q0.15 hidden state after a few frames, used to scale the layers above. */
const HIDDEN_STD = 12000;
/** Typical magnitude of a random int8 value uniform in [-127, 127]. */
const INT8_STD = 73;

function int8Weights(random: Random, count: number): number[] {
  const weights = new Array<number>(count);
  for (let k = 0; k < count; k++) weights[k] = random.next() < 0.002 ? -128 : random.integer(-127, 127);
  return weights;
}

/**
 * Per-row multipliers around `typical` (a factor 0.5 to 2). With `extremes`, 3 % of
 * the rows get shift 1 (huge outputs that saturate) and 3 % multiplier 0.
 */
function requantRows(random: Random, rows: number, typical: number, extremes: boolean): Requant {
  const mult: number[] = [];
  const shift: number[] = [];
  for (let r = 0; r < rows; r++) {
    const pick = extremes ? random.next() : 1;
    if (pick < 0.03) {
      mult.push(random.integer(2 ** 14, 2 ** 15 - 1));
      shift.push(1);
      continue;
    }
    if (pick < 0.06) {
      mult.push(0);
      shift.push(random.integer(1, 62));
      continue;
    }
    const quantized = quantizeMultiplier(typical * 2 ** (random.next() * 2 - 1));
    if ('error' in quantized) throw new Error(quantized.error);
    mult.push(quantized.mult);
    shift.push(quantized.shift);
  }
  return { mult, shift };
}

/** Biases around `std`. With `extremes`, 3 % of them are anywhere in the int32 range. */
function biasRows(random: Random, rows: number, std: number, extremes: boolean): number[] {
  const bias: number[] = [];
  for (let r = 0; r < rows; r++) {
    const far = extremes && random.next() < 0.03;
    bias.push(far ? random.integer(-(2 ** 31), 2 ** 31 - 1) : Math.round(random.gaussian(std)));
  }
  return bias;
}

function randomLstm(random: Random, name: string, inputSize: number, units: number, inputStd: number): QLstmLayer {
  const rows = 4 * units;
  // Gate pre-activations of about +-2.0 in Q3.12.
  const target = 2 * 4096;
  return {
    kind: 'lstm',
    name,
    inputSize,
    units,
    weightBits: 8,
    kernel: int8Weights(random, rows * inputSize),
    kernelRequant: requantRows(random, rows, target / (Math.sqrt(inputSize) * INT8_STD * inputStd), true),
    recurrentKernel: int8Weights(random, rows * units),
    recurrentRequant: requantRows(random, rows, target / (Math.sqrt(units) * INT8_STD * HIDDEN_STD), true),
    bias: biasRows(random, rows, 4096, true),
    recurrentActivation: 'sigmoid',
  };
}

function randomDense(random: Random, inputSize: number, classes: number, inputStd: number, extremes: boolean): QDenseLayer {
  // Logits of about +-3.0 in Q.12, so that some frames pass the threshold.
  const target = 3 * 4096;
  return {
    kind: 'dense',
    name: 'logits',
    inputSize,
    units: classes,
    weightBits: 8,
    kernel: int8Weights(random, classes * inputSize),
    requant: requantRows(random, classes, target / (Math.sqrt(inputSize) * INT8_STD * inputStd), extremes),
    bias: biasRows(random, classes, 4096, extremes),
    activation: 'softmax',
    outputFracBits: 12,
  };
}

/** Builds a random quantized model; the same spec gives the same model. */
export function randomQModel(spec: RandomModelSpec): QModel {
  const random = new Random(spec.seed);
  const layers: QLayer[] = [];
  let inputSize = spec.inputSize;
  let inputStd = INT8_STD;
  spec.lstmUnits.forEach((units, index) => {
    layers.push(randomLstm(random, `lstm_${index}`, inputSize, units, inputStd));
    inputSize = units;
    inputStd = HIDDEN_STD;
  });
  layers.push(randomDense(random, inputSize, spec.classes, inputStd, spec.headExtremes ?? false));
  return {
    format: 'rankcode-qmodel',
    version: 2,
    name: `random seed ${spec.seed}`,
    sourceHash: '0'.repeat(64),
    inputSize: spec.inputSize,
    frames: 10,
    inputScale: 1 / 127,
    threshold: spec.threshold,
    spikeBound: spikeBoundFor(spec.threshold),
    labels: Array.from({ length: spec.classes }, (_, k) => `class ${k}`),
    layers,
  };
}

/**
 * Random int8 frames. `density` is the fraction of non-zero values; non-zero
 * values are uniform in [-128, 127], so -128, which quantizeInput never gives,
 * appears too.
 */
export function randomFrames(random: Random, count: number, inputSize: number, density = 1): Int8Array[] {
  const frames: Int8Array[] = [];
  for (let t = 0; t < count; t++) {
    const frame = new Int8Array(inputSize);
    for (let j = 0; j < inputSize; j++) if (random.next() < density) frame[j] = random.integer(-128, 127);
    frames.push(frame);
  }
  return frames;
}
