/** The main job's --model check: it runs temporal-MNIST models only and rejects others before any stage runs. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { setLogLevel } from '../../common/log.js';
import { selectBackend } from '../../trainer/backend.js';
import type { RcModelShape } from '../../trainer/model.js';
import { writeRandomModel } from '../eval/models.js';

let dir: string;

before(async () => {
  setLogLevel('error');
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'rankcode-main-job-model-'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the report.json that rc-train leaves beside a model of another task, which the main job would read for its float figures. */
function writeTrainingReport(modelPath: string): void {
  const report = { backend: 'wasm', settings: { validationShare: 0.1 }, test: { accuracyAtSpike: 0.5, meanSpikeStep: 3, examples: 20 } };
  writeFileSync(join(dirname(modelPath), 'report.json'), JSON.stringify(report));
}

function runMainJob(modelPath: string, out: string): { status: number | null; stderr: string; stdout: string } {
  const result = spawnSync(process.execPath, ['dist/scripts/main-job.js', '--model', modelPath, '--out', out], { encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

test('main job rejects user-task model', async () => {
  const shape: RcModelShape = { inputSize: 4, lstmUnits: [4], denseUnits: [], classes: 3, output: 'softmax', recurrentActivation: 'sigmoid' };
  const { path } = await writeRandomModel(join(dir, 'user'), { shape, frames: 6, task: 'user', labels: ['a', 'b', 'c'], seed: 3, outputScale: 1 });
  writeTrainingReport(path);
  const out = join(dir, 'user-out');
  const result = runMainJob(path, out);
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /has task "user" \(userDefinedMetadata\.rankcode\.task\) and 4 inputs per frame/);
  assert.match(result.stderr, /the main job takes temporal-mnist models \(784 inputs\) only/);
  assert.match(result.stderr, /rc-compile .* rc-eval/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(result.stdout, '');
  assert.ok(!existsSync(join(out, 'build')), 'no stage ran');
});

test('main job rejects two-sequence model', async () => {
  const shape: RcModelShape = { inputSize: 784, lstmUnits: [4], denseUnits: [], classes: 2, output: 'sigmoid', recurrentActivation: 'sigmoid' };
  const { path } = await writeRandomModel(join(dir, 'two'), { shape, frames: 6, task: 'two-sequence', labels: ['0', '1'], seed: 4, outputScale: 1 });
  writeTrainingReport(path);
  const out = join(dir, 'two-out');
  const result = runMainJob(path, out);
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /has task "two-sequence" .* and 784 inputs per frame/);
  assert.doesNotMatch(result.stderr, /internal error/);
  assert.ok(!existsSync(join(out, 'build')), 'no stage ran');
});

test('main job accepts temporal-mnist model', async () => {
  const shape: RcModelShape = { inputSize: 784, lstmUnits: [4], denseUnits: [], classes: 10, output: 'softmax', recurrentActivation: 'sigmoid' };
  const labels = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  const { path } = await writeRandomModel(join(dir, 'mnist'), { shape, frames: 10, task: 'temporal-mnist', labels, seed: 5, outputScale: 1 });
  // Without report.json the job stops at the next check, which shows that the task check passed.
  const result = runMainJob(path, join(dir, 'mnist-out'));
  assert.equal(result.status, 2, result.stderr);
  assert.doesNotMatch(result.stderr, /the main job takes/);
  assert.match(result.stderr, /training report not found/);
});
