import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { UserError } from '../../common/errors.js';
import { DEFAULT_TRAIN_OPTIONS, resolveTrainOptions } from '../../trainer/options.js';

test('defaults pass validation', () => {
  assert.deepEqual(resolveTrainOptions({}), DEFAULT_TRAIN_OPTIONS);
  assert.equal(resolveTrainOptions({ units: undefined }).units, DEFAULT_TRAIN_OPTIONS.units);
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
    [['--lr', 'abc'], /argument 'abc' is invalid\. Expected a number/],
    [['--units', '-4'], /argument '-4' is invalid\. Expected a non-negative integer/],
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
