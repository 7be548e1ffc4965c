import * as tf from '@tensorflow/tfjs-core';
import { buildFrameMatrix, type FrameSequences } from './data/frames.js';
import { denseLogits, lstmStep, projectInputs, type LstmState, type RcLstm } from './model.js';

/** Outcome of rank-coding inference over a list of examples, in the order given. */
export interface SpikeSearchResult {
  /** Spike step t_sp, 1-based: 1 is the first frame; T when no step crossed the threshold. */
  spikeSteps: Uint8Array;
  /** 1 where no step crossed the threshold (t_sp was set to T). */
  noSpike: Uint8Array;
  /** argmax of the output at t_sp. */
  predictions: Uint8Array;
  /** max softmax output at t_sp. */
  confidences: Float32Array;
  /** argmax of the output at the last frame; present only with `allFrames`. */
  lastFramePredictions?: Uint8Array;
  /** Frames run through the LSTM: the sum of t_sp, or count x T with `allFrames`. */
  framesComputed: number;
}

export interface SpikeSearchOptions {
  /** Spike threshold theta on the max softmax output. */
  threshold: number;
  /** Keep every example to the last frame, to also report last-frame predictions. */
  allFrames?: boolean;
}

/**
 * Runs the model without gradients and finds each example's spike step: the first
 * step whose max softmax output reaches the threshold. Examples leave the batch when
 * they spike (their rows are gathered out of the state), and the loop stops when
 * none is left, so it computes sum(t_sp) frames rather than count x T.
 */
export function findSpikes(model: RcLstm, source: FrameSequences, examples: ArrayLike<number>, options: SpikeSearchOptions): SpikeSearchResult {
  const count = examples.length;
  const frames = source.frames;
  const result: SpikeSearchResult = {
    spikeSteps: new Uint8Array(count),
    noSpike: new Uint8Array(count),
    predictions: new Uint8Array(count),
    confidences: new Float32Array(count),
    lastFramePredictions: options.allFrames ? new Uint8Array(count) : undefined,
    framesComputed: 0,
  };
  const spiked = new Uint8Array(count);

  // active[k] is the position in `examples` of row k of the state.
  let active = Int32Array.from({ length: count }, (_, position) => position);
  let state: LstmState | undefined;
  for (let step = 0; step < frames && active.length > 0; step++) {
    const activeExamples = Array.from(active, (position) => examples[position]);
    const frameValues = buildFrameMatrix(source, activeExamples, new Int32Array(active.length).fill(step));
    const previous = state;
    const next = tf.tidy(() => {
      const input = tf.tensor2d(frameValues, [active.length, source.frameSize]);
      const stepState = lstmStep(model, projectInputs(model, input), previous);
      return { ...stepState, probabilities: tf.softmax(denseLogits(model, stepState.h)) };
    });
    if (previous !== undefined) tf.dispose([previous.h, previous.c]);
    const probabilities = next.probabilities.dataSync();
    next.probabilities.dispose();
    result.framesComputed += active.length;

    const isLastStep = step === frames - 1;
    const remainingRows: number[] = [];
    for (let row = 0; row < active.length; row++) {
      const position = active[row];
      const { index, value } = argmaxRow(probabilities, row, model.classes);
      if (!spiked[position] && (value >= options.threshold || isLastStep)) {
        spiked[position] = 1;
        result.spikeSteps[position] = step + 1;
        result.noSpike[position] = value >= options.threshold ? 0 : 1;
        result.predictions[position] = index;
        result.confidences[position] = value;
      }
      if (isLastStep && result.lastFramePredictions) result.lastFramePredictions[position] = index;
      if (options.allFrames || !spiked[position]) remainingRows.push(row);
    }

    state = { h: next.h, c: next.c };
    if (remainingRows.length < active.length) {
      state = keepRows(state, remainingRows);
      active = Int32Array.from(remainingRows, (row) => active[row]);
    }
  }
  if (state !== undefined) tf.dispose([state.h, state.c]);
  return result;
}

/** Keeps the given rows of the state and disposes the old tensors. tf.gather is safe here: no gradient flows. */
function keepRows(state: LstmState, rows: number[]): LstmState | undefined {
  if (rows.length === 0) {
    tf.dispose([state.h, state.c]);
    return undefined;
  }
  const smaller = tf.tidy(() => {
    const indices = tf.tensor1d(rows, 'int32');
    return { h: tf.gather(state.h, indices), c: tf.gather(state.c, indices) };
  });
  tf.dispose([state.h, state.c]);
  return smaller;
}

function argmaxRow(values: ArrayLike<number>, row: number, width: number): { index: number; value: number } {
  let index = 0;
  let value = values[row * width];
  for (let j = 1; j < width; j++) {
    if (values[row * width + j] > value) {
      value = values[row * width + j];
      index = j;
    }
  }
  return { index, value };
}
