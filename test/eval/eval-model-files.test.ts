import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setLogLevel } from '../../common/log.js';
import { selectBackend } from '../../trainer/backend.js';
import type { RcModelShape } from '../../trainer/model.js';
import { writeRandomModel } from './models.js';

let dir: string;
let goodFolder: string;

before(async () => {
  setLogLevel('warn');
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'rankcode-eval-files-'));
  goodFolder = join(dir, 'good');
  const shape: RcModelShape = { inputSize: 784, lstmUnits: [4], denseUnits: [], classes: 10, output: 'softmax', recurrentActivation: 'sigmoid' };
  const labels = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  await writeRandomModel(goodFolder, { shape, frames: 10, task: 'temporal-mnist', labels, seed: 3, outputScale: 1 });
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** Copies the good model into a new folder and lets `change` edit its model.json and folder. */
function brokenModel(name: string, change: (modelJson: any, folder: string) => void): string {
  const folder = join(dir, name);
  cpSync(goodFolder, folder, { recursive: true });
  const modelPath = join(folder, 'model.json');
  const modelJson = JSON.parse(readFileSync(modelPath, 'utf8'));
  change(modelJson, folder);
  writeFileSync(modelPath, JSON.stringify(modelJson));
  return modelPath;
}

function runEval(modelPath: string): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/rc-eval.js', modelPath, '--limit', '4'], { encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stderr: result.stderr };
}

function assertRejected(modelPath: string, message: RegExp): void {
  const { status, stderr } = runEval(modelPath);
  assert.equal(status, 2, stderr);
  assert.match(stderr, message);
  assert.doesNotMatch(stderr, /\n\s+at /, 'rc-eval printed a stack trace');
}

test('shard path with .. rejected', () => {
  const modelPath = brokenModel('dotdot', (modelJson, folder) => {
    mkdirSync(join(folder, '..', 'x'), { recursive: true });
    cpSync(join(folder, 'weights.bin'), join(folder, '..', 'x', 'weights.bin'));
    modelJson.weightsManifest[0].paths = ['../x/weights.bin'];
  });
  assertRejected(modelPath, /weight shard path "\.\.\/x\/weights\.bin" in weightsManifest contains "\.\." and so could leave the model folder/);
});

test('shard path to /etc/passwd rejected', () => {
  const modelPath = brokenModel('passwd', (modelJson) => {
    modelJson.weightsManifest[0].paths = ['../../../../etc/passwd'];
  });
  assertRejected(modelPath, /weight shard path "\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd" in weightsManifest contains "\.\."/);
});

test('shard symlink outside folder rejected', () => {
  const modelPath = brokenModel('symlink', (_modelJson, folder) => {
    const outside = join(dir, 'outside.bin');
    cpSync(join(folder, 'weights.bin'), outside);
    rmSync(join(folder, 'weights.bin'));
    symlinkSync(outside, join(folder, 'weights.bin'));
  });
  assertRejected(modelPath, /weight shard "weights\.bin" resolves to .*outside\.bin, outside the model folder/);
});

test('truncated shard rejected', () => {
  const modelPath = brokenModel('truncated', (_modelJson, folder) => {
    const bytes = readFileSync(join(folder, 'weights.bin'));
    writeFileSync(join(folder, 'weights.bin'), bytes.subarray(0, bytes.length - 8));
  });
  assertRejected(modelPath, /weightsManifest group 0 \(shards "weights\.bin"\) contains \d+ bytes but its manifest entries need \d+; the model has truncated or missing shards/);
});

test('extra manifest entry rejected', () => {
  const modelPath = brokenModel('extra', (modelJson, folder) => {
    modelJson.weightsManifest[0].weights.push({ name: 'unused/bias', shape: [2], dtype: 'float32' });
    const bytes = readFileSync(join(folder, 'weights.bin'));
    writeFileSync(join(folder, 'weights.bin'), Buffer.concat([bytes, Buffer.alloc(8)]));
  });
  assertRejected(modelPath, /weightsManifest lists "unused\/bias", which the model does not use/);
});

test('NaN weight rejected', () => {
  const modelPath = brokenModel('nan', (_modelJson, folder) => {
    const bytes = readFileSync(join(folder, 'weights.bin'));
    bytes.writeFloatLE(Number.NaN, 4);
    writeFileSync(join(folder, 'weights.bin'), bytes);
  });
  assertRejected(modelPath, /weight "lstm\/kernel" has the non-finite value NaN at index 1; retrain or re-export the model/);
});
