import * as tf from '@tensorflow/tfjs-core';
import type { FrameSequences } from './data/frames.js';
import { trainableVariables, type RcLstm } from './model.js';
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
}

/**
 * Runs one epoch over `source` in a seeded random order. For each batch, RC mode
 * first finds every example's spike step without gradients, then minimizes the RC
 * loss at those steps. EOS mode minimizes the same loss at the last frame.
 */
export function trainEpoch(
  model: RcLstm,
  optimizer: tf.Optimizer,
  source: FrameSequences,
  settings: EpochSettings,
  random: SeededRandom,
  onBatch?: (batchesDone: number, totals: EpochTotals) => void,
): EpochTotals {
  const order = random.shuffle(Int32Array.from({ length: source.count }, (_, i) => i));
  const variables = trainableVariables(model);
  let lossSum = 0;
  let correct = 0;
  let examplesDone = 0;
  let framesSearched = 0;
  let framesTrained = 0;
  const totals = (): EpochTotals => ({
    examples: examplesDone,
    loss: lossSum / examplesDone,
    accuracyAtSpike: settings.mode === 'rc' ? correct / examplesDone : undefined,
    meanSpikeStep: framesTrained / examplesDone,
    framesSearched,
    framesTrained,
    framesAllSteps: examplesDone * source.frames,
  });

  let batchesDone = 0;
  for (let start = 0; start < order.length; start += settings.batchSize) {
    const examples = order.subarray(start, Math.min(start + settings.batchSize, order.length));
    let spikeSteps: Uint8Array;
    if (settings.mode === 'rc') {
      const spikes = findSpikes(model, source, examples, { threshold: settings.threshold });
      spikeSteps = spikes.spikeSteps;
      framesSearched += spikes.framesComputed;
      examples.forEach((example, i) => {
        if (spikes.predictions[i] === source.labels[example]) correct++;
      });
    } else {
      spikeSteps = new Uint8Array(examples.length).fill(source.frames);
    }

    const loss = applyGradientStep(optimizer, variables, () => rcBatchLoss(model, source, examples, spikeSteps, settings.beta));
    lossSum += loss * examples.length;
    for (const step of spikeSteps) framesTrained += step;
    examplesDone += examples.length;
    batchesDone++;
    onBatch?.(batchesDone, totals());
  }
  return totals();
}

/**
 * Minimizes `loss` by one optimizer step and returns the loss value.
 *
 * A variable the loss does not depend on gets a zero gradient instead of none:
 * when every example of a batch spikes at step 1, the recurrent kernel is unused.
 * TensorFlow.js 4.22's Adam keeps its moments by position in the gradient list, so
 * a gradient list that drops an entry would pair moments with the wrong variables.
 */
export function applyGradientStep(optimizer: tf.Optimizer, variables: tf.Variable[], loss: () => tf.Scalar): number {
  const { value, grads } = tf.variableGrads(loss, variables);
  const gradients = variables.map((variable) => ({ name: variable.name, tensor: grads[variable.name] ?? tf.zerosLike(variable) }));
  optimizer.applyGradients(gradients);
  const lossValue = value.dataSync()[0];
  tf.dispose([value, ...gradients.map((gradient) => gradient.tensor)]);
  return lossValue;
}
