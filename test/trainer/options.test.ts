import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UserError } from '../../common/errors.js';
import { betaForEpoch, parseBetaSchedule } from '../../trainer/beta-schedule.js';
import { DEFAULT_TRAIN_OPTIONS, resolveTrainOptions } from '../../trainer/options.js';

test('defaults pass validation', () => {
  assert.deepEqual(resolveTrainOptions({}), DEFAULT_TRAIN_OPTIONS);
  assert.deepEqual(resolveTrainOptions({ units: undefined }).units, DEFAULT_TRAIN_OPTIONS.units);
});

test('task defaults for frames and validation', () => {
  const spotting = resolveTrainOptions({ task: 'sequence-spotting' });
  assert.equal(spotting.frames, 25);
  assert.equal(spotting.validationCount, 10000);
  assert.equal(resolveTrainOptions({ task: 'two-sequence' }).frames, 40);
  const user = resolveTrainOptions({ task: 'user', dataPath: 'train.jsonl' });
  assert.equal(user.frames, undefined);
  assert.equal(user.validationCount, undefined);
  assert.equal(resolveTrainOptions({ task: 'sequence-spotting', frames: 20 }).frames, 20);
});

test('layer sizes from units, layers and head', () => {
  assert.deepEqual(resolveTrainOptions({ units: 64, layers: 2 }).units, [64, 64]);
  assert.deepEqual(resolveTrainOptions({ units: [64, 32] }).units, [64, 32]);
  assert.deepEqual(resolveTrainOptions({ units: [64, 32], layers: 2 }).units, [64, 32]);
  assert.deepEqual(resolveTrainOptions({ layers: 3 }).units, [128, 128, 128]);
  assert.deepEqual(resolveTrainOptions({ head: 32 }).head, [32]);
  assert.deepEqual(resolveTrainOptions({ head: [] }).head, []);
});

test('beta schedule parses and applies', () => {
  assert.deepEqual(parseBetaSchedule('0:0.4, 5:0.165'), [
    { epoch: 0, beta: 0.4 },
    { epoch: 5, beta: 0.165 },
  ]);
  const options = resolveTrainOptions({ betaSchedule: '0:0.4,5:0.165', epochs: 8 });
  assert.equal(options.beta, 0.4);
  const betas = Array.from({ length: 8 }, (_, epochIndex) => betaForEpoch(options.betaSchedule, epochIndex));
  assert.deepEqual(betas, [0.4, 0.4, 0.4, 0.4, 0.4, 0.165, 0.165, 0.165]);
  assert.deepEqual(resolveTrainOptions({ beta: 0.2 }).betaSchedule, [{ epoch: 0, beta: 0.2 }]);
});

test('invalid options name the value', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ units: 0 }, /invalid units 0: expected an integer from 1 to 4096/],
    [{ units: 2.5 }, /invalid units 2\.5/],
    [{ beta: -1 }, /invalid beta -1/],
    [{ threshold: 0 }, /invalid threshold 0: expected a number greater than 0 and at most 1/],
    [{ threshold: 1.5 }, /invalid threshold 1\.5/],
    [{ learningRate: Number.NaN }, /invalid learning rate NaN/],
    [{ batchSize: 0 }, /invalid batch size 0/],
    [{ frames: 200 }, /invalid frames 200: expected an integer from 1 to 127/],
    [{ seed: -3 }, /invalid seed -3/],
    [{ trainLimit: 0 }, /invalid train limit 0/],
    [{ mode: 'fast' }, /invalid mode "fast": expected one of rc, eos/],
    [{ task: 'cifar' }, /invalid task "cifar": expected one of temporal-mnist/],
    [{ backend: 'gpu' }, /invalid backend "gpu": expected one of auto, tensorflow, wasm, cpu/],
    [{ outDir: '' }, /missing output folder/],
    [{ units: [64, 0] }, /invalid units 0: expected an integer from 1 to 4096/],
    [{ units: [] }, /invalid units \(empty\): expected 1 to 8 layer sizes/],
    [{ units: [64, 32], layers: 3 }, /--layers 3 does not match the 2 LSTM layers of --units 64,32/],
    [{ layers: 0 }, /invalid layers 0: expected an integer from 1 to 8/],
    [{ head: [32, 5000] }, /invalid head 5000/],
    [{ recurrentActivation: 'relu' }, /invalid recurrent activation "relu": expected one of sigmoid, hard_sigmoid/],
    [{ output: 'linear' }, /invalid output "linear": expected one of softmax, sigmoid/],
    [{ learningRate: 0 }, /invalid learning rate 0: expected a positive number/],
    [{ clipNorm: -1 }, /invalid clip norm -1: expected a positive number, such as 0.25/],
    [{ resume: true, force: true }, /--resume and --force exclude each other/],
    [{ lrDecay: 0 }, /invalid learning rate decay 0: expected a factor greater than 0 and at most 1/],
    [{ lrDecay: 1.5 }, /invalid learning rate decay 1\.5/],
    [{ maxMeanSpikeStep: 0.5 }, /invalid max mean spike step 0\.5: expected a number of steps of at least 1/],
    [{ betaSchedule: '1:0.2' }, /invalid beta schedule "1:0.2": the first entry must start at epoch 0/],
    [{ betaSchedule: '0:0.2,3:0.1,2:0.3' }, /epoch 2 does not come after epoch 3/],
    [{ betaSchedule: '0:0.2,4:11' }, /invalid beta 11 at epoch 4 of the schedule "0:0.2,4:11": expected a number from 0 to 10/],
    [{ betaSchedule: '0=0.2' }, /invalid beta schedule entry "0=0.2" in "0=0.2": expected EPOCH:BETA pairs/],
    [{ betaSchedule: '0:0.2', beta: 0.1 }, /both a beta \(0\.1\) and a beta schedule are given/],
    [{ task: 'sequence-spotting', dataPath: 'a.csv' }, /option dataPath \(--data\) does not apply to the task sequence-spotting, only to user/],
    [{ task: 'user', frames: 10 }, /option frames \(--frames\) does not apply to the task user, only to temporal-mnist and sequence-spotting and two-sequence/],
    [{ task: 'temporal-mnist', trainCount: 10 }, /option trainCount \(--train-count\) does not apply to the task temporal-mnist/],
  ];
  for (const [options, pattern] of cases) {
    assert.throws(
      () => resolveTrainOptions(options),
      (error: unknown) => error instanceof UserError && pattern.test(error.message),
      `options ${JSON.stringify(options)}`,
    );
  }
});

