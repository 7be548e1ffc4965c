import * as tf from '@tensorflow/tfjs-core';
import { buildFrameMatrix, type FrameSequences } from './data/frames.js';
import { outputLogits, stackStep, type LstmState } from './forward.js';
import type { RcModel } from './model.js';
import { outputProbabilities, readOutputRow } from './output.js';

/** Outcome of rank-coding inference over a list of examples, in the order given. */
export interface SpikeSearchResult {
  /** Spike step t_sp, 1-based: 1 is the first frame; T when no step crossed the threshold. */
  spikeSteps: Int32Array;
  /** 1 where no step crossed the threshold (t_sp was set to T). */
  noSpike: Uint8Array;
  /** Predicted class at t_sp. */
  predictions: Uint8Array;
  /** Confidence at t_sp: the max output score, or max(y, 1 - y) for one sigmoid unit. */
  confidences: Float32Array;
  /** Predicted class at the last frame; present only with `allFrames`. */
  lastFramePredictions?: Uint8Array;
  /** Frames run through the LSTM layers: the sum of t_sp, or count x T with `allFrames`. */
  framesComputed: number;
}

export interface SpikeSearchOptions {
  /** Spike threshold theta (see trainer/output.ts for the rule of each output form). */
  threshold: number;
  /** Keep every example to the last frame, to also report last-frame predictions. */
  allFrames?: boolean;
}

/**
 * Runs the model without gradients and finds each example's spike step: the first
 * step whose output crosses the threshold. Examples leave the batch when they
 * spike (their rows are gathered out of every layer's state), and the loop stops
 * when none is left, so it computes sum(t_sp) frames rather than count x T.
 */
export function findSpikes(model: RcModel, source: FrameSequences, examples: ArrayLike<number>, options: SpikeSearchOptions): SpikeSearchResult {
  const count = examples.length;
  const frames = source.frames;
  const result: SpikeSearchResult = {
    spikeSteps: new Int32Array(count),
    noSpike: new Uint8Array(count),
    predictions: new Uint8Array(count),
    confidences: new Float32Array(count),
    lastFramePredictions: options.allFrames ? new Uint8Array(count) : undefined,
    framesComputed: 0,
  };
  const spiked = new Uint8Array(count);

  // active[k] is the position in `examples` of row k of the states.
  let active = Int32Array.from({ length: count }, (_, position) => position);
  let states: LstmState[] | undefined;
  for (let step = 0; step < frames && active.length > 0; step++) {
    const activeExamples = Array.from(active, (position) => examples[position]);
    const frameValues = buildFrameMatrix(source, activeExamples, new Int32Array(active.length).fill(step));
    const previous = states;
    // The return type of tf.tidy (TensorContainer) does not admit LstmState, so the tensors travel as one array: scores, then h and c of each layer.
    const kept = tf.tidy(() => {
      const input = tf.tensor2d(frameValues, [active.length, source.frameSize]);
      const stepStates = stackStep(model, input, previous);
      const scores = outputProbabilities(model, outputLogits(model, stepStates[stepStates.length - 1].h));
      return [scores, ...stepStates.flatMap((state) => [state.h, state.c])];
    }) as tf.Tensor2D[];
    if (previous !== undefined) disposeStates(previous);
    const [scoreTensor, ...stateTensors] = kept;
    const nextStates = model.lstm.map((_, i) => ({ h: stateTensors[2 * i], c: stateTensors[2 * i + 1] }));
    const scores = scoreTensor.dataSync();
    scoreTensor.dispose();
    result.framesComputed += active.length;

    const isLastStep = step === frames - 1;
    const remainingRows: number[] = [];
    for (let row = 0; row < active.length; row++) {
      const position = active[row];
      const reading = readOutputRow(model, scores, row, options.threshold);
      if (!spiked[position] && (reading.spiked || isLastStep)) {
        spiked[position] = 1;
        result.spikeSteps[position] = step + 1;
        result.noSpike[position] = reading.spiked ? 0 : 1;
        result.predictions[position] = reading.prediction;
        result.confidences[position] = reading.confidence;
      }
      if (isLastStep && result.lastFramePredictions) result.lastFramePredictions[position] = reading.prediction;
      if (options.allFrames || !spiked[position]) remainingRows.push(row);
    }

    states = nextStates;
    if (remainingRows.length < active.length) {
      states = keepRows(states, remainingRows);
      active = Int32Array.from(remainingRows, (row) => active[row]);
    }
  }
  if (states !== undefined) disposeStates(states);
  return result;
}

function disposeStates(states: LstmState[]): void {
  for (const state of states) tf.dispose([state.h, state.c]);
}

/** Keeps the given rows of every layer's state and disposes the old tensors. tf.gather is safe here: no gradient flows. */
function keepRows(states: LstmState[], rows: number[]): LstmState[] | undefined {
  if (rows.length === 0) {
    disposeStates(states);
    return undefined;
  }
  const smaller = tf.tidy(() => {
    const indices = tf.tensor1d(rows, 'int32');
    return states.map((state) => ({ h: tf.gather(state.h, indices), c: tf.gather(state.c, indices) }));
  });
  disposeStates(states);
  return smaller;
}
