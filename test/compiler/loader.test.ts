import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { UserError } from '../../common/errors.js';
import { setLogLevel } from '../../common/log.js';
import type { FloatModel } from '../../compiler/float-model.js';
import { loadModel } from '../../compiler/loader.js';
import { randomFloatModel, denseOf, lstmOf } from '../golden/random-model.js';
import { type ModelFileOptions, defaultMetadata, writeModelFiles } from './model-files.js';

setLogLevel('error');
const root = mkdtempSync(join(tmpdir(), 'rankcode-loader-'));
after(() => rmSync(root, { recursive: true, force: true }));

const model: FloatModel = randomFloatModel({
  name: 'loader-test',
  seed: 7,
  inputSize: 6,
  units: 3,
  classes: 4,
  kernelStd: 0.5,
  recurrentStd: 0.5,
  denseStd: 1,
  biasStd: 0.2,
  forgetBias: 1,
  threshold: 0.9,
  inputMin: 0,
  inputMax: 1,
});

let folderCount = 0;
function write(options: ModelFileOptions = {}, source: FloatModel = model): string {
  return writeModelFiles(join(root, `model-${folderCount++}`), source, options);
}

function assertRejects(path: string, pattern: RegExp): void {
  assert.throws(
    () => loadModel(path),
    (error: unknown) => error instanceof UserError && pattern.test(error.message),
  );
}

function layer(json: Record<string, any>, index: number): Record<string, any> {
  return json.modelTopology.config.layers[index].config;
}

describe('loadModel', () => {
  it('reads weights and settings', () => {
    const loaded = loadModel(write());
    assert.equal(loaded.name, 'loader-test');
    assert.deepEqual(Array.from(lstmOf(loaded).kernel), Array.from(lstmOf(model).kernel));
    assert.deepEqual(Array.from(lstmOf(loaded).recurrentKernel), Array.from(lstmOf(model).recurrentKernel));
    assert.deepEqual(Array.from(denseOf(loaded).bias), Array.from(denseOf(model).bias));
    assert.equal(loaded.settings.threshold, 0.9);
    assert.deepEqual(loaded.settings.labels, model.settings.labels);
    assert.equal(loaded.settings.frames, 5);
    assert.equal(loaded.settings.inputMin, 0);
    assert.match(loaded.sourceHash, /^[0-9a-f]{64}$/);
  });

  it('accepts camelCase config keys', () => {
    const loaded = loadModel(write({ camelCase: true }));
    assert.equal(lstmOf(loaded).units, 3);
  });

  it('accepts the Keras converter layout', () => {
    const loaded = loadModel(write({ kerasLayout: true }));
    assert.deepEqual(Array.from(lstmOf(loaded).bias), Array.from(lstmOf(model).bias));
    assert.equal(lstmOf(loaded).inputSize, 6);
  });

  it('concatenates several shards', () => {
    const loaded = loadModel(write({ shards: 3 }));
    assert.deepEqual(Array.from(denseOf(loaded).kernel), Array.from(denseOf(model).kernel));
  });

  it('hashes model.json and shards', () => {
    const first = loadModel(write()).sourceHash;
    assert.equal(loadModel(write()).sourceHash, first, 'same files, same hash');
    const changed = { ...model, layers: [lstmOf(model), { ...denseOf(model), bias: denseOf(model).bias.map((b) => b + 1) }] };
    assert.notEqual(loadModel(write({}, changed)).sourceHash, first, 'other weights, other hash');
  });

  it('accepts Dropout and TimeDistributed(Dense)', () => {
    const path = write({
      edit: (json) => {
        const layers = json.modelTopology.config.layers;
        const dense = layers.pop();
        layers.push({ class_name: 'Dropout', config: { name: 'dropout', rate: 0.2 } });
        layers.push({ class_name: 'TimeDistributed', config: { name: 'time_distributed', layer: dense } });
        for (const weight of json.weightsManifest[0].weights) weight.name = weight.name.replace(/^dense\//, 'time_distributed/');
      },
    });
    const loaded = loadModel(path);
    assert.equal(denseOf(loaded).name, 'time_distributed');
    assert.deepEqual(Array.from(denseOf(loaded).kernel), Array.from(denseOf(model).kernel));
  });

  it('fills defaults without metadata', () => {
    const loaded = loadModel(write({ metadata: null }));
    assert.equal(loaded.settings.threshold, 0.95);
    assert.deepEqual(loaded.settings.labels, ['0', '1', '2', '3']);
    assert.deepEqual([loaded.settings.inputMin, loaded.settings.inputMax], [-1, 1]);
    assert.equal(loaded.settings.frames, 5, 'frames from the input shape');
  });

  it('treats a missing bias as zeros', () => {
    const path = write({
      edit: (json) => {
        layer(json, 1).use_bias = false;
        json.weightsManifest[0].weights.pop();
      },
    });
    // The shard still contains the dense bias bytes, so drop them from the file too.
    const shard = join(path, '..', 'group1-shard1of1.bin');
    const bytes = readFileSync(shard);
    writeFileSync(shard, bytes.subarray(0, bytes.length - 4 * denseOf(model).units));
    assert.deepEqual(Array.from(denseOf(loadModel(path)).bias), [0, 0, 0, 0]);
  });
});
