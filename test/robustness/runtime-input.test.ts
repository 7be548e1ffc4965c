/**
 * Runtime input safety. Models with extreme weights (all +-127, -128, biases at
 * the int32 limits, the largest and smallest multipliers) run extreme frames
 * (-128, 127) through the C runtime and both wasm builds. The C build uses the
 * address and undefined behaviour sanitizers. Every computed frame must match
 * the reference simulator bit for bit. Frames of the wrong length and NULL
 * arguments must give error codes in C and exceptions in the JS loader, and
 * real inputs saturate by the rule of quantizeInput.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { setLogLevel } from '../../common/log.js';
import { INT32_MAX, INT32_MIN, spikeBoundFor } from '../../compiler/fixed-point.js';
import type { QModel, Requant } from '../../compiler/qmodel.js';
import { quantizeInput, ReferenceSimulator } from '../../compiler/simulator.js';
import { emitModel, removeTemporaryFolders, type EmittedModel } from '../runtime-as/wasm-harness.js';
import {
  buildCBatch,
  C_SANITIZER_FLAGS,
  type CBatch,
  ERROR_CALLS,
  formatCase,
  hasCommand,
  parseCaseLine,
  referenceCase,
  removeCBatch,
  runHarness,
} from './c-batch.js';

setLogLevel('error');
after(removeTemporaryFolders);

interface ExtremeSpec {
  name: string;
  inputSize: number;
  units: number;
  classes: number;
  threshold: number;
  /** Weight of row r, column j. */
  weight: (row: number, column: number) => number;
  bias: (row: number) => number;
  requant: (row: number) => [number, number];
}

function fill(rows: number, columns: number, weight: ExtremeSpec['weight']): number[] {
  const values: number[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) values.push(weight(r, c));
  return values;
}

function requantRows(rows: number, requant: ExtremeSpec['requant']): Requant {
  const pairs = Array.from({ length: rows }, (_, r) => requant(r));
  return { mult: pairs.map(([mult]) => mult), shift: pairs.map(([, shift]) => shift) };
}

function extremeModel(spec: ExtremeSpec): QModel {
  const rows = 4 * spec.units;
  return {
    format: 'rankcode-qmodel',
    version: 2,
    name: spec.name,
    sourceHash: '0'.repeat(64),
    inputSize: spec.inputSize,
    frames: 0,
    inputScale: 1 / 127,
    threshold: spec.threshold,
    spikeBound: spikeBoundFor(spec.threshold),
    labels: Array.from({ length: spec.classes }, (_, k) => `c${k}`),
    layers: [
      {
        kind: 'lstm',
        name: 'lstm',
        inputSize: spec.inputSize,
        units: spec.units,
        weightBits: 8,
        kernel: fill(rows, spec.inputSize, spec.weight),
        kernelRequant: requantRows(rows, spec.requant),
        recurrentKernel: fill(rows, spec.units, spec.weight),
        recurrentRequant: requantRows(rows, spec.requant),
        bias: Array.from({ length: rows }, (_, r) => spec.bias(r)),
        recurrentActivation: 'sigmoid',
      },
      {
        kind: 'dense',
        name: 'dense',
        inputSize: spec.units,
        units: spec.classes,
        weightBits: 8,
        kernel: fill(spec.classes, spec.units, spec.weight),
        requant: requantRows(spec.classes, spec.requant),
        bias: Array.from({ length: spec.classes }, (_, r) => spec.bias(r)),
        activation: 'softmax',
        outputFracBits: 12,
      },
    ],
  };
}

const MULT_MAX = 2 ** 15 - 1;

