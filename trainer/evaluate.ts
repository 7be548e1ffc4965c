import type { FrameSequences } from './data/frames.js';
import { assert } from '../common/errors.js';
import type { RcModel } from './model.js';
import { findSpikes } from './spike-search.js';

/** Float-model figures of rank-coding inference on a data set. */
export interface FloatEvaluation {
  examples: number;
  /** Share of examples whose prediction at t_sp equals the label. */
  accuracyAtSpike: number;
  /** Mean t_sp, 1-based: a spike at the first frame counts 1; no spike counts T. */
  meanSpikeStep: number;
  /** Share of examples where no step crossed the threshold. */
  noSpikeRate: number;
  /** Frames an early-exit runtime computes: the sum of t_sp. */
  framesComputed: number;
  /** Share of frames never computed, 1 - sum(t_sp) / (examples x T). */
  framesSkippedShare: number;
  /** Accuracy of the prediction at the last frame (EOS inference); present only with `lastFrame`. */
  accuracyAtLastFrame?: number;
}

export interface EvaluateOptions {
  /** Spike threshold theta (trainer/output.ts gives the rule of each output form). */
  threshold: number;
  /** Examples per inference batch; larger batches amortize the per-op overhead. */
  batchSize?: number;
  /** Also run every example to the last frame and report accuracyAtLastFrame. */
  lastFrame?: boolean;
}

/** Evaluates the float model with rank-coding inference on every example of `source`, which must not be empty. */
export function evaluateFloat(model: RcModel, source: FrameSequences, options: EvaluateOptions): FloatEvaluation {
  assert(source.count > 0, 'evaluateFloat needs at least one example');
  const batchSize = options.batchSize ?? 1000;
  let correctAtSpike = 0;
  let correctAtLastFrame = 0;
  let spikeStepSum = 0;
  let noSpikeCount = 0;
  for (let start = 0; start < source.count; start += batchSize) {
    const examples = Int32Array.from({ length: Math.min(batchSize, source.count - start) }, (_, i) => start + i);
    const result = findSpikes(model, source, examples, { threshold: options.threshold, allFrames: options.lastFrame });
    for (let i = 0; i < examples.length; i++) {
      const label = source.labels[examples[i]];
      if (result.predictions[i] === label) correctAtSpike++;
      if (result.lastFramePredictions?.[i] === label) correctAtLastFrame++;
      spikeStepSum += result.spikeSteps[i];
      noSpikeCount += result.noSpike[i];
    }
  }
  const count = source.count;
  const evaluation: FloatEvaluation = {
    examples: count,
    accuracyAtSpike: correctAtSpike / count,
    meanSpikeStep: spikeStepSum / count,
    noSpikeRate: noSpikeCount / count,
    framesComputed: spikeStepSum,
    framesSkippedShare: 1 - spikeStepSum / (count * source.frames),
  };
  if (options.lastFrame) evaluation.accuracyAtLastFrame = correctAtLastFrame / count;
  return evaluation;
}
