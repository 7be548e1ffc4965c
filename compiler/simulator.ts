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
import { confidenceQ15, expNegQ16, sigmoidConfidenceQ15 } from './fixed-point.js';
import { type OutputKind, type QModel, READABLE_QMODEL_VERSIONS, isOutputActivation } from './qmodel.js';
import { type RecurrentState, denseHidden, denseLogits, gruStep, lstmStep } from './simulator-layers.js';

export { type RecurrentState, denseHidden, denseLogits, gruStep, lstmStep, requantizedRow } from './simulator-layers.js';

export interface StepResult {
  /** True once a frame passed the spike test of the output layer. */
  spiked: boolean;
  /** Predicted class at the spike, or at the last computed frame (see spikeTest and sigmoidSpikeTest). */
  classIndex: number;
  /** 1-based number of the frame that spiked, or of the last computed frame. */
  step: number;
  /** Score of the class in Q0.15 at that frame: the top softmax probability, or the class's sigmoid output. */
  confidence: number;
}

/** The spike test of one frame: spike, class and confidence. */
export interface SpikeTestResult {
  spiked: boolean;
  classIndex: number;
  confidence: number;
}

/**
 * The integer spike test and class. With S = sum_j exp(z_j - z_max) in Q0.16,
 * max softmax >= theta is true exactly when S <= 2^16 / theta, so the frame spikes
 * when S <= K (K = spikeBound).
 */
export function spikeTest(logits: Int32Array, spikeBound: number): SpikeTestResult {
  let classIndex = 0;
  for (let j = 1; j < logits.length; j++) if (logits[j] > logits[classIndex]) classIndex = j;
  const zMax = logits[classIndex];
  let expSum = 0;
  for (let j = 0; j < logits.length; j++) expSum += expNegQ16(zMax - logits[j]);
  return { spiked: expSum <= spikeBound, classIndex, confidence: confidenceQ15(expSum) };
}

/**
 * Runs the integer spike test of a sigmoid output layer on the Q.12 logits z
 * and the bound L, the smallest logit with sigmoid(L / 2^12) >= theta.
 * One unit, z = logit of P(class 1): class = z > 0 ? 1 : 0; the frame spikes
 * when z >= L (positive) or z <= -L (negative); confidence = sigmoid(z) for
 * class 1 and sigmoid(-z) for class 0.
 * C units, one per class: class = argmax z (lowest index on ties); the frame
 * spikes when z_class >= L; confidence = sigmoid(z_class).
 * sigmoid is the Q0.15 table on the value saturated to Q3.12. -z and -L are
 * exact: the reference computes in doubles, and the runtimes in int64.
 */
export function sigmoidSpikeTest(logits: Int32Array, spikeBound: number): SpikeTestResult {
  if (logits.length === 1) {
    const z = logits[0];
    const classIndex = z > 0 ? 1 : 0;
    return { spiked: z >= spikeBound || z <= -spikeBound, classIndex, confidence: sigmoidConfidenceQ15(classIndex === 1 ? z : -z) };
  }
  let classIndex = 0;
  for (let j = 1; j < logits.length; j++) if (logits[j] > logits[classIndex]) classIndex = j;
  const z = logits[classIndex];
  return { spiked: z >= spikeBound, classIndex, confidence: sigmoidConfidenceQ15(z) };
}

/** Runs the spike test of the output layer's kind on one frame's logits. */
export function outputSpikeTest(kind: OutputKind, logits: Int32Array, spikeBound: number): SpikeTestResult {
  return kind === 'sigmoid' ? sigmoidSpikeTest(logits, spikeBound) : spikeTest(logits, spikeBound);
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
  /** The spike rule: the activation of the output layer. */
  readonly outputKind: OutputKind;
  /** Logits (Q.12) of the last computed frame. */
  readonly logits: Int32Array;
  /** Frames actually computed since the last reset. */
  framesComputed = 0;
  /** Per layer: the hidden (and cell) state of a recurrent layer, the int16 output of a hidden dense layer in `hidden`. */
  private readonly states: RecurrentState[];
  private held: StepResult | null = null;

  constructor(model: QModel) {
    this.model = model;
    assert(READABLE_QMODEL_VERSIONS.includes(model.version), () => `qmodel version ${model.version} is not one of ${READABLE_QMODEL_VERSIONS.join(', ')}`);
    const head = model.layers[model.layers.length - 1];
    assert(head !== undefined, 'a quantized model has layers');
    assert(head.kind === 'dense', 'the last layer of a quantized model is dense');
    assert(isOutputActivation(head.activation), () => `the output layer has activation ${head.activation}, not softmax or sigmoid`);
    this.outputKind = head.activation as OutputKind;
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
    const head = this.model.layers[this.model.layers.length - 1];
    this.model.layers.forEach((layer, index) => {
      const state = this.states[index];
      if (layer.kind === 'lstm') lstmStep(layer, state, activations);
      else if (layer.kind === 'gru') gruStep(layer, state, activations);
      else if (layer === head) denseLogits(layer, activations, this.logits);
      else denseHidden(layer, activations, state.hidden);
      activations = state.hidden;
    });
    this.framesComputed++;
    const test = outputSpikeTest(this.outputKind, this.logits, this.model.spikeBound);
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
