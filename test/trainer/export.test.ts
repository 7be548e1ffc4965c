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
import { fileModelHandler, loadRcModel } from '../../trainer/model-file.js';
import { outputLogits, stackStep, type LstmState } from '../../trainer/forward.js';
import { createRcModel, disposeRcModel, initRcModelWeights, readRcModelWeights, type RcModel, type RcModelShape } from '../../trainer/model.js';
import { outputProbabilities } from '../../trainer/output.js';
import { SeededRandom } from '../../trainer/random.js';

const FRAMES = 10;
const EXAMPLES = 16;

before(async () => {
  setLogLevel('warn');
  await selectBackend('wasm');
});

/** Returns the output scores [example][step][unit] of the training forward pass over every frame. */
function trainingOutputs(model: RcModel, source: TemporalMnistSet): Float32Array[][] {
  const outputs: Float32Array[][] = Array.from({ length: source.count }, () => []);
  const units = model.dense[model.dense.length - 1].units;
  let states: LstmState[] | undefined;
  for (let step = 0; step < FRAMES; step++) {
    const frames = new Float32Array(source.count * MNIST_PIXELS);
    for (let example = 0; example < source.count; example++) source.writeFrame(example, step, frames, example * MNIST_PIXELS);
    const previous = states;
    const [scores, ...stateTensors] = tf.tidy(() => {
      const stepStates = stackStep(model, tf.tensor2d(frames, [source.count, MNIST_PIXELS]), previous);
      return [outputProbabilities(model, outputLogits(model, stepStates[stepStates.length - 1].h)), ...stepStates.flatMap((state) => [state.h, state.c])];
    }) as tf.Tensor2D[];
    if (previous) previous.forEach((state) => tf.dispose([state.h, state.c]));
    const values = scores.dataSync();
    for (let example = 0; example < source.count; example++) {
      outputs[example].push(values.slice(example * units, (example + 1) * units) as Float32Array);
    }
    scores.dispose();
    states = model.lstm.map((_, i) => ({ h: stateTensors[2 * i], c: stateTensors[2 * i + 1] }));
  }
  states?.forEach((state) => tf.dispose([state.h, state.c]));
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

const ONE_LAYER: RcModelShape = { inputSize: MNIST_PIXELS, lstmUnits: [12], denseUnits: [], classes: 10, output: 'softmax', recurrentActivation: 'sigmoid' };

const EXPORT_FORMS: { name: string; shape: RcModelShape; labels: string[] }[] = [
  { name: 'one LSTM layer', shape: ONE_LAYER, labels: MNIST_LABELS },
  {
    name: 'stacked, head, hard_sigmoid',
    shape: { ...ONE_LAYER, lstmUnits: [12, 8], denseUnits: [6], recurrentActivation: 'hard_sigmoid' },
    labels: MNIST_LABELS,
  },
  { name: 'one sigmoid unit', shape: { ...ONE_LAYER, classes: 2, output: 'sigmoid', denseUnits: [5] }, labels: ['odd', 'even'] },
  { name: 'per-class sigmoid', shape: { ...ONE_LAYER, output: 'sigmoid' }, labels: MNIST_LABELS },
];

for (const [index, form] of EXPORT_FORMS.entries()) {
  test(`exported model matches training: ${form.name}`, async () => {
    const weights = initRcModelWeights(form.shape, 3 + index);
    const random = new SeededRandom(4 + index);
    // Larger weights than at initialization make the outputs depend on every gate.
    for (const values of [...weights.lstm.flatMap((layer) => [layer.kernel, layer.bias]), ...weights.dense.flatMap((layer) => [layer.kernel, layer.bias])]) {
      for (let i = 0; i < values.length; i++) values[i] += 0.3 * random.nextNormal();
    }
    const model = createRcModel(weights);
    const source = loadTemporalMnist({ frames: FRAMES, validationCount: 5000, trainLimit: 1, validationLimit: 1, testLimit: EXAMPLES }).test;
    const expected = trainingOutputs(model, source);

    const outDir = mkdtempSync(join(tmpdir(), 'rankcode-export-'));
    const metadata = { ...METADATA, labels: form.labels };
    const exported = await exportLayersModel(readRcModelWeights(model), metadata, outDir);
    disposeRcModel(model);
    const parameters = [...weights.lstm, ...weights.dense].reduce((sum, layer) => sum + Object.values(layer).reduce((n, array) => n + array.length, 0), 0);
    assert.equal(exported.weightBytes, 4 * parameters);
    assert.equal(statSync(exported.weightsPath).size, exported.weightBytes);

    const loaded = await tfl.loadLayersModel(fileModelHandler(exported.modelPath));
    const input = sequenceTensor(source);
    const predicted = loaded.predict(input) as tf.Tensor3D;
    const units = expected[0][0].length;
    assert.deepEqual(predicted.shape, [EXAMPLES, FRAMES, units]);
    const values = predicted.dataSync();
    let largestError = 0;
    for (let example = 0; example < EXAMPLES; example++) {
      for (let step = 0; step < FRAMES; step++) {
        for (let k = 0; k < units; k++) {
          const error = Math.abs(values[(example * FRAMES + step) * units + k] - expected[example][step][k]);
          largestError = Math.max(largestError, error);
        }
      }
    }
    assert.ok(largestError <= 1e-5, `largest difference ${largestError} between the exported and the training model`);
    tf.dispose([input, predicted]);
    loaded.dispose();

    const reloaded = await loadRcModel(exported.modelPath);
    assert.deepEqual(reloaded.metadata, metadata);
    assert.deepEqual(reloaded.weights, weights);
  });
}

test('model.json has layers format and metadata', async () => {
  const weights = initRcModelWeights({ ...ONE_LAYER, lstmUnits: [4] }, 5);
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

test('stacked model.json names and activations', async () => {
  const shape: RcModelShape = { ...ONE_LAYER, lstmUnits: [6, 5], denseUnits: [4], classes: 2, output: 'sigmoid', recurrentActivation: 'hard_sigmoid' };
  const outDir = mkdtempSync(join(tmpdir(), 'rankcode-export-'));
  const exported = await exportLayersModel(initRcModelWeights(shape, 7), { ...METADATA, labels: ['no', 'yes'] }, outDir);
  const modelJson = JSON.parse(readFileSync(exported.modelPath, 'utf8'));
  const layers = modelJson.modelTopology.config.layers as { class_name: string; config: Record<string, unknown> }[];
  assert.deepEqual(
    layers.map((layer) => [layer.class_name, layer.config.name, layer.config.units]),
    [
      ['LSTM', 'lstm', 6],
      ['LSTM', 'lstm_1', 5],
      ['Dense', 'dense', 4],
      ['Dense', 'dense_1', 1],
    ],
  );
  for (const lstm of layers.slice(0, 2)) {
    assert.equal(lstm.config.recurrent_activation, 'hard_sigmoid');
    assert.equal(lstm.config.return_sequences, true);
  }
  assert.deepEqual(layers[0].config.batch_input_shape, [null, FRAMES, 784]);
  assert.deepEqual(layers.slice(2).map((dense) => dense.config.activation), ['relu', 'sigmoid']);
  assert.deepEqual(
    modelJson.weightsManifest[0].weights.map((spec: { name: string }) => spec.name),
    ['lstm/kernel', 'lstm/recurrent_kernel', 'lstm/bias', 'lstm_1/kernel', 'lstm_1/recurrent_kernel', 'lstm_1/bias', 'dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias'],
  );
});

test('loading rejects a model without metadata', async () => {
  const weights = initRcModelWeights({ ...ONE_LAYER, lstmUnits: [4] }, 6);
  const outDir = mkdtempSync(join(tmpdir(), 'rankcode-export-'));
  const exported = await exportLayersModel(weights, METADATA, outDir);
  const modelJson = JSON.parse(readFileSync(exported.modelPath, 'utf8'));
  delete modelJson.userDefinedMetadata;
  writeFileSync(exported.modelPath, JSON.stringify(modelJson));
  await assert.rejects(loadRcModel(exported.modelPath), (error: unknown) => {
    assert.ok(error instanceof UserError);
    assert.match(error.message, /missing userDefinedMetadata\.rankcode version 1/);
    return true;
  });
  await assert.rejects(loadRcModel(join(outDir, 'absent.json')), /model file .*absent\.json not found/);

  const restored = JSON.parse(readFileSync(exported.modelPath, 'utf8'));
  restored.userDefinedMetadata = { rankcode: METADATA };
  restored.modelTopology.config.layers[1].config.activation = 'tanh';
  writeFileSync(exported.modelPath, JSON.stringify(restored));
  await assert.rejects(loadRcModel(exported.modelPath), /the Dense activations are tanh; rc-train writes LSTM layers, then Dense layers with relu and a softmax or sigmoid output layer/);
});