/** The extreme models; every one satisfies the accumulator bound sum |w| * max |x| < 2^31. */
export const EXTREME_SPECS: ExtremeSpec[] = [
  { name: 'all +127, int32 max biases, huge multipliers', inputSize: 12, units: 10, classes: 5, threshold: 0.95, weight: () => 127, bias: () => INT32_MAX, requant: () => [MULT_MAX, 1] },
  { name: 'all -127, int32 min biases, huge multipliers', inputSize: 12, units: 10, classes: 5, threshold: 0.95, weight: () => -127, bias: () => INT32_MIN, requant: () => [MULT_MAX, 1] },
  { name: 'all -128, tiny multipliers', inputSize: 7, units: 3, classes: 2, threshold: 1, weight: () => -128, bias: () => 0, requant: () => [MULT_MAX, 62] },
  {
    name: 'alternating signs and bias limits',
    inputSize: 9,
    units: 6,
    classes: 4,
    threshold: 0.6,
    weight: (r, c) => ((r + c) % 2 === 0 ? 127 : -127),
    bias: (r) => (r % 2 === 0 ? INT32_MAX : INT32_MIN),
    requant: (r) => [r % 3 === 0 ? 0 : MULT_MAX, 1 + ((r * 7) % 62)],
  },
  {
    name: 'full scale in the working range',
    inputSize: 12,
    units: 10,
    classes: 3,
    threshold: 0.9,
    weight: (r, c) => (((r * 3 + c) % 5) - 2) * 63,
    bias: (r) => ((r % 5) - 2) * 8192,
    requant: (r) => [2 ** 14 + r * 97, 16 + (r % 8)],
  },
  { name: 'largest sizes at full scale', inputSize: 64, units: 32, classes: 5, threshold: 0.99, weight: (r, c) => ((r ^ c) & 1 ? 127 : -128), bias: () => 0, requant: () => [MULT_MAX, 20] },
  { name: 'spikes on the first frame', inputSize: 4, units: 2, classes: 3, threshold: 2 ** -14, weight: () => 127, bias: () => INT32_MAX, requant: () => [MULT_MAX, 1] },
];

/** Frame sequences of extreme values, and a few mixed ones, for a model of `inputSize` inputs. */
function extremeSequences(inputSize: number): number[][][] {
  const constant = (value: number, count: number) => Array.from({ length: count }, () => new Array<number>(inputSize).fill(value));
  const pattern = (count: number, at: (t: number, j: number) => number) =>
    Array.from({ length: count }, (_, t) => Array.from({ length: inputSize }, (_, j) => at(t, j)));
  return [
    constant(127, 40),
    constant(-128, 40),
    constant(0, 5),
    pattern(40, (t) => (t % 2 === 0 ? 127 : -128)),
    pattern(40, (t, j) => ((t + j) % 2 === 0 ? 127 : -128)),
    pattern(30, (t, j) => ((t * 31 + j * 17) % 256) - 128),
    pattern(1, () => -128),
  ];
}

const HAS_GCC = hasCommand('gcc');
const models = EXTREME_SPECS.map(extremeModel);

