/**
 * The AssemblyScript gate activations, GRU step, hidden dense layer and int16
 * weight paths against compiler/fixed-point.ts and compiler/simulator-layers.ts,
 * for the scalar and the SIMD build, from random and extreme states.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SIGMOID_TABLE, TANH_TABLE, gateQ15 } from '../../compiler/fixed-point.js';
import type { GateActivation, QDenseLayer, QGruLayer, QLstmLayer } from '../../compiler/qmodel.js';
import { quantizeModel } from '../../compiler/quantize.js';
import { denseHidden, denseLogits, gruStep, lstmStep } from '../../compiler/simulator.js';
import { type RandomLayerSpec, randomNetwork } from '../golden/random-model.js';
import { KERNEL_BUILDS, loadKernels, ScratchArena, type KernelExports } from './kernel-harness.js';
import { Random } from './random-qmodel.js';

const GATE_KINDS: GateActivation[] = ['sigmoid', 'hard_sigmoid_keras2', 'hard_sigmoid_keras3'];

function rowParams(columns: ArrayLike<number>[], rows: number): number[] {
  const params: number[] = [];
  for (let r = 0; r < rows; r++) for (const column of columns) params.push(column[r]);
  return params;
}

/** Returns layer `index` of a quantized random network; its first layer reads int8 frames, the others int16 values. */
function quantizedLayer(seed: number, layers: RandomLayerSpec[], index: number, weightBits: 8 | 16, inputSize: number) {
  const model = randomNetwork({ name: `kernels ${seed}`, seed, inputSize, layers, threshold: 0.9, inputMin: -1, inputMax: 1 });
  return quantizeModel(model, { weightBits }).layers[index];
}

/** Hidden states with 10 % of the units at each int16 limit. */
function randomHidden(random: Random, units: number): number[] {
  return Array.from({ length: units }, () => {
    const pick = random.next();
    if (pick < 0.1) return -32768;
    if (pick < 0.2) return 32767;
    return random.integer(-32768, 32767);
  });
}

function randomInput(random: Random, size: number, isInt16: boolean): number[] {
  return Array.from({ length: size }, () => (isInt16 ? random.integer(-32768, 32767) : random.integer(-128, 127)));
}

function checkGru(kernels: KernelExports, layer: QGruLayer, inputIsInt16: boolean, random: Random, label: string): void {
  const arena = new ScratchArena(kernels, 256 * 1024);
  const input = randomInput(random, layer.inputSize, inputIsInt16);
  const state = randomHidden(random, layer.units);
  const wide = layer.weightBits === 16;
  const place = (values: number[]) => (wide ? arena.int16(values) : arena.int8(values));
  const hidden = arena.int16(state);
  const params = [layer.kernelRequant.mult, layer.kernelRequant.shift, layer.recurrentRequant.mult, layer.recurrentRequant.shift, layer.bias, layer.recurrentBias];
  kernels.gruStep(
    inputIsInt16 ? arena.int16(input) : arena.int8(input),
    inputIsInt16 ? 1 : 0,
    layer.inputSize,
    layer.units,
    place(layer.kernel),
    place(layer.recurrentKernel),
    wide ? 1 : 0,
    arena.int32(rowParams(params, 3 * layer.units)),
    layer.resetAfter ? 1 : 0,
    hidden,
    arena.int32(new Array<number>(4 * layer.units).fill(0)),
    GATE_KINDS.indexOf(layer.recurrentActivation),
    arena.int16(SIGMOID_TABLE),
    arena.int16(TANH_TABLE),
  );
  const expected = { hidden: Int32Array.from(state), cell: new Int32Array(0) };
  gruStep(layer, expected, input);
  assert.deepEqual(arena.readInt16(hidden, layer.units), Array.from(expected.hidden), `${label}: hidden state`);
}

