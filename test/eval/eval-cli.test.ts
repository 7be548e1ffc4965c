import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setLogLevel } from '../../common/log.js';
import { selectBackend } from '../../trainer/backend.js';
import type { CompiledEvalResult, FloatEvalResult } from '../../trainer/eval-types.js';
import type { RcModelShape } from '../../trainer/model.js';
import { writeRandomModel } from './models.js';

const LIMIT = 120;
const FRAMES = 10;
const MNIST_LABELS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

let dir: string;
let modelPath: string;
let compiledFolder: string;

function run(bin: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function runEval(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return run('bin/rc-eval.js', args);
}

before(async () => {
  setLogLevel('warn');
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'rankcode-eval-cli-'));
  const shape: RcModelShape = { inputSize: 784, lstmUnits: [16], denseUnits: [], classes: 10, output: 'softmax', recurrentActivation: 'sigmoid' };
  modelPath = (await writeRandomModel(join(dir, 'rc16'), { shape, frames: FRAMES, task: 'temporal-mnist', labels: MNIST_LABELS, seed: 2, outputScale: 40 })).path;
  compiledFolder = join(dir, 'wasm');
  const compiled = run('bin/rc-compile.js', [modelPath, '--target', 'wasm', '--out', compiledFolder, '--quiet']);
  assert.equal(compiled.status, 0, compiled.stderr);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('float model JSON result', () => {
  const out = join(dir, 'float.json');
  const args = [modelPath, '--limit', String(LIMIT), '--theta-sweep', '0.5:0.9:0.2', '--at-step', '2,5', '--examples', '2', '--json', '--out', out];
  const { status, stdout, stderr } = runEval(args);
  assert.equal(status, 0, stderr);
  const result = JSON.parse(stdout) as FloatEvalResult;
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), result);

  assert.equal(result.format, 'rankcode-eval');
  assert.equal(result.kind, 'float');
  assert.equal(result.engine.name, 'tfjs');
  assert.deepEqual(result.data, { task: 'temporal-mnist', split: 'test', examples: LIMIT, frames: FRAMES, frameSize: 784 });
  assert.equal(result.model.name, 'rc16');
  assert.equal(result.model.output, 'softmax');

  const summary = result.summary;
  assert.equal(summary.threshold, 0.95);
  assert.equal(summary.spikeStepHistogram.length, FRAMES);
  assert.equal(summary.spikeStepHistogram.reduce((a, b) => a + b, 0) + summary.noSpikeCount, LIMIT);
  assert.ok(summary.spikeStepHistogram.filter((count) => count > 0).length >= 2, `spikes at too few steps: ${summary.spikeStepHistogram}`);
  assert.ok(Math.abs(summary.framesComputed - summary.meanSpikeStep * LIMIT) < 1e-6);

  assert.deepEqual(
    result.sweep.map((point) => point.theta),
    [0.5, 0.7, 0.9],
  );
  assert.equal(result.accuracyByStep.length, FRAMES);
  assert.equal(result.accuracyAtLastFrame, result.accuracyByStep[FRAMES - 1]);
  assert.deepEqual(result.atStep, [
    { step: 2, accuracy: result.accuracyByStep[1] },
    { step: 5, accuracy: result.accuracyByStep[4] },
  ]);

  assert.equal(result.examples.length, 2);
  for (const trace of result.examples) {
    assert.equal(trace.topProbability.length, FRAMES);
    assert.ok(trace.inputs.length > 0);
    assert.ok(trace.inputs.every(([step, index, value]) => step >= 1 && step <= FRAMES && index >= 0 && index < 784 && value === 1));
  }
});

test('float model text report', () => {
  const { status, stdout, stderr } = runEval([modelPath, '--limit', '40', '--quiet']);
  assert.equal(status, 0, stderr);
  assert.match(stdout, /^at theta 0\.95 +accuracy at spike [\d.]+ %, mean t_sp [\d.]+ of 10/m);
  assert.match(stdout, /^t_sp histogram/m);
  assert.match(stdout, /^EOS at step T +accuracy [\d.]+ %/m);
  assert.match(stdout, /^theta sweep/m);
  assert.match(stdout, /^ {2}0\.999 /m);
});

