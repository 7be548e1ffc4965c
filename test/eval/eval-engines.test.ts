import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setLogLevel } from '../../common/log.js';
import { selectBackend } from '../../trainer/backend.js';
import { DenseFrameSequences } from '../../trainer/data/frames.js';
import { runFloat64Trajectories, runTfjsTrajectories } from '../../trainer/eval-engines.js';
import { loadEvalModel } from '../../trainer/eval-model.js';
import { accuracyByStep, summarizeAtThreshold } from '../../trainer/eval-spikes.js';
import { evaluateFloat } from '../../trainer/evaluate.js';
import { createRcModel, disposeRcModel, type RcModelShape } from '../../trainer/model.js';
import { SeededRandom } from '../../trainer/random.js';
import { writeRandomModel } from './models.js';

const FRAMES = 7;
const INPUTS = 12;
const THRESHOLD = 0.8;

let dir: string;

before(async () => {
  setLogLevel('warn');
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'rankcode-eval-engines-'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** Random real-valued sequences with labels from 0 to classes - 1. */
function randomSequences(count: number, classes: number, seed: number): DenseFrameSequences {
  const random = new SeededRandom(seed);
  const values = Float32Array.from({ length: count * FRAMES * INPUTS }, () => 2 * random.nextFloat() - 1);
  const labels = Uint8Array.from({ length: count }, () => Math.floor(random.nextFloat() * classes));
  return new DenseFrameSequences(values, labels, count, FRAMES);
}

function shape(output: 'softmax' | 'sigmoid', classes: number): RcModelShape {
  return { inputSize: INPUTS, lstmUnits: [10, 6], denseUnits: [5], classes, output, recurrentActivation: 'sigmoid' };
}

test('tfjs and float64 passes agree on a stacked model', async () => {
  const { path } = await writeRandomModel(join(dir, 'engines'), { shape: shape('softmax', 3), frames: FRAMES, task: 'test', labels: ['a', 'b', 'c'], seed: 5, outputScale: 40 });
  const source = randomSequences(80, 3, 11);

  const tfjsModel = await loadEvalModel(path, 'auto');
  assert.equal(tfjsModel.engine, 'tfjs');
  assert.equal(tfjsModel.info.layers, 'LSTM 12-10, LSTM 10-6, Dense 5 relu, Dense 3 softmax');
  const float64Model = await loadEvalModel(path, 'float64');
  assert.equal(float64Model.engine, 'float64');

  const tfjs = runTfjsTrajectories(tfjsModel.trainer!, source);
  const float64 = runFloat64Trajectories(float64Model.float!, 'softmax', source);
  let largest = 0;
  for (let i = 0; i < tfjs.topProbability.length; i++) largest = Math.max(largest, Math.abs(tfjs.topProbability[i] - float64.topProbability[i]));
  assert.ok(largest < 1e-4, `top probabilities differ by up to ${largest}`);
  assert.deepEqual(Array.from(tfjs.topClass), Array.from(float64.topClass));
  const spikes = new Set(Array.from({ length: source.count }, (_, example) => tfjs.spikeStep(example, THRESHOLD).step));
  assert.ok(spikes.size >= 3, `the outputs spike at too few distinct steps (${[...spikes]}) to test the rule`);
});

test('tfjs pass matches the trainer evaluation', async () => {
  for (const [output, classes, labels] of [
    ['softmax', 3, ['a', 'b', 'c']],
    ['sigmoid', 2, ['negative', 'positive']],
  ] as const) {
    const written = await writeRandomModel(join(dir, `trainer-${output}`), { shape: shape(output, classes), frames: FRAMES, task: 'test', labels: [...labels], seed: 9, outputScale: 40 });
    const source = randomSequences(90, classes, 13);
    const loaded = await loadEvalModel(written.path, 'auto');
    assert.equal(loaded.info.output, output);
    const trajectories = runTfjsTrajectories(loaded.trainer!, source);
    const summary = summarizeAtThreshold(trajectories, source.labels, THRESHOLD);

    const model = createRcModel(written.weights);
    try {
      const expected = evaluateFloat(model, source, { threshold: THRESHOLD, lastFrame: true });
      assert.equal(summary.accuracyAtSpike, expected.accuracyAtSpike, output);
      assert.equal(summary.meanSpikeStep, expected.meanSpikeStep, output);
      assert.equal(summary.noSpikeRate, expected.noSpikeRate, output);
      assert.equal(summary.framesComputed, expected.framesComputed, output);
      assert.equal(accuracyByStep(trajectories, source.labels)[FRAMES - 1], expected.accuracyAtLastFrame, output);
    } finally {
      disposeRcModel(model);
    }
  }
});

test('sigmoid output reads as two classes', async () => {
  const { path } = await writeRandomModel(join(dir, 'sigmoid'), { shape: shape('sigmoid', 2), frames: FRAMES, task: 'test', labels: ['no', 'yes'], seed: 3, outputScale: 40 });
  const model = await loadEvalModel(path, 'auto');
  assert.equal(model.info.layers, 'LSTM 12-10, LSTM 10-6, Dense 5 relu, Dense 1 sigmoid');
  const trajectories = runTfjsTrajectories(model.trainer!, randomSequences(40, 2, 17));
  for (let i = 0; i < trajectories.topProbability.length; i++) {
    assert.ok(trajectories.topProbability[i] >= 0.5, 'max(y, 1 - y) is at least 0.5');
    assert.ok(trajectories.topClass[i] <= 1);
  }
  const classes = new Set(trajectories.topClass);
  assert.equal(classes.size, 2, 'both classes occur');
});

test('tfjs and float64 passes agree on sigmoid outputs', async () => {
  for (const [classes, labels] of [
    [2, ['no', 'yes']],
    [3, ['a', 'b', 'c']],
  ] as const) {
    const { path } = await writeRandomModel(join(dir, `sigmoid-${classes}`), { shape: shape('sigmoid', classes), frames: FRAMES, task: 'test', labels: [...labels], seed: 3, outputScale: 40 });
    const source = randomSequences(60, classes, 19);
    const tfjsModel = await loadEvalModel(path, 'auto');
    const float64Model = await loadEvalModel(path, 'float64');
    assert.equal(float64Model.engine, 'float64');
    assert.equal(float64Model.info.output, 'sigmoid');
    const tfjs = runTfjsTrajectories(tfjsModel.trainer!, source);
    const float64 = runFloat64Trajectories(float64Model.float!, 'sigmoid', source);
    let largest = 0;
    for (let i = 0; i < tfjs.topProbability.length; i++) largest = Math.max(largest, Math.abs(tfjs.topProbability[i] - float64.topProbability[i]));
    assert.ok(largest < 1e-4, `${classes} classes: top probabilities differ by up to ${largest}`);
    assert.deepEqual(Array.from(tfjs.topClass), Array.from(float64.topClass), `${classes} classes: top class`);
  }
});

test('auto falls back to float64 without metadata', async () => {
  const { path } = await writeRandomModel(join(dir, 'fallback'), { shape: shape('softmax', 3), frames: FRAMES, task: 'test', labels: ['a', 'b', 'c'], seed: 4, outputScale: 1 });
  // The trainer's reader needs userDefinedMetadata.rankcode; rc-compile's loader fills in defaults, as for a converted Keras model.
  const json = JSON.parse(readFileSync(path, 'utf8'));
  delete json.userDefinedMetadata;
  writeFileSync(path, JSON.stringify(json));
  const model = await loadEvalModel(path, 'auto');
  assert.equal(model.engine, 'float64');
  assert.equal(model.info.task, undefined);
  await assert.rejects(loadEvalModel(path, 'tfjs'), /--engine tfjs cannot run/);
});

test('tfjs rejects what rc-compile rejects', async () => {
  const { path } = await writeRandomModel(join(dir, 'shared-checks'), { shape: shape('softmax', 3), frames: FRAMES, task: 'test', labels: ['a', 'b', 'c'], seed: 6, outputScale: 1 });
  const original = readFileSync(path, 'utf8');

  const emptyRange = JSON.parse(original);
  emptyRange.userDefinedMetadata.rankcode.input = { min: 1, max: 1 };
  writeFileSync(path, JSON.stringify(emptyRange));
  await assert.rejects(loadEvalModel(path, 'tfjs'), /userDefinedMetadata\.rankcode\.input is \{"min":1,"max":1\}; expected an object with finite numbers min < max/);

  const graphModel = JSON.parse(original);
  graphModel.format = 'graph-model';
  writeFileSync(path, JSON.stringify(graphModel));
  await assert.rejects(loadEvalModel(path, 'tfjs'), /has format "graph-model"; rc-compile and rc-eval read TensorFlow\.js layers models/);
});

test('both engines rejecting joins one full stop', async () => {
  const { path } = await writeRandomModel(join(dir, 'short-shard'), { shape: shape('softmax', 3), frames: FRAMES, task: 'test', labels: ['a', 'b', 'c'], seed: 7, outputScale: 1 });
  const shard = join(dir, 'short-shard', JSON.parse(readFileSync(path, 'utf8')).weightsManifest[0].paths[0]);
  writeFileSync(shard, readFileSync(shard).subarray(0, 16));
  const error = await loadEvalModel(path, 'auto').then(
    () => assert.fail('the truncated shard was accepted'),
    (rejection: Error) => rejection,
  );
  assert.match(error.message, /The TensorFlow\.js forward pass rejects it: .*[^.]\. The float64 forward pass/);
  assert.doesNotMatch(error.message, /\.\. The float64/);
});
