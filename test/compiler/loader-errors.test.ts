/** Every rejection of the loader, each with the words its message must contain. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { UserError } from '../../common/errors.js';
import { setLogLevel } from '../../common/log.js';
import { loadModel } from '../../compiler/loader.js';
import { randomFloatModel, denseOf, lstmOf } from '../golden/random-model.js';
import { type ModelFileOptions, defaultMetadata, writeModelFiles } from './model-files.js';

setLogLevel('error');
const root = mkdtempSync(join(tmpdir(), 'rankcode-loader-errors-'));
after(() => rmSync(root, { recursive: true, force: true }));

const model = randomFloatModel({
  name: 'bad',
  seed: 11,
  inputSize: 5,
  units: 2,
  classes: 3,
  kernelStd: 0.5,
  recurrentStd: 0.5,
  denseStd: 1,
  biasStd: 0.2,
  forgetBias: 1,
  threshold: 0.95,
  inputMin: -1,
  inputMax: 1,
});

let folderCount = 0;
function write(options: ModelFileOptions = {}): string {
  return writeModelFiles(join(root, `model-${folderCount++}`), model, options);
}

type Json = Record<string, any>;
const lstmConfig = (json: Json): Json => json.modelTopology.config.layers[0].config;
const denseConfig = (json: Json): Json => json.modelTopology.config.layers[1].config;
const withMetadata = (changes: Json): ModelFileOptions => ({ metadata: { ...defaultMetadata(model), ...changes } });

/** [case, how to break the files, words the message must contain] */
const CASES: [string, ModelFileOptions, RegExp][] = [
  ['functional model', { edit: (json) => (json.modelTopology.class_name = 'Functional') }, /the Functional model "bad" has no input_layers/],
  [
    'GRU layer without reset_after',
    { edit: (json) => (json.modelTopology.config.layers[0].class_name = 'GRU') },
    /GRU layer "lstm" has reset_after undefined; expected true or false/,
  ],
  [
    'second LSTM layer without weights',
    { edit: (json) => json.modelTopology.config.layers.splice(1, 0, { class_name: 'LSTM', config: { ...lstmConfig(json), name: 'lstm_2' } }) },
    /layer "lstm_2" has no kernel weight/,
  ],
  [
    'dense before LSTM',
    {
      edit: (json) => {
        denseConfig(json).batch_input_shape = lstmConfig(json).batch_input_shape;
        json.modelTopology.config.layers.reverse();
      },
    },
    /the model's layers are dense \(Dense\), lstm \(LSTM\)/,
  ],
  ['relu recurrent activation', { edit: (json) => (lstmConfig(json).recurrent_activation = 'relu') }, /LSTM layer "lstm" uses recurrent activation "relu"; rc-compile supports "sigmoid" and "hard_sigmoid"/],
  ['unstated recurrent activation', { edit: (json) => delete lstmConfig(json).recurrent_activation }, /does not state its recurrent activation.*hard_sigmoid/],
  ['relu activation', { edit: (json) => (lstmConfig(json).activation = 'relu') }, /uses activation "relu"; rc-compile supports "tanh" only/],
  ['linear output', { edit: (json) => (denseConfig(json).activation = 'linear') }, /Dense layer "dense" is the output layer and uses activation "linear"; rc-compile supports "softmax" and "sigmoid" there/],
  ['go_backwards', { edit: (json) => (lstmConfig(json).go_backwards = true) }, /go_backwards/],
  ['missing input shape', { edit: (json) => delete lstmConfig(json).batch_input_shape }, /first layer "lstm" \(LSTM\) has no batch_input_shape/],
  ['2-D input shape', { edit: (json) => (lstmConfig(json).batch_input_shape = [null, 5]) }, /input shape \[null,5\] of layer "lstm" is not supported/],
  ['zero units', { edit: (json) => (lstmConfig(json).units = 0) }, /layer "lstm" \(LSTM\) has units 0; expected a positive integer/],
  ['float16 dtype', { edit: (json) => (json.weightsManifest[0].weights[0].dtype = 'float16') }, /weight "lstm\/kernel" has dtype "float16"; LSTM and Dense weights must be float32/],
  [
    'uint8 quantization without min and scale',
    { edit: (json) => (json.weightsManifest[0].weights[0].quantization = { dtype: 'uint8' }) },
    /weight "lstm\/kernel" is quantized to uint8 but its min undefined and scale undefined are not both finite numbers/,
  ],
  ['no manifest', { edit: (json) => delete json.weightsManifest }, /no weightsManifest/],
  ['missing weight', { edit: (json) => (json.weightsManifest[0].weights[2].name = 'other/bias') }, /layer "lstm" has no bias weight/],
  [
    'wrong weight shape',
    { edit: (json) => (json.weightsManifest[0].weights[3].shape = [3, 2]) },
    /weight "dense\/kernel" has shape \[3, 2\]; the layer config needs \[2, 3\]/,
  ],
  ['byte count mismatch', { edit: (json) => (json.weightsManifest[0].weights[4].shape = [4]) }, /contains \d+ bytes but its manifest entries need \d+/],
  ['missing shard', { edit: (json) => (json.weightsManifest[0].paths = ['absent.bin']) }, /weight shard "absent.bin" listed in model.json not found/],
  ['threshold above 1', withMetadata({ threshold: 1.5 }), /userDefinedMetadata.rankcode.threshold is 1.5; expected a number in \(2\^-15, 1\]/],
  ['threshold of 0', withMetadata({ threshold: 0 }), /userDefinedMetadata.rankcode.threshold is 0; expected a number in \(2\^-15, 1\]/],
  ['label count', withMetadata({ labels: ['a', 'b'] }), /rankcode.labels is \["a","b"\]; expected 3 strings/],
  ['frame shape', withMetadata({ frameShape: [2, 2] }), /rankcode.frameShape is \[2,2\]; expected dimensions whose product is the 5 input values/],
  ['input range', withMetadata({ input: { kind: 'binary', min: 1, max: 1 } }), /rankcode.input is .*finite numbers min < max/],
  ['metadata version', withMetadata({ version: 2 }), /rankcode.version is 2; expected 1/],
];

describe('loadModel rejections', () => {
  for (const [name, options, pattern] of CASES) {
    it(`rejects ${name}`, () => {
      const path = write(options);
      assert.throws(
        () => loadModel(path),
        (error: unknown) => {
          assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
          assert.match(error.message, pattern);
          return true;
        },
      );
    });
  }

  it('rejects a non-finite weight', () => {
    const kernel = Float32Array.from(lstmOf(model).kernel);
    kernel[4] = NaN;
    const broken = { ...model, layers: [{ ...lstmOf(model), kernel }, denseOf(model)] };
    const path = writeModelFiles(join(root, 'nan'), broken);
    assert.throws(() => loadModel(path), /weight "lstm\/kernel" has the non-finite value NaN at index 4/);
  });

  it('rejects invalid JSON', () => {
    const path = join(root, 'broken.json');
    writeFileSync(path, '{"modelTopology": ');
    assert.throws(() => loadModel(path), /model file .*broken.json is not valid JSON/);
  });

  it('rejects a missing file', () => {
    const path = write();
    unlinkSync(path);
    assert.throws(() => loadModel(path), /model file .*model.json not found/);
  });
});
