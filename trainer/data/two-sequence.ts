import { SeededRandom } from '../random.js';
import type { FrameSequences } from './frames.js';
import { checkIntegerOption, checkNumberOption, checkSeed, deriveSeed, SPLIT_STREAMS } from './splits.js';

export interface TwoSequenceOptions {
  /** Seed of the generated examples; the same seed gives the same splits. Default 1. */
  seed?: number;
  /** Examples per split. Defaults 100,000, 10,000 and 10,000. */
  trainCount?: number;
  validationCount?: number;
  testCount?: number;
  /** Samples per sequence (T). Default 40. */
  frames?: number;
  /** Positive sequences have mean +mean, negative ones -mean. Default 0.05. */
  mean?: number;
  /** Bounds of the uniform distribution of each sequence's standard deviation. Defaults 0.05 and 0.25. */
  minDeviation?: number;
  maxDeviation?: number;
}

export type ResolvedTwoSequenceOptions = Required<TwoSequenceOptions>;

export const DEFAULT_TWO_SEQUENCE_OPTIONS: ResolvedTwoSequenceOptions = {
  seed: 1,
  trainCount: 100_000,
  validationCount: 10_000,
  testCount: 10_000,
  frames: 40,
  mean: 0.05,
  minDeviation: 0.05,
  maxDeviation: 0.25,
};

/**
 * 2-sequence examples: `frames` Gaussian samples of one value each, with mean
 * +mean (label 1) or -mean (label 0) and a standard deviation drawn once per sequence.
 */
export class TwoSequenceSet implements FrameSequences {
  readonly frameSize = 1;

  /**
   * `values[example * frames + step]` is sample `step` (0-based) of `example`, and
   * `deviations[example]` is the standard deviation it was drawn with.
   */
  constructor(
    readonly values: Float32Array,
    readonly labels: Uint8Array,
    readonly deviations: Float32Array,
    readonly frames: number,
  ) {}

  get count(): number {
    return this.labels.length;
  }

  writeFrame(example: number, step: number, target: Float32Array, offset: number): void {
    target[offset] = this.values[example * this.frames + step];
  }
}

/**
 * Generates `count` examples from the given seed. Each label is a fair coin flip,
 * the deviation s is uniform in [minDeviation, maxDeviation), and the samples are
 * independent draws from N(+-mean, s^2).
 */
export function generateTwoSequence(count: number, seed: number, options: ResolvedTwoSequenceOptions): TwoSequenceSet {
  const { frames, mean, minDeviation, maxDeviation } = options;
  const random = new SeededRandom(seed);
  const values = new Float32Array(count * frames);
  const labels = new Uint8Array(count);
  const deviations = new Float32Array(count);
  for (let example = 0; example < count; example++) {
    const label = random.nextFloat() < 0.5 ? 1 : 0;
    const deviation = minDeviation + (maxDeviation - minDeviation) * random.nextFloat();
    const center = label === 1 ? mean : -mean;
    labels[example] = label;
    deviations[example] = deviation;
    for (let step = 0; step < frames; step++) {
      values[example * frames + step] = center + deviation * random.nextNormal();
    }
  }
  return new TwoSequenceSet(values, labels, deviations, frames);
}

export interface TwoSequenceSplits {
  train: TwoSequenceSet;
  validation: TwoSequenceSet;
  test: TwoSequenceSet;
}

/** Merges `options` over the defaults and validates them; throws a UserError naming a bad value. */
export function resolveTwoSequenceOptions(options: TwoSequenceOptions = {}): ResolvedTwoSequenceOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const resolved: ResolvedTwoSequenceOptions = { ...DEFAULT_TWO_SEQUENCE_OPTIONS, ...defined };
  checkSeed(resolved.seed);
  checkIntegerOption('training count', resolved.trainCount, 1, 100_000_000);
  checkIntegerOption('validation count', resolved.validationCount, 0, 100_000_000);
  checkIntegerOption('test count', resolved.testCount, 0, 100_000_000);
  checkIntegerOption('frames', resolved.frames, 1, 100_000);
  checkNumberOption('mean', resolved.mean, Number.MIN_VALUE, 1e6, 'a positive number, such as 0.05');
  checkNumberOption('minimum deviation', resolved.minDeviation, 0, 1e6, 'a non-negative number, such as 0.05');
  checkNumberOption(
    'maximum deviation',
    resolved.maxDeviation,
    resolved.minDeviation,
    1e6,
    `a number at least the minimum deviation ${resolved.minDeviation}, such as 0.25`,
  );
  return resolved;
}

/**
 * Generates the three splits of the 2-sequence task. Each split has its own random
 * stream derived from the seed, so a split depends only on the seed, its own count
 * and the task options.
 */
export function loadTwoSequence(options: TwoSequenceOptions = {}): TwoSequenceSplits {
  const resolved = resolveTwoSequenceOptions(options);
  return {
    train: generateTwoSequence(resolved.trainCount, deriveSeed(resolved.seed, SPLIT_STREAMS.train), resolved),
    validation: generateTwoSequence(resolved.validationCount, deriveSeed(resolved.seed, SPLIT_STREAMS.validation), resolved),
    test: generateTwoSequence(resolved.testCount, deriveSeed(resolved.seed, SPLIT_STREAMS.test), resolved),
  };
}
