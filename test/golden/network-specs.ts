/**
 * Golden models beyond one LSTM and one dense softmax layer: sigmoid output
 * layers, stacked LSTM and GRU layers, both GRU forms, both hard sigmoids,
 * hidden dense layers (relu, linear, sigmoid) and int16 weights. generate.ts
 * builds their golden files with the same cases and checks as the others.
 */
import { alternatingExtremes, fullInt8Range, fullScale, negativeFullScale, sparseBinary, uniform, zeros } from './frame-sources.js';
import type { GoldenSpec } from './generate.js';
import type { RandomLayerSpec } from './random-model.js';

const RANGE = { inputMin: -1, inputMax: 1 };

function lstm(units: number, extra: Partial<Extract<RandomLayerSpec, { kind: 'lstm' }>> = {}): RandomLayerSpec {
  return { kind: 'lstm', units, kernelStd: 0.4, recurrentStd: 0.3, biasStd: 0.5, ...extra };
}

function gru(units: number, resetAfter: boolean, extra: Partial<Extract<RandomLayerSpec, { kind: 'gru' }>> = {}): RandomLayerSpec {
  return { kind: 'gru', units, resetAfter, kernelStd: 0.5, recurrentStd: 0.4, biasStd: 0.5, ...extra };
}

function dense(units: number, activation: 'relu' | 'linear' | 'sigmoid' | 'softmax', std: number): RandomLayerSpec {
  return { kind: 'dense', units, activation, std, biasStd: 0.3 };
}

/**
 * One LSTM layer and a sigmoid output layer: the family of the blocked-layout
 * kernels, so their golden files sit beside the softmax ones in test/golden
 * and also run on the cortex-m DSP kernels and the arduino library.
 */
export const SIGMOID_OUTPUT_SPECS: GoldenSpec[] = [
  {
    description: 'one sigmoid output unit for two classes: sequences that spike positive (z >= L), negative (z <= -L) and never',
    model: { ...RANGE, name: 'sigmoid-binary', seed: 111, inputSize: 8, threshold: 0.9, layers: [lstm(8), dense(1, 'sigmoid', 2)] },
    cases: [
      { name: 'full-scale', frames: 30, source: fullScale },
      { name: 'negative-full-scale', frames: 30, source: negativeFullScale },
      { name: 'zeros', frames: 30, source: zeros, expect: ['no-spike'] },
      { name: 'uniform', frames: 30, source: uniform },
    ],
  },
  {
    description: 'one sigmoid output unit per class, three classes: the top logit against L',
    model: { ...RANGE, name: 'sigmoid-per-class', seed: 22, inputSize: 8, threshold: 0.8, layers: [lstm(8), dense(3, 'sigmoid', 3)] },
    cases: [
      { name: 'uniform', frames: 30, source: uniform },
      { name: 'full-scale', frames: 30, source: fullScale },
      { name: 'alternating-extremes', frames: 30, source: alternatingExtremes },
      { name: 'zeros', frames: 30, source: zeros },
    ],
  },
];

