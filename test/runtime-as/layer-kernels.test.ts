/**
 * The AssemblyScript LSTM step, dense logits and spike test against lstmStep,
 * denseLogits and spikeTest of compiler/simulator.ts, for the scalar and the
 * SIMD build, from random and extreme states.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXP_TABLE, INT32_MAX, SIGMOID_TABLE, TANH_TABLE, expNegQ16, sigmoidSpikeBoundFor, spikeBoundFor } from '../../compiler/fixed-point.js';
import type { QDenseLayer, QLstmLayer } from '../../compiler/qmodel.js';
import { denseLogits, lstmStep, sigmoidSpikeTest, spikeTest } from '../../compiler/simulator.js';
import { KERNEL_BUILDS, loadKernels, ScratchArena, type KernelExports } from './kernel-harness.js';
import { Random, randomQModel } from './random-qmodel.js';

function lstmRowParams(layer: QLstmLayer): number[] {
  const params: number[] = [];
  for (let r = 0; r < 4 * layer.units; r++) {
    params.push(
      layer.kernelRequant.mult[r],
      layer.kernelRequant.shift[r],
      layer.recurrentRequant.mult[r],
      layer.recurrentRequant.shift[r],
      layer.bias[r],
    );
  }
  return params;
}

function denseRowParams(layer: QDenseLayer): number[] {
  const params: number[] = [];
  for (let r = 0; r < layer.units; r++) params.push(layer.requant.mult[r], layer.requant.shift[r], layer.bias[r]);
  return params;
}

/** Draws a random LSTM state: 10 % of the units at the lower int16 and int32 limits, 10 % at the upper ones. */
function randomState(random: Random, units: number): { hidden: number[]; cell: number[] } {
  const hidden: number[] = [];
  const cell: number[] = [];
  for (let u = 0; u < units; u++) {
    const pick = random.next();
    if (pick < 0.1) {
      hidden.push(-32768);
      cell.push(-(2 ** 31));
    } else if (pick < 0.2) {
      hidden.push(32767);
      cell.push(2 ** 31 - 1);
    } else {
      hidden.push(random.integer(-32768, 32767));
      cell.push(random.integer(-(2 ** 20), 2 ** 20));
    }
  }
  return { hidden, cell };
}

function checkLstmStep(kernels: KernelExports, layer: QLstmLayer, input: number[], inputIsInt16: boolean, random: Random, label: string): void {
  const state = randomState(random, layer.units);
  const arena = new ScratchArena(kernels, 64 * 1024);
  const inputAddress = inputIsInt16 ? arena.int16(input) : arena.int8(input);
  const hidden = arena.int16(state.hidden);
  const cell = arena.int32(state.cell);
  kernels.lstmStep(
    inputAddress,
    inputIsInt16 ? 1 : 0,
    layer.inputSize,
    layer.units,
    arena.int8(layer.kernel),
    arena.int8(layer.recurrentKernel),
    0,
    arena.int32(lstmRowParams(layer)),
    hidden,
    cell,
    arena.int32(new Array<number>(8 * layer.units).fill(0)),
    0,
    arena.int16(SIGMOID_TABLE),
    arena.int16(TANH_TABLE),
  );
  const expected = { hidden: Int32Array.from(state.hidden), cell: Int32Array.from(state.cell) };
  lstmStep(layer, expected, input);
  assert.deepEqual(arena.readInt16(hidden, layer.units), Array.from(expected.hidden), `${label}: hidden state`);
  assert.deepEqual(arena.readInt32(cell, layer.units), Array.from(expected.cell), `${label}: cell state`);
}

function transposed(values: ArrayLike<number>, rows: number, columns: number): number[] {
  const out = new Array<number>(values.length);
  for (let r = 0; r < rows; r++) for (let j = 0; j < columns; j++) out[j * rows + r] = values[r * columns + j];
  return out;
}

