/**
 * Regenerates the fixtures of the report tests from real runs of the tools.
 * rc-train trains a small RC model and a small EOS model on temporal MNIST, and
 * rc-eval evaluates both. rc-compile compiles the RC model to wasm, and rc-eval
 * runs the compiled folder. The metrics, reports and evaluations are copied to
 * test/report/fixtures with their temporary paths replaced by "runs/". Then
 * Chromium takes the reference screenshot of the page, and reference.json
 * records the Chromium version that took it.
 *
 * Run from the repository root: npm run build && node dist/test/report/generate-fixtures.js
 * Training is seeded, but the figures depend on the TensorFlow.js backend, so a
 * new run may differ slightly. Commit the fixtures and the screenshot together.
 * With --screenshot-only, only the reference screenshot of the committed
 * fixtures is taken again, as after an intended change of the page.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium, screenshot } from './chromium.js';
import { FIXTURES, renderFixtureReport } from './fixture-report.js';

const COMMON_TRAINING = ['--units', '32', '--lr', '0.003', '--train-limit', '8000', '--validation-limit', '500', '--test-limit', '500', '--backend', 'wasm', '--quiet'];
const EVAL_LIMIT = '1000';

function run(bin: string, args: string[]): void {
  console.log(`node ${bin} ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [bin, ...args], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${bin} failed with status ${result.status}`);
}

/** Copies a JSON or JSONL file with the temporary folder replaced by "runs". */
function copyWithoutTemporaryPaths(from: string, to: string, temporary: string): void {
  writeFileSync(to, readFileSync(from, 'utf8').split(temporary).join('runs'));
}

/** Trains, compiles and evaluates in `work`, then copies the fixtures. */
function generateFixtures(work: string): void {
  run('bin/rc-train.js', [...COMMON_TRAINING, '--mode', 'rc', '--epochs', '5', '--out', join(work, 'rc-lstm32')]);
  run('bin/rc-train.js', [...COMMON_TRAINING, '--mode', 'eos', '--epochs', '3', '--out', join(work, 'eos-lstm32')]);
  run('bin/rc-compile.js', [join(work, 'rc-lstm32', 'model.json'), '--target', 'wasm', '--out', join(work, 'rc-lstm32-wasm'), '--quiet']);
  mkdirSync(join(FIXTURES, 'evals'), { recursive: true });
  for (const name of ['rc-lstm32', 'eos-lstm32']) {
    run('bin/rc-eval.js', [join(work, name), '--limit', EVAL_LIMIT, '--backend', 'wasm', '--quiet', '--out', join(work, `${name}.json`)]);
    // The folder is not named runs/, because .gitignore excludes every runs/ folder.
    const runFolder = join(FIXTURES, 'training', name);
    mkdirSync(runFolder, { recursive: true });
    copyWithoutTemporaryPaths(join(work, name, 'metrics.jsonl'), join(runFolder, 'metrics.jsonl'), work);
    copyWithoutTemporaryPaths(join(work, name, 'report.json'), join(runFolder, 'report.json'), work);
  }
  run('bin/rc-eval.js', [join(work, 'rc-lstm32-wasm'), '--task', 'temporal-mnist', '--limit', EVAL_LIMIT, '--reference', '--quiet', '--out', join(work, 'rc-lstm32-wasm.json')]);
  for (const name of ['rc-lstm32', 'eos-lstm32', 'rc-lstm32-wasm']) {
    copyWithoutTemporaryPaths(join(work, `${name}.json`), join(FIXTURES, 'evals', `${name}.json`), work);
  }
}

function writeReferenceScreenshot(work: string): void {
  const chromium = findChromium();
  if (chromium === undefined) {
    console.log('chromium is not installed, so the reference screenshot was not updated');
    return;
  }
  const page = join(work, 'report.html');
  writeFileSync(page, renderFixtureReport());
  screenshot(chromium, page, join(work, 'reference.png'));
  copyFileSync(join(work, 'reference.png'), join(FIXTURES, 'reference.png'));
  writeFileSync(join(FIXTURES, 'reference.json'), `${JSON.stringify({ chromium: chromium.version }, null, 2)}\n`);
  console.log(`wrote ${join(FIXTURES, 'reference.png')} with ${chromium.version}`);
}

const work = mkdtempSync(join(tmpdir(), 'rankcode-fixtures-'));
try {
  if (!process.argv.includes('--screenshot-only')) generateFixtures(work);
  writeReferenceScreenshot(work);
} finally {
  rmSync(work, { recursive: true, force: true });
}
