import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from '../common/files.js';
import { log } from '../common/log.js';
import { selectBackend, type BackendName } from './backend.js';
import { loadTemporalMnist, MNIST_CLASSES, MNIST_LABELS, MNIST_PIXELS } from './data/temporal-mnist.js';
import { evaluateFloat, type FloatEvaluation } from './evaluate.js';
import { exportLayersModel, type ExportedModel, type RankcodeMetadata } from './export.js';
import { createRcLstm, disposeRcLstm, initRcLstmWeights, readRcLstmWeights } from './model.js';
import { resolveTrainOptions, type TrainOptions } from './options.js';
import { EpochProgress } from './progress.js';
import { SeededRandom } from './random.js';
import { trainEpoch, type EpochTotals } from './train-epoch.js';

export const METRICS_FILE = 'metrics.jsonl';
export const REPORT_FILE = 'report.json';

/** One line of metrics.jsonl, written after each epoch. */
export interface EpochMetrics {
  epoch: number;
  /** Mean training loss of the epoch. */
  loss: number;
  train: EpochTotals;
  /** Rank-coding inference on the validation split after the epoch. */
  validation: FloatEvaluation;
  epochSeconds: number;
  /** Seconds since the run started, data loading included. */
  elapsedSeconds: number;
  /** Live tensors after the epoch; a count that grows across epochs is a leak. */
  tensors: number;
}

export interface TrainResult {
  options: TrainOptions;
  backend: BackendName;
  epochs: EpochMetrics[];
  /** Float figures on the test split, with rank-coding and last-frame inference. */
  test: FloatEvaluation;
  model: ExportedModel;
  metricsPath: string;
  reportPath: string;
  /** Seconds of the whole run: backend start, data loading, training, test and export. */
  wallSeconds: number;
}

/**
 * Trains an LSTM classifier on temporal MNIST with rank coding (or EOS), then
 * evaluates it on the test split. Writes model.json, weights.bin, metrics.jsonl and
 * report.json to `options.outDir`, and replaces an existing metrics.jsonl because it
 * contains one line per epoch of this run. Options left out take DEFAULT_TRAIN_OPTIONS.
 */
export async function trainTemporalMnist(options: Partial<TrainOptions> = {}): Promise<TrainResult> {
  const settings = resolveTrainOptions(options);
  const startTime = performance.now();
  const elapsedSeconds = () => (performance.now() - startTime) / 1000;
  const backend = await selectBackend(settings.backend);

  const data = loadTemporalMnist(settings);
  log.info(
    `temporal MNIST, T = ${settings.frames}: ${data.train.count} training, ${data.validation.count} validation, ${data.test.count} test examples`,
  );

  mkdirSync(settings.outDir, { recursive: true });
  const metricsPath = join(settings.outDir, METRICS_FILE);
  rmSync(metricsPath, { force: true });

  const shape = { inputSize: MNIST_PIXELS, units: settings.units, classes: MNIST_CLASSES };
  const model = createRcLstm(initRcLstmWeights(shape, settings.seed));
  const optimizer = tf.train.adam(settings.learningRate);
  const random = new SeededRandom(settings.seed ^ 0x5eed5eed);
  const batches = Math.ceil(data.train.count / settings.batchSize);
  const epochs: EpochMetrics[] = [];
  try {
    for (let epoch = 1; epoch <= settings.epochs; epoch++) {
      const epochStart = performance.now();
      const progress = new EpochProgress(settings.progress, epoch, settings.epochs, batches);
      let train: EpochTotals;
      try {
        train = trainEpoch(model, optimizer, data.train, settings, random, (done, totals) =>
          progress.update(done, totals.loss, totals.meanSpikeStep),
        );
      } finally {
        progress.stop();
      }
      const validation = evaluateFloat(model, data.validation, { threshold: settings.threshold });
      const metrics: EpochMetrics = {
        epoch,
        loss: train.loss,
        train,
        validation,
        epochSeconds: (performance.now() - epochStart) / 1000,
        elapsedSeconds: elapsedSeconds(),
        tensors: tf.memory().numTensors,
      };
      epochs.push(metrics);
      appendFileSync(metricsPath, `${JSON.stringify(metrics)}\n`);
      log.info(formatEpoch(metrics, settings.epochs));
    }

    const test = evaluateFloat(model, data.test, { threshold: settings.threshold, lastFrame: true });
    log.info(
      `test: accuracy at spike ${percent(test.accuracyAtSpike)}, mean t_sp ${test.meanSpikeStep.toFixed(2)} of ${settings.frames}, ` +
        `no spike ${percent(test.noSpikeRate)}, frames never computed ${percent(test.framesSkippedShare)}`,
    );

    const metadata: RankcodeMetadata = {
      version: 1,
      task: settings.task,
      mode: settings.mode,
      threshold: settings.threshold,
      beta: settings.beta,
      labels: MNIST_LABELS,
      frames: settings.frames,
      frameShape: [MNIST_PIXELS],
      input: { kind: 'binary', min: 0, max: 1 },
    };
    const exported = await exportLayersModel(readRcLstmWeights(model), metadata, settings.outDir);
    const reportPath = join(settings.outDir, REPORT_FILE);
    const wallSeconds = elapsedSeconds();
    const report = {
      task: settings.task,
      mode: settings.mode,
      backend,
      settings: { ...settings, progress: undefined },
      trainExamples: data.train.count,
      epochs: settings.epochs,
      test,
      wallSeconds,
    };
    writeFileAtomic(reportPath, `${JSON.stringify(report, null, 2)}\n`);
    log.info(`wrote ${exported.modelPath}, ${exported.weightsPath} and ${reportPath} after ${wallSeconds.toFixed(1)} s`);
    return { options: settings, backend, epochs, test, model: exported, metricsPath, reportPath, wallSeconds };
  } finally {
    optimizer.dispose();
    disposeRcLstm(model);
  }
}

function formatEpoch(metrics: EpochMetrics, epochs: number): string {
  const { validation, train } = metrics;
  return (
    `epoch ${metrics.epoch}/${epochs}: loss ${metrics.loss.toFixed(4)}, training mean t_sp ${train.meanSpikeStep.toFixed(2)}, ` +
    `validation accuracy at spike ${percent(validation.accuracyAtSpike)}, mean t_sp ${validation.meanSpikeStep.toFixed(2)}, ` +
    `no spike ${percent(validation.noSpikeRate)}, ${metrics.epochSeconds.toFixed(1)} s`
  );
}

function percent(share: number): string {
  return `${(share * 100).toFixed(2)} %`;
}
