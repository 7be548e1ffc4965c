/**
 * Loads the labelled sequences that rc-eval runs: one split of a task, encoded
 * with the model's frame count where the task has one.
 */
import { UserError } from '../common/errors.js';
import { firstSequences, type FrameSequences } from './data/frames.js';
import { DATA_TASKS, loadTaskData, type DataTask, type TaskDataOptions } from './data/tasks.js';
import { DEFAULT_MNIST_VALIDATION_COUNT, loadTemporalMnist } from './data/temporal-mnist.js';
import type { OutputKind } from './eval-types.js';

export const EVAL_TASKS = ['temporal-mnist', ...DATA_TASKS] as const;
export const SPLITS = ['test', 'validation', 'train'] as const;
export type Split = (typeof SPLITS)[number];

/** Options that only some tasks read, by their flag name. */
const TASK_ONLY_OPTIONS: [keyof EvalDataOptions, string, readonly string[]][] = [
  ['dataDir', '--data-dir', ['temporal-mnist']],
  ['validationCount', '--validation-count', ['temporal-mnist']],
  ['seed', '--seed', DATA_TASKS],
  ['runLength', '--run-length', ['sequence-spotting']],
  ['rate', '--rate', ['sequence-spotting']],
  ['dataPath', '--data', ['user']],
  ['labelsPath', '--labels', ['user']],
  ['testDataPath', '--test-data', ['user']],
  ['testLabelsPath', '--test-labels', ['user']],
  ['validationShare', '--validation-share', ['user']],
  ['testShare', '--test-share', ['user']],
];

export interface EvalDataOptions {
  task: string;
  split: Split;
  /** Keep the first N examples of the split. */
  limit?: number;
  /** T; temporal MNIST and the synthetic tasks generate this many frames. */
  frames: number;
  /** Class names of the model, in output order; the user task maps its labels onto them. */
  labels: readonly string[];
  output: OutputKind;
  /** Folder with the MNIST IDX files. */
  dataDir?: string;
  validationCount?: number;
  /** Seed of the synthetic sequences or of the user data's random split. */
  seed?: number;
  /** Sequence spotting: equal frames in a row that make a sequence positive, and the probability of a 1 frame. */
  runLength?: number;
  rate?: number;
  /** The user task's data file, test file, their .npy labels and the held-out shares. */
  dataPath?: string;
  labelsPath?: string;
  testDataPath?: string;
  testLabelsPath?: string;
  validationShare?: number;
  testShare?: number;
}

/** Default number of generated examples of a synthetic split, as loadTaskData generates them. */
const SYNTHETIC_SPLIT_COUNT = { train: 100_000, validation: 10_000, test: 10_000 };

/** Loads the requested split; throws a UserError for an unknown task or invalid options. */
export function loadEvalData(options: EvalDataOptions): FrameSequences {
  if (!(EVAL_TASKS as readonly string[]).includes(options.task)) {
    throw new UserError(`invalid task "${options.task}": expected one of ${EVAL_TASKS.join(', ')}`);
  }
  for (const [key, flag, tasks] of TASK_ONLY_OPTIONS) {
    if (options[key] !== undefined && !tasks.includes(options.task)) {
      throw new UserError(`${flag} does not apply to the task ${options.task}, only to ${tasks.join(' and ')}; leave it out`);
    }
  }
  if (options.task === 'temporal-mnist') return loadMnistSplit(options);
  const task = options.task as DataTask;
  const taskOptions: TaskDataOptions = { seed: options.seed };
  if (task === 'user') {
    Object.assign(taskOptions, {
      path: options.dataPath,
      labelsPath: options.labelsPath,
      testPath: options.testDataPath,
      testLabelsPath: options.testLabelsPath,
      validationShare: options.validationShare,
      testShare: options.testShare,
      classes: [...options.labels],
      output: options.output,
    });
  } else {
    // A split draws from its own random stream, so generating few or no examples
    // of the other splits leaves the requested split unchanged.
    const count = (split: Split): number => {
      if (split === options.split) return options.limit ?? SYNTHETIC_SPLIT_COUNT[split];
      // The generators need at least one training example.
      return split === 'train' ? 1 : 0;
    };
    Object.assign(taskOptions, {
      frames: options.frames,
      runLength: options.runLength,
      rate: options.rate,
      trainCount: count('train'),
      validationCount: count('validation'),
      testCount: count('test'),
    });
  }
  const data = loadTaskData(task, taskOptions);
  const set = data[options.split];
  if (set.count === 0) {
    const hint = task === 'user' ? 'pass --test-data or --test-share as in training, or choose another --split' : 'choose another --split';
    throw new UserError(`the ${options.split} split of the task ${task} has no sequences; ${hint}`);
  }
  return firstSequences(set, options.limit);
}

function loadMnistSplit(options: EvalDataOptions): FrameSequences {
  const keep = (split: Split) => (split === options.split ? options.limit : 1);
  const splits = loadTemporalMnist({
    dataDir: options.dataDir,
    frames: options.frames,
    validationCount: options.validationCount ?? DEFAULT_MNIST_VALIDATION_COUNT,
    trainLimit: keep('train'),
    validationLimit: keep('validation'),
    testLimit: keep('test'),
  });
  return splits[options.split];
}
