import { appendFileSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { assert, UserError } from '../common/errors.js';
import { checkOutputFolderPath, writeFileAtomic } from '../common/files.js';
import { log } from '../common/log.js';
import { AdamOptimizer } from './adam.js';
import { selectBackend, type BackendName } from './backend.js';
import { betaForEpoch } from './beta-schedule.js';
import { CHECKPOINT_FILE, readCheckpoint, writeCheckpoint, type BestEpoch, type Checkpoint } from './checkpoint.js';
import { evaluateFloat, type FloatEvaluation } from './evaluate.js';
import { exportLayersModel, MODEL_FILE, type ExportedModel, type RankcodeMetadata } from './export.js';
import {
  assignRcModelWeights,
  createRcModel,
  disposeRcModel,
  initRcModelWeights,
  readRcModelWeights,
  trainableVariables,
  type RcModel,
  type RcModelShape,
  type RcModelWeights,
} from './model.js';
import { resolveTrainOptions, type TrainInput, type TrainOptions } from './options.js';
import { EpochProgress } from './progress.js';
import { SeededRandom } from './random.js';
import { checkResumable, weightsAreFinite } from './resume.js';
import { loadTrainingData, type TrainingData } from './task-data.js';
import { NonFiniteLossError, trainEpoch, type EpochTotals } from './train-epoch.js';

export const METRICS_FILE = 'metrics.jsonl';
export const REPORT_FILE = 'report.json';

/** One line of metrics.jsonl, written after each epoch. */
export interface EpochMetrics {
  epoch: number;
  /** Mean training loss of the epoch. */
  loss: number;
  train: EpochTotals;
  /** Rank-coding inference on the validation split after the epoch; absent when the validation split is empty. */
  validation?: FloatEvaluation;
  /** Entropy weight of the epoch's loss. */
  beta: number;
  learningRate: number;
  /** The epoch with the best validation accuracy at spike so far, which train() exports if the run ends here. */
  bestEpoch: number;
  epochSeconds: number;
  /** Seconds since the run started, data loading included, summed over resumed runs. */
  elapsedSeconds: number;
  /** Live tensors after the epoch; a count that grows across epochs is a leak. */
  tensors: number;
}

export interface TrainResult {
  options: TrainOptions;
  backend: BackendName;
  /** Metrics of every epoch, those before a resume included. */
  epochs: EpochMetrics[];
  /** The exported epoch. */
  best: BestEpoch;
  /** Float figures of the exported model on the test split, with rank-coding and last-frame inference; null when the test split is empty. */
  test: FloatEvaluation | null;
  /** Class names in output order. */
  labels: string[];
  /** Frames per sequence (T). */
  frames: number;
  model: ExportedModel;
  metricsPath: string;
  reportPath: string;
  checkpointPath: string;
  /** Completed epochs of the checkpoint this run resumed from; undefined for a new run. */
  resumedFromEpoch?: number;
  /** Seconds of the whole run: backend start, data loading, training, test and export. */
  wallSeconds: number;
}

/** The loss or the weights became NaN or infinite; the message names the epoch, the batch and the checkpoint kept. */
export class TrainingDivergedError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDivergedError';
  }
}

/**
 * Trains a rank-coding (or EOS) classifier on the task of the options. After each
 * epoch it evaluates the validation split, appends a line to metrics.jsonl and
 * writes checkpoint.bin atomically. At the end it exports the epoch with the best
 * validation accuracy at spike (ties: the lower validation mean t_sp, then the
 * earlier epoch) to model.json and weights.bin, evaluates it on the test split and
 * writes report.json. A new run replaces the metrics and the checkpoint in
 * `outDir`. With `resume`, the run continues from the checkpoint, and on the same
 * backend it gives the same weights as an uninterrupted run.
 */