export const NETWORK_SPECS: GoldenSpec[] = [
  {
    description: 'hidden Dense sigmoid (Q3.12 sum, Q0.15 output from the sigmoid table) between an LSTM and the softmax layer',
    model: { ...RANGE, name: 'dense-sigmoid-hidden', seed: 23, inputSize: 9, threshold: 0.9, layers: [lstm(8), dense(6, 'sigmoid', 2.5), dense(3, 'softmax', 1.5)] },
    cases: [
      { name: 'uniform', frames: 30, source: uniform },
      { name: 'full-scale', frames: 30, source: fullScale },
      { name: 'full-int8-range', frames: 30, source: fullInt8Range },
    ],
  },
  {
    description: 'GRU, hidden Dense sigmoid with large weights (sums beyond the table range saturate), one sigmoid output unit',
    model: { ...RANGE, name: 'gru-sigmoid-binary', seed: 24, inputSize: 9, threshold: 0.95, layers: [gru(7, false), dense(5, 'sigmoid', 6), dense(1, 'sigmoid', 3)] },
    cases: [
      { name: 'uniform', frames: 30, source: uniform },
      { name: 'full-scale', frames: 30, source: fullScale },
      { name: 'negative-full-scale', frames: 30, source: negativeFullScale },
      { name: 'alternating-extremes', frames: 30, source: alternatingExtremes },
    ],
  },
  {
    description: 'int16 weights: LSTM, hidden Dense sigmoid, one sigmoid output unit per class',
    weightBits: 16,
    model: { ...RANGE, name: 'int16-sigmoid', seed: 25, inputSize: 10, threshold: 0.7, layers: [lstm(8), dense(6, 'sigmoid', 2), dense(3, 'sigmoid', 1)] },
    cases: [
      { name: 'uniform', frames: 30, source: uniform },
      { name: 'full-scale', frames: 30, source: fullScale },
      { name: 'sparse-binary', frames: 30, source: sparseBinary },
    ],
  },
  {
    description: 'stacked LSTM: the second LSTM reads the Q0.15 hidden state of the first (int8 x int16 products)',
    model: { ...RANGE, name: 'stacked-lstm', seed: 11, inputSize: 10, threshold: 0.8, layers: [lstm(8), lstm(6), dense(4, 'softmax', 4)] },
    cases: [
      { name: 'uniform', frames: 30, source: uniform },
      { name: 'full-int8-range', frames: 30, source: fullInt8Range },
      { name: 'alternating-extremes', frames: 30, source: alternatingExtremes },
    ],
  },
  {
    description: 'LSTM with the Keras 2 hard sigmoid, large weights: gates reach exactly 0 and 1.0',
    model: {
      ...RANGE,
      name: 'lstm-hard-sigmoid-keras2',
      seed: 12,
      inputSize: 8,
      threshold: 0.9,
      layers: [lstm(8, { activation: 'hard_sigmoid_keras2', kernelStd: 1.5, recurrentStd: 1, forgetBias: 3 }), dense(3, 'softmax', 2)],
    },
    cases: [
      { name: 'uniform', frames: 60, source: uniform, expect: ['gates-beyond-hard-sigmoid-range'] },
      { name: 'full-scale', frames: 60, source: fullScale },
      { name: 'zeros', frames: 60, source: zeros },
    ],
  },
  {
    description: 'LSTM with the Keras 3 hard sigmoid, relu6(x + 3) / 6, and a relu dense layer in the head',
    model: {
      ...RANGE,
      name: 'lstm-hard-sigmoid-keras3',
      seed: 13,
      inputSize: 8,
      threshold: 0.95,
      layers: [lstm(8, { activation: 'hard_sigmoid_keras3', kernelStd: 1.5, recurrentStd: 1 }), dense(6, 'relu', 1), dense(3, 'softmax', 1.5)],
    },
    cases: [
      { name: 'uniform', frames: 40, source: uniform, expect: ['gates-beyond-hard-sigmoid-range'] },
      { name: 'alternating-extremes', frames: 40, source: alternatingExtremes },
    ],
  },
  {
    description: 'GRU with reset_after true (two bias rows), then Dense relu and Dense softmax',
    model: { ...RANGE, name: 'gru-reset-after', seed: 14, inputSize: 9, threshold: 0.9, layers: [gru(7, true), dense(6, 'relu', 1), dense(3, 'softmax', 2)] },
    cases: [
      { name: 'uniform', frames: 30, source: uniform },
      { name: 'sparse-binary', frames: 30, source: sparseBinary },
      { name: 'full-int8-range', frames: 30, source: fullInt8Range },
    ],
  },
  {
    description: 'stacked GRU: reset_after false with the Keras 2 hard sigmoid, then reset_after true with the Keras 3 one; Dense linear head',
    model: {
      ...RANGE,
      name: 'gru-stack',
      seed: 15,
      inputSize: 9,
      threshold: 0.9,
      layers: [
        gru(7, false, { activation: 'hard_sigmoid_keras2', kernelStd: 1.2 }),
        gru(5, true, { activation: 'hard_sigmoid_keras3', recurrentStd: 1.5 }),
        dense(4, 'linear', 1),
        dense(3, 'softmax', 2),
      ],
    },
    cases: [
      { name: 'uniform', frames: 30, source: uniform },
      { name: 'full-scale', frames: 30, source: fullScale },
      { name: 'alternating-extremes', frames: 30, source: alternatingExtremes },
    ],
  },
  {
    description: 'int16 weights with int64 accumulation in every layer kind',
    weightBits: 16,
    model: {
      ...RANGE,
      name: 'int16-weights',
      seed: 16,
      inputSize: 12,
      threshold: 0.95,
      layers: [lstm(9, { activation: 'hard_sigmoid_keras2' }), gru(6, true), gru(5, false), dense(8, 'relu', 1), dense(4, 'softmax', 2)],
    },
    cases: [
      { name: 'uniform', frames: 30, source: uniform },
      { name: 'full-int8-range', frames: 30, source: fullInt8Range },
      { name: 'full-scale', frames: 30, source: fullScale },
    ],
  },
];
