/**
 * Float-versus-integer agreement of a temporal MNIST model on the test images,
 * for int8 and int16 weights: accuracy of each at its spike step, the share of
 * images with the same spike step and class, and the largest logit error.
 *
 *   node dist/bench/quantization-mnist.js --model runs/main/train/model.json [--limit N] [--weights 8,16]
 *
 * The images go through measureAgreement in chunks, so memory stays small.
 */
import { Command } from 'commander';
import { type AgreementReport, type LabelledSequence, measureAgreement } from '../compiler/evaluate.js';
import { loadModel } from '../compiler/loader.js';
import { quantizeModel } from '../compiler/quantize.js';
import { loadTemporalMnist, type TemporalMnistSet } from '../trainer/data/temporal-mnist.js';

/** Test images per measureAgreement call. */
const CHUNK_SIZE = 500;

function toSequence(set: TemporalMnistSet, example: number): LabelledSequence {
  const frames = Array.from({ length: set.frames }, () => new Array<number>(set.frameSize).fill(0));
  for (let pixel = 0; pixel < set.frameSize; pixel++) {
    const step = set.spikeSteps[example * set.frameSize + pixel];
    if (step >= 0) frames[step][pixel] = 1;
  }
  return { frames, label: set.labels[example] };
}

/** Combines chunk reports, weighting each fraction by its sequence count. */
function combine(reports: AgreementReport[]): AgreementReport {
  const total = reports.reduce((sum, report) => sum + report.sequences, 0);
  const weighted = (key: Exclude<keyof AgreementReport, 'sequences' | 'largestLogitError' | 'inputValues' | 'saturatedInputs' | 'largestInput'>) =>
    reports.reduce((sum, report) => sum + report[key] * report.sequences, 0) / total;
  return {
    sequences: total,
    floatAccuracy: weighted('floatAccuracy'),
    integerAccuracy: weighted('integerAccuracy'),
    floatMeanStep: weighted('floatMeanStep'),
    integerMeanStep: weighted('integerMeanStep'),
    classAgreement: weighted('classAgreement'),
    stepAgreement: weighted('stepAgreement'),
    agreement: weighted('agreement'),
    largestLogitError: Math.max(...reports.map((report) => report.largestLogitError)),
    inputValues: reports.reduce((sum, report) => sum + report.inputValues, 0),
    saturatedInputs: reports.reduce((sum, report) => sum + report.saturatedInputs, 0),
    largestInput: Math.max(...reports.map((report) => report.largestInput)),
  };
}

const program = new Command('quantization-mnist')
  .requiredOption('--model <model.json>', 'temporal MNIST model written by rc-train')
  .option('--limit <n>', 'test images to use (default all 10,000)', (value) => Number.parseInt(value, 10))
  .option('--weights <bits>', 'comma-separated weight widths', '8,16')
  .parse();
const flags = program.opts<{ model: string; limit?: number; weights: string }>();

const model = loadModel(flags.model);
const frames = model.settings.frames > 0 ? model.settings.frames : 10;
const { test } = loadTemporalMnist({ frames, validationCount: 5000, trainLimit: 1, validationLimit: 1, testLimit: flags.limit });
for (const bits of flags.weights.split(',').map(Number)) {
  const qmodel = quantizeModel(model, { weightBits: bits as 8 | 16 });
  const started = performance.now();
  const reports: AgreementReport[] = [];
  for (let start = 0; start < test.count; start += CHUNK_SIZE) {
    const sequences: LabelledSequence[] = [];
    for (let example = start; example < Math.min(test.count, start + CHUNK_SIZE); example++) sequences.push(toSequence(test, example));
    reports.push(measureAgreement(model, qmodel, sequences));
  }
  const report = combine(reports);
  const percent = (value: number) => `${(100 * value).toFixed(2)} %`;
  process.stdout.write(
    `int${bits} weights, ${report.sequences} test images: float ${percent(report.floatAccuracy)} at mean step ${report.floatMeanStep.toFixed(3)}, ` +
      `integer ${percent(report.integerAccuracy)} at mean step ${report.integerMeanStep.toFixed(3)}, ` +
      `same step and class ${percent(report.agreement)} (same step ${percent(report.stepAgreement)}, same class ${percent(report.classAgreement)}), ` +
      `largest logit error ${report.largestLogitError.toFixed(4)}, ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
}