for (const build of KERNEL_BUILDS) {
  test(`${build.name} gateQ15 matches for every int16 input`, () => {
    const kernels = loadKernels(build.file);
    const arena = new ScratchArena(kernels, 4096);
    const table = arena.int16(SIGMOID_TABLE);
    GATE_KINDS.forEach((kind, code) => {
      for (let a = -32768; a <= 32767; a++) {
        const actual = kernels.gateQ15(code, table, a);
        if (actual !== gateQ15(kind, a)) assert.equal(actual, gateQ15(kind, a), `${kind} at ${a}`);
      }
    });
  });

  test(`${build.name} gruStep matches for both forms, gates and weight widths`, () => {
    const kernels = loadKernels(build.file);
    const random = new Random(81);
    for (let trial = 0; trial < 48; trial++) {
      const resetAfter = trial % 2 === 0;
      const activation = GATE_KINDS[trial % 3];
      const weightBits = trial % 4 < 2 ? 8 : 16;
      const stacked = trial % 8 >= 4;
      const units = random.integer(1, 20);
      const below = random.integer(1, 30);
      const gru: RandomLayerSpec = { kind: 'gru', units, resetAfter, activation, kernelStd: 1, recurrentStd: 1, biasStd: 1 };
      const head: RandomLayerSpec = { kind: 'dense', units: 2, activation: 'softmax', std: 1, biasStd: 0.1 };
      const layers: RandomLayerSpec[] = stacked ? [{ ...gru, units: below }, gru, head] : [gru, head];
      const layer = quantizedLayer(800 + trial, layers, stacked ? 1 : 0, weightBits, random.integer(1, 40)) as QGruLayer;
      checkGru(kernels, layer, stacked, random, `trial ${trial} (${activation}, reset_after ${resetAfter}, int${weightBits}, ${units} units)`);
    }
  });

  test(`${build.name} lstmStep matches with int16 weights and hard sigmoids`, () => {
    const kernels = loadKernels(build.file);
    const random = new Random(82);
    for (let trial = 0; trial < 24; trial++) {
      const activation = GATE_KINDS[trial % 3];
      const units = random.integer(1, 16);
      const inputSize = random.integer(1, 40);
      const layers: RandomLayerSpec[] = [
        { kind: 'lstm', units, activation, kernelStd: 1, recurrentStd: 1, biasStd: 1 },
        { kind: 'dense', units: 2, activation: 'softmax', std: 1, biasStd: 0.1 },
      ];
      const layer = quantizedLayer(900 + trial, layers, 0, 16, inputSize) as QLstmLayer;
      const arena = new ScratchArena(kernels, 256 * 1024);
      const input = randomInput(random, inputSize, false);
      const state = { hidden: randomHidden(random, units), cell: Array.from({ length: units }, () => random.integer(-(2 ** 31), 2 ** 31 - 1)) };
      const hidden = arena.int16(state.hidden);
      const cell = arena.int32(state.cell);
      const params = [layer.kernelRequant.mult, layer.kernelRequant.shift, layer.recurrentRequant.mult, layer.recurrentRequant.shift, layer.bias];
      kernels.lstmStep(
        arena.int8(input),
        0,
        inputSize,
        units,
        arena.int16(layer.kernel),
        arena.int16(layer.recurrentKernel),
        1,
        arena.int32(rowParams(params, 4 * units)),
        hidden,
        cell,
        arena.int32(new Array<number>(8 * units).fill(0)),
        GATE_KINDS.indexOf(activation),
        arena.int16(SIGMOID_TABLE),
        arena.int16(TANH_TABLE),
      );
      const expected = { hidden: Int32Array.from(state.hidden), cell: Int32Array.from(state.cell) };
      lstmStep(layer, expected, input);
      assert.deepEqual(arena.readInt16(hidden, units), Array.from(expected.hidden), `trial ${trial}: hidden state`);
      assert.deepEqual(arena.readInt32(cell, units), Array.from(expected.cell), `trial ${trial}: cell state`);
    }
  });

  test(`${build.name} denseHidden and denseLogits match for both weight widths`, () => {
    const kernels = loadKernels(build.file);
    const random = new Random(83);
    const activations = ['relu', 'linear', 'sigmoid'] as const;
    const activationCodes = { linear: 0, relu: 1, sigmoid: 2 };
    for (let trial = 0; trial < 48; trial++) {
      const weightBits = trial % 2 === 0 ? 8 : 16;
      const activation = activations[Math.floor(trial / 2) % 3];
      const inputSize = random.integer(1, 40);
      const units = random.integer(1, 12);
      const layers: RandomLayerSpec[] = [
        { kind: 'lstm', units: inputSize, kernelStd: 0.3, recurrentStd: 0.3, biasStd: 0.3 },
        { kind: 'dense', units, activation, std: 2, biasStd: 1 },
        { kind: 'dense', units: 3, activation: 'softmax', std: 2, biasStd: 1 },
      ];
      const model = randomNetwork({ name: `dense ${trial}`, seed: 1000 + trial, inputSize: 3, layers, threshold: 0.9, inputMin: -1, inputMax: 1 });
      const qlayers = quantizeModel(model, { weightBits }).layers;
      const hiddenLayer = qlayers[1] as QDenseLayer;
      const head = qlayers[2] as QDenseLayer;
      const arena = new ScratchArena(kernels, 64 * 1024);
      const place = (values: number[]) => (weightBits === 16 ? arena.int16(values) : arena.int8(values));
      const input = randomInput(random, inputSize, true);
      const output = arena.int16(new Array<number>(units).fill(0));
      const params = (layer: QDenseLayer) => arena.int32(rowParams([layer.requant.mult, layer.requant.shift, layer.bias], layer.units));
      const table = arena.int16(SIGMOID_TABLE);
      const wide = weightBits === 16 ? 1 : 0;
      kernels.denseHidden(arena.int16(input), 1, inputSize, units, place(hiddenLayer.kernel), wide, params(hiddenLayer), activationCodes[activation], table, output);
      const expectedHidden = new Int32Array(units);
      denseHidden(hiddenLayer, input, expectedHidden);
      const actualHidden = arena.readInt16(output, units);
      assert.deepEqual(actualHidden, Array.from(expectedHidden), `trial ${trial}: hidden outputs`);

      const logits = arena.int32([0, 0, 0]);
      kernels.denseLogits(arena.int16(actualHidden), 1, units, 3, place(head.kernel), weightBits === 16 ? 1 : 0, params(head), logits);
      const expectedLogits = new Int32Array(3);
      denseLogits(head, actualHidden, expectedLogits);
      assert.deepEqual(arena.readInt32(logits, 3), Array.from(expectedLogits), `trial ${trial}: logits`);
    }
  });
}
