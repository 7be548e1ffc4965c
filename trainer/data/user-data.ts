import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { UserError } from '../../common/errors.js';
import { formatShape, parseNpy } from './npy.js';
import { checkNumberOption, checkSeed, splitByShare } from './splits.js';
import { parseCsvSequences } from './user-csv.js';
import { parseJsonlSequences } from './user-jsonl.js';
import { checkLabelCount, countOf, describeFloat32Overflow, MAX_CLASSES, type ParsedSequences, selectSequences, type UserSequenceSet } from './user-sequences.js';

/** The output layer a task trains: softmax over the classes, or sigmoid: one unit for two classes, one unit per class for more. */
export type OutputKind = 'softmax' | 'sigmoid';

export interface UserDataOptions {
  /** The training file: .jsonl (or .ndjson), .csv or .npy. */
  path: string;
  /** Labels of a .npy training file; defaults to the data path with ".npy" replaced by ".labels.npy". */
  labelsPath?: string;
  /** A separate test file in any of the formats; its labels must be classes of the training file. */
  testPath?: string;
  /** Labels of a .npy test file; defaults like labelsPath. */
  testLabelsPath?: string;
  /** Share of the training file held out at random for validation, from 0 to below 1. Default 0.1. */
  validationShare?: number;
  /** Share of the training file held out at random for testing when there is no test file. Default 0. */
  testShare?: number;
  /** Seed of the random split. Default 1. */
  seed?: number;
  /** The class list in output order; by default it comes from the training labels. */
  classes?: string[];
  /** 'sigmoid' trains one output unit for two classes and one unit per class for more. Default 'softmax'. */
  output?: OutputKind;
}

export interface UserData {
  train: UserSequenceSet;
  validation: UserSequenceSet;
  /** The test file's sequences, else the test share of the training file, else no sequences. */
  test: UserSequenceSet;
  /** Class names in output order: labels[i] is the class of index i. */
  labels: string[];
  output: OutputKind;
}

const FORMATS = '.jsonl, .ndjson, .csv or .npy';

/**
 * Loads the user's sequences, maps their labels to class indices and splits them.
 * Throws a UserError that names the file, the line or element and the field of the
 * first invalid record, or the option that is invalid.
 */
export function loadUserData(options: UserDataOptions): UserData {
  const validationShare = options.validationShare ?? 0.1;
  const testShare = options.testShare ?? 0;
  const seed = options.seed ?? 1;
  const output = options.output ?? 'softmax';
  checkSeed(seed);
  checkNumberOption('validation share', validationShare, 0, 0.99, 'a fraction from 0 to 0.99, such as 0.1');
  checkNumberOption('test share', testShare, 0, 0.99, 'a fraction from 0 to 0.99, such as 0.1');
  if (options.testPath !== undefined && testShare > 0) {
    throw new UserError(`both a test file (${options.testPath}) and a test share of ${testShare} are given; pass only one of them`);
  }
  if (output !== 'softmax' && output !== 'sigmoid') {
    throw new UserError(`invalid output "${String(output)}": expected softmax or sigmoid`);
  }

  const train = readUserSequences(options.path, options.labelsPath);
  const labels = options.classes === undefined ? classesOfLabels(train) : checkClassList(options.classes);
  const origin = options.classes === undefined ? `the classes of ${train.source}` : 'the classes option';
  const split = splitByShare(train.count, validationShare, testShare, seed, train.source);
  const trainIndices = mapLabels(train, labels, origin);

  let test: UserSequenceSet;
  if (options.testPath === undefined) {
    test = selectSequences(train, trainIndices, split.test);
  } else {
    const parsedTest = readUserSequences(options.testPath, options.testLabelsPath);
    if (parsedTest.frames !== train.frames || parsedTest.frameSize !== train.frameSize) {
      throw new UserError(
        `${parsedTest.source}: the sequences have ${countOf(parsedTest.frames, 'frame')} of ${countOf(parsedTest.frameSize, 'value')}, but the training file ` +
          `${train.source} has ${countOf(train.frames, 'frame')} of ${countOf(train.frameSize, 'value')}; the test file must have the same shape`,
      );
    }
    test = selectSequences(parsedTest, mapLabels(parsedTest, labels, origin), identity(parsedTest.count));
  }
  return {
    train: selectSequences(train, trainIndices, split.train),
    validation: selectSequences(train, trainIndices, split.validation),
    test,
    labels,
    output,
  };
}

