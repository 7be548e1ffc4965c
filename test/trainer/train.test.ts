import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { setLogLevel } from '../../common/log.js';
import { trainTemporalMnist, type EpochMetrics } from '../../trainer/train.js';

before(() => setLogLevel('warn'));

const SMALL_RUN = {
  units: 16,
  learningRate: 3e-3,
  batchSize: 64,
  epochs: 3,
  trainLimit: 600,
  validationLimit: 200,
  testLimit: 200,
  backend: 'wasm',
  progress: false,
} as const;

test('small RC run writes metrics, report and model', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'rankcode-train-'));
  const result = await trainTemporalMnist({ ...SMALL_RUN, mode: 'rc', outDir });

  const lines = readFileSync(join(outDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
  assert.equal(lines.length, 3);
  const metrics = lines.map((line) => JSON.parse(line) as EpochMetrics);
  assert.deepEqual(metrics, JSON.parse(JSON.stringify(result.epochs)));
  for (const epoch of metrics) {
    assert.equal(epoch.train.examples, 600);
    assert.equal(epoch.train.framesAllSteps, 6000);
    assert.ok(epoch.train.framesTrained <= epoch.train.framesAllSteps);
    assert.equal(epoch.train.framesTrained, epoch.train.meanSpikeStep * 600);
    assert.equal(epoch.validation?.examples, 200);
    assert.ok(epoch.validation.meanSpikeStep >= 1);
    assert.ok(epoch.validation.meanSpikeStep <= 10);
  }
  // No tensor may outlive its epoch.
  assert.equal(metrics[2].tensors, metrics[0].tensors);
  assert.ok(metrics[2].loss < metrics[0].loss, `loss did not fall: ${metrics.map((epoch) => epoch.loss)}`);
  assert.ok(result.test.accuracyAtSpike > 0.5, `test accuracy ${result.test.accuracyAtSpike} is near chance`);

  const report = JSON.parse(readFileSync(result.reportPath, 'utf8'));
  assert.equal(report.mode, 'rc');
  assert.equal(report.backend, 'wasm');
  assert.deepEqual(report.test, result.test);
  assert.equal(report.test.framesSkippedShare, 1 - report.test.framesComputed / (200 * 10));

  const modelJson = JSON.parse(readFileSync(result.model.modelPath, 'utf8'));
  assert.equal(modelJson.userDefinedMetadata.rankcode.mode, 'rc');
  assert.equal(modelJson.userDefinedMetadata.rankcode.threshold, 0.95);
});

test('same seed gives the same run', async () => {
  const options = { ...SMALL_RUN, epochs: 1, trainLimit: 200, validationLimit: 50, testLimit: 50, seed: 42 };
  const first = await trainTemporalMnist({ ...options, outDir: mkdtempSync(join(tmpdir(), 'rankcode-seed-')) });
  const second = await trainTemporalMnist({ ...options, outDir: mkdtempSync(join(tmpdir(), 'rankcode-seed-')) });
  assert.equal(second.epochs[0].loss, first.epochs[0].loss);
  assert.deepEqual(readFileSync(second.model.weightsPath), readFileSync(first.model.weightsPath));
});

test('EOS run trains at the last frame', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'rankcode-eos-'));
  const result = await trainTemporalMnist({ ...SMALL_RUN, epochs: 1, mode: 'eos', outDir });
  const train = result.epochs[0].train;
  assert.equal(train.meanSpikeStep, 10);
  assert.equal(train.framesSearched, 0);
  assert.equal(train.accuracyAtSpike, undefined);
  assert.equal(typeof result.test.accuracyAtLastFrame, 'number');
});