function runCli(args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/rc-train.js', ...args], { encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

test('CLI rejects bad flags with status 2', () => {
  const cases: [string[], RegExp][] = [
    [['--mode', 'fast'], /argument 'fast' is invalid\. Allowed choices are rc, eos/],
    [['--lr', 'abc'], /argument 'abc' is invalid\. Expected a decimal number/],
    [['--units', '-4'], /argument '-4' is invalid\. Expected one or more integers separated by commas/],
    [['--lr-decay', '0x1'], /argument '0x1' is invalid\. Expected a decimal number/],
    [['--beta-schedule', '2:0.1'], /invalid beta schedule "2:0\.1": the first entry must start at epoch 0/],
    [['--task', 'user'], /missing data file: the user task needs the path of a \.jsonl, \.csv or \.npy file/],
    [['--task', 'two-sequence', '--data-dir', 'x'], /option dataDir \(--data-dir\) does not apply to the task two-sequence/],
    [['--colour'], /unknown option '--colour'/],
    [['--theta', '2'], /invalid threshold 2/],
  ];
  for (const [args, pattern] of cases) {
    const { status, stderr } = runCli(args);
    assert.equal(status, 2, `rc-train ${args.join(' ')}: ${stderr}`);
    assert.match(stderr, pattern);
  }
});

test('CLI help exits with status 0', () => {
  const { status } = runCli(['--help']);
  assert.equal(status, 0);
});

test('CLI reports a missing data folder', () => {
  const { status, stderr } = runCli(['--data-dir', '/nonexistent-rankcode-data', '--backend', 'cpu', '--quiet']);
  assert.equal(status, 2);
  assert.match(stderr, /MNIST file not found: \/nonexistent-rankcode-data\/train-images-idx3-ubyte/);
});

test('CLI flags reach the run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rankcode-cli-'));
  const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ label: ['a', 'b', 'c'][i % 3], frames: [[i % 3], [(i * 7) % 5]] }));
  writeFileSync(join(dir, 'data.jsonl'), lines.join('\n'));
  const args = [
    ...['--task', 'user', '--data', join(dir, 'data.jsonl'), '--validation-share', '0.25', '--test-share', '0.25'],
    ...['--output', 'sigmoid', '--units', '4,3', '--head', '3', '--recurrent-activation', 'hard_sigmoid'],
    ...['--beta-schedule', '0:0.1', '--clip-norm', '1', '--lr-decay', '0.5', '--max-mean-spike-step', '2', '--epochs', '1', '--batch', '8', '--backend', 'wasm', '--quiet', '--out', dir],
  ];
  const { status, stderr } = runCli(args);
  assert.equal(status, 0, stderr);
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  assert.deepEqual(report.model, { lstmUnits: [4, 3], denseUnits: [3], output: 'sigmoid', recurrentActivation: 'hard_sigmoid', classes: 3 });
  assert.equal(report.settings.clipNorm, 1);
  assert.equal(report.settings.lrDecay, 0.5);
  assert.equal(report.settings.maxMeanSpikeStep, 2);
  assert.deepEqual(report.settings.betaSchedule, [{ epoch: 0, beta: 0.1 }]);
  assert.deepEqual([report.trainExamples, report.validationExamples, report.testExamples], [20, 10, 10]);
});

test('CLI exits 3 when training diverges', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rankcode-cli-'));
  const args = ['--task', 'sequence-spotting', '--train-count', '256', '--validation-count', '32', '--test-count', '32', '--units', '4'];
  const { status, stderr } = runCli([...args, '--lr', '1e38', '--epochs', '1', '--backend', 'wasm', '--quiet', '--out', dir]);
  assert.equal(status, 3, stderr);
  assert.match(stderr, /error: training diverged: .* at epoch 1, batch 2 of 2, so that batch was not applied/);
});