/** Reads one user file, choosing the format by its extension. `labelsPath` applies to .npy files only. */
export function readUserSequences(path: string, labelsPath?: string): ParsedSequences {
  const extension = extname(path).toLowerCase();
  if (labelsPath !== undefined && extension !== '.npy') {
    throw new UserError(`a labels file (${labelsPath}) only applies to .npy data, but ${path} is not a .npy file; put the labels into the data file`);
  }
  switch (extension) {
    case '.jsonl':
    case '.ndjson':
      return parseJsonlSequences(readText(path), path);
    case '.csv':
      return parseCsvSequences(readText(path), path);
    case '.npy': {
      const labelsFile = labelsPath ?? defaultLabelsPath(path);
      return parseNpySequences(readBytes(path), path, readBytes(labelsFile, 'labels'), labelsFile);
    }
    default:
      throw new UserError(`unsupported data file ${path}: expected the extension ${FORMATS}; docs/DATA_FORMAT.md describes the formats`);
  }
}

/** Returns the default labels file of a .npy data file: train.npy has its labels in train.labels.npy. */
export function defaultLabelsPath(path: string): string {
  return path.replace(/\.npy$/i, '.labels.npy');
}

/**
 * Builds sequences from a .npy array of shape (sequences, frames, values), or
 * (sequences, frames) for one value per frame, and a .npy array of integer labels
 * of shape (sequences,).
 */
export function parseNpySequences(dataBytes: Uint8Array, dataSource: string, labelBytes: Uint8Array, labelSource: string): ParsedSequences {
  const data = parseNpy(dataBytes, dataSource);
  const labelArray = parseNpy(labelBytes, labelSource);
  if (data.shape.length !== 3 && data.shape.length !== 2) {
    throw new UserError(
      `${dataSource}: invalid shape ${formatShape(data.shape)}: expected (sequences, frames, values), or (sequences, frames) for one value per frame`,
    );
  }
  const [count, frames, frameSize = 1] = data.shape;
  if (count === 0) throw new UserError(`${dataSource}: the file contains no sequences; the first dimension of the shape is 0`);
  if (frames === 0 || frameSize === 0) {
    throw new UserError(`${dataSource}: invalid shape ${formatShape(data.shape)}: every sequence needs at least one frame of at least one value`);
  }
  if (labelArray.shape.length !== 1) {
    throw new UserError(`${labelSource}: invalid shape ${formatShape(labelArray.shape)} of the labels: expected (sequences,); save labels.reshape(-1)`);
  }
  if (labelArray.shape[0] !== count) {
    throw new UserError(`${labelSource}: the file has ${countOf(labelArray.shape[0], 'label')} but ${dataSource} has ${countOf(count, 'sequence')}; pass the labels of that data file`);
  }
  if (labelArray.dtype.startsWith('float')) {
    throw new UserError(`${labelSource}: the labels have the element type ${labelArray.dtype}; expected integer class indices, so save labels.astype('int64')`);
  }

  const values = new Float32Array(data.size);
  for (let index = 0; index < values.length; index++) {
    const value = data.get(index);
    if (!Number.isFinite(value)) {
      throw new UserError(`${dataSource}: invalid element [${elementIndex(index, data.shape).join(', ')}]: expected a finite number, got ${value}`);
    }
    const overflow = describeFloat32Overflow(value);
    if (overflow !== undefined) throw new UserError(`${dataSource}: invalid element [${elementIndex(index, data.shape).join(', ')}]: ${overflow}`);
    values[index] = value;
  }
  const labels: string[] = [];
  for (let sequence = 0; sequence < count; sequence++) {
    const label = labelArray.get(sequence);
    if (label < 0) {
      throw new UserError(`${labelSource}: invalid labels[${sequence}]: ${label} is out of range; integer labels are class indices from 0 to ${MAX_CLASSES - 1}`);
    }
    labels.push(String(label));
  }
  const parsed: ParsedSequences = {
    source: dataSource,
    count,
    frames,
    frameSize,
    values,
    labels,
    integerLabels: true,
    locateLabel: (sequence) => ({ prefix: labelSource, field: `labels[${sequence}]` }),
  };
  checkLabelCount(parsed);
  return parsed;
}

