/**
 * Early exit in a compiled model: once a frame spikes, step() returns the held
 * result and computes nothing until reset(), and run() stops at the spike.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceSimulator } from '../../compiler/simulator.js';
import { Random, randomFrames, randomQModel } from './random-qmodel.js';
import { emitModel, removeTemporaryFolders, type EmittedModel, type LoadedStepResult } from './wasm-harness.js';

after(removeTemporaryFolders);

const model = randomQModel({ seed: 31, inputSize: 50, lstmUnits: [16], classes: 4, threshold: 0.95 });
const FRAMES = 12;

/** Finds the first random sequence that spikes after frame 1 and at least two frames before its end. */
function findLateSpike(): { frames: Int8Array[]; spikeStep: number } {
  const reference = new ReferenceSimulator(model);
  const random = new Random(32);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const frames = randomFrames(random, FRAMES, model.inputSize, 0.5);
    const result = reference.run(frames);
    if (result.spiked && result.step > 1 && result.step < FRAMES - 2) return { frames, spikeStep: result.step };
  }
  throw new Error('no random sequence spikes in the middle; change the seed');
}

const { frames, spikeStep } = findLateSpike();
const emitted: Record<string, EmittedModel> = {};

before(async () => {
  emitted.scalar = await emitModel(model, false);
  emitted.SIMD = await emitModel(model, true);
});

for (const build of ['scalar', 'SIMD']) {
  test(`${build} step holds the spike result`, () => {
    const wasm = emitted[build].create();
    let spikeResult: LoadedStepResult | undefined;
    for (let t = 0; t < spikeStep; t++) spikeResult = wasm.step(frames[t]);
    assert.ok(spikeResult?.spiked, 'the spike frame spikes');
    assert.equal(spikeResult.step, spikeStep);
    const logitsAtSpike = Array.from(wasm.logits);

    // Later frames differ in value, yet the result, counter and logits stay.
    const random = new Random(33);
    const laterFrames = [...frames.slice(spikeStep), new Int8Array(model.inputSize), ...randomFrames(random, 5, model.inputSize)];
    for (const frame of laterFrames) {
      assert.deepEqual(wasm.step(frame), spikeResult);
      assert.equal(wasm.framesComputed, spikeStep);
      assert.deepEqual(Array.from(wasm.logits), logitsAtSpike);
    }
  });

  test(`${build} frame length is checked while a spike is held`, () => {
    const wasm = emitted[build].create();
    wasm.run(frames);
    assert.throws(() => wasm.step(new Int8Array(model.inputSize + 1)), RangeError);
  });

  test(`${build} run stops at the spike`, () => {
    const wasm = emitted[build].create();
    const result = wasm.run(frames);
    assert.equal(result.spiked, true);
    assert.equal(result.step, spikeStep);
    assert.equal(wasm.framesComputed, spikeStep);

    // Frames after the spike do not matter: replacing them changes nothing.
    const random = new Random(34);
    const changed = [...frames.slice(0, spikeStep), ...randomFrames(random, FRAMES - spikeStep, model.inputSize)];
    assert.deepEqual(wasm.run(changed), result);
    assert.equal(wasm.framesComputed, spikeStep);
  });

  test(`${build} reset starts a fresh sequence`, () => {
    const used = emitted[build].create();
    used.run(frames);
    used.step(frames[0]);
    used.reset();
    assert.equal(used.framesComputed, 0);
    assert.deepEqual(Array.from(used.logits), new Array<number>(model.labels.length).fill(0));
    const fresh = emitted[build].create();
    for (const frame of frames) {
      assert.deepEqual(used.step(frame), fresh.step(frame));
      assert.deepEqual(Array.from(used.logits), Array.from(fresh.logits));
    }
  });
}
