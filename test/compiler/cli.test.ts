/** rc-compile as a user runs it: the bin script in a child process. */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../compiler/render.js';
import { GoldenRandom, randomFloatModel } from '../golden/random-model.js';
import { writeModelFiles } from './model-files.js';

const root = mkdtempSync(join(tmpdir(), 'rankcode-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

const model = randomFloatModel({
  name: 'cli_model',
  seed: 61,
  inputSize: 6,
  units: 4,
  classes: 3,
  kernelStd: 0.5,
  recurrentStd: 0.5,
  denseStd: 2,
  biasStd: 0.2,
  forgetBias: 1,
  threshold: 0.9,
  inputMin: 0,
  inputMax: 1,
});
const modelPath = writeModelFiles(join(root, 'model'), model);

function rcCompile(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'rc-compile.js'), ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('rc-compile', () => {
  it('compiles and prints the report', () => {
    const out = join(root, 'out-c');
    const result = rcCompile(modelPath, '--target', 'c', '--out', out);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^MACs per frame +172$/m);
    assert.match(result.stderr, /wrote 10 files for target c/);
    assert.ok(existsSync(join(out, 'cli_model_model.c')));
  });

  it('prints JSON with measured agreement', () => {
    const random = new GoldenRandom(62);
    const sequences = Array.from({ length: 6 }, (_, k) => ({
      frames: Array.from({ length: 5 }, () => Array.from({ length: 6 }, () => (random.nextFloat() < 0.5 ? 1 : 0))),
      label: k % 3,
    }));
    const dataPath = join(root, 'data.json');
    writeFileSync(dataPath, JSON.stringify({ sequences }));
    const result = rcCompile(modelPath, '--target', 'c', '--out', join(root, 'out-json'), '--json', '--data', dataPath, '--prefix', 'kws');
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.macsPerFrame, 172);
    assert.equal(report.agreement.sequences, 6);
    assert.ok(readdirSync(join(root, 'out-json')).includes('kws_model.h'));
  });

  it('exits 2 with the message of a bad model', () => {
    const badPath = writeModelFiles(join(root, 'bad'), model, {
      edit: (json) => (json.modelTopology.config.layers[0].config.recurrent_activation = 'relu'),
    });
    const result = rcCompile(badPath, '--target', 'c', '--out', join(root, 'out-bad'));
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^error: LSTM layer "lstm" uses recurrent activation "relu"/m);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(existsSync(join(root, 'out-bad')), false);
  });

  it('exits 2 for a non-empty output folder', () => {
    const out = join(root, 'out-twice');
    assert.equal(rcCompile(modelPath, '--target', 'c', '--out', out).status, 0);
    const again = rcCompile(modelPath, '--target', 'c', '--out', out);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /is not empty; pass --force/);
    assert.equal(rcCompile(modelPath, '--target', 'c', '--out', out, '--force').status, 0);
  });

  it('exits 2 for bad flags', () => {
    assert.equal(rcCompile(modelPath, '--out', join(root, 'x')).status, 2, 'missing --target');
    assert.equal(rcCompile(modelPath, '--target', 'c', '--out', join(root, 'y'), '--bogus').status, 2, 'unknown option');
    const unknown = rcCompile(modelPath, '--target', 'z80', '--out', join(root, 'z'));
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown target "z80"; available targets: c, wasm/);
  });
});
