/**
 * Deterministic float models for golden vectors and tests. The generator is a
 * private copy of mulberry32, so the committed golden files never change when
 * another part of rankcode changes its random numbers.
 */
import { createHash } from 'node:crypto';
import type { FloatModel } from '../../compiler/float-model.js';

/** mulberry32: 32-bit state, uniform floats in [0, 1). */
export class GoldenRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  nextFloat(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [low, high]. */
  nextInt(low: number, high: number): number {
    return low + Math.floor(this.nextFloat() * (high - low + 1));
  }

  /** Standard normal sample (Box-Muller, one of the pair). */
  nextNormal(): number {
    const u = 1 - this.nextFloat();
    const v = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

export interface RandomModelSpec {
  name: string;
  seed: number;
  inputSize: number;
  units: number;
  classes: number;
  /** Standard deviations of the normal weights. */
  kernelStd: number;
  recurrentStd: number;
  denseStd: number;
  biasStd: number;
  /** Added to the forget-gate biases, as unit_forget_bias does with 1. */
  forgetBias: number;
  threshold: number;
  inputMin: number;
  inputMax: number;
}

function normalArray(random: GoldenRandom, length: number, std: number): Float32Array {
  const values = new Float32Array(length);
  for (let k = 0; k < length; k++) values[k] = random.nextNormal() * std;
  return values;
}

/** Builds a float model with normal random weights in the Keras layouts. */
export function randomFloatModel(spec: RandomModelSpec): FloatModel {
  const random = new GoldenRandom(spec.seed);
  const { inputSize, units, classes } = spec;
  const lstmBias = normalArray(random, 4 * units, spec.biasStd);
  for (let u = 0; u < units; u++) lstmBias[units + u] += spec.forgetBias;
  return {
    name: spec.name,
    sourceHash: createHash('sha256').update(JSON.stringify(spec)).digest('hex'),
    lstm: {
      name: 'lstm',
      inputSize,
      units,
      kernel: normalArray(random, inputSize * 4 * units, spec.kernelStd),
      recurrentKernel: normalArray(random, units * 4 * units, spec.recurrentStd),
      bias: lstmBias,
    },
    dense: {
      name: 'dense',
      inputSize: units,
      units: classes,
      kernel: normalArray(random, units * classes, spec.denseStd),
      bias: normalArray(random, classes, spec.biasStd),
    },
    settings: {
      threshold: spec.threshold,
      labels: Array.from({ length: classes }, (_, k) => `class ${k}`),
      frames: 0,
      inputMin: spec.inputMin,
      inputMax: spec.inputMax,
    },
  };
}