/** Returns the class list of a training file: 0 to the largest integer label, or the distinct string labels in sorted order. */
function classesOfLabels(train: ParsedSequences): string[] {
  const distinct = new Set(train.labels);
  if (distinct.size < 2) {
    throw new UserError(`${train.source}: every sequence has the label ${JSON.stringify(train.labels[0])}; a classifier needs at least two classes`);
  }
  if (train.integerLabels) {
    const largest = Math.max(...Array.from(distinct, Number));
    return Array.from({ length: largest + 1 }, (_, index) => String(index));
  }
  return Array.from(distinct).sort();
}

function checkClassList(classes: string[]): string[] {
  if (!Array.isArray(classes) || classes.length < 2 || classes.length > MAX_CLASSES) {
    throw new UserError(`invalid classes option: expected a list of 2 to ${MAX_CLASSES} class names, got ${JSON.stringify(classes)}`);
  }
  const seen = new Set<string>();
  for (const name of classes) {
    if (typeof name !== 'string' || name === '') throw new UserError(`invalid classes option: class names must be non-empty strings, got ${JSON.stringify(name)}`);
    if (seen.has(name)) throw new UserError(`invalid classes option: the class ${JSON.stringify(name)} appears twice; list each class once`);
    seen.add(name);
  }
  return [...classes];
}

/** Maps each label to its index in `classes`; throws a UserError at the first label that is not a class. */
function mapLabels(parsed: ParsedSequences, classes: string[], origin: string): Uint8Array {
  const indexOf = new Map(classes.map((name, index) => [name, index]));
  const indices = new Uint8Array(parsed.count);
  parsed.labels.forEach((label, sequence) => {
    const index = indexOf.get(label);
    if (index === undefined) {
      const { prefix, field } = parsed.locateLabel(sequence);
      throw new UserError(`${prefix}: invalid ${field}: ${JSON.stringify(label)} is not one of ${origin} (${formatClasses(classes)})`);
    }
    indices[sequence] = index;
  });
  return indices;
}

function formatClasses(classes: string[]): string {
  const listed = classes.slice(0, 12).join(', ');
  return classes.length > 12 ? `${listed}, ... ${classes.length} in all` : listed;
}

function elementIndex(flat: number, shape: number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index[axis] = flat % shape[axis];
    flat = Math.floor(flat / shape[axis]);
  }
  return index;
}

function identity(count: number): Uint32Array {
  return Uint32Array.from({ length: count }, (_, index) => index);
}

function readBytes(path: string, role: 'data' | 'labels' = 'data'): Uint8Array {
  const fix = role === 'data' ? `pass the path of a ${FORMATS} file` : 'save the labels of a .npy data file under this name or pass the labels path';
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${role} file not found: ${path}; ${fix}`);
    if (code === 'EISDIR') throw new UserError(`${role} file ${path} is a folder; ${fix}`);
    throw error;
  }
}

function readText(path: string): string {
  return new TextDecoder('utf-8').decode(readBytes(path));
}
