/**
 * The LSTM cell over a sequence longer than its range. A unit whose gates are
 * exactly 1.0 (hard sigmoid) grows its Q16.15 cell by about 1.0 per frame and
 * saturates at INT32_MAX after 65538 frames. One frame later an input drives
 * the forget gate to 0 and the cell restarts. The C and wasm runtimes
 * must give the reference's logits at every one of the 70003 frames.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setLogLevel } from '../../common/log.js';
import { emitTargets } from '../../compiler/emit.js';
import { spikeBoundFor } from '../../compiler/fixed-point.js';
import type { QModel } from '../../compiler/qmodel.js';
import { PACKAGE_ROOT } from '../../compiler/render.js';
import { buildReport } from '../../compiler/report.js';
import { ReferenceSimulator } from '../../compiler/simulator.js';
import { emitModel, removeTemporaryFolders } from '../runtime-as/wasm-harness.js';

setLogLevel('warn');
const workFolder = mkdtempSync(join(tmpdir(), 'rankcode-long-sequence-'));
after(() => {
  rmSync(workFolder, { recursive: true, force: true });
  removeTemporaryFolders();
});

const SATURATING_FRAMES = 70000;

/** Gates i, f, o at 3.0 and the candidate at 8.0 with zero inputs; an input of 127 lowers the forget gate to -3.0. */
const MODEL: QModel = {
  format: 'rankcode-qmodel',
  version: 2,
  name: 'long sequence',
  sourceHash: '0'.repeat(64),
  inputSize: 1,
  frames: 0,
  inputScale: 1 / 127,
  threshold: 0.99,
  spikeBound: spikeBoundFor(0.99),
  labels: ['a', 'b'],
  layers: [
    {
      kind: 'lstm',
      name: 'lstm',
      inputSize: 1,
      units: 1,
      weightBits: 8,
      kernel: [0, -127, 0, 0],
      kernelRequant: { mult: [0, 24965, 0, 0], shift: [1, 14, 1, 1] },
      recurrentKernel: [0, 0, 0, 0],
      recurrentRequant: { mult: [0, 0, 0, 0], shift: [1, 1, 1, 1] },
      bias: [12288, 12288, 32767, 12288],
      recurrentActivation: 'hard_sigmoid_keras2',
    },
    {
      kind: 'dense',
      name: 'dense',
      inputSize: 1,
      units: 2,
      weightBits: 8,
      kernel: [127, -127],
      // About 0.5 per unit of h, so the two logits never reach the 0.99 threshold.
      requant: { mult: [16384, 16384], shift: [25, 25] },
      bias: [0, 0],
      activation: 'softmax',
      outputFracBits: 12,
    },
  ],
};

const FRAMES: number[][] = [...Array.from({ length: SATURATING_FRAMES }, () => [0]), [127], [0], [0], [0]];

function referenceLogits(): number[][] {
  const simulator = new ReferenceSimulator(MODEL);
  simulator.reset();
  return FRAMES.map((frame) => {
    const result = simulator.step(frame);
    assert.equal(result.spiked, false, 'the model never spikes');
    return Array.from(simulator.logits);
  });
}

describe('LSTM cell saturation over 70003 frames', () => {
  const expected = referenceLogits();

  it('reference saturates and recovers', () => {
    assert.notDeepEqual(expected[SATURATING_FRAMES], expected[SATURATING_FRAMES - 1], 'the forget frame changes the logits');
    assert.deepEqual(expected[SATURATING_FRAMES - 1], expected[100], 'the logits are constant while the cell is beyond 8.0');
  });

  it('C runtime matches at every frame', { skip: spawnSync('gcc', ['--version']).status === 0 ? false : 'gcc not found on PATH' }, async () => {
    const folder = join(workFolder, 'c');
    await emitTargets(MODEL, buildReport(MODEL), { targets: ['c'], outDir: folder, force: false, prefix: 'golden' });
    const binary = join(folder, 'harness');
    const sources = ['golden_model.c', 'rc_runtime.c', 'rc_layers.c', 'rc_lstm.c', 'rc_gru.c'].map((name) => join(folder, name));
    const harness = join(PACKAGE_ROOT, 'test', 'conformance', 'harness', 'harness.c');
    const compile = spawnSync('gcc', ['-std=c99', '-O2', '-Wall', '-Werror', `-I${folder}`, harness, ...sources, '-o', binary], { encoding: 'utf8' });
    assert.equal(compile.status, 0, compile.stderr);
    const input = `${FRAMES.length} 1\n${FRAMES.map((frame) => frame[0]).join('\n')}\n`;
    const run = spawnSync(binary, [], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(run.status, 0, run.stderr);
    const logits = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('frame '))
      .map((line) => line.split(' ').slice(2).map(Number));
    assert.equal(logits.length, FRAMES.length);
    for (let t = 0; t < FRAMES.length; t++) assert.deepEqual(logits[t], expected[t], `frame ${t + 1}`);
  });

  for (const simd of [true, false]) {
    it(`wasm runtime (${simd ? 'SIMD' : 'scalar'}) matches at every frame`, async () => {
      const model = (await emitModel(MODEL, simd)).create();
      model.reset();
      for (let t = 0; t < FRAMES.length; t++) {
        model.step(Int8Array.from(FRAMES[t]));
        const logits = Array.from(model.logits);
        if (logits[0] !== expected[t][0] || logits[1] !== expected[t][1]) assert.deepEqual(logits, expected[t], `frame ${t + 1}`);
      }
      assert.equal(model.framesComputed, FRAMES.length);
    });
  }
});