export async function train(input: TrainInput = {}): Promise<TrainResult> {
  const settings = resolveTrainOptions(input);
  checkOutputFolderPath(settings.outDir);
  if (!settings.resume && !settings.force) {
    const earlier = [MODEL_FILE, CHECKPOINT_FILE].filter((name) => existsSync(join(settings.outDir, name)));
    if (earlier.length > 0) {
      throw new UserError(
        `output folder ${settings.outDir} already contains ${earlier.join(' and ')}; pass --force to replace them, --resume to continue that run, or choose another --out.`,
      );
    }
  }
  // Reads the checkpoint before the backend starts and the data loads, so a
  // missing or damaged checkpoint fails at once.
  const checkpointPath = join(settings.outDir, CHECKPOINT_FILE);
  const checkpoint: Checkpoint | undefined = settings.resume ? readCheckpoint(checkpointPath) : undefined;
  const startTime = performance.now();
  const backend = await selectBackend(settings.backend);
  const data = loadTrainingData(settings);
  log.info(`${data.description}: ${data.train.count} training, ${data.validation.count} validation, ${data.test.count} test examples`);
  if (data.validation.count === 0) {
    const ignored = settings.maxMeanSpikeStep === undefined ? '' : ` (--max-mean-spike-step ${settings.maxMeanSpikeStep} has no effect)`;
    log.warn(`the validation split is empty, so every epoch counts as the best and the last epoch is exported${ignored}`);
  }
  if (settings.maxMeanSpikeStep !== undefined && settings.maxMeanSpikeStep >= data.frames) {
    log.warn(`--max-mean-spike-step ${settings.maxMeanSpikeStep} is not below the ${data.frames} frames per sequence, so it excludes no epoch`);
  }

  const shape = modelShape(settings, data);
  mkdirSync(settings.outDir, { recursive: true });
  const metricsPath = join(settings.outDir, METRICS_FILE);
  if (checkpoint !== undefined) {
    checkResumable(checkpoint, settings, shape, backend, checkpointPath);
    log.info(`resuming from ${checkpointPath} after epoch ${checkpoint.epoch} of ${settings.epochs}`);
  } else if (existsSync(checkpointPath)) {
    log.info(`starting a new run in ${settings.outDir}: removed the checkpoint of the earlier run there (pass --resume to continue a run instead)`);
    rmSync(checkpointPath);
  }

  const model = createRcModel(checkpoint?.weights ?? initRcModelWeights(shape, settings.seed));
  const optimizer = new AdamOptimizer(settings.learningRate);
  const random = new SeededRandom(settings.seed ^ 0x5eed5eed);
  if (checkpoint !== undefined) {
    optimizer.setState(checkpoint.adam, trainableVariables(model));
    random.setState(checkpoint.random);
  }
  const priorSeconds = checkpoint?.elapsedSeconds ?? 0;
  const elapsedSeconds = () => priorSeconds + (performance.now() - startTime) / 1000;
  const epochs: EpochMetrics[] = checkpoint?.metrics ?? [];
  let best = checkpoint?.best;
  let bestWeights = checkpoint?.bestWeights;
  writeFileAtomic(metricsPath, epochs.map((metrics) => `${JSON.stringify(metrics)}\n`).join(''));

  try {
    for (let epoch = epochs.length + 1; epoch <= settings.epochs; epoch++) {
      const epochStart = performance.now();
      const beta = betaForEpoch(settings.betaSchedule, epoch - 1);
      optimizer.learningRate = settings.learningRate * settings.lrDecay ** (epoch - 1);
      const train = runEpoch(model, optimizer, data, settings, random, epoch, beta, checkpointPath);
      const weights = readRcModelWeights(model);
      if (!weightsAreFinite(weights)) {
        throw new TrainingDivergedError(`training diverged: the weights became NaN or infinite in epoch ${epoch}; ${advice(settings, epoch, checkpointPath)}`);
      }
      const validation = data.validation.count > 0 ? evaluateFloat(model, data.validation, { threshold: settings.threshold, lastFrame: settings.mode === 'eos' }) : undefined;
      const candidate: BestEpoch = {
        epoch,
        accuracyAtSpike: validation?.accuracyAtSpike ?? null,
        meanSpikeStep: validation?.meanSpikeStep ?? null,
        accuracyAtLastFrame: validation?.accuracyAtLastFrame ?? null,
        beta,
      };
      if (best === undefined || bestWeights === undefined || isBetter(candidate, best, settings)) {
        best = candidate;
        bestWeights = weights;
      }
      const metrics: EpochMetrics = {
        epoch,
        loss: train.loss,
        train,
        validation,
        beta,
        learningRate: optimizer.learningRate,
        bestEpoch: best.epoch,
        epochSeconds: (performance.now() - epochStart) / 1000,
        elapsedSeconds: elapsedSeconds(),
        tensors: tf.memory().numTensors,
      };
      epochs.push(metrics);
      appendFileSync(metricsPath, `${JSON.stringify(metrics)}\n`);
      log.info(formatEpoch(metrics, settings.epochs));
      writeCheckpoint(checkpointPath, {
        epoch,
        options: settings,
        backend,
        random: random.getState(),
        adam: optimizer.getState(),
        weights,
        best,
        bestWeights,
        metrics: epochs,
        elapsedSeconds: elapsedSeconds(),
      });
    }
    assert(best !== undefined, 'a finished run has a best epoch');
    assert(bestWeights !== undefined, 'a finished run has the weights of its best epoch');
    return await finish({ settings, backend, data, model, best, bestWeights, epochs, metricsPath, checkpointPath, resumedFromEpoch: checkpoint?.epoch, elapsedSeconds, startTime });
  } finally {
    optimizer.dispose();
    disposeRcModel(model);
  }
}

