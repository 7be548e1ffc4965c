/**
 * Import completeness of the loader for the TensorFlow.js layers format: any
 * number of shards and groups, weights matched by layer and role whatever their
 * manifest order and naming layout, and quantized weights decoded exactly.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setLogLevel } from '../../common/log.js';
import { loadModel } from '../../compiler/loader.js';
import { decodeFloat16, locateWeight } from '../../compiler/loader-weights.js';
import { loadedWeights } from './loaded-weights.js';
import { type Encoding, type FixtureOptions, WEIGHT_KEYS, type WeightKey, writeFixture } from './model-fixture.js';

setLogLevel('error');
const root = mkdtempSync(join(tmpdir(), 'rankcode-import-'));
after(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
function loadFixture(options: FixtureOptions) {
  const fixture = writeFixture(join(root, `model-${count++}`), options);
  return { fixture, model: loadModel(fixture.modelPath) };
}

function assertWeights(options: FixtureOptions): void {
  const { fixture, model } = loadFixture(options);
  const loaded = loadedWeights(model);
  for (const key of WEIGHT_KEYS) assert.deepEqual(Array.from(loaded[key]), Array.from(fixture.values[key]), `${key} read back exactly`);
}

describe('loader imports', () => {
  for (const shardsPerGroup of [1, 2, 3, 7, 40]) {
    it(`reads ${shardsPerGroup} shards per group`, () => assertWeights({ shardsPerGroup }));
  }

  it('reads several groups with several shards', () => assertWeights({ groups: 3, shardsPerGroup: 2 }));

  it('reads one group per weight', () => assertWeights({ groups: 5, shardsPerGroup: 3 }));

  const reversed = [...WEIGHT_KEYS].reverse();
  const shuffled: WeightKey[] = ['denseBias', 'lstmKernel', 'denseKernel', 'lstmBias', 'recurrentKernel'];
  it('matches weights in reversed manifest order', () => assertWeights({ order: reversed }));
  it('matches weights in shuffled order across groups', () => assertWeights({ order: shuffled, groups: 2, shardsPerGroup: 2 }));

  it('matches Keras cell names that differ from the layer', () => assertWeights({ layout: 'keras', order: shuffled }));

  it('matches Keras 3 model-scoped names', () => assertWeights({ layout: 'keras3', modelName: 'sequential_4' }));

  it('matches layer names with odd characters', () => assertWeights({ lstmName: 'lstm "x"*/ \u2028', denseName: 'dense.out-1', layout: 'keras' }));

  for (const encoding of ['float16', 'uint8', 'uint16'] as Encoding[]) {
    it(`decodes ${encoding} weights`, () => assertWeights({ encoding, shardsPerGroup: 3 }));
  }

  it('decodes mixed encodings at unaligned offsets', () => {
    // A uint8 kernel of 24 values is followed by weights that start at odd byte offsets after the 3-value uint8 bias.
    assertWeights({
      encoding: { lstmKernel: 'uint8', recurrentKernel: 'float32', lstmBias: 'uint16', denseKernel: 'float16', denseBias: 'uint8' },
      order: ['denseBias', 'lstmKernel', 'recurrentKernel', 'denseKernel', 'lstmBias'],
      shardsPerGroup: 5,
    });
  });

  it('decodes float16 edge values', () => {
    assert.equal(decodeFloat16(0x3c00), 1);
    assert.equal(decodeFloat16(0xc000), -2);
    assert.equal(decodeFloat16(0x7bff), 65504);
    assert.equal(decodeFloat16(0x0001), 2 ** -24, 'smallest subnormal');
    assert.equal(decodeFloat16(0x03ff), 1023 * 2 ** -24, 'largest subnormal');
    assert.equal(decodeFloat16(0x0400), 2 ** -14, 'smallest normal');
    assert.ok(Object.is(decodeFloat16(0x8000), -0));
    assert.equal(decodeFloat16(0x7c00), Infinity);
    assert.equal(decodeFloat16(0xfc00), -Infinity);
    assert.ok(Number.isNaN(decodeFloat16(0x7e00)));
  });

  it('hashes model.json and shards in manifest order', () => {
    const { fixture, model } = loadFixture({ groups: 2, shardsPerGroup: 2 });
    const hash = createHash('sha256').update(readFileSync(fixture.modelPath));
    for (const group of fixture.shards) for (const shard of group) hash.update(readFileSync(join(fixture.folder, shard)));
    assert.equal(model.sourceHash, hash.digest('hex'));
  });

  it('reads shards in a subfolder', () => {
    const { fixture, model } = loadFixture({
      edit: (json) => {
        json.weightsManifest[0].paths = json.weightsManifest[0].paths.map((path: string) => `./${path}`);
      },
    });
    assert.deepEqual(Array.from(loadedWeights(model).denseBias), Array.from(fixture.values.denseBias));
  });
});

describe('locateWeight', () => {
  const layers = new Set(['lstm', 'lstm_1', 'dense']);
  const cases: [string, string | undefined, string | undefined][] = [
    ['lstm/kernel', 'lstm', 'kernel'],
    ['lstm/kernel:0', 'lstm', 'kernel'],
    ['lstm/lstm_cell_7/recurrent_kernel', 'lstm', 'recurrent_kernel'],
    ['lstm_1/lstm_cell/bias', 'lstm_1', 'bias'],
    ['sequential/lstm_1/lstm_cell/bias', 'lstm_1', 'bias'],
    ['sequential/dense/kernel', 'dense', 'kernel'],
    ['other/sequential/dense/kernel', undefined, undefined],
    ['lstm_2/kernel', undefined, undefined],
    ['kernel', undefined, undefined],
  ];
  for (const [name, layer, role] of cases) {
    it(`locates ${name}`, () => {
      const found = locateWeight(name, layers, 'sequential');
      assert.equal(found?.layer, layer);
      assert.equal(found?.role, role);
    });
  }
});
