/**
 * The registry's `wasm-scalar` target (`rc-compile --target wasm-scalar`): the
 * build without wasm SIMD, emitted through emitTargets as the CLI does. It must
 * write a loader that reports simd false, and match the integer reference bit for
 * bit: the golden vectors of every golden file, and the reference simulator
 * frame by frame on a random stacked model with extreme requantization rows.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { setLogLevel } from '../../common/log.js';
import { emitTargets } from '../../compiler/emit.js';
import type { QModel } from '../../compiler/qmodel.js';
import { buildReport } from '../../compiler/report.js';
import { ReferenceSimulator } from '../../compiler/simulator.js';
import { findTarget, targetNames } from '../../compiler/targets/index.js';
import { readGoldenFiles } from '../golden/golden-files.js';
import { Random, randomFrames, randomQModel } from '../runtime-as/random-qmodel.js';
import { makeTemporaryFolder, removeTemporaryFolders, webAssembly, type LoadedModel, type LoaderModule } from '../runtime-as/wasm-harness.js';

setLogLevel('warn');
after(removeTemporaryFolders);

interface ScalarBuild {
  folder: string;
  files: string[];
  loader: LoaderModule;
  wasm: Uint8Array;
  create(): LoadedModel;
}

/** Emits `qmodel` with the registry's wasm-scalar target into a new folder and imports its loader. */
async function emitScalar(qmodel: QModel): Promise<ScalarBuild> {
  const folder = makeTemporaryFolder();
  const [emitted] = await emitTargets(qmodel, buildReport(qmodel), { targets: ['wasm-scalar'], outDir: folder, force: true });
  const loader = (await import(pathToFileURL(join(folder, 'model.js')).href)) as LoaderModule;
  const wasm = readFileSync(join(folder, 'model.wasm'));
  return { folder, files: emitted.files, loader, wasm, create: () => loader.createModelSync(wasm) };
}

describe('wasm-scalar target', () => {
  it('is registered', () => {
    assert.ok(targetNames().includes('wasm-scalar'), `targetNames() is ${targetNames().join(', ')}`);
    assert.equal(findTarget('wasm-scalar').name, 'wasm-scalar');
    assert.equal(findTarget('wasm').name, 'wasm');
  });

  it('emits a build without SIMD', async () => {
    const qmodel = randomQModel({ seed: 61, inputSize: 20, lstmUnits: [9], classes: 4, threshold: 0.9 });
    const build = await emitScalar(qmodel);
    for (const path of ['model.wasm', 'model.js', 'model.d.ts', 'model-node.js', 'src/model.ts', 'qmodel.json', 'report.json']) {
      assert.ok(build.files.includes(path), `wrote ${path}`);
    }
    const report = JSON.parse(readFileSync(join(build.folder, 'report.json'), 'utf8')) as { target: string };
    assert.equal(report.target, 'wasm-scalar');
    assert.equal(build.loader.modelInfo.simd, false, 'modelInfo.simd');
    assert.equal(build.create().simd, false, 'model.simd');
    const sections = webAssembly.Module.customSections(new webAssembly.Module(build.wasm), 'rankcode');
    assert.equal(sections.length, 1, 'one rankcode custom section');
    const provenance = JSON.parse(new TextDecoder().decode(sections[0])) as { simd: boolean };
    assert.equal(provenance.simd, false, 'custom section simd');
  });

  it('matches the reference simulator frame by frame', async () => {
    // At theta 0.999 the four sequences spike at steps 15, 10, 22 and 6, so computed and held frames are both compared.
    const qmodel = randomQModel({ seed: 62, inputSize: 33, lstmUnits: [17, 9], classes: 5, threshold: 0.999 });
    const model = (await emitScalar(qmodel)).create();
    const reference = new ReferenceSimulator(qmodel);
    const random = new Random(63);
    for (let sequence = 0; sequence < 4; sequence++) {
      const frames = randomFrames(random, 40, qmodel.inputSize, sequence === 3 ? 0.1 : 1);
      model.reset();
      reference.reset();
      for (const [t, frame] of frames.entries()) {
        const actual = model.step(frame);
        const expected = reference.step(frame);
        assert.deepEqual(Array.from(model.logits), Array.from(reference.logits), `sequence ${sequence}, logits of frame ${t + 1}`);
        assert.equal(actual.spiked, expected.spiked, `sequence ${sequence}, frame ${t + 1}: spiked`);
        assert.equal(actual.classIndex, expected.classIndex, `sequence ${sequence}, frame ${t + 1}: class`);
        assert.equal(actual.step, expected.step, `sequence ${sequence}, frame ${t + 1}: step`);
        assert.equal(actual.confidence, expected.confidence, `sequence ${sequence}, frame ${t + 1}: confidence`);
        assert.equal(model.framesComputed, reference.framesComputed, `sequence ${sequence}, frame ${t + 1}: frames computed`);
      }
    }
  });

  for (const { file, golden } of readGoldenFiles({ networks: true })) {
    it(`matches the golden vectors of ${file}`, async () => {
      const model = (await emitScalar(golden.qmodel)).create();
      for (const goldenCase of golden.cases) {
        const frames = goldenCase.frames.map((frame) => Int8Array.from(frame));
        model.reset();
        let result = model.step(frames[0]);
        for (let t = 0; t < goldenCase.framesComputed; t++) {
          if (t > 0) result = model.step(frames[t]);
          assert.deepEqual(Array.from(model.logits), goldenCase.logits[t], `${goldenCase.name}: logits of frame ${t + 1}`);
        }
        assert.equal(result.spiked, goldenCase.spiked, `${goldenCase.name}: spiked`);
        assert.equal(result.classIndex, goldenCase.classIndex, `${goldenCase.name}: class`);
        assert.equal(result.step, goldenCase.step, `${goldenCase.name}: step`);
        assert.equal(result.confidence, goldenCase.confidence, `${goldenCase.name}: confidence`);

        const batch = model.run(frames);
        assert.equal(batch.step, goldenCase.step, `${goldenCase.name}: run() step`);
        assert.equal(model.framesComputed, goldenCase.framesComputed, `${goldenCase.name}: run() frames computed`);
      }
    });
  }
});
