/**
 * Property test of random small models with hostile labels: 1..12 inputs, 1..10
 * units, 2..5 classes, any int8 weights, multipliers and shifts in their valid
 * ranges, biases in int32. Random int8 sequences must give bit-identical
 * results on the reference simulator, the wasm target and the C target, which
 * is built with the address and undefined-behaviour sanitizers. Each run
 * builds one C harness for a batch of models. RANKCODE_FUZZ_SEED sets the seed
 * (default 1).
 */
import { strict as assert } from 'node:assert';
import { after, it } from 'node:test';
import fc from 'fast-check';
import { setLogLevel } from '../../common/log.js';
import { removeTemporaryFolders } from '../runtime-as/wasm-harness.js';
import { C_SANITIZER_FLAGS, hasCommand } from './c-batch.js';
import { type BatchEntry, crossCheck } from './cross-check.js';
import { qmodelArbitrary, sequenceArbitrary } from './random-models.js';

setLogLevel('error');
after(removeTemporaryFolders);

const MODELS_PER_BATCH = 6;
const RUNS = 5;
const SEED = Number(process.env.RANKCODE_FUZZ_SEED ?? 1);

const entry: fc.Arbitrary<BatchEntry> = qmodelArbitrary().chain((model) =>
  fc.array(sequenceArbitrary(model.inputSize, 24), { minLength: 1, maxLength: 20 }).map((sequences) => ({ model, sequences })),
);

it('random models agree on reference, wasm and C', { timeout: 120_000 }, async () => {
  const skipC = !hasCommand('gcc');
  let cases = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(entry, { minLength: MODELS_PER_BATCH, maxLength: MODELS_PER_BATCH }), async (entries) => {
      const counts = await crossCheck(entries, { cFlags: C_SANITIZER_FLAGS, skipC });
      cases += counts.cases;
      assert.equal(counts.crashes, 0, counts.problems.join('\n'));
      assert.equal(counts.mismatches, 0, counts.problems.join('\n'));
      assert.equal(counts.labelMismatches, 0, counts.problems.join('\n'));
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
  assert.ok(cases >= RUNS * MODELS_PER_BATCH, `${cases} cases ran`);
});
