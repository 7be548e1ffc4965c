/**
 * parseTopology on every supported layout (tfjs-layers, Keras 2 and Keras 3
 * through tensorflowjs_converter, Sequential and Functional) and every
 * rejection, each with the words its message must contain.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { UserError } from '../../common/errors.js';
import { setLogLevel } from '../../common/log.js';
import { parseTopology } from '../../compiler/topology.js';
import { toKerasLayout } from '../support/keras-layouts.js';

setLogLevel('error');

type Json = Record<string, any>;

function lstm(name: string, units: number, extra: Json = {}): Json {
  return {
    class_name: 'LSTM',
    config: { name, units, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, return_sequences: true, dtype: 'float32', ...extra },
  };
}

function gru(name: string, units: number, resetAfter: boolean, extra: Json = {}): Json {
  return {
    class_name: 'GRU',
    config: { name, units, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, return_sequences: true, reset_after: resetAfter, ...extra },
  };
}

function dense(name: string, units: number, activation: string): Json {
  return { class_name: 'Dense', config: { name, units, activation, use_bias: true, dtype: 'float32' } };
}

/** Returns a topology as tfjs-layers saves it, with batch_input_shape [null, 7, 5] on the first layer. */
function tfjsTopology(layers: Json[], name = 'net'): Json {
  const copy = JSON.parse(JSON.stringify(layers)) as Json[];
  copy[0].config.batch_input_shape = [null, 7, 5];
  return { class_name: 'Sequential', config: { name, layers: copy }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' };
}

const STACK = [lstm('lstm_a', 6), { class_name: 'Dropout', config: { name: 'drop', rate: 0.2 } }, gru('gru_b', 4, true), dense('hidden', 8, 'relu'), dense('out', 3, 'softmax')];

function rejects(topology: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseTopology(topology),
    (error: unknown) => {
      assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('parseTopology layouts', () => {
  const expected = parseTopology(tfjsTopology(STACK));

  it('reads a tfjs-layers stack', () => {
    assert.equal(expected.modelName, 'net');
    assert.equal(expected.kerasVersion, 'tfjs-layers 4.22.0');
    assert.equal(expected.inputSize, 5);
    assert.equal(expected.frames, 7);
    assert.deepEqual(
      expected.layers.map((layer) => `${layer.kind} ${layer.name} ${layer.units}`),
      ['lstm lstm_a 6', 'gru gru_b 4', 'dense hidden 8', 'dense out 3'],
    );
    assert.deepEqual(expected.layers[1], { kind: 'gru', name: 'gru_b', units: 4, useBias: true, recurrentActivation: 'sigmoid', resetAfter: true });
    assert.deepEqual(expected.layers[2], { kind: 'dense', name: 'hidden', units: 8, useBias: true, activation: 'relu' });
  });

  for (const version of [2, 3] as const) {
    for (const form of ['sequential', 'functional'] as const) {
      it(`reads the Keras ${version} ${form} layout`, () => {
        const { modelTopology } = toKerasLayout(tfjsTopology(STACK), version, form);
        const parsed = parseTopology(modelTopology);
        assert.equal(parsed.kerasVersion, version === 2 ? '2.15.0' : '3.6.0');
        assert.deepEqual(parsed.layers, expected.layers);
        assert.equal(parsed.inputSize, 5);
        assert.equal(parsed.frames, 7);
      });
    }
  }

  it('reads a Keras 3 layout with the shape only in build_input_shape', () => {
    const { modelTopology } = toKerasLayout(tfjsTopology(STACK), 3, 'sequential');
    modelTopology.model_config.config.layers.shift();
    assert.equal(parseTopology(modelTopology).inputSize, 5);
  });

  it('takes hard_sigmoid as the source defines it', () => {
    const layers = [lstm('l', 2, { recurrent_activation: 'hard_sigmoid' }), dense('out', 2, 'softmax')];
    assert.equal((parseTopology(tfjsTopology(layers)).layers[0] as { recurrentActivation: string }).recurrentActivation, 'hard_sigmoid_keras2');
    const keras2 = toKerasLayout(tfjsTopology(layers), 2, 'sequential').modelTopology;
    assert.equal((parseTopology(keras2).layers[0] as { recurrentActivation: string }).recurrentActivation, 'hard_sigmoid_keras2');
    const keras3 = toKerasLayout(tfjsTopology(layers), 3, 'sequential').modelTopology;
    assert.equal((parseTopology(keras3).layers[0] as { recurrentActivation: string }).recurrentActivation, 'hard_sigmoid_keras3');
    const camel = tfjsTopology([lstm('l', 2, { recurrent_activation: 'hardSigmoid' }), dense('out', 2, 'softmax')]);
    assert.equal((parseTopology(camel).layers[0] as { recurrentActivation: string }).recurrentActivation, 'hard_sigmoid_keras2');
  });

  it('accepts sigmoid hidden and output layers', () => {
    const binary = parseTopology(tfjsTopology([lstm('l', 2), dense('hidden', 4, 'sigmoid'), dense('out', 1, 'sigmoid')]));
    assert.deepEqual(binary.layers[1], { kind: 'dense', name: 'hidden', units: 4, useBias: true, activation: 'sigmoid' });
    assert.deepEqual(binary.layers[2], { kind: 'dense', name: 'out', units: 1, useBias: true, activation: 'sigmoid' });
    const perClass = parseTopology(tfjsTopology([lstm('l', 2), dense('out', 3, 'sigmoid')]));
    assert.deepEqual(perClass.layers[1], { kind: 'dense', name: 'out', units: 3, useBias: true, activation: 'sigmoid' });
  });

  it('accepts TimeDistributed(Dense) in the head and a stateful layer', () => {
    const wrapped = { class_name: 'TimeDistributed', config: { name: 'td', layer: dense('inner', 4, 'linear') } };
    const parsed = parseTopology(tfjsTopology([lstm('l', 2, { stateful: true }), wrapped, dense('out', 2, 'softmax')]));
    assert.deepEqual(parsed.layers[1], { kind: 'dense', name: 'td', units: 4, useBias: true, activation: 'linear' });
  });
});

describe('parseTopology rejections', () => {
  const out = dense('out', 2, 'softmax');
  const bidirectional = { class_name: 'Bidirectional', config: { name: 'bi', layer: lstm('inner', 2), merge_mode: 'concat' } };
  const masking = { class_name: 'Masking', config: { name: 'mask', mask_value: 0 } };
  const cases: [string, unknown, RegExp][] = [
    ['Masking', tfjsTopology([masking, lstm('l', 2), out]), /layer "mask" \(Masking\) skips the frames equal to its mask_value.*Remove the Masking layer/],
    ['Bidirectional', tfjsTopology([bidirectional, out]), /layer "bi" \(Bidirectional\) reads every sequence backwards.*Train with a unidirectional LSTM or GRU/],
    ['go_backwards', tfjsTopology([lstm('l', 2, { go_backwards: true }), out]), /LSTM layer "l" has go_backwards set; a streaming runtime reads frames forwards only/],
    ['return_state', tfjsTopology([gru('g', 2, false, { return_state: true }), out]), /GRU layer "g" has return_state set/],
    ['return_sequences false below another', tfjsTopology([lstm('a', 2, { return_sequences: false }), lstm('b', 2), out]), /LSTM layer "a" has return_sequences false but feeds another recurrent layer/],
    ['GRU without reset_after', tfjsTopology([{ class_name: 'GRU', config: { name: 'g', units: 2, recurrent_activation: 'sigmoid' } }, out]), /GRU layer "g" has reset_after undefined; expected true or false/],
    ['relu recurrent activation', tfjsTopology([gru('g', 2, true, { recurrent_activation: 'relu' }), out]), /GRU layer "g" uses recurrent activation "relu"; rc-compile supports "sigmoid" and "hard_sigmoid"/],
    ['relu activation', tfjsTopology([lstm('l', 2, { activation: 'relu' }), out]), /LSTM layer "l" uses activation "relu"; rc-compile supports "tanh" only/],
    ['SimpleRNN', tfjsTopology([{ class_name: 'SimpleRNN', config: { name: 'rnn', units: 2 } }, out]), /layer "rnn" \(SimpleRNN\) is not compiled; rc-compile supports LSTM and GRU layers/],
    ['Conv1D', tfjsTopology([{ class_name: 'Conv1D', config: { name: 'conv', filters: 2 } }, out]), /layer "conv" \(Conv1D\) is not supported/],
    ['float16 dtype policy', toKerasLayout(tfjsTopology([lstm('l', 2), out]), 3, 'sequential').modelTopology, /./],
    ['no recurrent layer', tfjsTopology([dense('d', 3, 'relu'), out]), /it needs at least one LSTM or GRU layer first/],
    ['no output layer', tfjsTopology([lstm('l', 2)]), /it needs a Dense softmax or sigmoid output layer last/],
    ['recurrent after dense', tfjsTopology([lstm('l', 2), dense('d', 3, 'relu'), lstm('m', 2), out]), /a recurrent layer may not follow a Dense layer/],
    ['softmax hidden layer', tfjsTopology([lstm('l', 2), dense('d', 3, 'softmax'), out]), /Dense layer "d" is a hidden layer and uses activation "softmax"; rc-compile supports "relu", "linear" and "sigmoid"/],
    ['tanh hidden layer', tfjsTopology([lstm('l', 2), dense('d', 3, 'tanh'), out]), /Dense layer "d" is a hidden layer and uses activation "tanh"/],
    ['relu output layer', tfjsTopology([lstm('l', 2), dense('out', 3, 'relu')]), /Dense layer "out" is the output layer and uses activation "relu"; rc-compile supports "softmax" and "sigmoid" there/],
    ['linear output layer', tfjsTopology([lstm('l', 2), dense('out', 1, 'linear')]), /Dense layer "out" is the output layer and uses activation "linear"/],
    ['TimeDistributed(LSTM)', tfjsTopology([lstm('l', 2), { class_name: 'TimeDistributed', config: { name: 'td', layer: lstm('x', 2) } }, out]), /wraps LSTM in TimeDistributed; only TimeDistributed\(Dense\)/],
    ['unknown model class', { class_name: 'Graph', config: {} }, /model class "Graph" is not supported/],
  ];
  // The float16 case needs a DTypePolicy of mixed_float16 on the LSTM.
  const mixed = cases.find(([name]) => name === 'float16 dtype policy')!;
  (mixed[1] as Json).model_config.config.layers[1].config.dtype = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'mixed_float16' } };
  mixed[2] = /layer "l" \(LSTM\) computes in dtype "mixed_float16"; rc-compile reads float32 models only/;

  for (const [name, topology, pattern] of cases) {
    it(`rejects ${name}`, () => rejects(topology, pattern));
  }

  it('rejects a branching Functional model', () => {
    const { modelTopology } = toKerasLayout(tfjsTopology([lstm('l', 2), dense('d', 2, 'relu'), out]), 2, 'functional');
    const layers = modelTopology.model_config.config.layers;
    layers[3].inbound_nodes = [[['d', 0, 0, {}], ['l', 0, 0, {}]]];
    rejects(modelTopology, /layer "out" \(Dense\) is called with 2 inputs.*linear chain/);
  });

  it('rejects a Functional layer off the chain', () => {
    const { modelTopology } = toKerasLayout(tfjsTopology([lstm('l', 2), out]), 3, 'functional');
    const config = modelTopology.model_config.config;
    config.layers.push({ ...JSON.parse(JSON.stringify(config.layers[2])), name: 'side', config: { ...config.layers[2].config, name: 'side' } });
    rejects(modelTopology, /layers "side" are not on the path from the input to the output/);
  });

  it('rejects a Functional model with two outputs', () => {
    const { modelTopology } = toKerasLayout(tfjsTopology([lstm('l', 2), out]), 2, 'functional');
    modelTopology.model_config.config.output_layers.push(['l', 0, 0]);
    rejects(modelTopology, /has 1 inputs and 2 outputs/);
  });
});
