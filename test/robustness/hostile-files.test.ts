/**
 * Hostile and broken model files: every case must end in a UserError whose
 * message names the problem, read nothing outside the model folder, and leave
 * the folder as it was.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { UserError } from '../../common/errors.js';
import { setLogLevel } from '../../common/log.js';
import { loadModel } from '../../compiler/loader.js';
import { MAX_MODEL_JSON_BYTES, MAX_TOTAL_WEIGHTS } from '../../compiler/loader-limits.js';
import { type FixtureOptions, writeFixture } from './model-fixture.js';

setLogLevel('error');
const root = mkdtempSync(join(tmpdir(), 'rankcode-hostile-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A file outside every model folder that no case may read. */
const outsideFolder = join(root, 'outside');
mkdirSync(outsideFolder);
const outsideShard = join(outsideFolder, 'secret.bin');
writeFileSync(outsideShard, Buffer.alloc(4096, 7));

type Json = Record<string, any>;
const weights = (json: Json): Json[] => json.weightsManifest[0].weights;
const paths = (json: Json): string[] => json.weightsManifest[0].paths;
const layerConfig = (json: Json, index: number): Json => json.modelTopology.config.layers[index].config;
const labels = (json: Json): unknown[] => json.userDefinedMetadata.rankcode.labels;

/** Writes a fixture and returns its model.json path. */
function fixture(folder: string, options: FixtureOptions = {}): string {
  return writeFixture(folder, options).modelPath;
}

function edited(edit: (json: Json) => void, options: FixtureOptions = {}): (folder: string) => string {
  return (folder) => fixture(folder, { ...options, edit });
}

function makeFifo(path: string): void {
  const result = spawnSync('mkfifo', [path]);
  assert.equal(result.status, 0, 'mkfifo is available');
}

interface HostileCase {
  kind: string;
  name: string;
  /** Writes the hostile model into the empty `folder` and returns the path to load. */
  setup: (folder: string) => string;
  message: RegExp;
}

const LEAVES_FOLDER = /contains "\.\." and so could leave the model folder; shard paths must be relative paths inside the model folder/;

