import { firstSequences, valueRange, type FrameSequences } from './data/frames.js';
import { loadTaskData, type TaskDataOptions } from './data/tasks.js';
import { DEFAULT_MNIST_FRAMES, DEFAULT_MNIST_VALIDATION_COUNT, loadTemporalMnist, MNIST_LABELS, MNIST_PIXELS } from './data/temporal-mnist.js';
import type { OutputKind } from './data/user-data.js';
import type { TrainOptions } from './options.js';

/** Range of the input values, stored in model.json for the quantizer. */
export interface InputRange {
  /** 'binary': every value is 0 or 1. 'real': any value in [min, max] of the training split. */
  kind: 'binary' | 'real';
  min: number;
  max: number;
}

/** The splits of a task, cut to the limits of the options, and what the model and its metadata need to know about them. */
export interface TrainingData {
  train: FrameSequences;
  validation: FrameSequences;
  /** Empty when user data has neither a test file nor a test share. */
  test: FrameSequences;
  /** Class names in output order. */
  labels: string[];
  /** The output layer the task trains unless the options choose one. */
  defaultOutput: OutputKind;
  /** Frames per sequence (T). */
  frames: number;
  /** Shape of one frame; its product is the input size of the first LSTM layer. */
  frameShape: number[];
  input: InputRange;
  /** One line for the log, such as "sequence spotting, T = 25". */
  description: string;
}

/**
 * Loads or generates the data of `options.task` and keeps the first trainLimit,
 * validationLimit and testLimit examples of the splits. Throws a UserError for
 * invalid task options and unreadable files.
 */
export function loadTrainingData(options: TrainOptions): TrainingData {
  if (options.task === 'temporal-mnist') {
    const splits = loadTemporalMnist({
      dataDir: options.dataDir,
      frames: options.frames ?? DEFAULT_MNIST_FRAMES,
      validationCount: options.validationCount ?? DEFAULT_MNIST_VALIDATION_COUNT,
      trainLimit: options.trainLimit,
      validationLimit: options.validationLimit,
      testLimit: options.testLimit,
    });
    return {
      ...splits,
      labels: [...MNIST_LABELS],
      defaultOutput: 'softmax',
      frames: splits.train.frames,
      frameShape: [MNIST_PIXELS],
      input: { kind: 'binary', min: 0, max: 1 },
      description: `temporal MNIST, T = ${splits.train.frames}`,
    };
  }

  const taskOptions: TaskDataOptions =
    options.task === 'user'
      ? {
          seed: options.seed,
          path: options.dataPath,
          labelsPath: options.labelsPath,
          testPath: options.testDataPath,
          testLabelsPath: options.testLabelsPath,
          validationShare: options.validationShare,
          testShare: options.testShare,
        }
      : {
          seed: options.seed,
          frames: options.frames,
          trainCount: options.trainCount,
          validationCount: options.validationCount,
          testCount: options.testCount,
          runLength: options.runLength,
          rate: options.rate,
        };
  const data = loadTaskData(options.task, taskOptions);
  const train = firstSequences(data.train, options.trainLimit);
  const binary = options.task === 'sequence-spotting';
  return {
    train,
    validation: firstSequences(data.validation, options.validationLimit),
    test: firstSequences(data.test, options.testLimit),
    labels: data.labels,
    defaultOutput: data.output,
    frames: train.frames,
    frameShape: [train.frameSize],
    input: binary ? { kind: 'binary', min: 0, max: 1 } : realRange(train),
    description: `${options.task === 'user' ? `user data ${options.dataPath}` : options.task.replace('-', ' ')}, T = ${train.frames}, ${train.frameSize} value(s) per frame`,
  };
}

/** Returns the range of the training values. A constant input gets the range [value, value + 1], because a range must not be empty. */
function realRange(train: FrameSequences): InputRange {
  const { min, max } = valueRange(train);
  return { kind: 'real', min, max: max > min ? max : min + 1 };
}
