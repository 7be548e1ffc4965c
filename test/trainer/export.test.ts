import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { UserError } from '../../common/errors.js';
import { setLogLevel } from '../../common/log.js';
import { selectBackend } from '../../trainer/backend.js';
import { loadTemporalMnist, MNIST_LABELS, MNIST_PIXELS, type TemporalMnistSet } from '../../trainer/data/temporal-mnist.js';
import { exportLayersModel, type RankcodeMetadata } from '../../trainer/export.js';
import { fileModelHandler, loadRcLstmModel } from '../../trainer/model-file.js';
import {
  createRcLstm,
  denseLogits,
  disposeRcLstm,
  initRcLstmWeights,
  lstmStep,
  projectInputs,
  readRcLstmWeights,
  type LstmState,
  type RcLstm,
} from '../../trainer/model.js';
import { SeededRandom } from '../../trainer/random.js';

const FRAMES = 10;
const EXAMPLES = 16;

before(async () => {
  setLogLevel('warn');
  await selectBackend('wasm');
});

/** Returns the softmax outputs [example][step][class] of the training forward pass over every frame. */
function trainingOutputs(model: RcLstm, source: TemporalMnistSet): Float32Array[][] {
  const outputs: Float32Array[][] = Array.from({ length: source.count }, () => []);
  let state: LstmState | undefined;
  for (let step = 0; step < FRAMES; step++) {
    const frames = new Float32Array(source.count * MNIST_PIXELS);
    for (let example = 0; example < source.count; example++) source.writeFrame(example, step, frames, example * MNIST_PIXELS);
    const previous = state;
    const next = tf.tidy(() => {
      const stepState = lstmStep(model, projectInputs(model, tf.tensor2d(frames, [source.count, MNIST_PIXELS])), previous);
      return { ...stepState, probabilities: tf.softmax(denseLogits(model, stepState.h)) };
    });
    if (previous) tf.dispose([previous.h, previous.c]);
    const probabilities = next.probabilities.dataSync();
    for (let example = 0; example < source.count; example++) {
      outputs[example].push(probabilities.slice(example * 10, (example + 1) * 10) as Float32Array);
    }
    next.probabilities.dispose();
    state = { h: next.h, c: next.c };
  }
  if (state) tf.dispose([state.h, state.c]);
  return outputs;
}

/** Returns the [examples, frames, 784] input of the layers model. */
function sequenceTensor(source: TemporalMnistSet): tf.Tensor3D {
  const values = new Float32Array(source.count * FRAMES * MNIST_PIXELS);
  for (let example = 0; example < source.count; example++) {
    for (let step = 0; step < FRAMES; step++) source.writeFrame(example, step, values, (example * FRAMES + step) * MNIST_PIXELS);
  }
  return tf.tensor3d(values, [source.count, FRAMES, MNIST_PIXELS]);
}

const METADATA: RankcodeMetadata = {
  version: 1,
  task: 'temporal-mnist',
  mode: 'rc',
  threshold: 0.95,
  beta: 0.165,
  labels: MNIST_LABELS,
  frames: FRAMES,
  frameShape: [MNIST_PIXELS],
  input: { kind: 'binary', min: 0, max: 1 },
};

