/**
 * The two float forward passes of rc-eval. Both run every example through all T
 * frames and record the top class and its probability after each step, so one
 * pass yields the figures at every threshold and the argmax at every step.
 *
 * The output forms read as the trainer reads them (trainer/output.ts): the top
 * of a softmax; for one sigmoid unit y, the two classes [1 - y, y], whose top
 * probability max(y, 1 - y) reaches theta exactly when y >= theta or
 * y <= 1 - theta (for theta >= 0.5); for one sigmoid unit per class, the top unit.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FloatSimulator, softmax, type FloatModel } from '../compiler/float-model.js';
import { buildFrameMatrix, type FrameSequences } from './data/frames.js';
import { Trajectories } from './eval-spikes.js';
import type { OutputKind } from './eval-types.js';
import { outputLogits, stackStep, type LstmState } from './forward.js';
import { createRcModel, disposeRcModel, type RcModelWeights } from './model.js';
import { outputProbabilities, readOutputRow } from './output.js';

/** Called with the number of examples done so far. */
export type ProgressCallback = (examplesDone: number) => void;

/** Examples per batch of the TensorFlow.js pass; larger batches amortize the per-op overhead. */
const TFJS_BATCH = 500;

/** Runs the trainer's TensorFlow.js model on the current backend, in float32, a batch of examples per step. */
export function runTfjsTrajectories(weights: RcModelWeights, source: FrameSequences, onProgress?: ProgressCallback): Trajectories {
  const trajectories = new Trajectories(source.count, source.frames);
  const model = createRcModel(weights);
  try {
    for (let start = 0; start < source.count; start += TFJS_BATCH) {
      const examples = Int32Array.from({ length: Math.min(TFJS_BATCH, source.count - start) }, (_, i) => start + i);
      const steps = new Int32Array(examples.length);
      let states: LstmState[] | undefined;
      for (let step = 0; step < source.frames; step++) {
        steps.fill(step);
        const frameValues = buildFrameMatrix(source, examples, steps);
        const previous = states;
        const next = tf.tidy(() => {
          const input = tf.tensor2d(frameValues, [examples.length, source.frameSize]);
          const stepStates = stackStep(model, input, previous);
          const top = stepStates[stepStates.length - 1].h;
          const outputs = outputProbabilities(model, outputLogits(model, top));
          return { outputs, hidden: stepStates.map((state) => state.h), cells: stepStates.map((state) => state.c) };
        });
        if (previous !== undefined) disposeStates(previous);
        const values = next.outputs.dataSync();
        next.outputs.dispose();
        states = next.hidden.map((h, i) => ({ h, c: next.cells[i] }));
        for (let row = 0; row < examples.length; row++) {
          // The threshold only sets `spiked`, which the trajectories recompute for each theta.
          const reading = readOutputRow(model, values, row, 1);
          trajectories.set(examples[row], step, reading.prediction, reading.confidence);
        }
      }
      if (states !== undefined) disposeStates(states);
      onProgress?.(start + examples.length);
    }
  } finally {
    disposeRcModel(model);
  }
  return trajectories;
}

function disposeStates(states: LstmState[]): void {
  tf.dispose(states.flatMap((state) => [state.h, state.c]));
}

/** Runs the compiler's float64 layers, one example at a time. */
export function runFloat64Trajectories(model: FloatModel, output: OutputKind, source: FrameSequences, onProgress?: ProgressCallback): Trajectories {
  const trajectories = new Trajectories(source.count, source.frames);
  const simulator = new FloatSimulator(model);
  const frame = new Float32Array(source.frameSize);
  for (let example = 0; example < source.count; example++) {
    simulator.reset();
    for (let step = 0; step < source.frames; step++) {
      frame.fill(0);
      source.writeFrame(example, step, frame, 0);
      const logits = simulator.stepLogits(frame);
      const top = readFloatOutput(output, logits);
      trajectories.set(example, step, top.index, top.value);
    }
    if ((example + 1) % 100 === 0 || example + 1 === source.count) onProgress?.(example + 1);
  }
  return trajectories;
}

/** Argmax (lowest index on ties) and maximum of values[offset, offset + width). */
function topOfRow(values: ArrayLike<number>, offset: number, width: number): { index: number; value: number } {
  let index = 0;
  for (let j = 1; j < width; j++) if (values[offset + j] > values[offset + index]) index = j;
  return { index, value: values[offset + index] };
}

/** Reads float64 logits as the trainer reads its output forms. */
function readFloatOutput(output: OutputKind, logits: Float64Array): { index: number; value: number } {
  if (output === 'softmax') return topOfRow(softmax(logits), 0, logits.length);
  const probabilities = logits.map((z) => 1 / (1 + Math.exp(-z)));
  if (probabilities.length > 1) return topOfRow(probabilities, 0, probabilities.length);
  const y = probabilities[0];
  return y > 0.5 ? { index: 1, value: y } : { index: 0, value: 1 - y };
}
