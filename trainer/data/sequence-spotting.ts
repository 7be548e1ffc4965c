import { SeededRandom } from '../random.js';
import type { FrameSequences } from './frames.js';
import { checkIntegerOption, checkNumberOption, checkSeed, deriveSeed, SPLIT_STREAMS } from './splits.js';

/** Sequences are stored as the bits of one uint32 each, so T is at most 32. */
export const SPOTTING_MAX_FRAMES = 32;

export interface SequenceSpottingOptions {
  /** Seed of the generated examples; the same seed gives the same splits. Default 1. */
  seed?: number;
  /** Examples per split. Defaults 100,000, 10,000 and 10,000. */
  trainCount?: number;
  validationCount?: number;
  testCount?: number;
  /** Frames per sequence (T), at most 32. Default 25. */
  frames?: number;
  /** A sequence is positive when it contains this many equal frames in a row. Default 5. */
  runLength?: number;
  /** Probability that a frame is 1, independently at each step. Default 0.5. */
  rate?: number;
}

export type ResolvedSpottingOptions = Required<SequenceSpottingOptions>;

export const DEFAULT_SPOTTING_OPTIONS: ResolvedSpottingOptions = {
  seed: 1,
  trainCount: 100_000,
  validationCount: 10_000,
  testCount: 10_000,
  frames: 25,
  runLength: 5,
  rate: 0.5,
};

/**
 * Sequence spotting examples: binary frames of one value each. Label 1 (positive)
 * means that the sequence contains at least `runLength` equal frames in a row,
 * all 1 or all 0.
 */
export class SequenceSpottingSet implements FrameSequences {
  readonly frameSize = 1;

  /**
   * `bits[example]` has bit `step` set when frame `step` (0-based) is 1.
   * `decisionSteps[example]` is the value that earliestDecisionStep returns.
   */
  constructor(
    readonly bits: Uint32Array,
    readonly labels: Uint8Array,
    readonly decisionSteps: Uint8Array,
    readonly frames: number,
  ) {}

  get count(): number {
    return this.labels.length;
  }

  /** Returns frame `step` (0-based) of example `example`, 0 or 1. */
  frameValue(example: number, step: number): number {
    return (this.bits[example] >>> step) & 1;
  }

  writeFrame(example: number, step: number, target: Float32Array, offset: number): void {
    if ((this.bits[example] >>> step) & 1) target[offset] = 1;
  }

  /**
   * Returns the 1-based step after which the frames seen so far fix the label. For a
   * positive example it is the step at which the first run of `runLength` equal
   * frames completes. For a negative example it is the first step after which no
   * such run can complete in the remaining frames, which is T at the latest.
   */
  earliestDecisionStep(example: number): number {
    return this.decisionSteps[example];
  }
}

/** The label and decision step of one frame sequence. */
export interface SpottingDecision {
  label: 0 | 1;
  /** 1-based step; see SequenceSpottingSet.earliestDecisionStep. */
  step: number;
}

/** Labels the sequence whose frame t (0-based) is bit t of `bits`, in one pass. */
export function decideSpotting(bits: number, frames: number, runLength: number): SpottingDecision {
  let run = 0;
  let previous = -1;
  for (let step = 0; step < frames; step++) {
    const value = (bits >>> step) & 1;
    run = value === previous ? run + 1 : 1;
    previous = value;
    if (run >= runLength) return { label: 1, step: step + 1 };
    // The maximum run still possible extends the current run to the last frame.
    const remaining = frames - step - 1;
    if (run + remaining < runLength) return { label: 0, step: step + 1 };
  }
  // Only reached when frames is 0; options checking rejects that.
  return { label: 0, step: frames };
}

/**
 * Computes the exact probability that a sequence is positive, by dynamic programming
 * over the value and length of the trailing run of equal frames.
 */
export function positiveProbability(frames: number, runLength: number, rate: number): number {
  // notYet[value][length - 1]: probability of no completed run and a trailing run of `length` frames of `value`.
  let notYet = [new Float64Array(runLength), new Float64Array(runLength)];
  let positive = 0;
  const probabilityOf = [1 - rate, rate];
  for (let value = 0; value < 2; value++) {
    if (runLength <= 1) positive += probabilityOf[value];
    else notYet[value][0] = probabilityOf[value];
  }
  for (let step = 1; step < frames; step++) {
    const next = [new Float64Array(runLength), new Float64Array(runLength)];
    for (let value = 0; value < 2; value++) {
      for (let length = 1; length < runLength; length++) {
        const mass = notYet[value][length - 1];
        if (mass === 0) continue;
        // The next frame either repeats the value or starts a run of the other value.
        const longer = mass * probabilityOf[value];
        if (length + 1 >= runLength) positive += longer;
        else next[value][length] += longer;
        next[1 - value][0] += mass * probabilityOf[1 - value];
      }
    }
    notYet = next;
  }
  return positive;
}

/** Generates `count` examples from the given seed. */
export function generateSequenceSpotting(count: number, seed: number, frames: number, runLength: number, rate: number): SequenceSpottingSet {
  const random = new SeededRandom(seed);
  const bits = new Uint32Array(count);
  const labels = new Uint8Array(count);
  const decisionSteps = new Uint8Array(count);
  for (let example = 0; example < count; example++) {
    let word = 0;
    for (let step = 0; step < frames; step++) {
      if (random.nextFloat() < rate) word |= 1 << step;
    }
    bits[example] = word >>> 0;
    const decision = decideSpotting(bits[example], frames, runLength);
    labels[example] = decision.label;
    decisionSteps[example] = decision.step;
  }
  return new SequenceSpottingSet(bits, labels, decisionSteps, frames);
}

export interface SequenceSpottingSplits {
  train: SequenceSpottingSet;
  validation: SequenceSpottingSet;
  test: SequenceSpottingSet;
}

/** Merges `options` over the defaults and validates them; throws a UserError naming a bad value. */
export function resolveSpottingOptions(options: SequenceSpottingOptions = {}): ResolvedSpottingOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const resolved: ResolvedSpottingOptions = { ...DEFAULT_SPOTTING_OPTIONS, ...defined };
  checkSeed(resolved.seed);
  checkIntegerOption('training count', resolved.trainCount, 1, 100_000_000);
  checkIntegerOption('validation count', resolved.validationCount, 0, 100_000_000);
  checkIntegerOption('test count', resolved.testCount, 0, 100_000_000);
  checkIntegerOption('frames', resolved.frames, 1, SPOTTING_MAX_FRAMES);
  checkIntegerOption('run length', resolved.runLength, 1, resolved.frames);
  checkNumberOption('rate', resolved.rate, 0, 1, 'a probability from 0 to 1, such as 0.5');
  return resolved;
}

/**
 * Generates the three splits of the sequence spotting task. Each split has its own
 * random stream derived from the seed, so a split depends only on the seed, its own
 * count and the task options.
 */
export function loadSequenceSpotting(options: SequenceSpottingOptions = {}): SequenceSpottingSplits {
  const resolved = resolveSpottingOptions(options);
  const { seed, frames, runLength, rate } = resolved;
  return {
    train: generateSequenceSpotting(resolved.trainCount, deriveSeed(seed, SPLIT_STREAMS.train), frames, runLength, rate),
    validation: generateSequenceSpotting(resolved.validationCount, deriveSeed(seed, SPLIT_STREAMS.validation), frames, runLength, rate),
    test: generateSequenceSpotting(resolved.testCount, deriveSeed(seed, SPLIT_STREAMS.test), frames, runLength, rate),
  };
}