const CASES: HostileCase[] = [
  // Shard paths that leave the model folder.
  { kind: 'path', name: 'parent folder', setup: edited((json) => (paths(json)[0] = '../outside/secret.bin')), message: LEAVES_FOLDER },
  { kind: 'path', name: 'dot-dot inside a path', setup: edited((json) => (paths(json)[0] = 'sub/../../outside/secret.bin')), message: LEAVES_FOLDER },
  { kind: 'path', name: 'backslash dot-dot', setup: edited((json) => (paths(json)[0] = '..\\outside\\secret.bin')), message: LEAVES_FOLDER },
  { kind: 'path', name: 'absolute path', setup: edited((json) => (paths(json)[0] = outsideShard)), message: /weight shard path ".*secret.bin" in weightsManifest is an absolute path/ },
  { kind: 'path', name: 'absolute system file', setup: edited((json) => (paths(json)[0] = '/etc/passwd')), message: /"\/etc\/passwd" in weightsManifest is an absolute path/ },
  { kind: 'path', name: 'file URL', setup: edited((json) => (paths(json)[0] = `file://${outsideShard}`)), message: /"file:\/\/.*" in weightsManifest is a URL; rc-compile reads shards from the model folder only/ },
  { kind: 'path', name: 'loopback URL', setup: edited((json) => (paths(json)[0] = 'http://127.0.0.1:9/shard.bin')), message: /"http:\/\/127.0.0.1:9\/shard.bin" in weightsManifest is a URL/ },
  { kind: 'path', name: 'Windows drive path', setup: edited((json) => (paths(json)[0] = 'C:\\models\\shard.bin')), message: /is an absolute Windows path/ },
  { kind: 'path', name: 'UNC path', setup: edited((json) => (paths(json)[0] = '\\\\server\\share\\shard.bin')), message: /is an absolute path/ },
  {
    kind: 'path',
    name: 'symlink to a file outside',
    setup: (folder) => {
      const path = fixture(folder, { edit: (json) => (paths(json)[0] = 'linked.bin') });
      symlinkSync(outsideShard, join(folder, 'linked.bin'));
      return path;
    },
    message: /weight shard "linked.bin" resolves to .*secret.bin, outside the model folder .* \(through a symbolic link\)/,
  },
  {
    kind: 'path',
    name: 'symlinked folder outside',
    setup: (folder) => {
      const path = fixture(folder, { edit: (json) => (paths(json)[0] = 'weights/secret.bin') });
      symlinkSync(outsideFolder, join(folder, 'weights'));
      return path;
    },
    message: /weight shard "weights\/secret.bin" resolves to .*outside.*secret.bin, outside the model folder/,
  },
  {
    kind: 'path',
    name: 'symlink chain out',
    setup: (folder) => {
      const path = fixture(folder, { edit: (json) => (paths(json)[0] = 'first.bin') });
      symlinkSync(join(folder, 'second.bin'), join(folder, 'first.bin'));
      symlinkSync(outsideShard, join(folder, 'second.bin'));
      return path;
    },
    message: /weight shard "first.bin" resolves to .*secret.bin, outside the model folder/,
  },
  { kind: 'path', name: 'NUL in path', setup: edited((json) => (paths(json)[0] = 'group1-shard1of1.bin\u0000.png')), message: /contains a NUL character/ },
  { kind: 'path', name: 'empty path', setup: edited((json) => (paths(json)[0] = '')), message: /weight shard path "" in weightsManifest is empty/ },
  { kind: 'path', name: 'non-string path', setup: edited((json) => ((paths(json) as unknown[])[0] = 42)), message: /weightsManifest group 0 lists the shard path 42; expected a string/ },
  {
    kind: 'path',
    name: 'folder as shard',
    setup: (folder) => {
      mkdirSync(join(folder, 'sub'));
      return fixture(folder, { edit: (json) => (paths(json)[0] = 'sub') });
    },
    message: /weight shard "sub" at .*sub is not a regular file/,
  },
  {
    kind: 'path',
    name: 'FIFO as shard',
    setup: (folder) => {
      makeFifo(join(folder, 'pipe.bin'));
      return fixture(folder, { edit: (json) => (paths(json)[0] = 'pipe.bin') });
    },
    message: /weight shard "pipe.bin" at .*pipe.bin is not a regular file/,
  },
  { kind: 'path', name: 'missing shard', setup: edited((json) => (paths(json)[0] = 'absent.bin')), message: /weight shard "absent.bin" listed in model.json not found at / },

  // Shards whose sizes do not match the manifest.
  {
    kind: 'bytes',
    name: 'truncated shard',
    setup: (folder) => {
      const written = writeFixture(folder);
      const shard = join(folder, written.shards[0][0]);
      truncateSync(shard, readFileSync(shard).length - 1);
      return written.modelPath;
    },
    message: /weightsManifest group 0 \(shards "group1-shard1of1.bin"\) contains 227 bytes but its manifest entries need 228; the model has truncated or missing shards/,
  },
  {
    kind: 'bytes',
    name: 'oversized shard',
    setup: (folder) => {
      const written = writeFixture(folder);
      appendFileSync(join(folder, written.shards[0][0]), Buffer.alloc(9));
      return written.modelPath;
    },
    message: /contains 237 bytes but its manifest entries need 228; the model has oversized shards or shards that belong to another model.json/,
  },
  { kind: 'bytes', name: 'shard listed twice', setup: edited((json) => paths(json).push(paths(json)[0])), message: /\(shards "group1-shard1of1.bin", "group1-shard1of1.bin"\) contains 456 bytes but its manifest entries need 228/ },
  { kind: 'bytes', name: 'shard left out', setup: edited((json) => paths(json).pop(), { shardsPerGroup: 2 }), message: /\(shards "group1-shard1of2.bin"\) contains 114 bytes but its manifest entries need 228; the model has truncated or missing shards/ },
  { kind: 'bytes', name: 'no shards listed', setup: edited((json) => (json.weightsManifest[0].paths = [])), message: /weightsManifest group 0 \(no shard files\) contains 0 bytes but its manifest entries need 228/ },
  {
    kind: 'bytes',
    name: 'empty shard',
    setup: (folder) => {
      const written = writeFixture(folder);
      truncateSync(join(folder, written.shards[0][0]), 0);
      return written.modelPath;
    },
    message: /contains 0 bytes but its manifest entries need 228; the model has truncated or missing shards/,
  },

  // Weights that are not finite numbers.
  {
    kind: 'value',
    name: 'NaN kernel',
    setup: (folder) => fixture(folder, { values: { lstmKernel: Array.from({ length: 24 }, (_, k) => (k === 13 ? NaN : 0)) } }),
    message: /weight "lstm\/kernel" has the non-finite value NaN at index 13 \(kernel of layer "lstm", position \[1, 5\] in shape \[3, 8\]\)/,
  },
  {
    kind: 'value',
    name: 'Inf recurrent kernel',
    setup: (folder) => fixture(folder, { values: { recurrentKernel: Array.from({ length: 16 }, (_, k) => (k === 15 ? Infinity : 0)) } }),
    message: /"lstm\/recurrent_kernel" has the non-finite value Infinity at index 15 \(recurrent_kernel of layer "lstm", position \[1, 7\]/,
  },
  {
    kind: 'value',
    name: '-Inf dense bias',
    setup: (folder) => fixture(folder, { values: { denseBias: [0, -Infinity, 0] } }),
    message: /"dense\/bias" has the non-finite value -Infinity at index 1 \(bias of layer "dense", position \[1\] in shape \[3\]\)/,
  },
  {
    kind: 'value',
    name: 'float16 NaN',
    setup: (folder) => fixture(folder, { encoding: 'float16', values: { denseKernel: [0, 0, 0, 0, NaN, 0] } }),
    message: /"dense\/kernel" has the non-finite value NaN at index 4 \(kernel of layer "dense", position \[1, 1\] in shape \[2, 3\]\)/,
  },
  {
    kind: 'value',
    name: 'float16 infinity',
    setup: (folder) => fixture(folder, { encoding: 'float16', values: { lstmBias: [0, 0, Infinity, 0, 0, 0, 0, 0] } }),
    message: /"lstm\/bias" has the non-finite value Infinity at index 2 \(bias of layer "lstm"/,
  },
  {
    kind: 'value',
    name: 'uint8 scale overflows float32',
    setup: edited((json) => (weights(json)[0].quantization.scale = 1e300), { encoding: 'uint8' }),
    message: /"lstm\/kernel" has the non-finite value Infinity at index 0 \(kernel of layer "lstm"/,
  },

  // Shapes that do not fit the layer, and weights that do not match the layers.
  { kind: 'shape', name: 'transposed dense kernel', setup: edited((json) => (weights(json)[3].shape = [3, 2])), message: /weight "dense\/kernel" has shape \[3, 2\]; the layer config needs \[2, 3\]/ },
  { kind: 'shape', name: 'wrong gate width', setup: edited((json) => (weights(json)[0].shape = [6, 4])), message: /weight "lstm\/kernel" has shape \[6, 4\]; the layer config needs \[3, 8\]/ },
  { kind: 'shape', name: 'bias of rank 2', setup: edited((json) => (weights(json)[2].shape = [1, 8])), message: /weight "lstm\/bias" has shape \[1, 8\]; the layer config needs \[8\]/ },
  { kind: 'shape', name: 'negative dimension', setup: edited((json) => (weights(json)[2].shape = [-8])), message: /weight "lstm\/bias" has the shape \[-8\]; expected at most 8 dimensions, each an integer from 0 to 16777216/ },
  { kind: 'shape', name: 'fractional dimension', setup: edited((json) => (weights(json)[2].shape = [2.5])), message: /weight "lstm\/bias" has the shape \[2.5\]; expected at most 8 dimensions, each an integer from 0 to 16777216/ },
  { kind: 'shape', name: 'rank 9', setup: edited((json) => (weights(json)[2].shape = [1, 1, 1, 1, 1, 1, 1, 1, 8])), message: /has the shape \[1,1,1,1,1,1,1,1,8\]; expected at most 8/ },
  { kind: 'shape', name: 'string dimension', setup: edited((json) => (weights(json)[2].shape = ['8'])), message: /has the shape \["8"\]; expected at most 8 dimensions, each an integer from 0 to 16777216/ },
  {
    kind: 'shape',
    name: 'missing bias',
    setup: edited((json) => (weights(json)[2].name = 'other/bias')),
    message: /layer "lstm" has no bias weight in weightsManifest \(weights present: "lstm\/kernel", "lstm\/recurrent_kernel", "other\/bias"/,
  },
  {
    kind: 'shape',
    name: 'unknown role',
    setup: edited((json) => weights(json).push({ name: 'lstm/gamma', shape: [0], dtype: 'float32' })),
    message: /weight "lstm\/gamma" is a "gamma" weight of layer "lstm" \(LSTM\), which takes only kernel, recurrent_kernel, bias as configured/,
  },
  {
    kind: 'shape',
    name: 'bias on a layer without one',
    setup: edited((json) => (layerConfig(json, 1).use_bias = false)),
    message: /weight "dense\/bias" is a "bias" weight of layer "dense" \(Dense\), which takes only kernel as configured/,
  },
  {
    kind: 'shape',
    name: 'weight of no layer',
    setup: edited((json) => weights(json).push({ name: 'conv/kernel', shape: [0], dtype: 'float32' })),
    message: /weight "conv\/kernel" in weightsManifest matches no layer of the model \(layers with weights: "lstm", "dense"\)/,
  },
  {
    kind: 'shape',
    name: 'two kernels for one layer',
    setup: edited((json) => weights(json).push({ name: 'lstm/lstm_cell/kernel', shape: [0], dtype: 'float32' })),
    message: /layer "lstm" has 2 kernel weights \("lstm\/kernel", "lstm\/lstm_cell\/kernel"\); expected one/,
  },
  { kind: 'shape', name: 'duplicate weight name', setup: edited((json) => (weights(json)[4].name = 'dense/kernel')), message: /weight "dense\/kernel" appears twice in weightsManifest/ },
  {
    kind: 'shape',
    name: 'two layers of one name',
    setup: edited((json) => (layerConfig(json, 1).name = 'lstm')),
    message: /two layers with weights are named "lstm"; weights are matched by layer name, so layer names must be unique/,
  },

  // Absurd sizes, rejected before any shard is read.
  { kind: 'limit', name: 'millions of units', setup: edited((json) => (layerConfig(json, 0).units = 5_000_000)), message: /layer "lstm" \(LSTM units\) has width 5000000; rc-compile accepts at most 65536/ },
  {
    kind: 'limit',
    name: 'input width in millions',
    setup: edited((json) => (layerConfig(json, 0).batch_input_shape = [null, 5, 2_000_000])),
    message: /the input of layer "lstm" \(values per frame\) has width 2000000; rc-compile accepts at most 65536/,
  },
  { kind: 'limit', name: 'a million classes', setup: edited((json) => (layerConfig(json, 1).units = 1_000_000)), message: /layer "dense" \(Dense units\) has width 1000000; rc-compile accepts at most 65536/ },
  {
    kind: 'limit',
    name: 'total weights over the cap',
    setup: edited((json) => {
      layerConfig(json, 0).batch_input_shape = [null, 5, 65536];
      layerConfig(json, 0).units = 64;
    }),
    message: new RegExp(`the model has 16794051 weights; rc-compile accepts at most ${MAX_TOTAL_WEIGHTS} \\(2\\^24\\)`),
  },
  { kind: 'limit', name: 'huge manifest shape', setup: edited((json) => (weights(json)[2].shape = [1e9])), message: /weight "lstm\/bias" has the shape \[1000000000\]; expected at most 8/ },
  {
    kind: 'limit',
    name: 'manifest shape product',
    setup: edited((json) => (weights(json)[2].shape = [65536, 65536, 65536])),
    message: new RegExp(`weight "lstm/bias" has the shape \\[65536,65536,65536\\], more than the ${MAX_TOTAL_WEIGHTS} weights`),
  },
  {
    kind: 'limit',
    name: 'manifest total',
    setup: edited((json) => {
      for (let k = 0; k < 3; k++) weights(json).push({ name: `extra/w${k}`, shape: [MAX_TOTAL_WEIGHTS / 2], dtype: 'float32' });
    }),
    message: /weightsManifest lists more than the 16777216 weights rc-compile accepts in a model/,
  },
  {
    kind: 'limit',
    name: 'thousands of shard files',
    setup: edited((json) => (json.weightsManifest[0].paths = Array.from({ length: 5000 }, (_, k) => `shard${k}.bin`))),
    message: /weightsManifest lists 5000 shard files and 5 weights; rc-compile reads at most 4096 shard files/,
  },
  {
    kind: 'limit',
    name: 'huge model.json',
    setup: (folder) => {
      const path = join(folder, 'model.json');
      writeFileSync(path, '{');
      truncateSync(path, MAX_MODEL_JSON_BYTES + 1);
      return path;
    },
    message: /has 16777217 bytes, more than the 16777216 bytes rc-compile reads/,
  },
  {
    kind: 'limit',
    name: 'huge label',
    setup: edited((json) => (labels(json)[1] = 'x'.repeat(2000))),
    message: /userDefinedMetadata.rankcode.labels\[1\] \("xxxx.*\.\.\.\) has 2000 UTF-8 bytes; rc-compile accepts labels of at most 1024/,
  },
  { kind: 'limit', name: 'huge model name', setup: edited((json) => (json.modelTopology.config.name = 'm'.repeat(5000))), message: /the model name has 5000 characters; rc-compile accepts at most 1024/ },

  // Weight dtypes and quantization.
  { kind: 'dtype', name: 'int32 weights', setup: edited((json) => (weights(json)[0].dtype = 'int32')), message: /weight "lstm\/kernel" has dtype "int32"; LSTM and Dense weights must be float32/ },
  { kind: 'dtype', name: 'string weights', setup: edited((json) => (weights(json)[0].dtype = 'string')), message: /weight "lstm\/kernel" has dtype "string"/ },
  { kind: 'dtype', name: 'missing dtype', setup: edited((json) => delete weights(json)[0].dtype), message: /weight "lstm\/kernel" has dtype undefined/ },
  { kind: 'dtype', name: 'int8 quantization', setup: edited((json) => (weights(json)[0].quantization = { dtype: 'int8', min: 0, scale: 1 })), message: /has the quantization dtype "int8"; rc-compile reads uint8, uint16 and float16 quantization/ },
  { kind: 'dtype', name: 'uint8 without min', setup: edited((json) => delete weights(json)[0].quantization.min, { encoding: 'uint8' }), message: /is quantized to uint8 but its min undefined and scale 0.0625 are not both finite numbers/ },
  { kind: 'dtype', name: 'uint16 string scale', setup: edited((json) => (weights(json)[1].quantization.scale = '0.1'), { encoding: 'uint16' }), message: /is quantized to uint16 but its min -0.5 and scale "0.1" are not both finite/ },
  { kind: 'dtype', name: 'quantization not an object', setup: edited((json) => (weights(json)[0].quantization = 'uint8')), message: /weight "lstm\/kernel" has quantization "uint8"; expected an object with a dtype/ },

  // Files that are not a model.json.
  { kind: 'json', name: 'invalid JSON', setup: (folder) => writeText(folder, '{"modelTopology": '), message: /model file .*model.json is not valid JSON/ },
  { kind: 'json', name: 'top-level array', setup: (folder) => writeText(folder, '[1, 2]'), message: /does not contain a JSON object; expected a TensorFlow.js model.json/ },
  { kind: 'json', name: 'empty object', setup: (folder) => writeText(folder, '{}'), message: /model.json has no modelTopology object/ },
  { kind: 'json', name: 'package.json', setup: (folder) => writeText(folder, '{"name": "x", "version": "1.0.0"}'), message: /model.json has no modelTopology object/ },
  {
    kind: 'json',
    name: 'graph model',
    setup: (folder) => writeText(folder, JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] })),
    message: /has format "graph-model"; rc-compile and rc-eval read TensorFlow.js layers models \("layers-model"\)\. A graph model has no layer topology/,
  },
  { kind: 'json', name: 'deep arrays', setup: (folder) => writeText(folder, `{"modelTopology": ${'['.repeat(200_000)}${']'.repeat(200_000)}}`), message: /nests arrays and objects more than 64 levels deep/ },
  { kind: 'json', name: 'deep objects', setup: (folder) => writeText(folder, `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`), message: /nests arrays and objects more than 64 levels deep/ },
  { kind: 'json', name: 'invalid UTF-8', setup: (folder) => writeBytes(folder, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])), message: /is not valid UTF-8 text; save model.json as UTF-8/ },
  { kind: 'json', name: 'overlong UTF-8', setup: (folder) => writeBytes(folder, Buffer.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d])), message: /is not valid UTF-8 text/ },
  { kind: 'json', name: 'UTF-8 surrogate', setup: (folder) => writeBytes(folder, Buffer.from([0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d])), message: /is not valid UTF-8 text/ },
  { kind: 'json', name: 'model path is a folder', setup: (folder) => folder, message: /model file .* is a folder; pass the path of the model.json inside it/ },
  {
    kind: 'json',
    name: 'model path is a FIFO',
    setup: (folder) => {
      makeFifo(join(folder, 'model.json'));
      return join(folder, 'model.json');
    },
    message: /model file .*model.json is not a regular file/,
  },
  { kind: 'json', name: 'manifest not a list', setup: edited((json) => (json.weightsManifest = { paths: [] })), message: /model.json has no weightsManifest list/ },
  { kind: 'json', name: 'weight entry not an object', setup: edited((json) => ((weights(json) as unknown[])[1] = 'lstm/kernel')), message: /weightsManifest\[0\]\.weights\[1\] is "lstm\/kernel"; expected an object with a name, shape and dtype/ },
  { kind: 'json', name: 'label with NUL', setup: edited((json) => (labels(json)[0] = 'ye\u0000s')), message: /labels\[0\] \("ye\\u0000s"\) contains a NUL character, which a C string cannot hold/ },
  { kind: 'json', name: 'label with lone surrogate', setup: edited((json) => (labels(json)[2] = 'a\ud800b')), message: /labels\[2\] \("a\\ud800b"\) contains a lone UTF-16 surrogate/ },
  { kind: 'json', name: 'threshold 2^-15', setup: edited((json) => (json.userDefinedMetadata.rankcode.threshold = 2 ** -15)), message: /rankcode.threshold is 0.000030517578125; expected a number in \(2\^-15, 1\]/ },
];

