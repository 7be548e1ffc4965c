/**
 * The main job on the embedded default. It RC-trains an LSTM on real MNIST
 * (temporal encoding), compiles it to wasm and C, and runs the WASM runtime with
 * early exit over the 10,000 test images, checking every result against the
 * integer reference simulator. It prints float accuracy, quantized accuracy,
 * mean spike step and the share of frames never computed; `--json` prints the
 * same summary as one JSON object.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { EXIT_USAGE } from '../common/cli.js';
import { UserError } from '../common/errors.js';
import { checkOutputFolderPath, writeFileAtomic } from '../common/files.js';
import { log, setLogLevel } from '../common/log.js';
import { emitTargets } from '../compiler/emit.js';
import type { FloatModel } from '../compiler/float-model.js';
import { loadModel } from '../compiler/loader.js';
import { quantizeModel } from '../compiler/quantize.js';
import { buildReport, formatReport } from '../compiler/report.js';
import { ReferenceSimulator, quantizeInput } from '../compiler/simulator.js';
import { loadTemporalMnist, type TemporalMnistSet } from '../trainer/data/temporal-mnist.js';
import { DEFAULT_TRAIN_OPTIONS } from '../trainer/options.js';
import { REPORT_FILE, trainTemporalMnist } from '../trainer/train.js';

/** Exit status when the WASM runtime and the reference simulator disagree. */
const EXIT_MISMATCH = 1;

export interface MainJobSummary {
  floatAccuracy: number;
  quantizedAccuracy: number;
  meanSpikeStep: number;
  framesSkippedShare: number;
  /** Float mean spike step of the test images (1-based). */
  floatMeanSpikeStep: number;
  /** Test images behind the float figures; the WASM figures always cover all of them. */
  floatTestImages: number;
  testImages: number;
  frames: number;
  /** Images whose WASM class, spike step and confidence equal the reference simulator's. */
  referenceMatches: number;
  noSpikeShare: number;
  backend: string;
  trainSeconds: number;
  wallSeconds: number;
  outDir: string;
}

interface WasmStepResult {
  spiked: boolean;
  classIndex: number;
  step: number;
  confidence: number;
}

interface WasmModel {
  framesComputed: number;
  run(frames: Int8Array): WasmStepResult;
}

/** Writes the int8 frames of one test image, flat [frames][784], into `target`. */
function writeImageFrames(set: TemporalMnistSet, example: number, spikeValue: number, target: Int8Array): void {
  target.fill(0);
  const pixels = set.frameSize;
  for (let pixel = 0; pixel < pixels; pixel++) {
    const step = set.spikeSteps[example * pixels + pixel];
    if (step >= 0) target[step * pixels + pixel] = spikeValue;
  }
}

interface MainJobFlags {
  out: string;
  model?: string;
  epochs?: number;
  units?: number;
  json?: boolean;
}

/** The task that rc-train writes into the metadata of a temporal-MNIST model. */
const MAIN_JOB_TASK = 'temporal-mnist';
/** Values per frame of a temporal-MNIST model: one per pixel of a 28 x 28 image. */
const MAIN_JOB_INPUT_SIZE = 28 * 28;

/** The trained model file and its float test figures, which the later stages need. */
interface TrainedModel {
  modelPath: string;
  /** The float model, when --model loaded it before the stages ran. */
  floatModel?: FloatModel;
  frames: number;
  validationCount: number;
  dataDir?: string;
  floatAccuracy: number;
  floatMeanSpikeStep: number;
  /** Test images behind the float figures. */
  floatTestImages: number;
  backend: string;
  trainSeconds: number;
}

async function trainStage(outDir: string, flags: MainJobFlags): Promise<TrainedModel> {
  log.info('stage 1/3: rank-coding training on temporal MNIST');
  const trained = await trainTemporalMnist({
    outDir: join(outDir, 'train'),
    // The main job owns <out>/train, so a second run replaces the model of the first.
    force: true,
    epochs: flags.epochs,
    units: flags.units,
    progress: !flags.json,
  });
  return {
    modelPath: trained.model.modelPath,
    frames: trained.options.frames ?? 10,
    validationCount: trained.options.validationCount ?? 5000,
    dataDir: trained.options.dataDir,
    floatAccuracy: trained.test.accuracyAtSpike,
    floatMeanSpikeStep: trained.test.meanSpikeStep,
    floatTestImages: trained.test.examples,
    backend: trained.backend,
    trainSeconds: trained.wallSeconds,
  };
}

