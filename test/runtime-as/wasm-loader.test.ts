/**
 * The generated ES module loader (model.js, model-node.js): input checks, float
 * quantization, the sources createModel() accepts, mismatched binaries and
 * memory growth for long batches.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { quantizeInput, ReferenceSimulator } from '../../compiler/simulator.js';
import { Random, randomFrames, randomQModel } from './random-qmodel.js';
import { emitModel, removeTemporaryFolders, webAssembly, type EmittedModel, type NodeLoaderModule } from './wasm-harness.js';

after(removeTemporaryFolders);

const model = randomQModel({ seed: 41, inputSize: 24, lstmUnits: [8], classes: 3, threshold: 0.97 });
model.inputScale = 0.05;
const otherModel = randomQModel({ seed: 42, inputSize: 25, lstmUnits: [8], classes: 3, threshold: 0.97 });
let emitted: EmittedModel;
let other: EmittedModel;

before(async () => {
  emitted = await emitModel(model, true);
  other = await emitModel(otherModel, true);
});

test('loader exposes the model constants', () => {
  const wasm = emitted.create();
  assert.equal(wasm.inputSize, 24);
  assert.deepEqual(wasm.labels, ['class 0', 'class 1', 'class 2']);
  assert.equal(wasm.inputScale, 0.05);
  assert.equal(wasm.threshold, 0.97);
  assert.equal(wasm.simd, true);
  assert.equal(emitted.loader.modelInfo.name, model.name);
  assert.equal(emitted.loader.modelInfo.classCount, 3);
});

test('step rejects a frame of the wrong length', () => {
  const wasm = emitted.create();
  assert.throws(() => wasm.step(new Int8Array(23)), {
    name: 'RangeError',
    message: 'step() got a frame of 23 values, but the model takes 24 per frame',
  });
  assert.throws(() => wasm.step(new Int8Array(25)), RangeError);
  assert.throws(() => wasm.stepFloat(new Float32Array(0)), RangeError);
  assert.equal(wasm.framesComputed, 0);
});

test('step rejects frames that are not Int8Array', () => {
  const wasm = emitted.create();
  const notInt8 = [new Float32Array(24), new Uint8Array(24), new Array<number>(24).fill(0)];
  for (const frame of notInt8) {
    assert.throws(() => wasm.step(frame as unknown as Int8Array), { name: 'TypeError', message: /takes an Int8Array.*stepFloat\(\)/ });
  }
});

test('run rejects bad batches', () => {
  const wasm = emitted.create();
  assert.throws(() => wasm.run(new Int8Array(24 * 3 + 1)), {
    name: 'RangeError',
    message: 'run() got 73 values, which is not a whole number of frames of 24 values',
  });
  assert.throws(() => wasm.run([new Int8Array(24), new Int8Array(5)]), { name: 'RangeError', message: /run\(\): frame 1 got a frame of 5 values/ });
  assert.throws(() => wasm.run('frames' as unknown as Int8Array), TypeError);
  assert.throws(() => wasm.runFloat(new Float64Array(25)), RangeError);
  assert.throws(() => wasm.runFloat([new Float64Array(24), [1, 2]]), { name: 'RangeError', message: /runFloat\(\): frame 1/ });
});

test('run of no frames gives the empty result', () => {
  const wasm = emitted.create();
  wasm.run([new Int8Array(24)]);
  for (const empty of [wasm.run(new Int8Array(0)), wasm.run([]), wasm.runFloat([])]) {
    assert.deepEqual(empty, { spiked: false, classIndex: 0, label: 'class 0', step: 0, confidence: 0 });
    assert.equal(wasm.framesComputed, 0);
  }
});

test('quantizeInput matches the reference rule', () => {
  const scale = model.inputScale;
  const values = [0, -0, 0.5 * scale, -0.5 * scale, 1.5 * scale, -1.5 * scale, 2.5 * scale, 126.5 * scale, -126.5 * scale];
  values.push(127.4 * scale, 127.5 * scale, -127.6 * scale, 1e9, -1e9, Infinity, -Infinity, NaN, 1e-300, 0.025, 0.075, -0.075);
  const random = new Random(43);
  for (let k = 0; k < 5000; k++) values.push(random.gaussian(4));
  const wasm = emitted.create();
  const quantized = wasm.quantize(values);
  values.forEach((value, k) => {
    const expected = quantizeInput(value, scale);
    assert.equal(emitted.loader.quantizeInput(value), expected, `quantizeInput(${value})`);
    // An Int8Array stores -0 as 0.
    assert.equal(quantized[k], expected === 0 ? 0 : expected, `quantize()[${k}] for ${value}`);
  });
});

test('float input equals quantized int8 input', () => {
  const random = new Random(44);
  const realFrames = Array.from({ length: 10 }, () => Array.from({ length: 24 }, () => random.gaussian(3)));
  const intFrames = realFrames.map((frame) => Int8Array.from(frame, (value) => quantizeInput(value, model.inputScale)));
  const reference = new ReferenceSimulator(model);
  const floatModel = emitted.create();
  for (let t = 0; t < realFrames.length; t++) {
    const expected = reference.step(intFrames[t]);
    const actual = floatModel.stepFloat(realFrames[t]);
    assert.equal(actual.spiked, expected.spiked, `frame ${t + 1}: spiked`);
    assert.equal(actual.classIndex, expected.classIndex, `frame ${t + 1}: class`);
    assert.equal(actual.step, expected.step, `frame ${t + 1}: step`);
    assert.equal(actual.confidence, expected.confidence, `frame ${t + 1}: confidence`);
    assert.deepEqual(Array.from(floatModel.logits), Array.from(reference.logits), `frame ${t + 1}: logits`);
  }
  const intModel = emitted.create();
  const expectedRun = intModel.run(intFrames);
  assert.deepEqual(floatModel.runFloat(realFrames), expectedRun);
  assert.deepEqual(floatModel.runFloat(Float64Array.from(realFrames.flat())), expectedRun);
  assert.deepEqual(floatModel.runFloat(realFrames.flat()), expectedRun);
});

test('logits getter returns a copy', () => {
  const wasm = emitted.create();
  wasm.step(new Int8Array(24).fill(3));
  const logits = wasm.logits;
  const saved = Array.from(logits);
  logits.fill(12345);
  assert.deepEqual(Array.from(wasm.logits), saved);
});

test('instances keep separate state', () => {
  const first = emitted.create();
  const second = emitted.create();
  const frames = randomFrames(new Random(45), 4, 24);
  for (const frame of frames) first.step(frame);
  assert.equal(second.framesComputed, 0);
  assert.deepEqual(second.run(frames), first.run(frames));
});

test('createModel accepts bytes, modules, responses and URLs', async () => {
  const bytes = emitted.wasm;
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const sources: [string, unknown][] = [
    ['Uint8Array', bytes],
    ['ArrayBuffer', copy],
    ['WebAssembly.Module', new webAssembly.Module(bytes)],
    ['Response with application/wasm', new Response(copy, { headers: { 'content-type': 'application/wasm' } })],
    ['Response without a type', new Response(copy)],
    ['promise of a Response', Promise.resolve(new Response(copy))],
  ];
  const frame = new Int8Array(24).fill(7);
  const expected = emitted.create().step(frame);
  for (const [name, source] of sources) {
    const wasm = await emitted.loader.createModel(source);
    assert.deepEqual(wasm.step(frame), expected, name);
  }
  assert.deepEqual(emitted.loader.createModelSync(new webAssembly.Module(bytes)).step(frame), expected);

  // A loopback HTTP server for the URL forms, which fetch() the binary.
  const server = createServer((request, response) => {
    if (request.url !== '/model.wasm') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/wasm' }).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}/model.wasm`;
    assert.deepEqual((await emitted.loader.createModel(url)).step(frame), expected, 'URL string');
    assert.deepEqual((await emitted.loader.createModel(new URL(url))).step(frame), expected, 'URL object');
    await assert.rejects(emitted.loader.createModel(`http://127.0.0.1:${port}/missing.wasm`), /failed with HTTP status 404/);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('createModel rejects bad sources', async () => {
  await assert.rejects(emitted.loader.createModel(new Response('missing', { status: 404 })), /failed with HTTP status 404/);
  await assert.rejects(emitted.loader.createModel(42), { name: 'TypeError', message: /expected the bytes of model.wasm.*got number/ });
  await assert.rejects(emitted.loader.createModel(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])), /does not export "memory"/);
});

test('loader rejects the wasm of another model', () => {
  assert.throws(() => emitted.loader.createModelSync(other.wasm), {
    message: /model.wasm takes 25 inputs and gives 3 logits, but this loader is for 24 inputs and 3 logits/,
  });
});

test('node helper loads model.wasm from disk', async () => {
  const helper = (await import(pathToFileURL(join(emitted.directory, 'model-node.js')).href)) as NodeLoaderModule;
  const frame = new Int8Array(24).fill(-5);
  const expected = emitted.create().step(frame);
  assert.deepEqual((await helper.loadModel()).step(frame), expected);
  assert.deepEqual((await helper.loadModel(join(emitted.directory, 'model.wasm'))).step(frame), expected);
  assert.equal(typeof helper.createModel, 'function');
  assert.deepEqual(readFileSync(join(emitted.directory, 'model.wasm')), Buffer.from(emitted.wasm));
});

test('long batches grow the memory', async () => {
  // A spike bound below 65536 is never reached, so every frame of the batch is computed.
  const neverSpikes = { ...model, spikeBound: 65535 };
  const wasm = (await emitModel(neverSpikes, false)).create();
  const frames = randomFrames(new Random(46), 10000, 24);
  const flat = new Int8Array(frames.length * 24);
  frames.forEach((frame, t) => flat.set(frame, t * 24));
  const reference = new ReferenceSimulator(neverSpikes);
  const expected = reference.run(frames);
  const actual = wasm.run(flat);
  assert.equal(actual.step, frames.length);
  assert.equal(actual.spiked, false);
  assert.equal(actual.classIndex, expected.classIndex);
  assert.equal(actual.confidence, expected.confidence);
  assert.deepEqual(Array.from(wasm.logits), Array.from(reference.logits));
});
