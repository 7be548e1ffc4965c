/**
 * WebAssembly conformance: every golden file's model is emitted by the wasm
 * target, as the SIMD build through the target registry (what `rc-compile
 * --target wasm` writes) and as the scalar build, and run on every golden case
 * with the generated loader. The logits of every computed frame, the spike
 * step, class, confidence and frames computed must equal the golden vectors bit
 * for bit, by step() and by the batch run(), and no frame may be computed after
 * the spike.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { setLogLevel } from '../../common/log.js';
import { emitTargets } from '../../compiler/emit.js';
import { buildReport } from '../../compiler/report.js';
import type { GoldenCase } from '../golden/generate.js';
import { GOLDEN_FOLDER, readGoldenFiles } from '../golden/golden-files.js';
import { emitModel, makeTemporaryFolder, removeTemporaryFolders, type LoadedModel, type LoadedStepResult, type LoaderModule } from '../runtime-as/wasm-harness.js';



setLogLevel('warn');
after(removeTemporaryFolders);
const goldenFiles = readGoldenFiles({ networks: true });

it('golden files exist', () => {
  assert.ok(goldenFiles.length > 0, `no golden files (*.json) in ${GOLDEN_FOLDER}; run "npm run golden" to generate them`);
});

/** Steps through every frame of the case, past the spike too, and compares each computed frame. */
function checkByStep(model: LoadedModel, goldenCase: GoldenCase): void {
  model.reset();
  const computed = goldenCase.logits.length;
  let result = model.step(Int8Array.from(goldenCase.frames[0]));
  assert.deepEqual(Array.from(model.logits), goldenCase.logits[0], 'logits of frame 1');
  for (let t = 1; t < goldenCase.frames.length; t++) {
    result = model.step(Int8Array.from(goldenCase.frames[t]));
    if (t < computed) {
      assert.deepEqual(Array.from(model.logits), goldenCase.logits[t], `logits of frame ${t + 1}`);
    } else {
      // After the spike the logits of the spike frame stay.
      assert.deepEqual(Array.from(model.logits), goldenCase.logits[computed - 1], `logits held at frame ${t + 1}`);
    }
  }
  checkResult(model, result, goldenCase, 'step()');
}

function checkResult(model: LoadedModel, result: LoadedStepResult, goldenCase: GoldenCase, method: string): void {
  assert.equal(result.spiked, goldenCase.spiked, `${method}: spiked`);
  assert.equal(result.classIndex, goldenCase.classIndex, `${method}: class`);
  assert.equal(result.step, goldenCase.step, `${method}: step`);
  assert.equal(result.confidence, goldenCase.confidence, `${method}: confidence`);
  assert.equal(model.framesComputed, goldenCase.framesComputed, `${method}: frames computed`);
}

function checkByRun(model: LoadedModel, goldenCase: GoldenCase): void {
  const frames = goldenCase.frames.map((frame) => Int8Array.from(frame));
  const result = model.run(frames);
  checkResult(model, result, goldenCase, 'run()');
  assert.deepEqual(Array.from(model.logits), goldenCase.logits[goldenCase.logits.length - 1], 'run(): logits of the last computed frame');
}

for (const { file, golden } of goldenFiles) {
  describe(`wasm conformance ${file}`, () => {
    const loaders: Record<string, LoaderModule> = {};
    const wasmBytes: Record<string, Uint8Array> = {};

    before(async () => {
      // The SIMD build as the registry and emitTargets write it.
      const folder = makeTemporaryFolder();
      const emitted = await emitTargets(golden.qmodel, buildReport(golden.qmodel), { targets: ['wasm'], outDir: folder, force: true });
      assert.ok(emitted[0].files.includes('model.wasm'), 'the wasm target wrote model.wasm');
      loaders.SIMD = (await import(pathToFileURL(join(folder, 'model.js')).href)) as LoaderModule;
      wasmBytes.SIMD = readFileSync(join(folder, 'model.wasm'));
      const scalar = await emitModel(golden.qmodel, false);
      loaders.scalar = scalar.loader;
      wasmBytes.scalar = scalar.wasm;
    });

    for (const build of ['SIMD', 'scalar']) {
      it(`${build} build matches every golden case`, () => {
        const model = loaders[build].createModelSync(wasmBytes[build]);
        assert.equal(model.simd, build === 'SIMD');
        for (const goldenCase of golden.cases) {
          checkByStep(model, goldenCase);
          checkByRun(model, goldenCase);
        }
      });
    }
  });
}
