/**
 * Compiled models against the reference simulator, bit for bit: logits after
 * every frame, spike flag, class, step and confidence, for the scalar and the
 * SIMD build and for several layer shapes, by step() and by the batch run().
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceSimulator } from '../../compiler/simulator.js';
import type { QModel } from '../../compiler/qmodel.js';
import { Random, randomFrames, randomQModel, type RandomModelSpec } from './random-qmodel.js';
import { emitModel, removeTemporaryFolders, type LoadedModel } from './wasm-harness.js';

after(removeTemporaryFolders);

const SHAPES: { name: string; spec: RandomModelSpec }[] = [
  { name: '784x64 MNIST size', spec: { seed: 1, inputSize: 784, lstmUnits: [64], classes: 10, threshold: 0.95 } },
  { name: 'odd sizes 13x5', spec: { seed: 2, inputSize: 13, lstmUnits: [5], classes: 3, threshold: 0.999 } },
  { name: 'two LSTM layers', spec: { seed: 3, inputSize: 40, lstmUnits: [24, 17], classes: 4, threshold: 0.995 } },
  { name: 'dense only', spec: { seed: 4, inputSize: 20, lstmUnits: [], classes: 5, threshold: 0.6 } },
  { name: 'extreme head', spec: { seed: 5, inputSize: 33, lstmUnits: [9], classes: 6, threshold: 0.99, headExtremes: true } },
  { name: 'one unit one class', spec: { seed: 6, inputSize: 1, lstmUnits: [1], classes: 1, threshold: 0.9 } },
];

const SEQUENCES = 12;
const FRAMES_PER_SEQUENCE = 12;

/** Sequences of dense, half-sparse and binary frames. */
function testSequences(model: QModel, seed: number): Int8Array[][] {
  const random = new Random(seed);
  const sequences: Int8Array[][] = [];
  for (let s = 0; s < SEQUENCES; s++) {
    if (s % 3 === 2) {
      const binary = randomFrames(random, FRAMES_PER_SEQUENCE, model.inputSize, 0.05).map((frame) => frame.map((v) => (v === 0 ? 0 : 1)));
      sequences.push(binary);
    } else {
      sequences.push(randomFrames(random, FRAMES_PER_SEQUENCE, model.inputSize, s % 3 === 0 ? 1 : 0.5));
    }
  }
  return sequences;
}

/** Steps both through every frame (also past the spike) and compares everything the reference exposes. */
function compareByStep(model: QModel, wasm: LoadedModel, sequences: Int8Array[][]): { spikes: number; quiet: number } {
  const reference = new ReferenceSimulator(model);
  let spikes = 0;
  let quiet = 0;
  sequences.forEach((frames, s) => {
    reference.reset();
    wasm.reset();
    frames.forEach((frame, t) => {
      const where = `sequence ${s} frame ${t + 1}`;
      const expected = reference.step(frame);
      const actual = wasm.step(frame);
      assert.deepEqual(Array.from(wasm.logits), Array.from(reference.logits), `${where}: logits`);
      assert.equal(actual.spiked, expected.spiked, `${where}: spiked`);
      assert.equal(actual.classIndex, expected.classIndex, `${where}: class`);
      assert.equal(actual.step, expected.step, `${where}: step`);
      assert.equal(actual.confidence, expected.confidence, `${where}: confidence`);
      assert.equal(wasm.framesComputed, reference.framesComputed, `${where}: frames computed`);
    });
    if (reference.run(frames).spiked) spikes++;
    else quiet++;
  });
  return { spikes, quiet };
}

function compareByRun(model: QModel, wasm: LoadedModel, sequences: Int8Array[][]): void {
  const reference = new ReferenceSimulator(model);
  sequences.forEach((frames, s) => {
    const expected = reference.run(frames);
    const flat = new Int8Array(frames.length * model.inputSize);
    frames.forEach((frame, t) => flat.set(frame, t * model.inputSize));
    for (const [form, actual] of [
      ['flat', wasm.run(flat)],
      ['list', wasm.run(frames)],
    ] as const) {
      const where = `sequence ${s} (${form})`;
      assert.equal(actual.spiked, expected.spiked, `${where}: spiked`);
      assert.equal(actual.classIndex, expected.classIndex, `${where}: class`);
      assert.equal(actual.step, expected.step, `${where}: step`);
      assert.equal(actual.confidence, expected.confidence, `${where}: confidence`);
      assert.equal(wasm.framesComputed, reference.framesComputed, `${where}: frames computed`);
      assert.deepEqual(Array.from(wasm.logits), Array.from(reference.logits), `${where}: logits`);
    }
  });
}

for (const shape of SHAPES) {
  const model = randomQModel(shape.spec);
  const sequences = testSequences(model, shape.spec.seed + 1000);
  for (const simd of [false, true]) {
    const build = simd ? 'SIMD' : 'scalar';

    test(`${build} ${shape.name} matches the reference`, async () => {
      const emitted = await emitModel(model, simd);
      const wasm = emitted.create();
      assert.equal(wasm.simd, simd);
      const counts = compareByStep(model, wasm, sequences);
      compareByRun(model, wasm, sequences);
      if (shape.spec.classes > 1 && !shape.spec.headExtremes) {
        // Both outcomes must occur, or the comparison above missed a path.
        assert.ok(counts.spikes > 0, 'some sequence spikes');
        assert.ok(counts.quiet > 0, 'some sequence never spikes');
      }
    });
  }
}
