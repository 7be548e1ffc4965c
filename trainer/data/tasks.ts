import { UserError } from '../../common/errors.js';
import type { FrameSequences } from './frames.js';
import { loadSequenceSpotting, type SequenceSpottingOptions } from './sequence-spotting.js';
import { loadTwoSequence, type TwoSequenceOptions } from './two-sequence.js';
import { loadUserData, type OutputKind, type UserDataOptions } from './user-data.js';

/** Tasks that loadTaskData provides; temporal MNIST has its own loader, loadTemporalMnist. */
export const DATA_TASKS = ['sequence-spotting', 'two-sequence', 'user'] as const;
export type DataTask = (typeof DATA_TASKS)[number];

/** Class names of the two-class synthetic tasks: index 0 is negative, 1 is positive. */
export const BINARY_LABELS: readonly string[] = ['negative', 'positive'];

/** The splits of a task and how its output layer reads. */
export interface TaskData {
  train: FrameSequences;
  validation: FrameSequences;
  test: FrameSequences;
  /** Class names in output order. With a sigmoid output, the unit is the probability of labels[1]. */
  labels: string[];
  output: OutputKind;
}

/** The options of every task; each task accepts only its own (see TASK_OPTION_NAMES). */
export type TaskDataOptions = SequenceSpottingOptions & TwoSequenceOptions & Partial<UserDataOptions>;

export const TASK_OPTION_NAMES: Record<DataTask, readonly string[]> = {
  'sequence-spotting': ['seed', 'trainCount', 'validationCount', 'testCount', 'frames', 'runLength', 'rate'],
  'two-sequence': ['seed', 'trainCount', 'validationCount', 'testCount', 'frames', 'mean', 'minDeviation', 'maxDeviation'],
  user: ['seed', 'path', 'labelsPath', 'testPath', 'testLabelsPath', 'validationShare', 'testShare', 'classes', 'output'],
};

/**
 * Loads or generates the training, validation and test splits of `task`.
 * Options left undefined take the task's defaults. Throws a UserError for an unknown
 * task, for a defined option that the task does not use and for invalid values.
 * The synthetic tasks are two-class problems with one sigmoid output.
 */
export function loadTaskData(task: DataTask, options: TaskDataOptions = {}): TaskData {
  if (!DATA_TASKS.includes(task)) {
    throw new UserError(`invalid task "${String(task)}": expected one of ${DATA_TASKS.join(', ')}`);
  }
  checkOptionNames(task, options);
  switch (task) {
    case 'sequence-spotting':
      return { ...loadSequenceSpotting(options), labels: [...BINARY_LABELS], output: 'sigmoid' };
    case 'two-sequence':
      return { ...loadTwoSequence(options), labels: [...BINARY_LABELS], output: 'sigmoid' };
    case 'user': {
      const { path } = options;
      if (path === undefined || path === '') {
        throw new UserError('missing data file: the user task needs the path of a .jsonl, .csv or .npy file; docs/DATA_FORMAT.md describes the formats');
      }
      return loadUserData({ ...options, path });
    }
  }
}

function checkOptionNames(task: DataTask, options: TaskDataOptions): void {
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined || TASK_OPTION_NAMES[task].includes(name)) continue;
    const users = DATA_TASKS.filter((other) => TASK_OPTION_NAMES[other].includes(name));
    throw new UserError(
      users.length === 0
        ? `unknown option ${name} for the task ${task}; expected one of ${TASK_OPTION_NAMES[task].join(', ')}`
        : `option ${name} does not apply to the task ${task}, only to ${users.join(' and ')}; leave it out`,
    );
  }
}
