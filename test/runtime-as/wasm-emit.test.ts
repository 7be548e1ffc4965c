/**
 * The wasm target's output: identical bytes for the same input, provenance in
 * every generated file, sources that rebuild model.wasm, and clear errors for
 * models the runtime cannot run exactly.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import asc from 'assemblyscript/asc';
import { UserError } from '../../common/errors.js';
import type { QDenseLayer, QLstmLayer, QModel } from '../../compiler/qmodel.js';
import { createWasmTarget } from '../../compiler/targets/wasm.js';
import { ascArguments } from '../../compiler/targets/wasm-compile.js';
import { quoteText } from '../../compiler/targets/wasm-view.js';
import { randomQModel } from './random-qmodel.js';
import { makeTemporaryFolder, removeTemporaryFolders, webAssembly, writeEmittedFiles } from './wasm-harness.js';

after(removeTemporaryFolders);

/** dist/, where the compiled modules live; this file is dist/test/runtime-as/wasm-emit.test.js. */
const DIST_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const model = randomQModel({ seed: 51, inputSize: 30, lstmUnits: [12, 6], classes: 3, threshold: 0.9 });
model.name = 'line\nbreak */ "quoted" \u2028 name';
const context = { qmodel: model, prefix: 'rc_model', compilerVersion: '9.8.7' };

const EXPECTED_PATHS = [
  'model.wasm',
  'model.js',
  'model.d.ts',
  'model-node.js',
  'model-node.d.ts',
  'src/model.ts',
  'src/runtime/fixed-point.ts',
  'src/runtime/dot.ts',
  'src/runtime/matrix.ts',
  'src/runtime/gates.ts',
  'src/runtime/lstm.ts',
  'src/runtime/gru.ts',
  'src/runtime/dense.ts',
  'src/runtime/spike.ts',
  'src/runtime/memory.ts',
  'src/runtime/stream.ts',
];

function bytesOf(contents: string | Uint8Array): Uint8Array {
  return typeof contents === 'string' ? new TextEncoder().encode(contents) : contents;
}

/** Removes a trailing custom section named `name`, the last thing the wasm target appends. */
function stripTrailingCustomSection(wasm: Uint8Array, name: string): Uint8Array {
  const encodedName = new TextEncoder().encode(name);
  for (let start = wasm.length - 1; start > 8; start--) {
    if (wasm[start] !== 0) continue;
    let size = 0;
    let shift = 0;
    let offset = start + 1;
    while (offset < wasm.length) {
      const byte = wasm[offset++];
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) break;
    }
    const nameMatches =
      wasm[offset] === encodedName.length && encodedName.every((byte, k) => wasm[offset + 1 + k] === byte);
    if (offset + size === wasm.length && nameMatches) return wasm.slice(0, start);
  }
  throw new Error(`no trailing custom section "${name}"`);
}