/** Runs lstmStepSparseInput, the first-layer step that skips zero inputs, and compares it with the simulator. */
function checkSparseInputStep(kernels: KernelExports, layer: QLstmLayer, frame: number[], random: Random, label: string): void {
  const state = randomState(random, layer.units);
  const arena = new ScratchArena(kernels, 128 * 1024);
  const hidden = arena.int16(state.hidden);
  const cell = arena.int32(state.cell);
  kernels.lstmStepSparseInput(
    arena.int8(frame),
    layer.inputSize,
    layer.units,
    arena.int8(layer.kernel),
    arena.int8(transposed(layer.kernel, 4 * layer.units, layer.inputSize)),
    arena.int32(new Array<number>(layer.inputSize).fill(0)),
    arena.int8(layer.recurrentKernel),
    arena.int32(lstmRowParams(layer)),
    hidden,
    cell,
    arena.int32(new Array<number>(8 * layer.units).fill(0)),
    0,
    arena.int16(SIGMOID_TABLE),
    arena.int16(TANH_TABLE),
  );
  const expected = { hidden: Int32Array.from(state.hidden), cell: Int32Array.from(state.cell) };
  lstmStep(layer, expected, frame);
  assert.deepEqual(arena.readInt16(hidden, layer.units), Array.from(expected.hidden), `${label}: hidden state`);
  assert.deepEqual(arena.readInt32(cell, layer.units), Array.from(expected.cell), `${label}: cell state`);
}

