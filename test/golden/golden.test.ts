/**
 * Drift detector: the committed golden files must equal what the generator builds
 * now. A failure means the quantizer or the integer arithmetic changed; if that
 * was intended, run `npm run golden` and commit the new files with the change.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../compiler/render.js';
import { ReferenceSimulator } from '../../compiler/simulator.js';
import { type GoldenFile, NETWORK_GOLDEN_FOLDER, generateGoldenFiles } from './generate.js';

const GOLDEN_FOLDER = join(PACKAGE_ROOT, 'test', 'golden');

describe('golden vectors', () => {
  const generated = generateGoldenFiles();

  it('committed files are the generated set', () => {
    const committed = [
      ...readdirSync(GOLDEN_FOLDER),
      ...readdirSync(join(GOLDEN_FOLDER, NETWORK_GOLDEN_FOLDER)).map((name) => `${NETWORK_GOLDEN_FOLDER}/${name}`),
    ]
      .filter((name) => name.endsWith('.json'))
      .sort();
    assert.deepEqual(committed, [...generated.keys()].sort(), 'run npm run golden to regenerate test/golden');
  });

  for (const [name, contents] of generated) {
    it(`${name} matches the generator`, () => {
      const committed = readFileSync(join(GOLDEN_FOLDER, name), 'utf8');
      assert.ok(committed === contents, `${name} differs from the generator output; run npm run golden if the change is intended`);
    });
  }

  it('replays through a fresh simulator', () => {
    for (const contents of generated.values()) {
      const golden = JSON.parse(contents) as GoldenFile;
      const simulator = new ReferenceSimulator(golden.qmodel);
      for (const goldenCase of golden.cases) {
        const result = simulator.run(goldenCase.frames);
        assert.deepEqual(
          { spiked: result.spiked, classIndex: result.classIndex, step: result.step, confidence: result.confidence },
          { spiked: goldenCase.spiked, classIndex: goldenCase.classIndex, step: goldenCase.step, confidence: goldenCase.confidence },
          `${golden.qmodel.name}/${goldenCase.name}`,
        );
        assert.deepEqual(Array.from(simulator.logits), goldenCase.logits[goldenCase.logits.length - 1]);
      }
    }
  });

  it('covers an early spike and a sequence without one', () => {
    const cases = [...generated.values()].flatMap((contents) => (JSON.parse(contents) as GoldenFile).cases);
    assert.ok(cases.some((goldenCase) => goldenCase.spiked && goldenCase.step <= 3), 'a case spikes by frame 3');
    assert.ok(cases.some((goldenCase) => !goldenCase.spiked), 'a case never spikes');
    assert.ok(cases.some((goldenCase) => goldenCase.frames.flat().includes(-127) && goldenCase.frames.flat().includes(127)));
  });
});
