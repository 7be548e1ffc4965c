/**
 * The streaming loop of runtime-as/stream.ts, driven through the echo model of
 * the kernel test module, whose logits are the frame values times 2^12. With
 * the threshold 0.9 a frame spikes when one value leads all others by at least 3.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXP_TABLE, spikeBoundFor } from '../../compiler/fixed-point.js';
import { spikeTest } from '../../compiler/simulator.js';
import { KERNEL_BUILDS, loadKernels, type KernelExports } from './kernel-harness.js';

const CLASSES = 3;
const SPIKE_BOUND = spikeBoundFor(0.9);
const QUIET = [1, 0, 0];
const LOUD = [0, 5, 0];
const OTHER_LOUD = [0, 0, 9];

function setUpEcho(file: string): KernelExports {
  const kernels = loadKernels(file);
  new Int32Array(kernels.memory.buffer, kernels.echoExpTableAddress(), EXP_TABLE.length).set(EXP_TABLE);
  assert.equal(kernels.configureEchoModel(CLASSES, SPIKE_BOUND), 1);
  return kernels;
}

function writeFrames(kernels: KernelExports, frames: number[][]): void {
  const address = kernels.reserveFrames(frames.length);
  assert.notEqual(address, 0, 'reserveFrames failed');
  new Int8Array(kernels.memory.buffer, address, frames.length * CLASSES).set(frames.flat());
}

function readResult(kernels: KernelExports): { spiked: number; classIndex: number; step: number; confidence: number } {
  const [spiked, classIndex, step, confidence] = new Int32Array(kernels.memory.buffer, kernels.resultAddress(), 4);
  return { spiked, classIndex, step, confidence };
}

function expectedConfidence(frame: number[]): number {
  return spikeTest(Int32Array.from(frame, (value) => value * 4096), SPIKE_BOUND).confidence;
}

for (const build of KERNEL_BUILDS) {
  test(`${build.name} echo frames spike as the reference says`, () => {
    assert.equal(spikeTest(Int32Array.from(QUIET, (v) => v * 4096), SPIKE_BOUND).spiked, false);
    assert.equal(spikeTest(Int32Array.from(LOUD, (v) => v * 4096), SPIKE_BOUND).spiked, true);
    assert.equal(setUpEcho(build.file).inputSize(), CLASSES);
  });

  test(`${build.name} step holds the spike without computing`, () => {
    const kernels = setUpEcho(build.file);
    kernels.reset();
    writeFrames(kernels, [QUIET]);
    assert.equal(kernels.step(), 0);
    assert.deepEqual(readResult(kernels), { spiked: 0, classIndex: 0, step: 1, confidence: expectedConfidence(QUIET) });

    writeFrames(kernels, [LOUD]);
    assert.equal(kernels.step(), 1);
    const heldResult = { spiked: 1, classIndex: 1, step: 2, confidence: expectedConfidence(LOUD) };
    assert.deepEqual(readResult(kernels), heldResult);

    // Frames after the spike differ, but nothing is computed: counter, logits and result stay.
    for (const frame of [OTHER_LOUD, QUIET, LOUD]) {
      writeFrames(kernels, [frame]);
      assert.equal(kernels.step(), 1);
      assert.equal(kernels.framesComputed(), 2);
      assert.deepEqual(readResult(kernels), heldResult);
      assert.deepEqual(Array.from(new Int32Array(kernels.memory.buffer, kernels.logitsAddress(), CLASSES)), [0, 5 * 4096, 0]);
    }
  });

  test(`${build.name} reset clears the held spike`, () => {
    const kernels = setUpEcho(build.file);
    writeFrames(kernels, [LOUD]);
    kernels.reset();
    assert.equal(kernels.step(), 1);
    kernels.reset();
    assert.equal(kernels.framesComputed(), 0);
    assert.deepEqual(readResult(kernels), { spiked: 0, classIndex: 0, step: 0, confidence: 0 });
    assert.deepEqual(Array.from(new Int32Array(kernels.memory.buffer, kernels.logitsAddress(), CLASSES)), [0, 0, 0]);
    writeFrames(kernels, [OTHER_LOUD]);
    assert.equal(kernels.step(), 1);
    assert.deepEqual(readResult(kernels), { spiked: 1, classIndex: 2, step: 1, confidence: expectedConfidence(OTHER_LOUD) });
  });

  test(`${build.name} run stops at the first spike`, () => {
    const kernels = setUpEcho(build.file);
    writeFrames(kernels, [QUIET, QUIET, LOUD, OTHER_LOUD, QUIET]);
    assert.equal(kernels.run(5), 1);
    assert.equal(kernels.framesComputed(), 3);
    assert.deepEqual(readResult(kernels), { spiked: 1, classIndex: 1, step: 3, confidence: expectedConfidence(LOUD) });
  });

  test(`${build.name} run without a spike ends at the last frame`, () => {
    const kernels = setUpEcho(build.file);
    writeFrames(kernels, [LOUD]);
    kernels.reset();
    kernels.step();
    // run() resets first, so the spike held from step() does not leak into it.
    writeFrames(kernels, [QUIET, [0, 2, 0], [0, 0, 1]]);
    assert.equal(kernels.run(3), 0);
    assert.equal(kernels.framesComputed(), 3);
    assert.deepEqual(readResult(kernels), { spiked: 0, classIndex: 2, step: 3, confidence: expectedConfidence([0, 0, 1]) });
    assert.equal(kernels.run(0), 0);
    assert.deepEqual(readResult(kernels), { spiked: 0, classIndex: 0, step: 0, confidence: 0 });
  });

  test(`${build.name} reserveFrames grows memory and rejects bad counts`, () => {
    const kernels = setUpEcho(build.file);
    const before = kernels.memory.buffer.byteLength;
    const frames = Math.ceil((4 * 65536) / CLASSES);
    assert.notEqual(kernels.reserveFrames(frames), 0);
    assert.ok(kernels.memory.buffer.byteLength >= before + 3 * 65536, 'the memory grew');
    assert.equal(kernels.reserveFrames(-1), 0);
    assert.equal(kernels.reserveFrames(2 ** 31 - 1), 0, 'more than 4 GiB of frames');
  });
}