/** Trains on temporal MNIST and ignores `input.task`; the main job calls it. */
export async function trainTemporalMnist(input: TrainInput = {}): Promise<TrainResult & { test: FloatEvaluation }> {
  const result = await train({ ...input, task: 'temporal-mnist' });
  assert(result.test !== null, 'temporal MNIST always has a test split');
  return { ...result, test: result.test };
}

function modelShape(settings: TrainOptions, data: TrainingData): RcModelShape {
  return {
    inputSize: data.frameShape.reduce((product, size) => product * size, 1),
    lstmUnits: settings.units,
    denseUnits: settings.head,
    classes: data.labels.length,
    output: settings.output ?? data.defaultOutput,
    recurrentActivation: settings.recurrentActivation,
  };
}

function runEpoch(
  model: RcModel,
  optimizer: AdamOptimizer,
  data: TrainingData,
  settings: TrainOptions,
  random: SeededRandom,
  epoch: number,
  beta: number,
  checkpointPath: string,
): EpochTotals {
  const batches = Math.ceil(data.train.count / settings.batchSize);
  const progress = new EpochProgress(settings.progress, epoch, settings.epochs, batches);
  try {
    return trainEpoch(model, optimizer, data.train, { ...settings, beta }, random, (done, totals) => progress.update(done, totals.loss, totals.meanSpikeStep));
  } catch (error) {
    if (!(error instanceof NonFiniteLossError)) throw error;
    throw new TrainingDivergedError(
      `training diverged: the loss is ${error.loss} and the gradient norm ${error.gradientNorm} at epoch ${epoch}, batch ${error.batch} of ${error.batches}, ` +
        `so that batch was not applied; ${advice(settings, epoch, checkpointPath)}`,
    );
  } finally {
    progress.stop();
  }
}

function advice(settings: TrainOptions, epoch: number, checkpointPath: string): string {
  const kept = epoch > 1 ? `the checkpoint of epoch ${epoch - 1} in ${checkpointPath} is kept` : 'no checkpoint exists because the first epoch did not complete';
  const remedy = `lower --lr (now ${settings.learningRate})${settings.clipNorm === undefined ? ' or set --clip-norm' : ''}`;
  return epoch > 1 ? `${kept}; ${remedy} and continue with --resume, or start over` : `${kept}; ${remedy} and start over`;
}

/**
 * Returns true when the run should export `candidate` rather than `best`. The
 * validation accuracy decides: at spike for RC runs, at the last frame for EOS
 * runs. With maxMeanSpikeStep, an epoch within that mean t_sp beats one outside
 * it, and of two epochs outside it the faster wins. Equal accuracies go to the
 * lower mean t_sp. Without validation, the later epoch wins.
 */
export function isBetter(candidate: BestEpoch, best: BestEpoch, settings: Pick<TrainOptions, 'mode' | 'maxMeanSpikeStep'>): boolean {
  // Checkpoints written before EOS runs selected on the last frame lack accuracyAtLastFrame, so both epochs are compared at spike then.
  const atLastFrame = settings.mode === 'eos' && candidate.accuracyAtLastFrame !== undefined && best.accuracyAtLastFrame !== undefined;
  const accuracy = (epoch: BestEpoch) => (atLastFrame ? epoch.accuracyAtLastFrame : epoch.accuracyAtSpike);
  const candidateAccuracy = accuracy(candidate);
  const bestAccuracy = accuracy(best);
  if (candidateAccuracy === null || candidateAccuracy === undefined || bestAccuracy === null || bestAccuracy === undefined) return true;
  const candidateStep = candidate.meanSpikeStep ?? Infinity;
  const bestStep = best.meanSpikeStep ?? Infinity;

  const limit = settings.maxMeanSpikeStep;
  if (limit !== undefined) {
    const candidateWithin = candidateStep <= limit;
    const bestWithin = bestStep <= limit;
    if (candidateWithin !== bestWithin) return candidateWithin;
    if (!candidateWithin) return candidateStep < bestStep;
  }
  if (candidateAccuracy !== bestAccuracy) return candidateAccuracy > bestAccuracy;
  return candidateStep < bestStep;
}