/**
 * Loads the --model file and rejects a model of another task, whose input the
 * temporal-MNIST test images cannot fill. A model without a stated task (such as
 * a converted Keras model) passes when it takes 784 inputs.
 */
function loadMainJobModel(modelPath: string): FloatModel {
  const model = loadModel(modelPath);
  const task = model.settings.task;
  const inputSize = model.layers[0].inputSize;
  if ((task !== undefined && task !== MAIN_JOB_TASK) || inputSize !== MAIN_JOB_INPUT_SIZE) {
    const taskText = task === undefined ? 'states no task' : `has task "${task}"`;
    throw new UserError(
      `model ${modelPath} ${taskText} (userDefinedMetadata.rankcode.task) and ${inputSize} inputs per frame; ` +
        `the main job takes ${MAIN_JOB_TASK} models (${MAIN_JOB_INPUT_SIZE} inputs) only. ` +
        'Compile other models with rc-compile and evaluate them with rc-eval.',
    );
  }
  return model;
}

/** Reuses a model trained earlier: its float test figures come from the report.json that rc-train wrote beside it. */
function readTrainedModel(modelPath: string): TrainedModel {
  if (!existsSync(modelPath)) {
    throw new UserError(`model not found: ${modelPath}; pass the model.json that rc-train wrote, or leave out --model to train one`);
  }
  const floatModel = loadMainJobModel(modelPath);
  const reportPath = join(dirname(resolve(modelPath)), REPORT_FILE);
  if (!existsSync(reportPath)) {
    throw new UserError(`training report not found: ${reportPath}; pass a model.json written by rc-train, or leave out --model to train one`);
  }
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as {
    backend: string;
    settings: { frames: number; validationCount: number; dataDir?: string };
    test: { accuracyAtSpike: number; meanSpikeStep: number; examples: number };
  };
  log.info(`stage 1/3: skipped, reusing ${modelPath} (float test figures from ${reportPath})`);
  return {
    modelPath,
    floatModel,
    frames: report.settings.frames,
    validationCount: report.settings.validationCount,
    dataDir: report.settings.dataDir,
    floatAccuracy: report.test.accuracyAtSpike,
    floatMeanSpikeStep: report.test.meanSpikeStep,
    floatTestImages: report.test.examples,
    backend: report.backend,
    trainSeconds: 0,
  };
}

