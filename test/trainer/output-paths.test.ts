import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { UserError } from '../../common/errors.js';
import { setLogLevel } from '../../common/log.js';
import { selectBackend } from '../../trainer/backend.js';
import type { RcModelShape } from '../../trainer/model.js';
import type { TrainInput } from '../../trainer/options.js';
import { train } from '../../trainer/train.js';
import { writeRandomModel } from '../eval/models.js';

let dir: string;
let modelPath: string;

const SMALL_RUN: TrainInput = {
  task: 'sequence-spotting',
  trainCount: 128,
  validationCount: 32,
  testCount: 32,
  frames: 8,
  units: 4,
  epochs: 1,
  batchSize: 64,
  backend: 'wasm',
  progress: false,
};

before(async () => {
  setLogLevel('error');
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'rankcode-output-paths-'));
  const shape: RcModelShape = { inputSize: 784, lstmUnits: [4], denseUnits: [], classes: 10, output: 'softmax', recurrentActivation: 'sigmoid' };
  const labels = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  modelPath = (await writeRandomModel(join(dir, 'model'), { shape, frames: 10, task: 'temporal-mnist', labels, seed: 5, outputScale: 1 })).path;
});

after(() => rmSync(dir, { recursive: true, force: true }));

function run(bin: string, args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stderr: result.stderr };
}

function assertUserError(result: { status: number | null; stderr: string }, message: RegExp): void {
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, message);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'the CLI printed a stack trace');
}

function regularFile(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, 'not a folder\n');
  return path;
}

function folder(name: string): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  return path;
}

test('rc-train --out regular file', () => {
  const out = regularFile('train-out.txt');
  assertUserError(run('bin/rc-train.js', ['--out', out, '--quiet']), /--out .*train-out\.txt is an existing file, not a folder; pass a folder path, or remove the file\./);
});

test('main job --out regular file', () => {
  const out = regularFile('main-out.txt');
  assertUserError(run('dist/scripts/main-job.js', ['--out', out]), /--out .*main-out\.txt is an existing file, not a folder; pass a folder path, or remove the file\./);
});

test('rc-eval --out folder', () => {
  const out = folder('eval-out');
  assertUserError(run('bin/rc-eval.js', [modelPath, '--limit', '4', '--out', out]), /--out .*eval-out is a folder, not a file; pass the path of a file to write, such as .*eval-out\/result\.json\./);
});

test('rc-report --out folder', () => {
  const out = folder('report-out');
  assertUserError(run('bin/rc-report.js', [join(dir, 'model'), '--out', out]), /--out .*report-out is a folder, not a file; pass the path of a file to write/);
});

test('rc-eval invalid model.wasm', () => {
  const compiled = join(dir, 'wasm');
  const compile = run('bin/rc-compile.js', [modelPath, '--target', 'wasm', '--out', compiled, '--quiet']);
  assert.equal(compile.status, 0, compile.stderr);
  const broken = join(dir, 'wasm-broken');
  cpSync(compiled, broken, { recursive: true });
  writeFileSync(join(broken, 'model.wasm'), 'garbage, not WebAssembly');
  assertUserError(
    run('bin/rc-eval.js', [broken, '--task', 'temporal-mnist', '--limit', '4']),
    /model\.wasm in .*wasm-broken is not a valid WebAssembly module \(.*\); rerun rc-compile/,
  );
});

test('rc-eval --reference mismatch exits 1', () => {
  const compiled = join(dir, 'wasm-reference');
  const compile = run('bin/rc-compile.js', [modelPath, '--target', 'wasm', '--out', compiled, '--quiet']);
  assert.equal(compile.status, 0, compile.stderr);
  const agreeing = run('bin/rc-eval.js', [compiled, '--task', 'temporal-mnist', '--limit', '8', '--reference']);
  assert.equal(agreeing.status, 0, agreeing.stderr);

  // Biases that favour class 7 change the reference simulator's output but not model.wasm's.
  const qmodelPath = join(compiled, 'qmodel.json');
  const qmodel = JSON.parse(readFileSync(qmodelPath, 'utf8'));
  const output = qmodel.layers[qmodel.layers.length - 1];
  output.bias = output.bias.map((_: number, k: number) => (k === 7 ? 100000 : 5000 * k));
  writeFileSync(qmodelPath, JSON.stringify(qmodel));
  const differing = run('bin/rc-eval.js', [compiled, '--task', 'temporal-mnist', '--limit', '8', '--reference']);
  assert.equal(differing.status, 1, differing.stderr);
  assert.match(differing.stderr, /error: 8 of 8 examples differ from the integer reference simulator of .*wasm-reference\/qmodel\.json; the compiled runtime does not match its qmodel\.json, so compile the folder again with rc-compile\./);
});

test('rc-train rejects earlier checkpoint', async () => {
  const out = folder('train-checkpoint');
  writeFileSync(join(out, 'checkpoint.bin'), 'earlier run');
  await assert.rejects(train({ ...SMALL_RUN, outDir: out }), (error: unknown) => {
    assert.ok(error instanceof UserError);
    assert.match(error.message, /output folder .*train-checkpoint already contains checkpoint\.bin; pass --force to replace them, --resume to continue that run, or choose another --out\./);
    return true;
  });
});

test('rc-train model.json needs force', async () => {
  const out = join(dir, 'train-twice');
  await train({ ...SMALL_RUN, outDir: out });
  assert.ok(existsSync(join(out, 'model.json')));

  await assert.rejects(train({ ...SMALL_RUN, outDir: out }), (error: unknown) => {
    assert.ok(error instanceof UserError);
    assert.match(error.message, /output folder .*train-twice already contains model\.json and checkpoint\.bin; pass --force to replace them/);
    return true;
  });
  const forced = await train({ ...SMALL_RUN, outDir: out, force: true });
  assert.equal(forced.model.modelPath, join(out, 'model.json'));
});

test('rc-train CLI refuses model.json', () => {
  const out = folder('train-cli');
  writeFileSync(join(out, 'model.json'), '{}');
  assertUserError(run('bin/rc-train.js', ['--out', out, '--quiet']), /output folder .*train-cli already contains model\.json; pass --force to replace them/);
});
