import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { setLogLevel } from '../../common/log.js';
import { evaluateFloat } from '../../trainer/evaluate.js';
import { createRcModel, disposeRcModel } from '../../trainer/model.js';
import { loadRcModel } from '../../trainer/model-file.js';
import { resolveTrainOptions, type TrainInput } from '../../trainer/options.js';
import { loadTrainingData } from '../../trainer/task-data.js';
import { train, type EpochMetrics } from '../../trainer/train.js';

before(() => setLogLevel('warn'));

const SMALL = { learningRate: 5e-3, batchSize: 64, backend: 'wasm', progress: false } as const;
const SMALL_SYNTHETIC = { ...SMALL, trainCount: 640, validationCount: 200, testCount: 200 } as const;

function outDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `rankcode-${name}-`));
}

function readMetrics(path: string): EpochMetrics[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as EpochMetrics);
}

function readModelJson(path: string) {
  return JSON.parse(readFileSync(path, 'utf8')) as {
    modelTopology: { config: { layers: { class_name: string; config: { units: number; activation?: string; recurrent_activation?: string } }[] } };
    userDefinedMetadata: { rankcode: Record<string, unknown> };
  };
}

test('sequence spotting trains one sigmoid unit', async () => {
  const result = await train({ ...SMALL_SYNTHETIC, task: 'sequence-spotting', units: 8, epochs: 2, outDir: outDir('spotting') });
  const metrics = readMetrics(result.metricsPath);
  assert.equal(metrics.length, 2);
  for (const epoch of metrics) {
    assert.equal(epoch.train.framesAllSteps, 640 * 25);
    assert.ok(epoch.train.framesTrained <= epoch.train.framesAllSteps);
    assert.ok(Number.isFinite(epoch.loss));
    assert.ok(epoch.epochSeconds > 0);
    assert.equal(epoch.validation?.examples, 200);
  }
  const modelJson = readModelJson(result.model.modelPath);
  const output = modelJson.modelTopology.config.layers.at(-1)!.config;
  assert.equal(output.units, 1);
  assert.equal(output.activation, 'sigmoid');
  const metadata = modelJson.userDefinedMetadata.rankcode;
  assert.deepEqual(metadata.labels, ['negative', 'positive']);
  assert.equal(metadata.task, 'sequence-spotting');
  assert.equal(metadata.frames, 25);
  assert.deepEqual(metadata.input, { kind: 'binary', min: 0, max: 1 });
  assert.equal(result.test?.examples, 200);
});

test('exported model is the best epoch', async () => {
  const input: TrainInput = {
    ...SMALL_SYNTHETIC,
    task: 'two-sequence',
    mode: 'eos',
    frames: 20,
    trainCount: 384,
    units: [8, 6],
    head: 5,
    recurrentActivation: 'hard_sigmoid',
    epochs: 3,
    outDir: outDir('two-sequence'),
  };
  const result = await train(input);
  const metrics = readMetrics(result.metricsPath);
  const accuracies = metrics.map((epoch) => epoch.validation!.accuracyAtSpike);
  const bestAccuracy = Math.max(...accuracies);
  const candidates = metrics.filter((epoch) => epoch.validation!.accuracyAtSpike === bestAccuracy);
  const fastest = Math.min(...candidates.map((epoch) => epoch.validation!.meanSpikeStep));
  const expectedBest = candidates.find((epoch) => epoch.validation!.meanSpikeStep === fastest)!.epoch;
  assert.equal(result.best.epoch, expectedBest);
  assert.equal(metrics.at(-1)!.bestEpoch, expectedBest);
  const report = JSON.parse(readFileSync(result.reportPath, 'utf8'));
  assert.equal(report.exportedEpoch, expectedBest);

  // The exported weights reproduce the best epoch's validation figures and the reported test figures.
  const { weights, metadata } = await loadRcModel(result.model.modelPath);
  assert.equal(metadata.input.kind, 'real');
  assert.ok(metadata.input.min < 0, `input minimum ${metadata.input.min}`);
  assert.ok(metadata.input.max > 0, `input maximum ${metadata.input.max}`);
  const data = loadTrainingData(resolveTrainOptions(input));
  const model = createRcModel(weights);
  // An EOS run also validates at the last frame, which picks its best epoch.
  const validation = evaluateFloat(model, data.validation, { threshold: 0.95, lastFrame: input.mode === 'eos' });
  const test = evaluateFloat(model, data.test, { threshold: 0.95, lastFrame: true });
  disposeRcModel(model);
  assert.deepEqual(validation, metrics[expectedBest - 1].validation);
  assert.deepEqual(test, result.test);
});

test('user data with per-class sigmoid', async () => {
  const dir = outDir('user');
  const lines = Array.from({ length: 120 }, (_, i) => {
    const label = ['up', 'down', 'flat'][i % 3];
    const slope = { up: 1, down: -1, flat: 0 }[label]!;
    const frames = Array.from({ length: 6 }, (_, step) => [slope * step * 0.2 + ((i * 7 + step) % 5) * 0.01, 0.5]);
    return JSON.stringify({ label, frames });
  });
  const dataPath = join(dir, 'slopes.jsonl');
  writeFileSync(dataPath, lines.join('\n'));
  const result = await train({ ...SMALL, task: 'user', dataPath, validationShare: 0.25, output: 'sigmoid', units: 8, epochs: 2, outDir: dir });
  assert.deepEqual(result.labels, ['down', 'flat', 'up']);
  assert.equal(result.frames, 6);
  assert.equal(result.test, null, 'no test file and no test share');
  const modelJson = readModelJson(result.model.modelPath);
  const output = modelJson.modelTopology.config.layers.at(-1)!.config;
  assert.equal(output.units, 3);
  assert.equal(output.activation, 'sigmoid');
  assert.deepEqual(modelJson.userDefinedMetadata.rankcode.frameShape, [2]);
  const report = JSON.parse(readFileSync(result.reportPath, 'utf8'));
  assert.equal(report.test, null);
  assert.equal(report.validationExamples, 30);
});

test('beta schedule sets each epoch', async () => {
  const result = await train({ ...SMALL_SYNTHETIC, task: 'sequence-spotting', units: 4, epochs: 3, betaSchedule: '0:0.3,2:0.05', outDir: outDir('schedule') });
  assert.deepEqual(
    readMetrics(result.metricsPath).map((epoch) => epoch.beta),
    [0.3, 0.3, 0.05],
  );
  const metadata = readModelJson(result.model.modelPath).userDefinedMetadata.rankcode;
  assert.equal(metadata.beta, result.best.beta, 'the metadata records the beta of the exported epoch');
});