test('compiled folder with reference', () => {
  const { status, stdout, stderr } = runEval([compiledFolder, '--task', 'temporal-mnist', '--limit', String(LIMIT), '--reference', '--examples', '3', '--json']);
  assert.equal(status, 0, stderr);
  const result = JSON.parse(stdout) as CompiledEvalResult;
  assert.equal(result.kind, 'compiled');
  assert.equal(result.reference?.matches, LIMIT);
  assert.equal(result.reference?.classAgreement, 1);
  assert.equal(result.summary.framesComputed + result.framesNeverComputed, LIMIT * FRAMES);
  assert.equal(result.summary.framesComputed, Math.round(result.summary.meanSpikeStep * LIMIT));
  assert.ok(result.framesNeverComputed > 0, 'early exit skipped no frame');
  assert.ok(result.framesPerSecond > 0);
  assert.equal(result.examples.length, 3);
  for (const trace of result.examples) {
    // The runtime computes frames up to the spike only, and the trace contains what it computed.
    assert.equal(trace.topProbability.length, trace.spikeStep);
    assert.ok(trace.inputs.every(([step]) => step <= trace.spikeStep));
  }
});

test('two-sequence task with a sigmoid model', async () => {
  const shape: RcModelShape = { inputSize: 1, lstmUnits: [8], denseUnits: [], classes: 2, output: 'sigmoid', recurrentActivation: 'sigmoid' };
  const labels = ['negative', 'positive'];
  const { path } = await writeRandomModel(join(dir, 'two'), { shape, frames: 12, task: 'two-sequence', labels, seed: 6, outputScale: 40 });
  const { status, stdout, stderr } = runEval([path, '--limit', '200', '--json']);
  assert.equal(status, 0, stderr);
  const result = JSON.parse(stdout) as FloatEvalResult;
  assert.deepEqual(result.data, { task: 'two-sequence', split: 'test', examples: 200, frames: 12, frameSize: 1 });
  assert.equal(result.model.output, 'sigmoid');
  assert.equal(result.model.layers, 'LSTM 1-8, Dense 1 sigmoid');
  assert.ok(result.summary.accuracyAtSpike >= 0);
  assert.ok(result.summary.accuracyAtSpike <= 1);
  assert.equal(result.sweep.length, 12, 'the default sweep and the model threshold 0.95, which it contains');
});

test('compiled folder qmodel versions', () => {
  const older = join(dir, 'wasm-version-2');
  cpSync(compiledFolder, older, { recursive: true });
  const qmodelPath = join(older, 'qmodel.json');
  const qmodel = JSON.parse(readFileSync(qmodelPath, 'utf8'));
  assert.equal(qmodel.version, 3);
  writeFileSync(qmodelPath, JSON.stringify({ ...qmodel, version: 2 }));
  const readable = runEval([older, '--task', 'temporal-mnist', '--limit', '20', '--reference', '--json']);
  assert.equal(readable.status, 0, readable.stderr);
  assert.equal((JSON.parse(readable.stdout) as CompiledEvalResult).reference?.matches, 20);

  writeFileSync(qmodelPath, JSON.stringify({ ...qmodel, version: 1 }));
  const rejected = runEval([older, '--task', 'temporal-mnist', '--limit', '20', '--reference']);
  assert.equal(rejected.status, 2, rejected.stderr);
  assert.match(rejected.stderr, /qmodel\.json has qmodel version 1, but this rc-eval reads versions 2 and 3; compile the folder again/);
});

test('invalid uses exit with status 2', () => {
  const cases: [string[], RegExp][] = [
    [[compiledFolder], /a compiled folder does not record its task; pass --task/],
    [[compiledFolder, '--task', 'temporal-mnist', '--theta-sweep', '0.5'], /--theta-sweep does not apply to a compiled folder/],
    [[modelPath, '--reference'], /--reference does not apply to a float model\.json/],
    [[modelPath, '--limit', '5', '--at-step', '11'], /invalid --at-step 11: the sequences have 10 frames/],
    [[join(dir, 'missing.json')], /model not found/],
    [[modelPath, '--run-length', '5'], /--run-length does not apply to the task temporal-mnist/],
    [[modelPath, '--theta', '1.5'], /Expected a threshold in \(0, 1\]/],
    [[modelPath, '--theta-sweep', '0.9:0.5:0.1'], /Expected a range start:stop:step/],
  ];
  for (const [args, message] of cases) {
    const { status, stderr } = runEval(args);
    assert.equal(status, 2, `${args.join(' ')}: ${stderr}`);
    assert.match(stderr, message, args.join(' '));
  }
});