for (const simd of [false, true]) {
  const build = simd ? 'SIMD' : 'scalar';

  test(`${build} emit is byte-identical across runs`, async () => {
    const target = createWasmTarget({ simd });
    const first = await target.emit(context);
    const second = await target.emit(context);
    assert.deepEqual(first.map((file) => file.path), EXPECTED_PATHS);
    assert.deepEqual(second.map((file) => file.path), EXPECTED_PATHS);
    first.forEach((file, k) => {
      assert.deepEqual(bytesOf(file.contents), bytesOf(second[k].contents), file.path);
    });
  });

  test(`${build} emit is byte-identical across processes`, async () => {
    const target = createWasmTarget({ simd });
    const inProcess = await target.emit(context);
    const script = [
      `import { createWasmTarget } from ${JSON.stringify(pathToFileURL(join(DIST_ROOT, 'compiler/targets/wasm.js')).href)};`,
      `import { createHash } from 'node:crypto';`,
      `const context = JSON.parse(process.argv[1]);`,
      `const files = await createWasmTarget({ simd: ${simd} }).emit(context);`,
      `console.log(JSON.stringify(files.map((f) => [f.path, createHash('sha256').update(f.contents).digest('hex')])));`,
    ].join('\n');
    const child = spawnSync(process.execPath, ['--input-type=module', '--eval', script, JSON.stringify(context)], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const expected = inProcess.map((file) => [file.path, createHash('sha256').update(file.contents).digest('hex')]);
    assert.deepEqual(JSON.parse(child.stdout), expected);
  });

  test(`${build} files carry provenance`, async () => {
    const files = await createWasmTarget({ simd }).emit(context);
    for (const file of files) {
      if (typeof file.contents !== 'string') continue;
      const firstLine = file.contents.split('\n')[0];
      assert.match(firstLine, /^\/\/ .*rankcode 9\.8\.7/, `${file.path}: first line names the version`);
      if (!file.path.startsWith('src/runtime/')) {
        assert.ok(firstLine.includes(model.sourceHash), `${file.path}: first line has the model hash`);
        assert.ok(file.contents.includes('Template: targets/wasm/templates/'), `${file.path}: names its template`);
        assert.ok(file.contents.includes(quoteText(model.name)), `${file.path}: escaped model name`);
        assert.ok(!file.contents.includes('line\nbreak'), `${file.path}: no raw line break from the name`);
        assert.ok(!file.contents.includes('\u2028'), `${file.path}: no raw line separator from the name`);
      }
    }
    const wasm = files.find((file) => file.path === 'model.wasm')?.contents as Uint8Array;
    const sections = webAssembly.Module.customSections(new webAssembly.Module(wasm), 'rankcode');
    assert.equal(sections.length, 1);
    const provenance = JSON.parse(new TextDecoder().decode(sections[0])) as Record<string, unknown>;
    assert.equal(provenance.generator, 'rankcode 9.8.7');
    assert.equal(provenance.sourceHash, model.sourceHash);
    assert.equal(provenance.model, model.name);
    assert.equal(provenance.simd, simd);
  });

  test(`${build} model.wasm needs no imports`, async () => {
    const files = await createWasmTarget({ simd }).emit(context);
    const wasm = files.find((file) => file.path === 'model.wasm')?.contents as Uint8Array;
    assert.deepEqual(webAssembly.Module.imports(new webAssembly.Module(wasm)), []);
  });

  test(`${build} emitted sources rebuild model.wasm`, async () => {
    const files = await createWasmTarget({ simd }).emit(context);
    const directory = makeTemporaryFolder();
    writeEmittedFiles(directory, files);
    // The command recorded in the header of src/model.ts, run on the written files.
    const source = join(directory, 'src');
    const result = await asc.main(['model.ts', '--baseDir', source, '--outFile', 'rebuilt.wasm', ...ascArguments(simd)]);
    assert.equal(result.error, null, String(result.stderr));
    const wasm = files.find((file) => file.path === 'model.wasm')?.contents as Uint8Array;
    assert.deepEqual(new Uint8Array(readFileSync(join(source, 'rebuilt.wasm'))), stripTrailingCustomSection(wasm, 'rankcode'));
  });
}

async function emitError(change: (model: QModel) => void): Promise<unknown> {
  const broken = structuredClone(model);
  change(broken);
  try {
    await createWasmTarget({ simd: true }).emit({ ...context, qmodel: broken });
  } catch (error) {
    return error;
  }
  return undefined;
}

test('emit rejects models the runtime cannot run', async () => {
  const cases: [string, (model: QModel) => void, RegExp][] = [
    ['dense before LSTM', (m) => m.layers.unshift(m.layers[2]), /\(LSTM\) follows a dense layer/],
    ['LSTM last', (m) => m.layers.pop(), /last layer of the model must be a dense layer/],
    ['size mismatch', (m) => ((m.layers[1] as QLstmLayer).inputSize = 11), /takes 11 inputs, but the layer below gives 12/],
    ['short kernel', (m) => (m.layers[0] as QLstmLayer).kernel.pop(), /kernel has 1439 values, expected 1440/],
    ['weight range', (m) => ((m.layers[2] as QDenseLayer).kernel[4] = 128), /kernel\[4\] is 128, expected an integer in \[-128, 127\]/],
    ['shift range', (m) => ((m.layers[0] as QLstmLayer).kernelRequant.shift[3] = 63), /kernelRequant.shift\[3\] is 63/],
    ['multiplier range', (m) => ((m.layers[2] as QDenseLayer).requant.mult[0] = 32768), /requant.mult\[0\] is 32768/],
    ['label count', (m) => m.labels.push('extra'), /4 labels but 3 classes \(3 softmax logits\)/],
    ['spike bound', (m) => (m.spikeBound = 0), /spikeBound is 0/],
    ['tanh output', (m) => ((m.layers[2] as QDenseLayer).activation = 'tanh' as QDenseLayer['activation']), /last layer with activation tanh, and the wasm target needs softmax or sigmoid there/],
    [
      'sigmoid spike bound',
      (m) => {
        (m.layers[2] as QDenseLayer).activation = 'sigmoid';
        m.spikeBound = 1.5;
      },
      /spikeBound is 1.5, expected an integer in \[-2\^31, 2\^31 - 1\], the logit L of a sigmoid output/,
    ],
  ];
  for (const [name, change, message] of cases) {
    const error = await emitError(change);
    assert.ok(error instanceof UserError, `${name}: UserError`);
    assert.match(error.message, message, name);
  }
});

test('emit rejects rows whose accumulator could overflow', async () => {
  // 600 recurrent weights of 127 times a hidden state of 32768 exceed 2^31 - 1.
  const wide = randomQModel({ seed: 52, inputSize: 2, lstmUnits: [600], classes: 2, threshold: 0.9 });
  const layer = wide.layers[0] as QLstmLayer;
  layer.recurrentKernel.fill(0);
  for (let j = 0; j < 600; j++) layer.recurrentKernel[5 * 600 + j] = 127;
  const error = await createWasmTarget({ simd: false })
    .emit({ ...context, qmodel: wide })
    .then(() => undefined, (caught: unknown) => caught);
  assert.ok(error instanceof UserError);
  assert.match(error.message, /recurrentKernel row 5: sum \|w\| \* max \|x\| = 2496921600 exceeds 2\^31 - 1/);
});
