import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../../common/errors.js';
import { setLogLevel } from '../../common/log.js';
import { selectBackend } from '../../trainer/backend.js';
import { CHECKPOINT_FILE, readCheckpoint, type Checkpoint } from '../../trainer/checkpoint.js';
import type { TrainInput } from '../../trainer/options.js';
import { train, TrainingDivergedError, type EpochMetrics } from '../../trainer/train.js';

before(async () => {
  setLogLevel('error');
  await selectBackend('wasm');
});

/** A small run that exercises every option a checkpoint must carry: stacked layers, a head, hard_sigmoid, clipping and a beta schedule. */
const RUN: TrainInput = {
  task: 'sequence-spotting',
  trainCount: 384,
  validationCount: 100,
  testCount: 100,
  frames: 16,
  units: [8, 6],
  head: 5,
  recurrentActivation: 'hard_sigmoid',
  clipNorm: 0.05,
  betaSchedule: '0:0.2,1:0.05',
  learningRate: 5e-3,
  lrDecay: 0.8,
  batchSize: 64,
  backend: 'wasm',
  progress: false,
};

function outDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `rankcode-${name}-`));
}

/** Returns the metrics without the wall-time fields, which differ between runs. */
function withoutTimes(metrics: EpochMetrics[]): unknown[] {
  return metrics.map(({ epochSeconds: _epoch, elapsedSeconds: _elapsed, ...rest }) => rest);
}

function comparable(checkpoint: Checkpoint): unknown {
  return { ...checkpoint, metrics: withoutTimes(checkpoint.metrics), elapsedSeconds: 0, options: { ...checkpoint.options, outDir: '', resume: false } };
}

test('resumed run equals uninterrupted run', async () => {
  const tensorsBefore = tf.memory().numTensors;
  const straightDir = outDir('straight');
  const straight = await train({ ...RUN, epochs: 2, outDir: straightDir });

  const resumedDir = outDir('resumed');
  await train({ ...RUN, epochs: 1, outDir: resumedDir });
  assert.equal(readCheckpoint(join(resumedDir, CHECKPOINT_FILE)).epoch, 1);
  const resumed = await train({ ...RUN, epochs: 2, resume: true, outDir: resumedDir });
  assert.equal(resumed.resumedFromEpoch, 1);
  // The learning rate decays by lrDecay after each epoch, in the resumed run too.
  assert.deepEqual(
    resumed.epochs.map((metrics) => metrics.learningRate),
    [5e-3, 5e-3 * 0.8],
  );

  assert.deepEqual(readFileSync(resumed.model.weightsPath), readFileSync(straight.model.weightsPath));
  assert.deepEqual(readFileSync(resumed.model.modelPath), readFileSync(straight.model.modelPath));
  // The checkpoints hold the last epoch's weights, Adam moments and generator state, whichever epoch was exported.
  const straightCheckpoint = readCheckpoint(straight.checkpointPath);
  const resumedCheckpoint = readCheckpoint(resumed.checkpointPath);
  assert.equal(resumedCheckpoint.epoch, 2);
  assert.ok(resumedCheckpoint.adam.iterations > 0);
  assert.deepEqual(comparable(resumedCheckpoint), comparable(straightCheckpoint));

  const metricsLines = readFileSync(resumed.metricsPath, 'utf8').trim().split('\n');
  assert.equal(metricsLines.length, 2, 'metrics.jsonl keeps the epoch before the resume');
  assert.deepEqual(withoutTimes(metricsLines.map((line) => JSON.parse(line))), withoutTimes(straight.epochs));
  assert.equal(straight.epochs[1].train.clippedBatches > 0, true, 'the clip norm is small enough to clip');
  assert.equal(tf.memory().numTensors, tensorsBefore, 'the runs leave no tensors behind');
});