interface FinishInput {
  settings: TrainOptions;
  backend: BackendName;
  data: TrainingData;
  model: RcModel;
  best: BestEpoch;
  bestWeights: RcModelWeights;
  epochs: EpochMetrics[];
  metricsPath: string;
  checkpointPath: string;
  resumedFromEpoch: number | undefined;
  elapsedSeconds: () => number;
  startTime: number;
}

/** Loads the best epoch's weights, evaluates them on the test split, exports the model and writes report.json. */
async function finish(run: FinishInput): Promise<TrainResult> {
  const { settings, data, model, best } = run;
  const limit = settings.maxMeanSpikeStep;
  if (limit !== undefined && best.meanSpikeStep !== null && best.meanSpikeStep > limit) {
    log.warn(`no epoch reached a validation mean t_sp of at most ${limit}; exporting the fastest, epoch ${best.epoch} at ${best.meanSpikeStep.toFixed(2)}. Train more epochs or raise --max-mean-spike-step`);
  }
  assignRcModelWeights(model, run.bestWeights);
  const test = data.test.count > 0 ? evaluateFloat(model, data.test, { threshold: settings.threshold, lastFrame: true }) : null;
  if (test === null) log.warn('the test split is empty: pass a test file or a test share to measure the exported model');
  else {
    log.info(
      `test (epoch ${best.epoch}): accuracy at spike ${percent(test.accuracyAtSpike)}, mean t_sp ${test.meanSpikeStep.toFixed(2)} of ${data.frames}, ` +
        `no spike ${percent(test.noSpikeRate)}, frames never computed ${percent(test.framesSkippedShare)}` +
        (test.accuracyAtLastFrame === undefined ? '' : `, accuracy at the last frame ${percent(test.accuracyAtLastFrame)}`),
    );
  }

  const metadata: RankcodeMetadata = {
    version: 1,
    task: settings.task,
    mode: settings.mode,
    threshold: settings.threshold,
    beta: best.beta,
    labels: data.labels,
    frames: data.frames,
    frameShape: data.frameShape,
    input: data.input,
  };
  const exported = await exportLayersModel(run.bestWeights, metadata, settings.outDir);
  const reportPath = join(settings.outDir, REPORT_FILE);
  const wallSeconds = (performance.now() - run.startTime) / 1000;
  const report = {
    task: settings.task,
    mode: settings.mode,
    backend: run.backend,
    settings: { ...settings, progress: undefined },
    model: { lstmUnits: model.lstmUnits, denseUnits: model.denseUnits, output: model.output, recurrentActivation: model.recurrentActivation, classes: model.classes },
    labels: data.labels,
    frames: data.frames,
    trainExamples: data.train.count,
    validationExamples: data.validation.count,
    testExamples: data.test.count,
    epochs: settings.epochs,
    exportedEpoch: best.epoch,
    best,
    resumedFromEpoch: run.resumedFromEpoch,
    test,
    trainingSeconds: run.elapsedSeconds(),
    wallSeconds,
  };
  writeFileAtomic(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  log.info(`wrote ${exported.modelPath} (epoch ${best.epoch}), ${exported.weightsPath} and ${reportPath} after ${wallSeconds.toFixed(1)} s`);
  return {
    options: settings,
    backend: run.backend,
    epochs: run.epochs,
    best,
    test,
    labels: data.labels,
    frames: data.frames,
    model: exported,
    metricsPath: run.metricsPath,
    reportPath,
    checkpointPath: run.checkpointPath,
    resumedFromEpoch: run.resumedFromEpoch,
    wallSeconds,
  };
}

function formatEpoch(metrics: EpochMetrics, epochs: number): string {
  const { validation, train } = metrics;
  const validationText =
    validation === undefined
      ? 'no validation split'
      : `validation accuracy at spike ${percent(validation.accuracyAtSpike)}, mean t_sp ${validation.meanSpikeStep.toFixed(2)}, no spike ${percent(validation.noSpikeRate)}` +
        (validation.accuracyAtLastFrame === undefined ? '' : `, accuracy at the last frame ${percent(validation.accuracyAtLastFrame)}`);
  return (
    `epoch ${metrics.epoch}/${epochs}: loss ${metrics.loss.toFixed(4)}, beta ${metrics.beta}, training mean t_sp ${train.meanSpikeStep.toFixed(2)}, ` +
    `${validationText}, ${metrics.epochSeconds.toFixed(1)} s`
  );
}

function percent(share: number): string {
  return `${(share * 100).toFixed(2)} %`;
}
