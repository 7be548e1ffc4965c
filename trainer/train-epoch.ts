import * as tf from '@tensorflow/tfjs-core';
import type { AdamOptimizer } from './adam.js';
import type { FrameSequences } from './data/frames.js';
import { trainableVariables, type RcModel } from './model.js';
import type { TrainingMode } from './options.js';
import type { SeededRandom } from './random.js';
import { rcBatchLoss } from './rc-loss.js';
import './gradients.js';
import { findSpikes } from './spike-search.js';

export interface EpochSettings {
  mode: TrainingMode;
  beta: number;
  threshold: number;
  batchSize: number;
  /** Largest global L2 norm of the gradients; undefined: no clipping. */
  clipNorm?: number;
}

/** Training figures of one epoch. Spike figures come from each batch's search pass, before that batch's update. */
export interface EpochTotals {
  examples: number;
  /** Mean batch loss, weighted by batch size. */
  loss: number;
  /** Share of examples whose prediction at t_sp was correct; undefined in EOS mode, which runs no search. */
  accuracyAtSpike?: number;
  /** Mean t_sp (1-based) of the examples trained on: T for every example in EOS mode. */
  meanSpikeStep: number;
  /** Frames computed by the no-gradient spike search (0 in EOS mode). */
  framesSearched: number;
  /** Frames in the gradient pass: the sum of the t_sp used for the loss. */
  framesTrained: number;
  /** Frames a full-sequence pass computes: examples x T. */
  framesAllSteps: number;
  /** Mean and largest global L2 norm of the batch gradients, before clipping. */
  gradientNormMean: number;
  gradientNormMax: number;
  /** Batches whose gradients were scaled down to the clip norm. */
  clippedBatches: number;
}

/** A batch whose loss or gradient is NaN or infinite. No update was applied for it. */
export class NonFiniteLossError extends Error {
  constructor(
    /** 1-based batch number within the epoch. */
    readonly batch: number,
    readonly batches: number,
    readonly loss: number,
    readonly gradientNorm: number,
  ) {
    super(`the loss is ${loss} and the gradient norm ${gradientNorm} at batch ${batch} of ${batches}`);
    this.name = 'NonFiniteLossError';
  }
}

/**
 * Runs one epoch over `source` in a seeded random order. For each batch, RC mode
 * first finds every example's spike step without gradients, then minimizes the RC
 * loss at those steps. EOS mode minimizes the same loss at the last frame.
 * Throws a NonFiniteLossError, before updating the weights, at the first batch
 * whose loss or gradient is not finite.
 */
export function trainEpoch(
  model: RcModel,
  optimizer: AdamOptimizer,
  source: FrameSequences,
  settings: EpochSettings,
  random: SeededRandom,
  onBatch?: (batchesDone: number, totals: EpochTotals) => void,
): EpochTotals {
  const order = random.shuffle(Int32Array.from({ length: source.count }, (_, i) => i));
  const variables = trainableVariables(model);
  const batches = Math.ceil(order.length / settings.batchSize);
  let lossSum = 0;
  let correct = 0;
  let examplesDone = 0;
  let framesSearched = 0;
  let framesTrained = 0;
  let normSum = 0;
  let normMax = 0;
  let clippedBatches = 0;
  let batchesDone = 0;
  const totals = (): EpochTotals => ({
    examples: examplesDone,
    loss: lossSum / examplesDone,
    accuracyAtSpike: settings.mode === 'rc' ? correct / examplesDone : undefined,
    meanSpikeStep: framesTrained / examplesDone,
    framesSearched,
    framesTrained,
    framesAllSteps: examplesDone * source.frames,
    gradientNormMean: normSum / batchesDone,
    gradientNormMax: normMax,
    clippedBatches,
  });

  for (let start = 0; start < order.length; start += settings.batchSize) {
    const examples = order.subarray(start, Math.min(start + settings.batchSize, order.length));
    let spikeSteps: ArrayLike<number>;
    if (settings.mode === 'rc') {
      const spikes = findSpikes(model, source, examples, { threshold: settings.threshold });
      spikeSteps = spikes.spikeSteps;
      framesSearched += spikes.framesComputed;
      examples.forEach((example, i) => {
        if (spikes.predictions[i] === source.labels[example]) correct++;
      });
    } else {
      spikeSteps = new Int32Array(examples.length).fill(source.frames);
    }

    const step = applyGradientStep(optimizer, variables, () => rcBatchLoss(model, source, examples, spikeSteps, settings.beta), settings.clipNorm);
    if (!step.applied) throw new NonFiniteLossError(batchesDone + 1, batches, step.loss, step.gradientNorm);
    lossSum += step.loss * examples.length;
    normSum += step.gradientNorm;
    normMax = Math.max(normMax, step.gradientNorm);
    if (step.clipped) clippedBatches++;
    for (let i = 0; i < spikeSteps.length; i++) framesTrained += spikeSteps[i];
    examplesDone += examples.length;
    batchesDone++;
    onBatch?.(batchesDone, totals());
  }
  return totals();
}

/** Outcome of one optimizer step. */
export interface GradientStep {
  loss: number;
  /** Global L2 norm of the gradients before clipping. */
  gradientNorm: number;
  /** False when the loss or the gradient norm is NaN or infinite: the weights were left as they were. */
  applied: boolean;
  /** True when the gradients were scaled down to the clip norm. */
  clipped: boolean;
}

/**
 * Computes the gradients of `loss`, checks that the loss and the gradients are
 * finite, scales the gradients by clipNorm / norm when their global L2 norm exceeds
 * `clipNorm` (as tf.clip_by_global_norm does), and applies one optimizer step.
 *
 * A variable the loss does not depend on gets a zero gradient instead of none:
 * when every example of a batch spikes at step 1, the recurrent kernels are unused.
 * The optimizer keeps its moments by position in the gradient list, so every
 * variable needs an entry.
 */
export function applyGradientStep(optimizer: Pick<AdamOptimizer, 'applyGradients'>, variables: tf.Variable[], loss: () => tf.Scalar, clipNorm?: number): GradientStep {
  const { value, grads } = tf.variableGrads(loss, variables);
  let gradients = variables.map((variable) => grads[variable.name] ?? tf.zerosLike(variable));
  const summary = tf.tidy(() => {
    const squares = gradients.map((gradient) => tf.sum(tf.square(gradient)));
    return tf.stack([value, tf.sqrt(tf.addN(squares))]);
  });
  const [lossValue, gradientNorm] = summary.dataSync();
  tf.dispose([summary, value]);
  const applied = Number.isFinite(lossValue) && Number.isFinite(gradientNorm);
  const clipped = applied && clipNorm !== undefined && gradientNorm > clipNorm;
  if (clipped) {
    const scaled = tf.tidy(() => gradients.map((gradient) => tf.mul(gradient, clipNorm / gradientNorm)));
    tf.dispose(gradients);
    gradients = scaled;
  }
  if (applied) optimizer.applyGradients(variables, gradients);
  tf.dispose(gradients);
  return { loss: lossValue, gradientNorm, applied, clipped };
}
