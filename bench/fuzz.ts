/**
 * Long differential fuzz run: random small models and random int8 sequences on
 * the reference simulator, the wasm target and the C target, with the same
 * generators as test/robustness/cross-check.test.ts. Models are compiled in
 * batches: one wasm instance per model serves all its sequences, and one C
 * harness (built with the address and undefined-behaviour sanitizers unless
 * --no-sanitizers) serves a whole batch of models.
 *
 *   npm run bench:fuzz -- --count 100000 --seed 1
 *
 * Prints the counts of cases, crashes and mismatches, and exits with status 1
 * when any case crashed or differed.
 */
import { Command } from 'commander';
import fc from 'fast-check';
import { log } from '../common/log.js';
import { removeTemporaryFolders } from '../test/runtime-as/wasm-harness.js';
import { C_SANITIZER_FLAGS, hasCommand } from '../test/robustness/c-batch.js';
import { type BatchEntry, crossCheck } from '../test/robustness/cross-check.js';
import { qmodelArbitrary, sequenceArbitrary } from '../test/robustness/random-models.js';

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`expected a positive integer, got "${text}"`);
  return value;
}

const program = new Command('bench:fuzz')
  .description('Run random models and sequences on the reference simulator, wasm and C, and count crashes and mismatches.')
  .option('--count <cases>', 'number of cases (sequences, each run on all three runtimes)', positiveInteger, 100_000)
  .option('--seed <n>', 'fast-check seed of the model and sequence generators', positiveInteger, 1)
  .option('--sequences-per-model <n>', 'random sequences run on each model', positiveInteger, 500)
  .option('--models-per-batch <n>', 'models linked into one C harness', positiveInteger, 25)
  .option('--max-frames <n>', 'longest random sequence, in frames', positiveInteger, 24)
  .option('--no-sanitizers', 'build the C harness with -O2 instead of the address and undefined-behaviour sanitizers')
  .parse(process.argv);

const options = program.opts<{
  count: number;
  seed: number;
  sequencesPerModel: number;
  modelsPerBatch: number;
  maxFrames: number;
  sanitizers: boolean;
}>();

const skipC = !hasCommand('gcc');
if (skipC) log.warn('gcc not found on PATH: running the reference and wasm only.');
const cFlags = options.sanitizers ? C_SANITIZER_FLAGS : ['-O2'];

const modelCount = Math.ceil(options.count / options.sequencesPerModel);
const models = fc.sample(qmodelArbitrary(), { seed: options.seed, numRuns: modelCount });
const totals = { cases: 0, crashes: 0, mismatches: 0, labelMismatches: 0 };
const problems: string[] = [];
const started = performance.now();

for (let first = 0; first < modelCount; first += options.modelsPerBatch) {
  const entries: BatchEntry[] = [];
  for (let m = first; m < Math.min(modelCount, first + options.modelsPerBatch); m++) {
    const sequences = Math.min(options.sequencesPerModel, options.count - m * options.sequencesPerModel);
    const generator = fc.array(sequenceArbitrary(models[m].inputSize, options.maxFrames), { minLength: sequences, maxLength: sequences });
    entries.push({ model: models[m], sequences: fc.sample(generator, { seed: options.seed * 1_000_003 + m, numRuns: 1 })[0] });
  }
  const counts = await crossCheck(entries, { cFlags, skipC });
  totals.cases += counts.cases;
  totals.crashes += counts.crashes;
  totals.mismatches += counts.mismatches;
  totals.labelMismatches += counts.labelMismatches;
  problems.push(...counts.problems.slice(0, Math.max(0, 10 - problems.length)));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  log.info(`models ${first + entries.length}/${modelCount}: ${totals.cases} cases, ${totals.crashes} crashes, ${totals.mismatches} mismatches (${seconds} s)`);
  removeTemporaryFolders();
}

const runtimes = skipC ? 'reference and wasm' : `reference, wasm and C (${options.sanitizers ? 'sanitizers' : '-O2'})`;
process.stdout.write(
  [
    `fuzz seed ${options.seed}: ${modelCount} models, ${totals.cases} cases on ${runtimes}`,
    `cases ${totals.cases}`,
    `crashes ${totals.crashes}`,
    `mismatches ${totals.mismatches}`,
    `label mismatches ${totals.labelMismatches}`,
    `time ${((performance.now() - started) / 1000).toFixed(1)} s`,
    ...problems.map((text) => `problem: ${text}`),
  ].join('\n') + '\n',
);
process.exitCode = totals.crashes + totals.mismatches + totals.labelMismatches > 0 ? 1 : 0;
