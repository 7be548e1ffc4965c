/**
 * rc-compile --check, --min-agreement, --weights and --calibrate, run as a user
 * runs them, on a GRU model with a hidden Dense layer.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../compiler/render.js';
import { GoldenRandom, randomNetwork } from '../golden/random-model.js';
import { writeModelFiles } from './model-files.js';

const root = mkdtempSync(join(tmpdir(), 'rankcode-cli-check-'));
after(() => rmSync(root, { recursive: true, force: true }));

const model = randomNetwork({
  name: 'check_model',
  seed: 91,
  inputSize: 6,
  threshold: 0.9,
  inputMin: -1,
  inputMax: 1,
  layers: [
    { kind: 'gru', units: 8, resetAfter: true, kernelStd: 0.6, recurrentStd: 0.4, biasStd: 0.3 },
    { kind: 'dense', units: 6, activation: 'relu', std: 0.6, biasStd: 0.2 },
    { kind: 'dense', units: 3, activation: 'softmax', std: 2, biasStd: 0.2 },
  ],
});
const modelPath = writeModelFiles(join(root, 'model'), model);

function writeData(name: string, scale: number, count: number): string {
  const random = new GoldenRandom(92 + scale);
  const sequences = Array.from({ length: count }, (_, k) => ({
    frames: Array.from({ length: 12 }, () => Array.from({ length: 6 }, () => scale * (2 * random.nextFloat() - 1))),
    label: k % 3,
  }));
  const path = join(root, name);
  writeFileSync(path, JSON.stringify({ sequences }));
  return path;
}

const inRange = writeData('in-range.json', 1, 40);
// Values up to 40 times the input range: the integer inputs saturate at +-127, the float ones do not.
const outOfRange = writeData('out-of-range.json', 40, 40);

function rcCompile(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'rc-compile.js'), ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('rc-compile --check', () => {
  it('passes and reports both models without writing targets', () => {
    const result = rcCompile(modelPath, '--check', inRange, '--min-agreement', '0.5', '--json');
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.agreement.sequences, 40);
    for (const figure of ['floatAccuracy', 'integerAccuracy', 'agreement', 'largestLogitError']) {
      assert.equal(typeof report.agreement[figure], 'number', figure);
    }
    assert.ok(report.agreement.agreement >= 0.5, `agreement ${report.agreement.agreement}`);
    assert.ok(report.agreement.largestLogitError < 0.5, `largest logit error ${report.agreement.largestLogitError}`);
  });

  it('fails with status 1 below --min-agreement and names the figure', () => {
    const measured = JSON.parse(rcCompile(modelPath, '--check', outOfRange, '--min-agreement', '0', '--json').stdout);
    assert.ok(measured.agreement.agreement < 1, `out-of-range data should make the models disagree (agreement ${measured.agreement.agreement})`);
    const out = join(root, 'not-written');
    const result = rcCompile(modelPath, '--check', outOfRange, '--min-agreement', '1', '--target', 'c', '--out', out);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /^error: check failed: float and integer models agree on spike step and class in [\d.]+ % of the 40 sequences .* below --min-agreement 100.00 %/m);
    assert.match(result.stderr, /\d+ of the 2880 input values of \S+out-of-range.json lie outside the model's input range \[-1, 1\]/);
    assert.match(result.stderr, /saturate at \+-127 when quantized to int8/);
    assert.match(result.stderr, /Scale the data into that range, or retrain or re-export the model with userDefinedMetadata.rankcode.input set to the range of the data/);
    assert.doesNotMatch(result.stderr, /--weights int16|--calibrate/, 'no advice that cannot help');
    assert.equal(measured.agreement.inputValues, 2880);
    assert.ok(measured.agreement.saturatedInputs > 0, `saturated inputs ${measured.agreement.saturatedInputs}`);
    assert.match(result.stdout, /^agreement +class/m, 'the report is printed');
    assert.ok(!existsSync(out), 'no target is written after a failed check');
  });

  it('suggests int16 without saturation', () => {
    const report = JSON.parse(rcCompile(modelPath, '--check', inRange, '--min-agreement', '0', '--json').stdout);
    assert.equal(report.agreement.saturatedInputs, 0);
    assert.ok(report.agreement.agreement < 1, `the in-range data should leave a disagreement (agreement ${report.agreement.agreement})`);
    const result = rcCompile(modelPath, '--check', inRange, '--min-agreement', '1');
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /Input quantization alone explains \d+ of the \d+ disagreeing sequences/);
    assert.match(result.stderr, /Try --weights int16 or --calibrate, or retrain the model\./);
    assert.doesNotMatch(result.stderr, /saturate/);
  });

  it('rejects a bad --min-agreement and a missing target', () => {
    const bad = rcCompile(modelPath, '--check', inRange, '--min-agreement', '1.5');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--min-agreement is "1.5"; expected a number from 0 to 1/);
    const none = rcCompile(modelPath);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /pass --target and --out to compile, or --check <file>/);
  });
});

describe('rc-compile formats', () => {
  it('--weights int16 stores int16 weights', () => {
    const out = join(root, 'int16');
    const result = rcCompile(modelPath, '--target', 'c', '--out', out, '--weights', 'int16', '--check', inRange, '--min-agreement', '0.9');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^weights +int16 per row, int64 accumulators$/m);
    const qmodel = JSON.parse(readFileSync(join(out, 'qmodel.json'), 'utf8'));
    assert.deepEqual(qmodel.layers.map((layer: { weightBits: number }) => layer.weightBits), [16, 16, 16]);
    assert.match(readFileSync(join(out, 'check_model_model.c'), 'utf8'), /static const int16_t check_model_layer0_kernel\[/);
  });

  it('--calibrate picks the hidden Dense format from the data', () => {
    const safe = JSON.parse(rcCompile(modelPath, '--check', inRange, '--min-agreement', '0', '--json').stdout);
    const calibrated = JSON.parse(rcCompile(modelPath, '--check', inRange, '--min-agreement', '0', '--json', '--calibrate', inRange).stdout);
    const format = (report: { model: { layers: { outputFormat: string }[] } }) => report.model.layers[1].outputFormat;
    const fracBits = (text: string) => Number(/Q\d+\.(\d+)/.exec(text)![1]);
    // The calibrated range is at most the safe bound, so it keeps at least as many fractional bits.
    assert.ok(fracBits(format(calibrated)) > fracBits(format(safe)), `${format(calibrated)} versus ${format(safe)}`);
    assert.ok(calibrated.agreement.largestLogitError <= safe.agreement.largestLogitError * 1.5);
  });

  it('rejects an unknown --weights width', () => {
    const result = rcCompile(modelPath, '--target', 'c', '--out', join(root, 'bad'), '--weights', 'int4');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /Allowed choices are int8, int16/);
  });
});
