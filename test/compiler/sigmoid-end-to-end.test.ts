/**
 * End to end with a sigmoid output. rc-train trains a small two-sequence model
 * (one sigmoid output unit, the rc-train default for the task) for one epoch on
 * the wasm backend. rc-compile --check measures it and emits the wasm and C
 * targets. Both compiled models must equal the integer reference simulator of
 * qmodel.json on every computed frame: logits, spike, class, step and confidence.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import type { QModel } from '../../compiler/qmodel.js';
import { PACKAGE_ROOT } from '../../compiler/render.js';
import { ReferenceSimulator, type StepResult, quantizeInput } from '../../compiler/simulator.js';
import { loadTaskData } from '../../trainer/data/tasks.js';

const FRAMES = 40;
const SEQUENCES = 40;
const work = mkdtempSync(join(tmpdir(), 'rankcode-sigmoid-e2e-'));
after(() => rmSync(work, { recursive: true, force: true }));

function runBin(bin: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', bin), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function hasCommand(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Writes the test split of two-sequence in the --data format of rc-compile and returns its path and real frames. */
function writeCheckData(): { path: string; sequences: number[][][] } {
  const data = loadTaskData('two-sequence', { seed: 5, frames: FRAMES, trainCount: 1, validationCount: 0, testCount: SEQUENCES }).test;
  const sequences: number[][][] = [];
  const labelled = [];
  for (let example = 0; example < data.count; example++) {
    const frames: number[][] = [];
    for (let step = 0; step < data.frames; step++) {
      const values = new Float32Array(data.frameSize);
      data.writeFrame(example, step, values, 0);
      frames.push(Array.from(values));
    }
    sequences.push(frames);
    labelled.push({ frames, label: data.labels[example] });
  }
  const path = join(work, 'check.json');
  writeFileSync(path, JSON.stringify({ sequences: labelled }));
  return { path, sequences };
}

interface ReferenceRun {
  result: StepResult;
  logits: number[][];
}

function runReference(qmodel: QModel, frames: number[][]): ReferenceRun {
  const simulator = new ReferenceSimulator(qmodel);
  const logits: number[][] = [];
  let result: StepResult = { spiked: false, classIndex: 0, step: 0, confidence: 0 };
  for (const frame of frames) {
    result = simulator.step(frame);
    logits.push(Array.from(simulator.logits));
    if (result.spiked) break;
  }
  return { result, logits };
}

interface WasmModel {
  readonly framesComputed: number;
  readonly logits: Int32Array;
  reset(): void;
  step(frame: Int8Array): StepResult;
}