function writeText(folder: string, text: string): string {
  const path = join(folder, 'model.json');
  writeFileSync(path, text);
  return path;
}

function writeBytes(folder: string, bytes: Buffer): string {
  const path = join(folder, 'model.json');
  writeFileSync(path, bytes);
  return path;
}

/** Lists a folder tree with sizes, to show that loading changed nothing. */
function snapshot(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .map((entry) => join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name))
    .sort();
}

describe('loader rejects hostile model files', () => {
  let count = 0;
  for (const hostile of CASES) {
    it(`${hostile.kind}: ${hostile.name}`, () => {
      const folder = join(root, `case-${count++}`);
      mkdirSync(folder);
      const path = hostile.setup(folder);
      const before = snapshot(folder);
      const outsideBefore = readFileSync(outsideShard);
      assert.throws(
        () => loadModel(path),
        (error: unknown) => {
          assert.ok(error instanceof UserError, `expected a UserError, got ${error instanceof Error ? error.stack : String(error)}`);
          assert.match(error.message, hostile.message);
          return true;
        },
      );
      assert.deepEqual(snapshot(folder), before, 'the model folder is unchanged');
      assert.deepEqual(readFileSync(outsideShard), outsideBefore, 'the outside file is unchanged');
    });
  }

  it('holds at least 40 cases of every kind together', () => {
    const kinds = new Map<string, number>();
    for (const hostile of CASES) kinds.set(hostile.kind, (kinds.get(hostile.kind) ?? 0) + 1);
    assert.ok(CASES.length >= 40, `${CASES.length} cases`);
    for (const kind of ['path', 'bytes', 'value', 'shape', 'limit', 'dtype', 'json']) assert.ok((kinds.get(kind) ?? 0) >= 3, `kind ${kind}`);
  });
});

export { CASES as HOSTILE_CASES };