for (const build of KERNEL_BUILDS) {
  test(`${build.name} lstmStep matches on int8 frames`, () => {
    const kernels = loadKernels(build.file);
    const random = new Random(21);
    for (let trial = 0; trial < 40; trial++) {
      const inputSize = random.integer(1, 70);
      const units = random.integer(1, 20);
      const model = randomQModel({ seed: 100 + trial, inputSize, lstmUnits: [units], classes: 2, threshold: 0.9 });
      const layer = model.layers[0] as QLstmLayer;
      const frame = Array.from({ length: inputSize }, () => random.integer(-128, 127));
      checkLstmStep(kernels, layer, frame, false, random, `trial ${trial} (${inputSize} inputs, ${units} units)`);
    }
  });

  test(`${build.name} lstmStepSparseInput matches on sparse and dense frames`, () => {
    const kernels = loadKernels(build.file);
    const random = new Random(24);
    for (let trial = 0; trial < 40; trial++) {
      const inputSize = random.integer(1, 200);
      const units = random.integer(1, 20);
      const model = randomQModel({ seed: 400 + trial, inputSize, lstmUnits: [units], classes: 2, threshold: 0.9 });
      const layer = model.layers[0] as QLstmLayer;
      // Shares of nonzero inputs on both sides of the zero-skipping threshold: none, 5 %, 30 % and all.
      for (const share of [0, 0.05, 0.3, 1]) {
        const frame = Array.from({ length: inputSize }, () => (random.next() < share ? random.integer(-128, 127) : 0));
        const nonzero = frame.filter((value) => value !== 0).length;
        checkSparseInputStep(kernels, layer, frame, random, `trial ${trial} (${inputSize} inputs, ${units} units, ${nonzero} nonzero)`);
      }
    }
  });

  test(`${build.name} lstmStep matches on int16 hidden inputs`, () => {
    const kernels = loadKernels(build.file);
    const random = new Random(22);
    for (let trial = 0; trial < 40; trial++) {
      const below = random.integer(1, 40);
      const units = random.integer(1, 20);
      const model = randomQModel({ seed: 200 + trial, inputSize: 3, lstmUnits: [below, units], classes: 2, threshold: 0.9 });
      const layer = model.layers[1] as QLstmLayer;
      const input = Array.from({ length: below }, () => random.integer(-32768, 32767));
      checkLstmStep(kernels, layer, input, true, random, `trial ${trial} (${below} inputs, ${units} units)`);
    }
  });

  test(`${build.name} denseLogits matches`, () => {
    const kernels = loadKernels(build.file);
    const random = new Random(23);
    for (let trial = 0; trial < 40; trial++) {
      const inputIsInt16 = trial % 2 === 1;
      const inputSize = random.integer(1, 70);
      const classes = random.integer(1, 12);
      const model = randomQModel({
        seed: 300 + trial,
        inputSize,
        lstmUnits: [],
        classes,
        threshold: 0.9,
        headExtremes: true,
      });
      const layer = model.layers[0] as QDenseLayer;
      const input = Array.from({ length: inputSize }, () => (inputIsInt16 ? random.integer(-32768, 32767) : random.integer(-128, 127)));
      const arena = new ScratchArena(kernels, 16 * 1024);
      const logits = arena.int32(new Array<number>(classes).fill(0));
      kernels.denseLogits(
        inputIsInt16 ? arena.int16(input) : arena.int8(input),
        inputIsInt16 ? 1 : 0,
        inputSize,
        classes,
        arena.int8(layer.kernel),
        0,
        arena.int32(denseRowParams(layer)),
        logits,
      );
      const expected = new Int32Array(classes);
      denseLogits(layer, input, expected);
      assert.deepEqual(arena.readInt32(logits, classes), Array.from(expected), `trial ${trial}`);
    }
  });

  test(`${build.name} spikeTest matches`, () => {
    const kernels = loadKernels(build.file);
    const random = new Random(24);
    const cases: number[][] = [
      [0],
      [5, 5, 5],
      [2 ** 31 - 1, -(2 ** 31)],
      [-(2 ** 31), 2 ** 31 - 1, 2 ** 31 - 1],
      [40000, 0, 0, 0],
      [65535, 0],
      [65536, 0],
    ];
    for (let k = 0; k < 3000; k++) {
      const classes = random.integer(1, 12);
      const spread = 2 ** random.integer(8, 31);
      cases.push(Array.from({ length: classes }, () => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(random.gaussian(spread))))));
    }
    const thresholds = [0.55, 0.9, 0.95, 0.999];
    const arena = new ScratchArena(kernels, 4096);
    const expTable = arena.int32(EXP_TABLE);
    const result = arena.int32([0, 0, 0, 0]);
    const casesStart = arena.checkpoint();
    cases.forEach((logits, index) => {
      arena.rewind(casesStart);
      const bound = spikeBoundFor(thresholds[index % thresholds.length]);
      const logitsAddress = arena.int32(logits);
      const spiked = kernels.spikeTest(logitsAddress, logits.length, bound, expTable, result);
      const expected = spikeTest(Int32Array.from(logits), bound);
      const [, classIndex, , confidence] = arena.readInt32(result, 4);
      assert.equal(spiked === 1, expected.spiked, `case ${index} [${logits.join(', ')}]: spiked`);
      assert.equal(classIndex, expected.classIndex, `case ${index} [${logits.join(', ')}]: class`);
      assert.equal(confidence, expected.confidence, `case ${index} [${logits.join(', ')}]: confidence`);
    });
  });

  test(`${build.name} spikeTest at the exact bound`, () => {
    const kernels = loadKernels(build.file);
    const arena = new ScratchArena(kernels, 4096);
    const expTable = arena.int32(EXP_TABLE);
    const result = arena.int32([0, 0, 0, 0]);
    // Two logits d apart give S = 65536 + exp(-d): a frame spikes at S <= K, not at S = K + 1.
    for (const distance of [0, 1, 300, 4096, 12000, 40000]) {
      const logits = [distance, 0];
      const expSum = 65536 + expNegQ16(distance);
      const logitsAddress = arena.int32(logits);
      for (const [bound, spikes] of [
        [expSum, true],
        [expSum - 1, false],
      ] as const) {
        assert.equal(spikeTest(Int32Array.from(logits), bound).spiked, spikes, `reference, distance ${distance}, bound ${bound}`);
        assert.equal(kernels.spikeTest(logitsAddress, 2, bound, expTable, result), spikes ? 1 : 0, `distance ${distance}, bound ${bound}`);
      }
    }
  });

  test(`${build.name} sigmoidSpikeTest matches`, () => {
    const kernels = loadKernels(build.file);
    const random = new Random(25);
    const cases: number[][] = [
      [0],
      [1],
      [-1],
      [2 ** 31 - 1],
      [-(2 ** 31)],
      [-(2 ** 31) + 1],
      [32767],
      [-32768],
      [40000],
      [5, 5, 5],
      [-(2 ** 31), 2 ** 31 - 1, 2 ** 31 - 1],
      [-(2 ** 31), -(2 ** 31)],
    ];
    for (let k = 0; k < 3000; k++) {
      const count = random.integer(1, 12);
      const spread = 2 ** random.integer(8, 31);
      cases.push(Array.from({ length: count }, () => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(random.gaussian(spread))))));
    }
    const bounds = [0.5, 0.55, 0.9, 0.95, 0.999, 1, 0.2].map(sigmoidSpikeBoundFor);
    const arena = new ScratchArena(kernels, 4096);
    const sigmoidTable = arena.int16(SIGMOID_TABLE);
    const result = arena.int32([0, 0, 0, 0]);
    const casesStart = arena.checkpoint();
    cases.forEach((logits, index) => {
      for (const bound of bounds) {
        arena.rewind(casesStart);
        const logitsAddress = arena.int32(logits);
        const spiked = kernels.sigmoidSpikeTest(logitsAddress, logits.length, bound, sigmoidTable, result);
        const expected = sigmoidSpikeTest(Int32Array.from(logits), bound);
        const [, classIndex, , confidence] = arena.readInt32(result, 4);
        const label = `case ${index} [${logits.join(', ')}], L ${bound}`;
        assert.equal(spiked === 1, expected.spiked, `${label}: spiked`);
        assert.equal(classIndex, expected.classIndex, `${label}: class`);
        assert.equal(confidence, expected.confidence, `${label}: confidence`);
      }
    });
  });

  test(`${build.name} sigmoidSpikeTest at the exact bound`, () => {
    const kernels = loadKernels(build.file);
    const arena = new ScratchArena(kernels, 4096);
    const sigmoidTable = arena.int16(SIGMOID_TABLE);
    const result = arena.int32([0, 0, 0, 0]);
    // [z, L, spiked, class] for one logit: z >= L spikes positive, z <= -L negative.
    const cases: [number, number, boolean, number][] = [
      [9000, 9000, true, 1],
      [8999, 9000, false, 1],
      [-9000, 9000, true, 0],
      [-8999, 9000, false, 0],
      [0, 9000, false, 0],
      [0, 0, true, 0],
      [INT32_MAX, INT32_MAX, true, 1],
      [INT32_MAX - 1, INT32_MAX, false, 1],
      [-INT32_MAX, INT32_MAX, true, 0],
      [-INT32_MAX - 1, INT32_MAX, true, 0],
      [-INT32_MAX + 1, INT32_MAX, false, 0],
    ];
    for (const [z, bound, spikes, classIndex] of cases) {
      const expected = sigmoidSpikeTest(Int32Array.from([z]), bound);
      assert.equal(expected.spiked, spikes, `reference, z ${z}, L ${bound}`);
      assert.equal(expected.classIndex, classIndex, `reference class, z ${z}, L ${bound}`);
      const logitsAddress = arena.int32([z]);
      assert.equal(kernels.sigmoidSpikeTest(logitsAddress, 1, bound, sigmoidTable, result), spikes ? 1 : 0, `z ${z}, L ${bound}`);
      assert.equal(arena.readInt32(result, 4)[1], classIndex, `class, z ${z}, L ${bound}`);
    }
  });
}