async function runMainJob(flags: MainJobFlags): Promise<number> {
  const startTime = performance.now();
  const outDir = resolve(flags.out);
  checkOutputFolderPath(outDir);

  const trained = flags.model === undefined ? await trainStage(outDir, flags) : readTrainedModel(flags.model);

  log.info('stage 2/3: quantizing and compiling to wasm and c');
  const floatModel = trained.floatModel ?? loadModel(trained.modelPath);
  const qmodel = quantizeModel(floatModel);
  const compileReport = buildReport(qmodel);
  const emitted = await emitTargets(qmodel, compileReport, { targets: ['wasm', 'c'], outDir: join(outDir, 'build'), force: true });
  log.info(formatReport(compileReport));
  const wasmFolder = emitted.find((entry) => entry.target === 'wasm')!.folder;

  log.info('stage 3/3: running the WASM runtime over the test images with early exit');
  const loader = (await import(pathToFileURL(join(wasmFolder, 'model.js')).href)) as {
    createModel(bytes: Uint8Array): Promise<WasmModel>;
  };
  const wasm = await loader.createModel(readFileSync(join(wasmFolder, 'model.wasm')));
  const reference = new ReferenceSimulator(qmodel);
  const frames = trained.frames;
  const { test } = loadTemporalMnist({ frames, validationCount: trained.validationCount, dataDir: trained.dataDir, trainLimit: 1, validationLimit: 1 });
  const spikeValue = quantizeInput(1, qmodel.inputScale);
  const flat = new Int8Array(frames * test.frameSize);
  const frameViews = Array.from({ length: frames }, (_, step) => flat.subarray(step * test.frameSize, (step + 1) * test.frameSize));

  let correct = 0;
  let framesComputed = 0;
  let spikeStepSum = 0;
  let noSpike = 0;
  let referenceMatches = 0;
  for (let example = 0; example < test.count; example++) {
    writeImageFrames(test, example, spikeValue, flat);
    const result = wasm.run(flat);
    framesComputed += wasm.framesComputed;
    spikeStepSum += result.step;
    if (!result.spiked) noSpike++;
    if (result.classIndex === test.labels[example]) correct++;

    const expected = reference.run(frameViews);
    if (
      expected.classIndex === result.classIndex &&
      expected.step === result.step &&
      expected.confidence === result.confidence &&
      expected.spiked === result.spiked &&
      reference.framesComputed === wasm.framesComputed
    ) {
      referenceMatches++;
    }
  }

  const summary: MainJobSummary = {
    floatAccuracy: trained.floatAccuracy,
    quantizedAccuracy: correct / test.count,
    meanSpikeStep: spikeStepSum / test.count,
    framesSkippedShare: 1 - framesComputed / (test.count * frames),
    floatMeanSpikeStep: trained.floatMeanSpikeStep,
    floatTestImages: trained.floatTestImages,
    testImages: test.count,
    frames,
    referenceMatches,
    noSpikeShare: noSpike / test.count,
    backend: trained.backend,
    trainSeconds: trained.trainSeconds,
    wallSeconds: (performance.now() - startTime) / 1000,
    outDir,
  };
  writeFileAtomic(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);

  if (flags.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    const percent = (value: number) => `${(100 * value).toFixed(2)} %`;
    process.stdout.write(
      [
        `test images                 ${summary.testImages} (${frames} frames each)`,
        `float accuracy at spike     ${percent(summary.floatAccuracy)} (mean spike step ${summary.floatMeanSpikeStep.toFixed(2)}, ${summary.floatTestImages} images)`,
        `quantized accuracy (WASM)   ${percent(summary.quantizedAccuracy)}`,
        `mean spike step (WASM)      ${summary.meanSpikeStep.toFixed(2)} of ${frames}`,
        `frames never computed       ${percent(summary.framesSkippedShare)}`,
        `no-spike share              ${percent(summary.noSpikeShare)}`,
        `WASM == reference simulator ${summary.referenceMatches} of ${summary.testImages} images`,
        `backend ${summary.backend}, training ${summary.trainSeconds.toFixed(0)} s, total ${summary.wallSeconds.toFixed(0)} s`,
        `outputs in ${outDir}`,
        '',
      ].join('\n'),
    );
  }
  if (referenceMatches !== test.count) {
    log.error(`the WASM runtime differs from the reference simulator on ${test.count - referenceMatches} test images`);
    return EXIT_MISMATCH;
  }
  return 0;
}

function parsePositiveInteger(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1) throw new UserError(`invalid ${name} "${value}": expected a positive integer`);
    return parsed;
  };
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('npm start --')
    .description('Train an RC-LSTM on real MNIST, compile it to wasm and c, and run the WASM runtime over the 10,000 test images.')
    .option('--out <dir>', 'folder for the trained model, the compiled targets and summary.json', 'runs/main')
    .option('--model <model.json>', 'skip training and use this model written by rc-train (its report.json gives the float figures)')
    .option('--epochs <n>', `training epochs (default ${DEFAULT_TRAIN_OPTIONS.epochs})`, parsePositiveInteger('epochs'))
    .option('--units <n>', `LSTM hidden units (default ${DEFAULT_TRAIN_OPTIONS.units})`, parsePositiveInteger('units'))
    .option('--json', 'print the summary as one JSON object on stdout; progress and logs stay on stderr')
    .exitOverride();
  try {
    program.parse(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    if (error instanceof UserError) {
      log.error(error.message);
      return EXIT_USAGE;
    }
    throw error;
  }
  const flags = program.opts<MainJobFlags>();
  if (flags.json) setLogLevel('warn');
  try {
    return await runMainJob(flags);
  } catch (error) {
    if (error instanceof UserError) {
      log.error(error.message);
      return EXIT_USAGE;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv);