describe('extreme models', () => {
  let batch: CBatch | undefined;
  const wasm: { simd: EmittedModel; scalar: EmittedModel }[] = [];

  before(async () => {
    if (HAS_GCC) batch = await buildCBatch(models, C_SANITIZER_FLAGS);
    for (const model of models) wasm.push({ simd: await emitModel(model, true), scalar: await emitModel(model, false) });
  });
  after(() => {
    if (batch) removeCBatch(batch);
  });

  it('C matches the reference on every frame', { skip: HAS_GCC ? false : 'gcc not found' }, async () => {
    const commands = models.flatMap((model, index) => extremeSequences(model.inputSize).map((frames) => ({ model: index, frames })));
    const run = await runHarness(batch!.binary, commands.map(formatCase).join(''));
    assert.equal(run.status, 0, `harness failed (signal ${run.signal}):\n${run.stderr}`);
    assert.equal(run.lines.length, commands.length);
    commands.forEach((command, k) => {
      const expected = referenceCase(new ReferenceSimulator(models[command.model]), command.frames);
      assert.deepEqual(parseCaseLine(run.lines[k]), expected, `${EXTREME_SPECS[command.model].name}, sequence ${k}`);
    });
  });

  it('C returns error codes for NULL and wrong-size arguments', { skip: HAS_GCC ? false : 'gcc not found' }, async () => {
    const run = await runHarness(batch!.binary, models.map((_, index) => `errors ${index}\n`).join(''));
    assert.equal(run.status, 0, run.stderr);
    run.lines.forEach((line, index) => {
      const codes = line.split(' ').slice(1).map(Number);
      ERROR_CALLS.forEach(({ call, expected }, k) => assert.equal(codes[k], expected, `${EXTREME_SPECS[index].name}: ${call}`));
    });
  });

  it('wasm matches the reference on every frame', () => {
    models.forEach((qmodel, index) => {
      for (const build of ['simd', 'scalar'] as const) {
        const instance = wasm[index][build].create();
        const reference = new ReferenceSimulator(qmodel);
        for (const frames of extremeSequences(qmodel.inputSize)) {
          instance.reset();
          reference.reset();
          frames.forEach((frame, t) => {
            const expected = reference.step(frame);
            const actual = instance.step(Int8Array.from(frame));
            const where = `${EXTREME_SPECS[index].name}, ${build}, frame ${t + 1}`;
            assert.deepEqual(Array.from(instance.logits), Array.from(reference.logits), `${where}: logits`);
            assert.deepEqual(
              [actual.spiked, actual.classIndex, actual.step, actual.confidence],
              [expected.spiked, expected.classIndex, expected.step, expected.confidence],
              `${where}: result`,
            );
            assert.equal(instance.framesComputed, reference.framesComputed, `${where}: frames computed`);
          });
        }
      }
    });
  });

  it('wasm loader throws on frames of the wrong length', () => {
    const spiking = models.length - 1;
    for (const index of [0, spiking]) {
      const instance = wasm[index].simd.create();
      const n = models[index].inputSize;
      instance.reset();
      instance.step(new Int8Array(n));
      const computed = instance.framesComputed;
      if (index === spiking) assert.equal(instance.step(new Int8Array(n)).spiked, true, 'the model holds a spike');
      assert.throws(() => instance.step(new Int8Array(n - 1)), /step\(\) got a frame of \d+ values, but the model takes \d+ per frame/);
      assert.throws(() => instance.step(new Int8Array(n + 1)), RangeError);
      assert.throws(() => instance.step(new Int8Array(0)), RangeError);
      assert.throws(() => instance.step(new Float32Array(n) as unknown as Int8Array), /takes an Int8Array of quantized inputs/);
      assert.throws(() => instance.step(null as unknown as Int8Array), TypeError);
      assert.throws(() => instance.stepFloat(new Array<number>(n + 1).fill(0)), /stepFloat\(\) got a frame of/);
      assert.throws(() => instance.run(new Int8Array(2 * n + 1)), /run\(\) got \d+ values, which is not a whole number of frames/);
      assert.throws(() => instance.run([new Int8Array(n), new Int8Array(n - 1)]), /run\(\): frame 1 got a frame of/);
      assert.throws(() => instance.runFloat([[...new Array<number>(n).fill(0)], [0]]), /runFloat\(\): frame 1/);
      assert.equal(instance.framesComputed, computed, 'no rejected call computed or reset anything');
    }
  });
});

describe('real input saturation', () => {
  const scale = 1 / 127;
  const cases: [number, number][] = [
    [NaN, 0],
    [Infinity, 127],
    [-Infinity, -127],
    [1e308, 127],
    [-1e308, -127],
    [Number.MAX_VALUE, 127],
    [-0, 0],
    [0.5 / 127, 1],
    [-0.5 / 127, -1],
    [1.5 / 127, 2],
    [2, 127],
    [-2, -127],
    [Number.MIN_VALUE, 0],
  ];

  it('quantizeInput follows the documented rule', () => {
    for (const [value, expected] of cases) {
      const actual = quantizeInput(value, scale);
      assert.ok(Object.is(actual + 0, expected), `quantizeInput(${value}) is ${actual}, expected ${expected}`);
    }
  });

  it('the JS loader quantizes like the reference', async () => {
    const emitted = await emitModel(models[4], true);
    const loaderScale = emitted.loader.modelInfo as unknown as { inputScale: number };
    assert.equal(loaderScale.inputScale, models[4].inputScale);
    for (const [value, expected] of cases) assert.equal(emitted.loader.quantizeInput(value) + 0, expected, `loader quantizeInput(${value})`);
    fc.assert(
      fc.property(fc.double(), (value) => {
        assert.equal(emitted.loader.quantizeInput(value) + 0, quantizeInput(value, models[4].inputScale) + 0);
      }),
    );

    const instance = emitted.create();
    const reference = new ReferenceSimulator(models[4]);
    const values = [NaN, Infinity, -Infinity, 1e308, -0, 0.5 / 127, 3, -3, 0.25, -0.75, 1e-320, 1];
    const frame = values.slice(0, models[4].inputSize);
    const floatResult = instance.stepFloat(frame);
    const expected = reference.step(frame.map((value) => quantizeInput(value, models[4].inputScale)));
    assert.deepEqual([floatResult.classIndex, floatResult.confidence], [expected.classIndex, expected.confidence]);
    assert.deepEqual(Array.from(instance.logits), Array.from(reference.logits));
  });
});
