/** Reads the five weights of a loaded LSTM + Dense model, keyed like the fixture's weights. */
import { strict as assert } from 'node:assert';
import type { FloatModel } from '../../compiler/float-model.js';
import type { WeightKey } from './model-fixture.js';

export function loadedWeights(model: FloatModel): Record<WeightKey, Float32Array> {
  const [lstm, dense] = model.layers;
  assert.equal(model.layers.length, 2, 'the model has two layers');
  assert.ok(lstm.kind === 'lstm', 'the first layer is an LSTM');
  assert.ok(dense.kind === 'dense', 'the second layer is Dense');
  return {
    lstmKernel: lstm.kernel,
    recurrentKernel: lstm.recurrentKernel,
    lstmBias: lstm.bias,
    denseKernel: dense.kernel,
    denseBias: dense.bias,
  };
}
