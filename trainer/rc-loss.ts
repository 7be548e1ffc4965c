import * as tf from '@tensorflow/tfjs-core';
import { assert } from '../common/errors.js';
import { buildFrameMatrix, type FrameSequences } from './data/frames.js';
import './gradients.js';
import { lstmStep, outputLogits, projectFrames, projectHidden, type LstmState } from './forward.js';
import type { LstmLayer, RcModel } from './model.js';
import { outputLoss } from './output.js';

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
 * H in nats (trainer/output.ts defines both for each output form), where y_tsp is
 * the output at each example's spike step. Call it inside a gradient tape
 * (tf.variableGrads).
 *
 * Frames after t_sp are never read, so they take no part in the forward or the
 * backward pass. The computed frames form a step-major matrix: step 0 of the active
 * examples, then step 1, and so on. The LSTM layers run one after another over it.
 * For each layer, one matMul projects the whole input, and the recurrence slices a
 * shrinking prefix of the sorted batch at each step. The layer's hidden states,
 * concatenated in the same row order, are the input of the layer above. The recurrence uses
 * tf.slice because the gradient of tf.slice runs on the wasm backend of
 * TensorFlow.js 4.22, while the gradient of tf.gather needs UnsortedSegmentSum,
 * which that backend does not register. The head and the loss read the last
 * layer's hidden states at the spike steps only. EOS training is the case
 * t_sp = T for every example.
 */
export function rcBatchLoss(
  model: RcModel,
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
  const stepCounts = Array.from(activeCounts.subarray(0, activeCounts.length - 1));
  const spikingLabels: number[] = [];
  for (let step = 0; step < stepCounts.length; step++) {
    for (let k = activeCounts[step + 1]; k < activeCounts[step]; k++) spikingLabels.push(source.labels[examples[order[k]]]);
  }

  const frames = tf.tensor2d(buildFrameMatrix(source, rowExamples, rowSteps), [schedule.totalFrames, source.frameSize]);
  let layerInput = frames;
  let spikingStates: tf.Tensor2D[] = [];
  model.lstm.forEach((layer, index) => {
    const projected = index === 0 ? projectFrames(layer, frames) : projectHidden(layer, layerInput);
    const outputs = runRecurrence(model, layer, projected, activeCounts);
    if (index === model.lstm.length - 1) spikingStates = outputs.spiking;
    else layerInput = outputs.all.length === 1 ? outputs.all[0] : tf.concat(outputs.all, 0);
  });

  const hidden = spikingStates.length === 1 ? spikingStates[0] : tf.concat(spikingStates, 0);
  return tf.mean(outputLoss(model, outputLogits(model, hidden), spikingLabels, beta));
}

/**
 * Runs one LSTM layer over its projected step-major input and returns the hidden
 * states of every step (`all`, for the layer above) and the rows that spike at each
 * step (`spiking`, in step order).
 */
function runRecurrence(model: RcModel, layer: LstmLayer, projected: tf.Tensor2D, activeCounts: Int32Array): { all: tf.Tensor2D[]; spiking: tf.Tensor2D[] } {
  // One split rather than a slice per step: the gradient of split is one concat,
  // while each slice's gradient pads to the full matrix.
  const stepCounts = Array.from(activeCounts.subarray(0, activeCounts.length - 1));
  const stepInputs = stepCounts.length === 1 ? [projected] : (tf.split(projected, stepCounts, 0) as tf.Tensor2D[]);
  const all: tf.Tensor2D[] = [];
  const spiking: tf.Tensor2D[] = [];
  let state: LstmState | undefined;
  for (let step = 0; step < stepCounts.length; step++) {
    const active = activeCounts[step];
    const stillRunning = activeCounts[step + 1];
    if (state !== undefined && state.h.shape[0] > active) {
      state = { h: tf.slice(state.h, [0, 0], [active, layer.units]), c: tf.slice(state.c, [0, 0], [active, layer.units]) };
    }
    state = lstmStep(layer, model.recurrentActivation, stepInputs[step], state);
    all.push(state.h);
    if (active > stillRunning) spiking.push(tf.slice(state.h, [stillRunning, 0], [active - stillRunning, layer.units]));
  }
  return { all, spiking };
}
