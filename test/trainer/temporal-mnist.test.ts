import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { UserError } from '../../common/errors.js';
import { readIdxFile } from '../../trainer/data/idx.js';
import {
  defaultMnistDir,
  encodeTemporalMnist,
  loadTemporalMnist,
  MNIST_PIXELS,
  spikeStepOfIntensity,
} from '../../trainer/data/temporal-mnist.js';

test('spike step of known intensities', () => {
  assert.equal(spikeStepOfIntensity(0, 10), -1);
  assert.equal(spikeStepOfIntensity(255, 10), 0);
  assert.equal(spikeStepOfIntensity(231, 10), 0);
  assert.equal(spikeStepOfIntensity(230, 10), 1);
  assert.equal(spikeStepOfIntensity(128, 10), 5);
  assert.equal(spikeStepOfIntensity(1, 10), 9);
  assert.equal(spikeStepOfIntensity(200, 4), 0);
  assert.equal(spikeStepOfIntensity(100, 4), 2);
});

test('spike step is in range and earlier for brighter pixels', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 254 }), fc.integer({ min: 1, max: 127 }), (intensity, frames) => {
      const step = spikeStepOfIntensity(intensity, frames);
      assert.ok(step >= 0, `step ${step} of intensity ${intensity} is negative`);
      assert.ok(step < frames, `step ${step} of intensity ${intensity} is past frame ${frames - 1}`);
      assert.ok(spikeStepOfIntensity(intensity + 1, frames) <= step);
    }),
  );
});

test('each ink pixel spikes in exactly one frame', () => {
  const images = readIdxFile(join(defaultMnistDir(), 't10k-images-idx3-ubyte'));
  const count = 50;
  const pixels = images.data.subarray(0, count * MNIST_PIXELS);
  const frames = 10;
  const set = encodeTemporalMnist(pixels, new Uint8Array(count), frames);
  for (let example = 0; example < count; example++) {
    const spikesPerPixel = new Float32Array(MNIST_PIXELS);
    for (let step = 0; step < frames; step++) {
      const frame = new Float32Array(MNIST_PIXELS);
      set.writeFrame(example, step, frame, 0);
      for (let pixel = 0; pixel < MNIST_PIXELS; pixel++) {
        assert.ok(frame[pixel] === 0 || frame[pixel] === 1);
        spikesPerPixel[pixel] += frame[pixel];
        if (frame[pixel] === 1) assert.equal(step, spikeStepOfIntensity(pixels[example * MNIST_PIXELS + pixel], frames));
      }
    }
    for (let pixel = 0; pixel < MNIST_PIXELS; pixel++) {
      assert.equal(spikesPerPixel[pixel], pixels[example * MNIST_PIXELS + pixel] > 0 ? 1 : 0);
    }
  }
});

test('first frame holds about half the ink', () => {
  const set = loadTemporalMnist({ frames: 10, validationCount: 5000, trainLimit: 1, validationLimit: 1, testLimit: 1000 }).test;
  let firstFrameInk = 0;
  let ink = 0;
  for (let example = 0; example < set.count; example++) {
    const frame = new Float32Array(MNIST_PIXELS);
    set.writeFrame(example, 0, frame, 0);
    firstFrameInk += frame.reduce((sum, value) => sum + value, 0);
    for (let pixel = 0; pixel < MNIST_PIXELS; pixel++) if (set.spikeSteps[example * MNIST_PIXELS + pixel] >= 0) ink++;
  }
  // Most MNIST strokes are saturated: pixels of 231..255 spike in frame 1.
  const share = firstFrameInk / ink;
  assert.ok(share > 0.4, `frame 1 holds only ${share} of the nonzero pixels`);
  assert.ok(share < 0.55, `frame 1 holds ${share} of the nonzero pixels`);
});

test('fixed split of the training file', () => {
  const splits = loadTemporalMnist({ frames: 10, validationCount: 5000 });
  assert.equal(splits.train.count, 55000);
  assert.equal(splits.validation.count, 5000);
  assert.equal(splits.test.count, 10000);
  const labels = readIdxFile(join(defaultMnistDir(), 'train-labels-idx1-ubyte')).data;
  assert.deepEqual(Array.from(splits.validation.labels.subarray(0, 20)), Array.from(labels.subarray(55000, 55020)));
  assert.deepEqual(Array.from(splits.train.labels.subarray(0, 20)), Array.from(labels.subarray(0, 20)));
});

test('split limits keep the first examples', () => {
  const splits = loadTemporalMnist({ frames: 6, validationCount: 1000, trainLimit: 300, validationLimit: 40, testLimit: 70 });
  assert.equal(splits.train.count, 300);
  assert.equal(splits.validation.count, 40);
  assert.equal(splits.test.count, 70);
  assert.equal(splits.test.frames, 6);
});

test('missing data folder names the file', () => {
  const folder = mkdtempSync(join(tmpdir(), 'rankcode-mnist-'));
  assert.throws(
    () => loadTemporalMnist({ dataDir: folder, frames: 10, validationCount: 5000 }),
    (error: unknown) => error instanceof UserError && error.message.includes(join(folder, 'train-images-idx3-ubyte')),
  );
});
