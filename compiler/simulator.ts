/**
 * The integer reference simulator. It defines the arithmetic of every target:
 * the WASM, C and Cortex-M runtimes must return the same logits, spike step,
 * class and confidence for every frame.
 *
 * Streaming contract, the same in every runtime:
 *   reset()      clears the state.
 *   step(frame)  computes one frame unless a spike is held; returns the result.
 *   After a spike, step() returns the held result and computes nothing until reset().
 */
import { assert } from '../common/errors.js';
import { confidenceQ15, expNegQ16 } from './fixed-point.js';
import type { QModel } from './qmodel.js';
import { type RecurrentState, denseHidden, denseLogits, gruStep, lstmStep } from './simulator-layers.js';

export { type RecurrentState, denseHidden, denseLogits, gruStep, lstmStep, requantizedRow } from './simulator-layers.js';

export interface StepResult {
  /** True once a frame's top probability reached the threshold. */
  spiked: boolean;
  /** Predicted class: argmax of the logits (lowest index on ties) at the spike, or at the last computed frame. */
  classIndex: number;
  /** 1-based number of the frame that spiked, or of the last computed frame. */
  step: number;
  /** Top softmax probability in Q0.15 at that frame. */
  confidence: number;
}

/**
 * The integer spike test and class. With S = sum_j exp(z_j - z_max) in Q0.16,
 * max softmax >= theta is true exactly when S <= 2^16 / theta, so the frame spikes
 * when S <= K (K = spikeBound).
 */
export function spikeTest(logits: Int32Array, spikeBound: number): { spiked: boolean; classIndex: number; confidence: number } {
  let classIndex = 0;
  for (let j = 1; j < logits.length; j++) if (logits[j] > logits[classIndex]) classIndex = j;
  const zMax = logits[classIndex];
  let expSum = 0;
  for (let j = 0; j < logits.length; j++) expSum += expNegQ16(zMax - logits[j]);
  return { spiked: expSum <= spikeBound, classIndex, confidence: confidenceQ15(expSum) };
}

/** Quantizes a real input to int8: round half away from zero, saturate to [-127, 127], NaN to 0. */
export function quantizeInput(value: number, inputScale: number): number {
  if (Number.isNaN(value)) return 0;
  const scaled = value / inputScale;
  const rounded = Math.sign(scaled) * Math.round(Math.abs(scaled));
  if (rounded > 127) return 127;
  if (rounded < -127) return -127;
  return rounded;
}

export class ReferenceSimulator {
  readonly model: QModel;
  /** Logits (Q.12) of the last computed frame. */
  readonly logits: Int32Array;
  /** Frames actually computed since the last reset. */
  framesComputed = 0;
  /** Per layer: the hidden (and cell) state of a recurrent layer, the int16 output of a hidden dense layer in `hidden`. */
  private readonly states: RecurrentState[];
  private held: StepResult | null = null;

  constructor(model: QModel) {
    this.model = model;
    const head = model.layers[model.layers.length - 1];
    assert(head !== undefined && head.kind === 'dense' && head.activation === 'softmax', 'the last layer of a quantized model is dense softmax');
    this.states = model.layers.map((layer) => ({
      hidden: new Int32Array(layer === head ? 0 : layer.units),
      cell: new Int32Array(layer.kind === 'lstm' ? layer.units : 0),
    }));
    this.logits = new Int32Array(head.units);
  }

  /** Returns the state of layer `index`: hidden state and cell of a recurrent layer, output of a hidden dense layer. */
  layerState(index: number): RecurrentState {
    return this.states[index];
  }

  reset(): void {
    for (const state of this.states) {
      state.hidden.fill(0);
      state.cell.fill(0);
    }
    this.logits.fill(0);
    this.framesComputed = 0;
    this.held = null;
  }

  /** Runs one int8 frame; returns the held result without computing once a spike happened. */
  step(frame: ArrayLike<number>): StepResult {
    if (this.held) return this.held;
    assert(frame.length === this.model.inputSize, () => `frame has ${frame.length} values, expected ${this.model.inputSize}`);
    let activations: ArrayLike<number> = frame;
    this.model.layers.forEach((layer, index) => {
      const state = this.states[index];
      if (layer.kind === 'lstm') lstmStep(layer, state, activations);
      else if (layer.kind === 'gru') gruStep(layer, state, activations);
      else if (layer.activation === 'softmax') denseLogits(layer, activations, this.logits);
      else denseHidden(layer, activations, state.hidden);
      activations = state.hidden;
    });
    this.framesComputed++;
    const test = spikeTest(this.logits, this.model.spikeBound);
    const result: StepResult = { ...test, step: this.framesComputed };
    if (test.spiked) this.held = result;
    return result;
  }

  /** Runs a whole sequence from a reset state and stops at the spike. */
  run(frames: ArrayLike<number>[]): StepResult {
    this.reset();
    let result: StepResult = { spiked: false, classIndex: 0, step: 0, confidence: 0 };
    for (const frame of frames) {
      result = this.step(frame);
      if (result.spiked) break;
    }
    return result;
  }
}
