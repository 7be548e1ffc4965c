/**
 * rc-eval on a float model.json: runs every example of a split through all T
 * frames, then applies the spike rule at the model's threshold, at each threshold
 * of the sweep and at fixed steps. The rule ignores the training mode, so an EOS
 * model gets the same rank-coding figures as an RC model.
 */
import { UserError } from '../common/errors.js';
import { log } from '../common/log.js';
import { selectBackend, type BackendChoice } from './backend.js';
import type { FrameSequences } from './data/frames.js';
import { loadEvalData, type EvalDataOptions, type Split } from './eval-data.js';
import { runFloat64Trajectories, runTfjsTrajectories } from './eval-engines.js';
import { loadEvalModel, type EngineChoice, type EvalModel } from './eval-model.js';
import { EvalProgress } from './eval-progress.js';
import { accuracyByStep, summarizeAtThreshold, sweepThresholds, traceTrajectories, type Trajectories } from './eval-spikes.js';
import { EVAL_FORMAT, EVAL_VERSION, type FloatEvalResult } from './eval-types.js';

/** Thresholds of the sweep when --theta-sweep is not given; the model's own threshold is added. */
export const DEFAULT_SWEEP = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999];

/** Data options that the caller passes through; task, frames, labels and output come from the model when left out. */
export type DataFlags = Omit<EvalDataOptions, 'task' | 'frames' | 'labels' | 'output' | 'split'> & { task?: string; frames?: number; split: Split };

export interface FloatEvalOptions extends DataFlags {
  modelPath: string;
  /** theta of the summary; defaults to the model's threshold. */
  theta?: number;
  /** Thresholds of the trade-off curve; DEFAULT_SWEEP when undefined. */
  sweep?: number[];
  /** Steps (1-based) at which to report the accuracy of the argmax. */
  atSteps: number[];
  /** Example sequences to keep for the spike raster. */
  traces: number;
  engine: EngineChoice;
  backend: BackendChoice;
  progress: boolean;
}

export async function evaluateFloatModel(options: FloatEvalOptions): Promise<FloatEvalResult> {
  const startTime = performance.now();
  // The trainer's reader decodes the weights into tensors, so the backend starts first.
  const backend = options.engine === 'float64' ? undefined : await selectBackend(options.backend);
  const model = await loadEvalModel(options.modelPath, options.engine);
  const task = resolveTask(options.task, model);
  const frames = options.frames ?? model.frames;
  if (frames === 0) {
    throw new UserError(`${options.modelPath} states no frame count (userDefinedMetadata.rankcode.frames or the input shape); pass --frames`);
  }
  const source = loadEvalData({ ...options, task, frames, labels: model.info.labels, output: model.info.output });
  checkShape(source, model, options.modelPath);
  for (const step of options.atSteps) {
    if (step > source.frames) throw new UserError(`invalid --at-step ${step}: the sequences have ${source.frames} frames; pass a step from 1 to ${source.frames}`);
  }

  const engineName = model.engine;
  log.info(
    `evaluating ${model.info.layers} on ${source.count} ${task} ${options.split} sequences of ${source.frames} frames ` +
      `(${engineName === 'tfjs' ? `TensorFlow.js, ${backend} backend` : 'float64 layers of the compiler'})`,
  );
  const progress = new EvalProgress(options.progress, 'rc-eval', source.count);
  let trajectories: Trajectories;
  try {
    trajectories =
      engineName === 'tfjs'
        ? runTfjsTrajectories(model.trainer!, source, (done) => progress.update(done))
        : runFloat64Trajectories(model.float!, model.info.output, source, (done) => progress.update(done));
  } finally {
    progress.stop();
  }

  const theta = options.theta ?? model.info.threshold;
  const labels = source.labels;
  const byStep = accuracyByStep(trajectories, labels);
  const thetas = options.sweep ?? [...new Set([...DEFAULT_SWEEP, model.info.threshold, theta])].sort((a, b) => a - b);
  return {
    format: EVAL_FORMAT,
    version: EVAL_VERSION,
    kind: 'float',
    model: model.info,
    engine: engineName === 'tfjs' ? { name: engineName, backend } : { name: engineName },
    data: { task, split: options.split, examples: source.count, frames: source.frames, frameSize: source.frameSize },
    summary: summarizeAtThreshold(trajectories, labels, theta),
    accuracyAtLastFrame: byStep[byStep.length - 1],
    accuracyByStep: byStep,
    atStep: options.atSteps.map((step) => ({ step, accuracy: byStep[step - 1] })),
    sweep: sweepThresholds(trajectories, labels, thetas),
    examples: traceTrajectories(trajectories, source, theta, options.traces),
    wallSeconds: (performance.now() - startTime) / 1000,
  };
}

function resolveTask(requested: string | undefined, model: EvalModel): string {
  const stated = model.info.task;
  if (requested === undefined) {
    if (stated === undefined) throw new UserError(`${model.info.path} states no task in userDefinedMetadata.rankcode.task; pass --task`);
    return stated;
  }
  if (stated !== undefined && stated !== requested) log.warn(`${model.info.path} was trained on the task ${stated}, but --task is ${requested}`);
  return requested;
}

function checkShape(source: FrameSequences, model: EvalModel, path: string): void {
  if (source.frameSize !== model.inputSize) {
    throw new UserError(`the data has ${source.frameSize} values per frame, but ${path} takes ${model.inputSize}; pass the data and the --task the model was trained on`);
  }
  if (model.frames !== 0 && source.frames !== model.frames) {
    log.warn(`the data has ${source.frames} frames per sequence, but ${path} was trained on ${model.frames}; t_sp counts up to ${source.frames}`);
  }
}
