/**
 * rc-compile's evaluation data, run as a user runs it: the file format errors,
 * labels given as strings, --data warnings, --min-agreement without --check,
 * and the advice of a failed check whose disagreement input quantization explains.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../compiler/render.js';
import { GoldenRandom, randomNetwork } from '../golden/random-model.js';
import { writeModelFiles } from './model-files.js';

const root = mkdtempSync(join(tmpdir(), 'rankcode-cli-data-'));
after(() => rmSync(root, { recursive: true, force: true }));

// One sigmoid output and a wide input range, as rc-train exports a two-sequence model.
const narrowModel = randomNetwork({
  name: 'narrow_input',
  seed: 5,
  inputSize: 8,
  threshold: 0.9,
  inputMin: -0.93,
  inputMax: 1.14,
  layers: [
    { kind: 'lstm', units: 8, kernelStd: 8, recurrentStd: 1, biasStd: 0.1 },
    { kind: 'dense', units: 1, activation: 'sigmoid', std: 3, biasStd: 0.1 },
  ],
});
const narrowPath = writeModelFiles(join(root, 'narrow'), narrowModel);

function writeSequences(name: string, scale: number, count: number, label: (k: number) => unknown): string {
  const random = new GoldenRandom(7);
  const sequences = Array.from({ length: count }, (_, k) => ({
    frames: Array.from({ length: 12 }, () => Array.from({ length: 8 }, () => scale * (2 * random.nextFloat() - 1))),
    label: label(k),
  }));
  const path = join(root, name);
  writeFileSync(path, JSON.stringify({ sequences }));
  return path;
}

// The signal spans +-0.05, a few steps of the int8 input grid (about 0.009).
const smallSignal = writeSequences('small-signal.json', 0.05, 80, (k) => k % 2);

function rcCompile(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'rc-compile.js'), ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('rc-compile evaluation data errors', () => {
  it('missing file is not found', () => {
    const path = join(root, 'absent.json');
    const result = rcCompile(narrowPath, '--check', path);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /evaluation data not found: \S+absent\.json/);
    assert.doesNotMatch(result.stderr, /ENOENT/);
  });

  it('jsonl file names the expected format', () => {
    const path = join(root, 'clips.jsonl');
    writeFileSync(path, '{"frames": [[0]], "label": 0}\n{"frames": [[1]], "label": 1}\n');
    const result = rcCompile(narrowPath, '--check', path);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /could not be read as JSON/);
    assert.match(result.stderr, /expected one JSON object \{"sequences": \[\{"frames": \[\[\.\.\.\], \.\.\.\], "label": 0\}, \.\.\.\]\}/);
    assert.match(result.stderr, /docs\/NETWORKS\.md/);
    assert.match(result.stderr, /\.jsonl, \.csv and \.npy files of rc-train --data are not read here/);
  });

  it('empty sequences list is empty', () => {
    const path = join(root, 'empty.json');
    writeFileSync(path, '{"sequences": []}');
    const result = rcCompile(narrowPath, '--check', path);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /has an empty "sequences" list/);
    assert.doesNotMatch(result.stderr, /has no "sequences" list/);
  });

  it('label strings of model.json', () => {
    const path = writeSequences('string-labels.json', 0.05, 10, (k) => narrowModel.settings.labels[k % 2]);
    const result = rcCompile(narrowPath, '--check', path, '--min-agreement', '0', '--json');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).agreement.sequences, 10);
  });

  it('unknown label names the labels', () => {
    const path = writeSequences('bad-label.json', 0.05, 4, () => 'c');
    const result = rcCompile(narrowPath, '--check', path);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /has label "c"; expected a class index in 0\.\.1 or one of the labels of model\.json: "class 0", "class 1"\./);
  });
});

describe('rc-compile option checks', () => {
  it('--min-agreement needs --check', () => {
    const result = rcCompile(narrowPath, '--target', 'c', '--out', join(root, 'min-only'), '--min-agreement', '0.5');
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /--min-agreement needs --check <file>/);
  });

  it('--data warns on low agreement and saturation', () => {
    const wide = writeSequences('wide.json', 40, 20, (k) => k % 2);
    const result = rcCompile(narrowPath, '--target', 'c', '--out', join(root, 'data-out'), '--data', wide);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /^warn: \d+ of the 1920 input values of \S+wide\.json lie outside the model's input range .* saturate at \+-127/m);
    assert.match(result.stderr, /^warn: float and integer models agree on spike step and class in only [\d.]+ % of the sequences/m);
  });

  it('--data stays quiet at full agreement', () => {
    const result = rcCompile(narrowPath, '--target', 'c', '--out', join(root, 'data-quiet'), '--data', writeSequences('zero.json', 0, 4, () => 0));
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /^warn:/m);
  });
});

describe('rc-compile --check advice', () => {
  it('names input quantization as the cause', () => {
    const result = rcCompile(narrowPath, '--check', smallSignal);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /Input quantization alone explains (\d+) of the \1 disagreeing sequences/);
    assert.match(result.stderr, /The int8 input step is 0\.00898 for the input range \[-0\.93, 1\.14\], but the data reaches only \|x\| = 0\.0500\./);
    assert.match(result.stderr, /Narrow the model's input range in userDefinedMetadata\.rankcode\.input/);
    assert.doesNotMatch(result.stderr, /Try --weights int16/);
  });

  it('narrower input range passes the check', () => {
    const narrowed = writeModelFiles(join(root, 'narrowed'), { ...narrowModel, settings: { ...narrowModel.settings, inputMin: -0.05, inputMax: 0.05 } });
    const result = rcCompile(narrowed, '--check', smallSignal, '--json');
    assert.equal(result.status, 0, result.stderr);
    assert.ok(JSON.parse(result.stdout).agreement.agreement >= 0.98);
  });

  it('--calibrate without calibrated layers says so', () => {
    const result = rcCompile(narrowPath, '--check', smallSignal, '--min-agreement', '0', '--calibrate', smallSignal);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /--calibrate changes nothing: the model has no hidden Dense relu or linear layer/);
    assert.doesNotMatch(result.stderr, /calibrated on \d+ sequences/);
  });

  it('loaded line uses layer class names', () => {
    const result = rcCompile(narrowPath, '--check', smallSignal, '--min-agreement', '0');
    assert.match(result.stderr, /^loaded \S+: LSTM 8, Dense 1$/m);
  });
});