describe('sigmoid output end to end', () => {
  const modelFolder = join(work, 'model');
  const outFolder = join(work, 'out');
  const check = writeCheckData();
  let qmodel: QModel;
  let intFrames: number[][][];
  let reference: ReferenceRun[];

  it('rc-train exports one sigmoid output unit', () => {
    const args = ['--task', 'two-sequence', '--units', '8', '--epochs', '1', '--train-count', '400', '--validation-count', '100', '--test-count', '100'];
    const result = runBin('rc-train.js', [...args, '--batch', '50', '--lr', '0.01', '--theta', '0.55', '--backend', 'wasm', '--quiet', '--out', modelFolder]);
    assert.equal(result.status, 0, result.stderr);
    const modelJson = JSON.parse(readFileSync(join(modelFolder, 'model.json'), 'utf8'));
    const layers = modelJson.modelTopology.config.layers;
    assert.equal(layers[layers.length - 1].config.activation, 'sigmoid');
    assert.equal(layers[layers.length - 1].config.units, 1);
  });

  it('rc-compile checks the model and emits wasm and C', () => {
    const args = [join(modelFolder, 'model.json'), '--check', check.path, '--min-agreement', '0', '--json'];
    const result = runBin('rc-compile.js', [...args, '--target', 'wasm,c', '--out', outFolder, '--prefix', 'golden', '--quiet']);
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.model.output, 'sigmoid');
    assert.equal(report.model.classes, 2);
    assert.equal(report.agreement.sequences, SEQUENCES);
    for (const figure of ['floatAccuracy', 'integerAccuracy', 'stepAgreement', 'agreement', 'largestLogitError']) {
      assert.equal(typeof report.agreement[figure], 'number', figure);
    }
    assert.ok(report.agreement.largestLogitError < 0.1, `largest logit error ${report.agreement.largestLogitError}`);

    qmodel = JSON.parse(readFileSync(join(outFolder, 'wasm', 'qmodel.json'), 'utf8')) as QModel;
    assert.deepEqual(JSON.parse(readFileSync(join(outFolder, 'c', 'qmodel.json'), 'utf8')), qmodel, 'both targets compile the same qmodel');
    intFrames = check.sequences.map((frames) => frames.map((frame) => frame.map((value) => quantizeInput(value, qmodel.inputScale))));
    reference = intFrames.map((frames) => runReference(qmodel, frames));
    assert.ok(reference.some((run) => run.result.spiked && run.result.step < FRAMES), 'some sequence spikes before its last frame');
  });

  it('the wasm target equals the reference', async () => {
    const loader = (await import(pathToFileURL(join(outFolder, 'wasm', 'model.js')).href)) as {
      modelInfo: { classCount: number; logitCount: number; output: string };
      createModel(bytes: Uint8Array): Promise<WasmModel>;
    };
    assert.deepEqual([loader.modelInfo.classCount, loader.modelInfo.logitCount, loader.modelInfo.output], [2, 1, 'sigmoid']);
    const model = await loader.createModel(readFileSync(join(outFolder, 'wasm', 'model.wasm')));
    intFrames.forEach((frames, index) => {
      model.reset();
      let result: StepResult = { spiked: false, classIndex: 0, step: 0, confidence: 0 };
      const logits: number[][] = [];
      for (const frame of frames) {
        result = model.step(Int8Array.from(frame));
        logits.push(Array.from(model.logits));
        if (result.spiked) break;
      }
      const { spiked, classIndex, step, confidence } = result;
      assert.deepEqual({ spiked, classIndex, step, confidence }, reference[index].result, `sequence ${index}: result`);
      assert.deepEqual(logits, reference[index].logits, `sequence ${index}: logits`);
      assert.equal(model.framesComputed, reference[index].result.step, `sequence ${index}: frames computed`);
    });
  });

  it('rc-eval runs the compiled folder against the reference', () => {
    const args = [join(outFolder, 'wasm'), '--task', 'two-sequence', '--limit', '60', '--reference', '--json', '--quiet'];
    const result = runBin('rc-eval.js', args);
    assert.equal(result.status, 0, result.stderr);
    const evaluation = JSON.parse(result.stdout);
    assert.equal(evaluation.kind, 'compiled');
    assert.deepEqual(evaluation.model.labels, ['negative', 'positive']);
    assert.equal(evaluation.reference.matches, 60);
    assert.equal(evaluation.reference.classAgreement, 1);
    assert.equal(evaluation.reference.stepAgreement, 1);
    assert.ok(evaluation.summary.accuracyAtSpike > 0.5, `accuracy ${evaluation.summary.accuracyAtSpike}`);
  });

  it('the C target equals the reference', { skip: hasCommand('gcc') ? false : 'gcc not found on PATH' }, () => {
    const folder = join(outFolder, 'c');
    const binary = join(folder, 'harness');
    const sources = ['golden_model.c', 'rc_runtime.c', 'rc_layers.c', 'rc_lstm.c', 'rc_gru.c'].map((name) => join(folder, name));
    const harness = join(PACKAGE_ROOT, 'test', 'conformance', 'harness', 'harness.c');
    const compile = spawnSync('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-O2', `-I${folder}`, harness, ...sources, '-o', binary], { encoding: 'utf8' });
    assert.equal(compile.status, 0, compile.stderr);
    intFrames.forEach((frames, index) => {
      const input = `${frames.length} ${frames[0].length}\n${frames.map((frame) => frame.join(' ')).join('\n')}\n`;
      const run = spawnSync(binary, [], { input, encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const lines = run.stdout.trim().split('\n').map((line) => line.split(' '));
      const logits = lines.filter(([label]) => label === 'frame').map((fields) => fields.slice(2).map(Number));
      const stream = lines.find(([label]) => label === 'stream')!.slice(1).map(Number);
      const { spiked, classIndex, step, confidence } = reference[index].result;
      assert.deepEqual(logits, reference[index].logits, `sequence ${index}: logits`);
      assert.deepEqual(stream, [Number(spiked), classIndex, step, confidence, step], `sequence ${index}: streamed result`);
    });
  });
});
