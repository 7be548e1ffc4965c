/**
 * The rank-coding spike rule applied to recorded output trajectories, and the
 * figures rc-eval reports. A trajectory contains the top class and its
 * probability after every step of every example, so one forward pass over all T frames gives
 * the figures at any threshold and the argmax at any step.
 */
import type { FrameSequences } from './data/frames.js';
import type { ExampleTrace, SpikeSummary, SweepPoint } from './eval-types.js';

/** Top class and top probability after each step of each example, [example][step] row-major. */
export class Trajectories {
  readonly topClass: Uint16Array;
  readonly topProbability: Float64Array;

  constructor(
    readonly count: number,
    readonly frames: number,
  ) {
    this.topClass = new Uint16Array(count * frames);
    this.topProbability = new Float64Array(count * frames);
  }

  /** Records the output of `example` after step `step` (0-based). */
  set(example: number, step: number, topClass: number, topProbability: number): void {
    this.topClass[example * this.frames + step] = topClass;
    this.topProbability[example * this.frames + step] = topProbability;
  }

  /**
   * Returns t_sp (1-based), the first step whose top probability is >= theta,
   * or T with `spiked` false when no step reaches it.
   */
  spikeStep(example: number, theta: number): { step: number; spiked: boolean } {
    const base = example * this.frames;
    for (let step = 0; step < this.frames; step++) {
      if (this.topProbability[base + step] >= theta) return { step: step + 1, spiked: true };
    }
    return { step: this.frames, spiked: false };
  }

  /** Returns the top class after 1-based step `step`. */
  classAt(example: number, step: number): number {
    return this.topClass[example * this.frames + step - 1];
  }
}

/** The outcome of one example under the spike rule. */
export interface SpikeRecord {
  /** t_sp, 1-based. */
  step: number;
  spiked: boolean;
  correct: boolean;
}

/**
 * Returns the figures of a list of spike records. `framesComputed` defaults to
 * the sum of t_sp, which is what an early-exit runtime computes.
 */
export function summarizeSpikes(records: readonly SpikeRecord[], frames: number, threshold: number, framesComputed?: number): SpikeSummary {
  const count = records.length;
  const histogram = new Array<number>(frames).fill(0);
  let correct = 0;
  let stepSum = 0;
  let noSpikeCount = 0;
  for (const record of records) {
    if (record.correct) correct++;
    stepSum += record.step;
    if (record.spiked) histogram[record.step - 1]++;
    else noSpikeCount++;
  }
  const computed = framesComputed ?? stepSum;
  return {
    threshold,
    examples: count,
    accuracyAtSpike: share(correct, count),
    meanSpikeStep: share(stepSum, count),
    medianSpikeStep: median(records.map((record) => record.step)),
    noSpikeRate: share(noSpikeCount, count),
    framesComputed: computed,
    framesSkippedShare: count === 0 ? 0 : 1 - computed / (count * frames),
    spikeStepHistogram: histogram,
    noSpikeCount,
  };
}

/** Applies the spike rule at `theta` to every example of the trajectories. */
export function spikeRecords(trajectories: Trajectories, labels: ArrayLike<number>, theta: number): SpikeRecord[] {
  const records: SpikeRecord[] = [];
  for (let example = 0; example < trajectories.count; example++) {
    const { step, spiked } = trajectories.spikeStep(example, theta);
    records.push({ step, spiked, correct: trajectories.classAt(example, step) === labels[example] });
  }
  return records;
}

export function summarizeAtThreshold(trajectories: Trajectories, labels: ArrayLike<number>, theta: number): SpikeSummary {
  return summarizeSpikes(spikeRecords(trajectories, labels, theta), trajectories.frames, theta);
}

/** Returns, for each step k = 1..T, the accuracy of the argmax read at step k. */
export function accuracyByStep(trajectories: Trajectories, labels: ArrayLike<number>): number[] {
  const accuracies: number[] = [];
  for (let step = 1; step <= trajectories.frames; step++) {
    let correct = 0;
    for (let example = 0; example < trajectories.count; example++) {
      if (trajectories.classAt(example, step) === labels[example]) correct++;
    }
    accuracies.push(share(correct, trajectories.count));
  }
  return accuracies;
}

/** Applies the spike rule at each threshold: the speed-accuracy trade-off curve. */
export function sweepThresholds(trajectories: Trajectories, labels: ArrayLike<number>, thetas: readonly number[]): SweepPoint[] {
  return thetas.map((theta) => {
    const summary = summarizeAtThreshold(trajectories, labels, theta);
    return {
      theta,
      accuracyAtSpike: summary.accuracyAtSpike,
      meanSpikeStep: summary.meanSpikeStep,
      medianSpikeStep: summary.medianSpikeStep,
      noSpikeRate: summary.noSpikeRate,
      framesSkippedShare: summary.framesSkippedShare,
    };
  });
}

/** Builds the raster trace of `example` at `theta`, with its nonzero inputs up to `lastStep` (1-based). */
export function traceExample(
  source: FrameSequences,
  example: number,
  outputs: { topClass: number[]; topProbability: number[] },
  spike: { step: number; spiked: boolean; prediction: number },
): ExampleTrace {
  const inputs: [number, number, number][] = [];
  const frame = new Float32Array(source.frameSize);
  for (let step = 0; step < outputs.topClass.length; step++) {
    frame.fill(0);
    source.writeFrame(example, step, frame, 0);
    frame.forEach((value, index) => {
      if (value !== 0) inputs.push([step + 1, index, value]);
    });
  }
  return {
    example,
    label: source.labels[example],
    prediction: spike.prediction,
    spikeStep: spike.step,
    spiked: spike.spiked,
    topProbability: outputs.topProbability,
    topClass: outputs.topClass,
    frameSize: source.frameSize,
    inputs,
  };
}

/** Returns the raster traces of the first `count` examples, read from the trajectories. */
export function traceTrajectories(trajectories: Trajectories, source: FrameSequences, theta: number, count: number): ExampleTrace[] {
  const traces: ExampleTrace[] = [];
  for (let example = 0; example < Math.min(count, trajectories.count); example++) {
    const base = example * trajectories.frames;
    const outputs = {
      topClass: Array.from(trajectories.topClass.subarray(base, base + trajectories.frames)),
      topProbability: Array.from(trajectories.topProbability.subarray(base, base + trajectories.frames)),
    };
    const spike = trajectories.spikeStep(example, theta);
    traces.push(traceExample(source, example, outputs, { ...spike, prediction: trajectories.classAt(example, spike.step) }));
  }
  return traces;
}

/** Median of the values; the mean of the two middle values for an even count, 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function share(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}
