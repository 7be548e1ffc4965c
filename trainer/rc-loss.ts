import * as tf from '@tensorflow/tfjs-core';
import { assert } from '../common/errors.js';
import { buildFrameMatrix, type FrameSequences } from './data/frames.js';
import './gradients.js';
import { denseLogits, lstmStep, projectInputs, type LstmState, type RcLstm } from './model.js';

/**
 * The row layout of a batch sorted by spike step, longest first. Step t (0-based)
 * runs the first `activeCounts[t]` sorted examples, and the examples that spike at
 * step t are the last ones of that prefix: rows [activeCounts[t + 1], activeCounts[t]).
 */
export interface SpikeSchedule {
  /** Positions in the batch, sorted by spike step descending (stable). */
  order: Int32Array;
  /** activeCounts[t] = number of examples with t_sp > t, for t = 0 .. max t_sp; the last entry is 0. */
  activeCounts: Int32Array;
  /** Rows of the step-major input matrix: the sum of t_sp. */
  totalFrames: number;
}

/** Sorts a batch by spike step (1-based t_sp) and counts the examples still running at each step. */
export function scheduleBySpikeStep(spikeSteps: ArrayLike<number>): SpikeSchedule {
  const order = Int32Array.from({ length: spikeSteps.length }, (_, position) => position);
  order.sort((a, b) => spikeSteps[b] - spikeSteps[a] || a - b);
  const longest = order.length === 0 ? 0 : spikeSteps[order[0]];
  const activeCounts = new Int32Array(longest + 1);
  let totalFrames = 0;
  for (let i = 0; i < spikeSteps.length; i++) {
    totalFrames += spikeSteps[i];
    for (let step = 0; step < spikeSteps[i]; step++) activeCounts[step]++;
  }
  return { order, activeCounts, totalFrames };
}

/**
 * Returns the batch-mean rank-coding loss, CE(y_tsp, label) - beta * H(y_tsp) with
 * H in nats, where y_tsp is the softmax output at each example's spike step. Call it
 * inside a gradient tape (optimizer.minimize or tf.variableGrads).
 *
 * Frames after t_sp are never read, so they take no part in the forward or the
 * backward pass. All computed frames are projected with one matMul over a step-major
 * matrix (step 0 of the active examples, then step 1, ...). The recurrence slices a
 * shrinking prefix of the sorted batch at each step because the gradient of tf.slice
 * runs on the wasm backend of TensorFlow.js 4.22, while the gradient of tf.gather
 * needs UnsortedSegmentSum, which that backend does not register. EOS training is
 * the case t_sp = T for every example.
 */
export function rcBatchLoss(
  model: RcLstm,
  source: FrameSequences,
  examples: ArrayLike<number>,
  spikeSteps: ArrayLike<number>,
  beta: number,
): tf.Scalar {
  assert(examples.length > 0, 'rcBatchLoss needs at least one example');
  assert(spikeSteps.length === examples.length, () => `${spikeSteps.length} spike steps for ${examples.length} examples`);
  const schedule = scheduleBySpikeStep(spikeSteps);
  const { order, activeCounts } = schedule;
  assert(spikeSteps[order[order.length - 1]] >= 1, 'spike steps must be at least 1');
  assert(activeCounts.length - 1 <= source.frames, () => `spike step ${activeCounts.length - 1} is past the last frame ${source.frames}`);

  const rowExamples = new Int32Array(schedule.totalFrames);
  const rowSteps = new Int32Array(schedule.totalFrames);
  let row = 0;
  for (let step = 0; step + 1 < activeCounts.length; step++) {
    for (let k = 0; k < activeCounts[step]; k++) {
      rowExamples[row] = examples[order[k]];
      rowSteps[row] = step;
      row++;
    }
  }
  const inputs = tf.tensor2d(buildFrameMatrix(source, rowExamples, rowSteps), [schedule.totalFrames, source.frameSize]);
  const projected = projectInputs(model, inputs);

  // One split rather than a slice per step: the gradient of split is one concat,
  // while each slice's gradient pads to the full matrix.
  const stepCounts = Array.from(activeCounts.subarray(0, activeCounts.length - 1));
  const stepInputs = stepCounts.length === 1 ? [projected] : (tf.split(projected, stepCounts, 0) as tf.Tensor2D[]);

  const spikingStates: tf.Tensor2D[] = [];
  const spikingLabels: number[] = [];
  let state: LstmState | undefined;
  for (let step = 0; step < stepCounts.length; step++) {
    const active = activeCounts[step];
    const stillRunning = activeCounts[step + 1];
    if (state !== undefined && state.h.shape[0] > active) {
      state = { h: tf.slice(state.h, [0, 0], [active, model.units]), c: tf.slice(state.c, [0, 0], [active, model.units]) };
    }
    state = lstmStep(model, stepInputs[step], state);
    if (active > stillRunning) {
      spikingStates.push(tf.slice(state.h, [stillRunning, 0], [active - stillRunning, model.units]));
      for (let k = stillRunning; k < active; k++) spikingLabels.push(source.labels[examples[order[k]]]);
    }
  }

  const hidden = spikingStates.length === 1 ? spikingStates[0] : tf.concat(spikingStates, 0);
  const logProbabilities = tf.logSoftmax(denseLogits(model, hidden));
  const oneHot = tf.oneHot(tf.tensor1d(spikingLabels, 'int32'), model.classes);
  const crossEntropy = tf.neg(tf.sum(tf.mul(oneHot, logProbabilities), 1));
  if (beta === 0) return tf.mean(crossEntropy);
  const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logProbabilities), logProbabilities), 1));
  return tf.mean(tf.sub(crossEntropy, tf.mul(beta, entropy)));
}
