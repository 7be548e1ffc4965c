/**
 * Deterministic float models for golden vectors and tests. The generator is a
 * private copy of mulberry32, so the committed golden files never change when
 * another part of rankcode changes its random numbers.
 */
import { createHash } from 'node:crypto';
import type { FloatDenseLayer, FloatGruLayer, FloatLstmLayer, FloatModel, GateActivation } from '../../compiler/float-model.js';

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

/** Builds a float model of one LSTM layer and one Dense softmax layer with normal random weights in the Keras layouts. */
export function randomFloatModel(spec: RandomModelSpec): FloatModel {
  const random = new GoldenRandom(spec.seed);
  const { inputSize, units, classes } = spec;
  const lstmBias = normalArray(random, 4 * units, spec.biasStd);
  for (let u = 0; u < units; u++) lstmBias[units + u] += spec.forgetBias;
  const lstm: FloatLstmLayer = {
    kind: 'lstm',
    name: 'lstm',
    inputSize,
    units,
    kernel: normalArray(random, inputSize * 4 * units, spec.kernelStd),
    recurrentKernel: normalArray(random, units * 4 * units, spec.recurrentStd),
    bias: lstmBias,
    recurrentActivation: 'sigmoid',
  };
  const dense: FloatDenseLayer = {
    kind: 'dense',
    name: 'dense',
    inputSize: units,
    units: classes,
    kernel: normalArray(random, units * classes, spec.denseStd),
    bias: normalArray(random, classes, spec.biasStd),
    activation: 'softmax',
  };
  return {
    name: spec.name,
    sourceHash: createHash('sha256').update(JSON.stringify(spec)).digest('hex'),
    layers: [lstm, dense],
    settings: settingsFor(spec, classes),
  };
}

function settingsFor(spec: { threshold: number; inputMin: number; inputMax: number }, classes: number): FloatModel['settings'] {
  return {
    threshold: spec.threshold,
    labels: Array.from({ length: classes }, (_, k) => `class ${k}`),
    frames: 0,
    inputMin: spec.inputMin,
    inputRangeStated: true,
    inputMax: spec.inputMax,
  };
}

/** One layer of a random network. */
export type RandomLayerSpec =
  | { kind: 'lstm'; units: number; activation?: GateActivation; kernelStd: number; recurrentStd: number; biasStd: number; forgetBias?: number }
  | { kind: 'gru'; units: number; activation?: GateActivation; resetAfter: boolean; kernelStd: number; recurrentStd: number; biasStd: number }
  | { kind: 'dense'; units: number; activation: 'relu' | 'linear' | 'sigmoid' | 'softmax'; std: number; biasStd: number };

export interface RandomNetworkSpec {
  name: string;
  seed: number;
  inputSize: number;
  /** Recurrent layers, then hidden dense layers, then the dense softmax or sigmoid layer. */
  layers: RandomLayerSpec[];
  threshold: number;
  inputMin: number;
  inputMax: number;
}

/** Builds a float model of any supported layer stack with normal random weights in the Keras layouts. */
export function randomNetwork(spec: RandomNetworkSpec): FloatModel {
  const random = new GoldenRandom(spec.seed);
  let inputSize = spec.inputSize;
  const layers = spec.layers.map((layer, index) => {
    const name = `${layer.kind}_${index}`;
    const built = randomLayer(random, layer, name, inputSize);
    inputSize = layer.units;
    return built;
  });
  const output = spec.layers[spec.layers.length - 1];
  const classes = output.kind === 'dense' && output.activation === 'sigmoid' && output.units === 1 ? 2 : output.units;
  return {
    name: spec.name,
    sourceHash: createHash('sha256').update(JSON.stringify(spec)).digest('hex'),
    layers,
    settings: settingsFor(spec, classes),
  };
}

function randomLayer(random: GoldenRandom, layer: RandomLayerSpec, name: string, inputSize: number): FloatLstmLayer | FloatGruLayer | FloatDenseLayer {
  const { units } = layer;
  if (layer.kind === 'dense') {
    const kernel = normalArray(random, inputSize * units, layer.std);
    return { kind: 'dense', name, inputSize, units, kernel, bias: normalArray(random, units, layer.biasStd), activation: layer.activation };
  }
  const gates = layer.kind === 'lstm' ? 4 : 3;
  const kernel = normalArray(random, inputSize * gates * units, layer.kernelStd);
  const recurrentKernel = normalArray(random, units * gates * units, layer.recurrentStd);
  const recurrentActivation = layer.activation ?? 'sigmoid';
  if (layer.kind === 'lstm') {
    const bias = normalArray(random, 4 * units, layer.biasStd);
    for (let u = 0; u < units; u++) bias[units + u] += layer.forgetBias ?? 1;
    return { kind: 'lstm', name, inputSize, units, kernel, recurrentKernel, bias, recurrentActivation };
  }
  const inputBias = normalArray(random, 3 * units, layer.biasStd);
  const recurrentBias = layer.resetAfter ? normalArray(random, 3 * units, layer.biasStd) : new Float32Array(3 * units);
  return { kind: 'gru', name, inputSize, units, kernel, recurrentKernel, inputBias, recurrentBias, resetAfter: layer.resetAfter, recurrentActivation };
}

/** Returns the first layer of a model built by randomFloatModel, its LSTM. */
export function lstmOf(model: FloatModel): FloatLstmLayer {
  const layer = model.layers[0];
  if (layer.kind !== 'lstm') throw new Error(`layer 0 of model ${model.name} is ${layer.kind}, not lstm`);
  return layer;
}

/** Returns the last layer of a model, its Dense softmax output layer. */
export function denseOf(model: FloatModel): FloatDenseLayer {
  const layer = model.layers[model.layers.length - 1];
  if (layer.kind !== 'dense') throw new Error(`the last layer of model ${model.name} is ${layer.kind}, not dense`);
  return layer;
}