test('resume rejects other options', async () => {
  const dir = outDir('mismatch');
  await train({ ...RUN, epochs: 1, outDir: dir });
  const checkpointPath = join(dir, CHECKPOINT_FILE);
  const cases: [TrainInput, RegExp][] = [
    [{ units: [8] }, /cannot resume from .*checkpoint\.bin: it was trained with --units \[8,6\], but this run sets \[8\]; pass the options of the original run/],
    [{ betaSchedule: '0:0.2' }, /it was trained with --beta-schedule/],
    [{ seed: 2 }, /it was trained with --seed 1, but this run sets 2/],
    [{ trainCount: 320 }, /it was trained with --train-count 384, but this run sets 320/],
    [{ threshold: 0.9 }, /it was trained with --theta 0\.95, but this run sets 0\.9/],
    [{ output: 'softmax' }, /its model has another shape than the data gives/],
  ];
  for (const [change, pattern] of cases) {
    await assert.rejects(train({ ...RUN, epochs: 2, ...change, resume: true, outDir: dir }), (error: unknown) => {
      assert.ok(error instanceof UserError, String(error));
      assert.match(error.message, pattern);
      return true;
    });
  }
  // An unset --output means the task's own, so naming that output explicitly resumes the same run.
  const explicit = await train({ ...RUN, output: 'sigmoid', epochs: 1, resume: true, outDir: dir });
  assert.equal(explicit.resumedFromEpoch, 1);
  await assert.rejects(train({ ...RUN, epochs: 1, resume: true, outDir: outDir('empty') }), /checkpoint not found: .*checkpoint\.bin; --resume continues a run/);
  // The checkpoint is read before the data: a missing checkpoint is reported even when the data file is missing too.
  await assert.rejects(
    train({ task: 'user', dataPath: join(outDir('no-data'), 'missing.jsonl'), epochs: 1, resume: true, backend: 'wasm', progress: false, outDir: outDir('empty') }),
    /checkpoint not found: .*checkpoint\.bin/,
  );
  assert.ok(existsSync(checkpointPath));

  const bytes = readFileSync(checkpointPath);
  writeFileSync(checkpointPath, bytes.subarray(0, bytes.length - 4));
  await assert.rejects(
    train({ ...RUN, epochs: 2, resume: true, outDir: dir }),
    new RegExp(`invalid checkpoint .*: the file has ${bytes.length - 4} bytes, expected ${bytes.length} for its header; delete it and start a new run without --resume`),
  );
  writeFileSync(checkpointPath, bytes.subarray(0, 100));
  await assert.rejects(train({ ...RUN, epochs: 2, resume: true, outDir: dir }), /invalid checkpoint .*: the header is truncated/);
  writeFileSync(checkpointPath, 'not a checkpoint');
  await assert.rejects(train({ ...RUN, epochs: 2, resume: true, outDir: dir }), /invalid checkpoint .*: the file does not start with "RCKP"/);
});

test('diverged run keeps last checkpoint', async () => {
  const dir = outDir('diverged');
  await train({ ...RUN, epochs: 1, outDir: dir });
  const checkpointPath = join(dir, CHECKPOINT_FILE);
  const before = readFileSync(checkpointPath);

  // A learning rate of 1e38 makes the first update push weights near the float32 limit, so the next batch's loss overflows.
  await assert.rejects(train({ ...RUN, epochs: 2, learningRate: 1e38, resume: true, outDir: dir }), (error: unknown) => {
    assert.ok(error instanceof TrainingDivergedError, String(error));
    assert.match(error.message, /^training diverged: the loss is (NaN|-?Infinity) and the gradient norm \S+ at epoch 2, batch 2 of 6, so that batch was not applied/);
    assert.match(error.message, /the checkpoint of epoch 1 in .*checkpoint\.bin is kept; lower --lr \(now 1e\+38\) and continue with --resume/);
    return true;
  });
  assert.deepEqual(readFileSync(checkpointPath), before);
  assert.equal(readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').length, 1);

  const fresh = outDir('diverged-first');
  await assert.rejects(train({ ...RUN, clipNorm: undefined, epochs: 1, learningRate: 1e38, outDir: fresh }), (error: unknown) => {
    assert.ok(error instanceof TrainingDivergedError, String(error));
    assert.match(error.message, /at epoch 1, batch 2 of 6/);
    assert.match(error.message, /no checkpoint exists because the first epoch did not complete; lower --lr \(now 1e\+38\) or set --clip-norm and start over$/);
    return true;
  });
  assert.equal(existsSync(join(fresh, CHECKPOINT_FILE)), false);
});