test('exported model matches training forward pass', async () => {
  const weights = initRcLstmWeights({ inputSize: MNIST_PIXELS, units: 12, classes: 10 }, 3);
  const random = new SeededRandom(4);
  // Larger weights than at initialization make the outputs depend on every gate.
  for (const values of [weights.kernel, weights.bias, weights.denseKernel, weights.denseBias]) {
    for (let i = 0; i < values.length; i++) values[i] += 0.3 * random.nextNormal();
  }
  const model = createRcLstm(weights);
  const source = loadTemporalMnist({ frames: FRAMES, validationCount: 5000, trainLimit: 1, validationLimit: 1, testLimit: EXAMPLES }).test;
  const expected = trainingOutputs(model, source);

  const outDir = mkdtempSync(join(tmpdir(), 'rankcode-export-'));
  const exported = await exportLayersModel(readRcLstmWeights(model), METADATA, outDir);
  disposeRcLstm(model);
  assert.equal(exported.weightBytes, 4 * (784 * 48 + 12 * 48 + 48 + 12 * 10 + 10));
  assert.equal(statSync(exported.weightsPath).size, exported.weightBytes);

  const loaded = await tfl.loadLayersModel(fileModelHandler(exported.modelPath));
  const input = sequenceTensor(source);
  const predicted = loaded.predict(input) as tf.Tensor3D;
  assert.deepEqual(predicted.shape, [EXAMPLES, FRAMES, 10]);
  const values = predicted.dataSync();
  let largestError = 0;
  for (let example = 0; example < EXAMPLES; example++) {
    for (let step = 0; step < FRAMES; step++) {
      for (let k = 0; k < 10; k++) {
        const error = Math.abs(values[(example * FRAMES + step) * 10 + k] - expected[example][step][k]);
        largestError = Math.max(largestError, error);
      }
    }
  }
  assert.ok(largestError <= 1e-5, `largest difference ${largestError} between the exported and the training model`);
  tf.dispose([input, predicted]);
  loaded.dispose();

  const reloaded = await loadRcLstmModel(exported.modelPath);
  assert.deepEqual(reloaded.metadata, METADATA);
  assert.deepEqual(reloaded.weights, weights);
});

test('model.json has layers format and metadata', async () => {
  const weights = initRcLstmWeights({ inputSize: MNIST_PIXELS, units: 4, classes: 10 }, 5);
  const outDir = mkdtempSync(join(tmpdir(), 'rankcode-export-'));
  const exported = await exportLayersModel(weights, { ...METADATA, mode: 'eos', beta: 0 }, outDir);
  const modelJson = JSON.parse(readFileSync(exported.modelPath, 'utf8'));
  assert.equal(modelJson.format, 'layers-model');
  assert.deepEqual(modelJson.userDefinedMetadata.rankcode, { ...METADATA, mode: 'eos', beta: 0 });
  assert.deepEqual(modelJson.weightsManifest[0].paths, ['weights.bin']);
  assert.deepEqual(
    modelJson.weightsManifest[0].weights.map((spec: { name: string; shape: number[] }) => [spec.name, spec.shape]),
    [
      ['lstm/kernel', [784, 16]],
      ['lstm/recurrent_kernel', [4, 16]],
      ['lstm/bias', [16]],
      ['dense/kernel', [4, 10]],
      ['dense/bias', [10]],
    ],
  );
  const [lstm, dense] = modelJson.modelTopology.config.layers;
  assert.equal(lstm.class_name, 'LSTM');
  assert.equal(lstm.config.recurrent_activation, 'sigmoid');
  assert.equal(lstm.config.return_sequences, true);
  assert.deepEqual(lstm.config.batch_input_shape, [null, FRAMES, 784]);
  assert.equal(dense.class_name, 'Dense');
  assert.equal(dense.config.activation, 'softmax');
});

test('loading rejects a model without metadata', async () => {
  const weights = initRcLstmWeights({ inputSize: MNIST_PIXELS, units: 4, classes: 10 }, 6);
  const outDir = mkdtempSync(join(tmpdir(), 'rankcode-export-'));
  const exported = await exportLayersModel(weights, METADATA, outDir);
  const modelJson = JSON.parse(readFileSync(exported.modelPath, 'utf8'));
  delete modelJson.userDefinedMetadata;
  writeFileSync(exported.modelPath, JSON.stringify(modelJson));
  await assert.rejects(loadRcLstmModel(exported.modelPath), (error: unknown) => {
    assert.ok(error instanceof UserError);
    assert.match(error.message, /missing userDefinedMetadata\.rankcode version 1/);
    return true;
  });
  await assert.rejects(loadRcLstmModel(join(outDir, 'absent.json')), /failed to read model .*absent\.json/);
});
