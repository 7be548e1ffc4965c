/**
 * Measures how early a sequence spotting model spikes on the positive test
 * sequences. For each positive sequence, the earliest possible positive spike is
 * the step at which the first run of `runLength` equal frames completes
 * (earliestDecisionStep). The script runs the float model over all T frames and
 * applies the spike rule at the model's theta. It counts the positive sequences
 * whose positive spike comes at exactly that step, before it or after it, and
 * those with a negative spike or no spike.
 *
 *   node dist/bench/spotting-earliest.js --model runs/spotting/model.json [--seed 1] [--test-count 10000] [--json]
 *
 * The test split is generated as rc-train generates it, so --seed, --run-length
 * and --rate must match the training run.
 */
import { Command, InvalidArgumentError } from 'commander';
import { selectBackend, type BackendChoice } from '../trainer/backend.js';
import { loadSequenceSpotting } from '../trainer/data/sequence-spotting.js';
import { runTfjsTrajectories } from '../trainer/eval-engines.js';
import { loadRcModel } from '../trainer/model-file.js';

interface EarliestReport {
  model: string;
  theta: number;
  testSequences: number;
  positiveSequences: number;
  /** Shares of the positive sequences; they sum to 1. */
  positiveSpikeAtEarliestStep: number;
  positiveSpikeBeforeEarliestStep: number;
  positiveSpikeAfterEarliestStep: number;
  negativeSpike: number;
  noSpike: number;
  /** Mean of t_sp minus the earliest step over the positive spikes, in steps. */
  meanDelayOfPositiveSpikes: number;
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return count;
}

function parseRate(value: string): number {
  const rate = Number(value);
  if (!(rate > 0 && rate < 1)) throw new InvalidArgumentError(`expected a number between 0 and 1, got "${value}"`);
  return rate;
}

async function measureEarliest(options: {
  model: string;
  seed: number;
  testCount: number;
  runLength: number;
  rate: number;
  backend: BackendChoice;
}): Promise<EarliestReport> {
  // The model reader decodes the weights into tensors, so the backend starts first.
  await selectBackend(options.backend);
  const { weights, metadata } = await loadRcModel(options.model);
  if (metadata.task !== 'sequence-spotting') {
    throw new Error(`${options.model} was trained on the task ${metadata.task}; pass a sequence-spotting model`);
  }
  // A split draws from its own random stream, so one training example and no
  // validation examples leave the test split as rc-train generated it.
  const test = loadSequenceSpotting({
    seed: options.seed,
    trainCount: 1,
    validationCount: 0,
    testCount: options.testCount,
    frames: metadata.frames,
    runLength: options.runLength,
    rate: options.rate,
  }).test;
  const trajectories = runTfjsTrajectories(weights, test);

  const theta = metadata.threshold;
  let positives = 0;
  let atEarliest = 0;
  let beforeEarliest = 0;
  let afterEarliest = 0;
  let negativeSpikes = 0;
  let noSpikes = 0;
  let delaySum = 0;
  for (let example = 0; example < test.count; example++) {
    if (test.labels[example] !== 1) continue;
    positives++;
    const { step, spiked } = trajectories.spikeStep(example, theta);
    if (!spiked) {
      noSpikes++;
      continue;
    }
    if (trajectories.classAt(example, step) !== 1) {
      negativeSpikes++;
      continue;
    }
    const earliest = test.earliestDecisionStep(example);
    delaySum += step - earliest;
    if (step === earliest) atEarliest++;
    else if (step < earliest) beforeEarliest++;
    else afterEarliest++;
  }

  const share = (count: number): number => (positives === 0 ? 0 : count / positives);
  const positiveSpikes = atEarliest + beforeEarliest + afterEarliest;
  return {
    model: options.model,
    theta,
    testSequences: test.count,
    positiveSequences: positives,
    positiveSpikeAtEarliestStep: share(atEarliest),
    positiveSpikeBeforeEarliestStep: share(beforeEarliest),
    positiveSpikeAfterEarliestStep: share(afterEarliest),
    negativeSpike: share(negativeSpikes),
    noSpike: share(noSpikes),
    meanDelayOfPositiveSpikes: positiveSpikes === 0 ? 0 : delaySum / positiveSpikes,
  };
}

async function main(): Promise<void> {
  const program = new Command('spotting-earliest')
    .description('share of positive sequence spotting test sequences whose positive spike comes at the earliest possible step')
    .requiredOption('--model <path>', 'model.json of a sequence-spotting model written by rc-train')
    .option('--seed <n>', 'seed of the training run, which fixes the test split', parseCount, 1)
    .option('--test-count <n>', 'test sequences, as --test-count of rc-train', parseCount, 10_000)
    .option('--run-length <n>', 'equal frames in a row that make a sequence positive', parseCount, 5)
    .option('--rate <p>', 'probability of a 1 frame', parseRate, 0.5)
    .option('--backend <name>', 'TensorFlow.js backend: auto, tensorflow, wasm or cpu', 'auto')
    .option('--json', 'print the result as JSON');
  program.parse();
  const options = program.opts<{ model: string; seed: number; testCount: number; runLength: number; rate: number; backend: BackendChoice; json?: boolean }>();

  const report = await measureEarliest(options);
  if (options.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const percent = (value: number): string => `${(100 * value).toFixed(2)} %`;
  console.log(`${report.model}: ${report.positiveSequences} positive of ${report.testSequences} test sequences, theta ${report.theta}`);
  console.log(`  positive spike at the earliest step: ${percent(report.positiveSpikeAtEarliestStep)}`);
  console.log(`  positive spike before it:            ${percent(report.positiveSpikeBeforeEarliestStep)}`);
  console.log(`  positive spike after it:             ${percent(report.positiveSpikeAfterEarliestStep)}`);
  console.log(`  negative spike:                      ${percent(report.negativeSpike)}`);
  console.log(`  no spike:                            ${percent(report.noSpike)}`);
  console.log(`  mean delay of the positive spikes:   ${report.meanDelayOfPositiveSpikes.toFixed(3)} steps`);
}

main().catch((error: unknown) => {
  console.error(`spotting-earliest failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
