/**
 * The loader and the float forward pass against TensorFlow.js itself: a model
 * built and saved by tfjs-layers loads, and its per-step probabilities equal
 * model.predict up to float32 rounding.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { setLogLevel } from '../../common/log.js';
import { floatProbabilities } from '../../compiler/float-model.js';
import { loadModel } from '../../compiler/loader.js';
import { GoldenRandom } from '../golden/random-model.js';

setLogLevel('error');
const root = mkdtempSync(join(tmpdir(), 'rankcode-tfjs-'));
after(() => rmSync(root, { recursive: true, force: true }));

const FRAMES = 7;
const INPUTS = 5;

async function saveTfjsModel(folder: string): Promise<tfl.Sequential> {
  await tf.setBackend('cpu');
  const model = tfl.sequential({ name: 'tfjs_saved' });
  model.add(
    tfl.layers.lstm({
      units: 4,
      returnSequences: true,
      recurrentActivation: 'sigmoid',
      recurrentInitializer: 'glorotUniform',
      biasInitializer: 'randomNormal',
      batchInputShape: [null, FRAMES, INPUTS],
    }),
  );
  model.add(tfl.layers.dense({ units: 3, activation: 'softmax', biasInitializer: 'randomNormal' }));
  model.setUserDefinedMetadata({ rankcode: { version: 1, threshold: 0.9, labels: ['a', 'b', 'c'], frames: FRAMES } });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData as ArrayBuffer;
      writeFileSync(join(folder, 'weights.bin'), new Uint8Array(weightData));
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['./weights.bin'], weights: artifacts.weightSpecs }],
        userDefinedMetadata: artifacts.userDefinedMetadata,
      };
      writeFileSync(join(folder, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  return model;
}

describe('TensorFlow.js model', () => {
  it('loads and matches predict', async () => {
    const tfjsModel = await saveTfjsModel(root);
    const loaded = loadModel(join(root, 'model.json'));
    assert.equal(loaded.name, 'tfjs_saved');
    assert.deepEqual(loaded.settings.labels, ['a', 'b', 'c']);

    const random = new GoldenRandom(5);
    const frames = Array.from({ length: FRAMES }, () => Array.from({ length: INPUTS }, () => 2 * random.nextFloat() - 1));
    const expected = tf.tidy(() => (tfjsModel.predict(tf.tensor3d([frames])) as tf.Tensor).arraySync() as number[][][])[0];
    const actual = floatProbabilities(loaded, frames);
    for (let t = 0; t < FRAMES; t++) {
      for (let c = 0; c < 3; c++) {
        // tfjs computes in float32; 1e-5 covers its rounding over 7 steps.
        assert.ok(Math.abs(actual[t][c] - expected[t][c]) < 1e-5, `frame ${t} class ${c}: ${actual[t][c]} vs ${expected[t][c]}`);
      }
    }
    tfjsModel.dispose();
  });
});
