import { readFileSync } from 'node:fs';
import { UserError } from '../common/errors.js';
import { writeFileAtomic } from '../common/files.js';
import type { AdamState } from './adam.js';
import { copyShape, flattenWeights, lstmInputSizes, denseSizes, type RcModelShape, type RcModelWeights } from './model.js';
import type { TrainOptions } from './options.js';
import type { RandomState } from './random.js';
import type { EpochMetrics } from './train.js';

export const CHECKPOINT_FILE = 'checkpoint.bin';

/** Bytes "RCKP" at the start of a checkpoint file. */
const MAGIC = 0x504b4352;
const FORMAT_VERSION = 1;

/** The epoch whose weights train() exports, chosen by validation accuracy at spike. */
export interface BestEpoch {
  epoch: number;
  /** Validation accuracy at spike and mean t_sp of the epoch; null when the validation split is empty. */
  accuracyAtSpike: number | null;
  meanSpikeStep: number | null;
  /** Validation accuracy of the prediction at the last frame; EOS runs select on it. Null without validation, undefined in older checkpoints. */
  accuracyAtLastFrame?: number | null;
  /** Entropy weight of the epoch's loss. */
  beta: number;
}

/** Everything a run needs to continue after `epoch` completed epochs as if it had never stopped. */
export interface Checkpoint {
  /** Completed epochs. */
  epoch: number;
  options: TrainOptions;
  backend: string;
  random: RandomState;
  adam: AdamState;
  weights: RcModelWeights;
  best: BestEpoch;
  /** Weights of the best epoch; the same object as `weights` when the last epoch is the best. */
  bestWeights: RcModelWeights;
  metrics: EpochMetrics[];
  /** Wall time of the training so far, summed over the runs that resumed it. */
  elapsedSeconds: number;
}

/** The JSON header of a checkpoint file: the Checkpoint without its arrays. */
interface CheckpointHeader extends Omit<Checkpoint, 'adam' | 'weights' | 'bestWeights'> {
  shape: RcModelShape;
  adam: Omit<AdamState, 'firstMoments' | 'secondMoments'> & { momentCount: number };
  /** True when bestWeights are stored after the weights; false when they equal the weights. */
  separateBest: boolean;
}

/**
 * Writes a checkpoint atomically to `path` (a temporary file renamed over the old
 * one), so a run killed at any moment leaves the previous checkpoint or the new one.
 *
 * The layout is little-endian. It starts with the bytes "RCKP", the uint32 format
 * version, the uint32 header length, the JSON header (UTF-8) and zero padding to a
 * multiple of 4 bytes. Float32 arrays follow: the weights in trainableVariables
 * order, the Adam first moments, the second moments, and the best weights when
 * they differ from the weights.
 */
export function writeCheckpoint(path: string, checkpoint: Checkpoint): void {
  const separateBest = checkpoint.bestWeights !== checkpoint.weights;
  const header: CheckpointHeader = {
    epoch: checkpoint.epoch,
    options: checkpoint.options,
    backend: checkpoint.backend,
    random: checkpoint.random,
    shape: copyShape(checkpoint.weights),
    adam: {
      iterations: checkpoint.adam.iterations,
      accumulatedBeta1: checkpoint.adam.accumulatedBeta1,
      accumulatedBeta2: checkpoint.adam.accumulatedBeta2,
      momentCount: checkpoint.adam.firstMoments.length,
    },
    best: checkpoint.best,
    separateBest,
    metrics: checkpoint.metrics,
    elapsedSeconds: checkpoint.elapsedSeconds,
  };

  const arrays = [
    ...flattenWeights(checkpoint.weights),
    ...checkpoint.adam.firstMoments,
    ...checkpoint.adam.secondMoments,
    ...(separateBest ? flattenWeights(checkpoint.bestWeights) : []),
  ];

  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataOffset = align4(12 + json.length);
  const floats = arrays.reduce((sum, array) => sum + array.length, 0);
  const bytes = new Uint8Array(dataOffset + 4 * floats);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, json.length, true);
  bytes.set(json, 12);
  let offset = dataOffset;
  for (const array of arrays) {
    for (let i = 0; i < array.length; i++, offset += 4) view.setFloat32(offset, array[i], true);
  }
  writeFileAtomic(path, bytes);
}

/** Reads a checkpoint that writeCheckpoint wrote. Throws a UserError when the file is missing, truncated or not a checkpoint. */
export function readCheckpoint(path: string): Checkpoint {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(`checkpoint not found: ${path}; --resume continues a run whose --out folder contains ${CHECKPOINT_FILE}, so leave out --resume to start a new run`);
    }
    throw error;
  }

  const invalid = (reason: string) => new UserError(`invalid checkpoint ${path}: ${reason}; delete it and start a new run without --resume`);
  if (bytes.length < 12) throw invalid('the file is shorter than its 12-byte header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw invalid('the file does not start with "RCKP"');
  if (view.getUint32(4, true) !== FORMAT_VERSION) throw invalid(`format version ${view.getUint32(4, true)}, expected ${FORMAT_VERSION}`);
  const jsonLength = view.getUint32(8, true);
  if (12 + jsonLength > bytes.length) throw invalid('the header is truncated');
  let header: CheckpointHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + jsonLength))) as CheckpointHeader;
  } catch (error) {
    throw invalid(`the header is not JSON (${(error as Error).message})`);
  }

  const shape = header.shape;
  const weightLengths = [
    ...lstmInputSizes(shape).flatMap((inputSize, i) => [inputSize * 4 * shape.lstmUnits[i], shape.lstmUnits[i] * 4 * shape.lstmUnits[i], 4 * shape.lstmUnits[i]]),
    ...denseSizes(shape).flatMap(([inputSize, units]) => [inputSize * units, units]),
  ];
  const momentLengths = header.adam.momentCount === 0 ? [] : weightLengths;
  const lengths = [...weightLengths, ...momentLengths, ...momentLengths, ...(header.separateBest ? weightLengths : [])];
  const dataOffset = align4(12 + jsonLength);
  const expectedBytes = dataOffset + 4 * lengths.reduce((sum, length) => sum + length, 0);
  if (bytes.length !== expectedBytes) throw invalid(`the file has ${bytes.length} bytes, expected ${expectedBytes} for its header`);

  let offset = dataOffset;
  const arrays = lengths.map((length) => {
    const array = new Float32Array(length);
    for (let i = 0; i < length; i++, offset += 4) array[i] = view.getFloat32(offset, true);
    return array;
  });
  let next = 0;
  const readWeights = (): RcModelWeights => ({
    ...copyShape(shape),
    lstm: shape.lstmUnits.map(() => ({ kernel: arrays[next++], recurrentKernel: arrays[next++], bias: arrays[next++] })),
    dense: denseSizes(shape).map(() => ({ kernel: arrays[next++], bias: arrays[next++] })),
  });
  const weights = readWeights();
  const firstMoments = momentLengths.map(() => arrays[next++]);
  const secondMoments = momentLengths.map(() => arrays[next++]);
  const bestWeights = header.separateBest ? readWeights() : weights;
  const { adam } = header;
  return {
    epoch: header.epoch,
    options: header.options,
    backend: header.backend,
    random: header.random,
    adam: { iterations: adam.iterations, accumulatedBeta1: adam.accumulatedBeta1, accumulatedBeta2: adam.accumulatedBeta2, firstMoments, secondMoments },
    weights,
    best: header.best,
    bestWeights,
    metrics: header.metrics,
    elapsedSeconds: header.elapsedSeconds,
  };
}

function align4(offset: number): number {
  return Math.ceil(offset / 4) * 4;
}
