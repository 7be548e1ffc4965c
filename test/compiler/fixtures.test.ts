/**
 * The float path against TensorFlow.js: every model of test/fixtures loads,
 * and floatProbabilities equals the stored per-frame probabilities (tfjs-layers
 * predict, or tfjs-core ops where tfjs-layers cannot compute the model) within
 * 1e-5. tfjs computes in float32 and the float model in float64; over 12
 * frames their difference stays below 1e-6 here, and 1e-5 leaves room for
 * other float32 kernels. The integer path of the same models is in the golden
 * files (test/golden/networks/fixture-*.json) and the conformance tests.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setLogLevel } from '../../common/log.js';
import { type FloatLayer, type FloatModel, floatProbabilities } from '../../compiler/float-model.js';
import { loadModel } from '../../compiler/loader.js';
import { PACKAGE_ROOT } from '../../compiler/render.js';
import type { FixtureExpectation } from '../fixtures/fixture-models.js';

setLogLevel('error');
const FIXTURE_FOLDER = join(PACKAGE_ROOT, 'test', 'fixtures');
const TOLERANCE = 1e-5;

function fixtureNames(): string[] {
  return readdirSync(FIXTURE_FOLDER, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

function readExpected(name: string): FixtureExpectation {
  return JSON.parse(readFileSync(join(FIXTURE_FOLDER, name, 'expected.json'), 'utf8')) as FixtureExpectation;
}

/** Largest |p_float - p_expected| over every class of every frame of every sequence. */
function largestDifference(model: FloatModel, expected: FixtureExpectation): number {
  let largest = 0;
  expected.inputs.forEach((frames, sequence) => {
    const actual = floatProbabilities(model, frames);
    actual.forEach((probabilities, t) => {
      probabilities.forEach((p, c) => {
        largest = Math.max(largest, Math.abs(p - expected.probabilities[sequence][t][c]));
      });
    });
  });
  return largest;
}

function withLayer(model: FloatModel, index: number, change: (layer: FloatLayer) => FloatLayer): FloatModel {
  return { ...model, layers: model.layers.map((layer, k) => (k === index ? change(layer) : layer)) };
}

describe('fixtures against TensorFlow.js', () => {
  const names = fixtureNames();

  it('cover every layer kind and layout', () => {
    for (const name of ['lstm-sigmoid', 'lstm-hard-sigmoid', 'stacked-lstm', 'gru-reset-before', 'gru-reset-after', 'keras2-functional', 'keras3-sequential', 'keras3-functional-gru', 'quantized-uint8', 'lstm-sigmoid-binary', 'lstm-dense-sigmoid', 'gru-sigmoid-per-class']) {
      assert.ok(names.includes(name), `test/fixtures/${name} is missing; run npm run fixtures`);
    }
  });

  for (const name of names) {
    it(`${name}: float model matches per frame`, () => {
      const expected = readExpected(name);
      const model = loadModel(join(FIXTURE_FOLDER, name, 'model.json'));
      const difference = largestDifference(model, expected);
      assert.ok(difference < TOLERANCE, `${name}: largest probability difference ${difference} (source: ${expected.source})`);
    });
  }

  it('tell the two hard sigmoids apart', () => {
    const model = loadModel(join(FIXTURE_FOLDER, 'keras3-sequential', 'model.json'));
    assert.equal(model.layers[0].kind === 'lstm' && model.layers[0].recurrentActivation, 'hard_sigmoid_keras3');
    const asKeras2 = withLayer(model, 0, (layer) => ({ ...layer, recurrentActivation: 'hard_sigmoid_keras2' }) as FloatLayer);
    const difference = largestDifference(asKeras2, readExpected('keras3-sequential'));
    assert.ok(difference > 1e-3, `the Keras 2 hard sigmoid should not reproduce Keras 3 predictions (difference ${difference})`);
  });

  it('tell the two GRU forms apart', () => {
    const model = loadModel(join(FIXTURE_FOLDER, 'gru-reset-after', 'model.json'));
    const gru = model.layers[0];
    assert.equal(gru.kind, 'gru');
    assert.equal(gru.kind === 'gru' && gru.resetAfter, true);
    const before = withLayer(model, 0, (layer) => ({ ...layer, resetAfter: false }) as FloatLayer);
    const difference = largestDifference(before, readExpected('gru-reset-after'));
    assert.ok(difference > 1e-3, `reset_after false should not reproduce reset_after true predictions (difference ${difference})`);
  });
});
