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
import {
  SIGMOID_TABLE,
  TANH_TABLE,
  activationQ15,
  confidenceQ15,
  expNegQ16,
  requantize,
  roundingShift,
  saturate16,
  saturate32,
} from './fixed-point.js';
import type { QDenseLayer, QLstmLayer, QModel } from './qmodel.js';

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

interface LstmState {
  hidden: Int32Array; // Q0.15
  cell: Int32Array; // Q16.15
}

/**
 * Dot product of an int8 weight row with an input vector; the result is exact.
 * |acc| <= sum |w| * max |x| < 2^31 is proven by the compiler for every row.
 */
function dotRow(weights: number[], rowOffset: number, input: ArrayLike<number>, length: number): number {
  let acc = 0;
  for (let j = 0; j < length; j++) acc += weights[rowOffset + j] * input[j];
  return acc;
}

/**
 * One LSTM step, Keras gate order i, f, g, o.
 *   a_r  = sat16(rq(W_r . x, kx_r) + rq(U_r . h, kh_r) + b_r)       Q3.12
 *   i, f, o = sigmoid(a), g = tanh(a)                              Q0.15
 *   c'   = sat32((f * c + i * g + 2^14) >> 15)                     Q16.15
 *   h'   = sat16((o * tanh(sat16((c' + 4) >> 3)) + 2^14) >> 15)    Q0.15
 * x is int8 (first layer) or Q0.15 (stacked layer); rq is the rounding requantization.
 */
export function lstmStep(layer: QLstmLayer, state: LstmState, input: ArrayLike<number>): void {
  const units = layer.units;
  const gates = new Int32Array(4 * units);
  for (let r = 0; r < 4 * units; r++) {
    const accInput = dotRow(layer.kernel, r * layer.inputSize, input, layer.inputSize);
    const accHidden = dotRow(layer.recurrentKernel, r * units, state.hidden, units);
    const pre =
      requantize(accInput, layer.kernelRequant.mult[r], layer.kernelRequant.shift[r]) +
      requantize(accHidden, layer.recurrentRequant.mult[r], layer.recurrentRequant.shift[r]) +
      layer.bias[r];
    gates[r] = saturate16(pre);
  }
  for (let u = 0; u < units; u++) {
    const inputGate = activationQ15(SIGMOID_TABLE, gates[u]);
    const forgetGate = activationQ15(SIGMOID_TABLE, gates[units + u]);
    const candidate = activationQ15(TANH_TABLE, gates[2 * units + u]);
    const outputGate = activationQ15(SIGMOID_TABLE, gates[3 * units + u]);
    const cell = saturate32(roundingShift(forgetGate * state.cell[u] + inputGate * candidate, 15));
    state.cell[u] = cell;
    const cellTanh = activationQ15(TANH_TABLE, saturate16(roundingShift(cell, 3)));
    state.hidden[u] = saturate16(roundingShift(outputGate * cellTanh, 15));
  }
}

/** Dense logits: z_r = sat32(rq(V_r . h, m_r) + b_r) in Q.12. */
export function denseLogits(layer: QDenseLayer, input: ArrayLike<number>, out: Int32Array): void {
  for (let r = 0; r < layer.units; r++) {
    const acc = dotRow(layer.kernel, r * layer.inputSize, input, layer.inputSize);
    out[r] = saturate32(requantize(acc, layer.requant.mult[r], layer.requant.shift[r]) + layer.bias[r]);
  }
}

/**
 * The integer spike test and class. With S = sum_j exp(z_j - z_max) in Q0.16,
 * max softmax >= theta holds exactly when S <= 2^16 / theta, so the frame spikes
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
  return rounded > 127 ? 127 : rounded < -127 ? -127 : rounded;
}

export class ReferenceSimulator {
  readonly model: QModel;
  /** Logits (Q.12) of the last computed frame. */
  readonly logits: Int32Array;
  /** Frames actually computed since the last reset. */
  framesComputed = 0;
  private readonly states: LstmState[];
  private held: StepResult | null = null;

  constructor(model: QModel) {
    this.model = model;
    const lstms = model.layers.filter((l): l is QLstmLayer => l.kind === 'lstm');
    const head = model.layers[model.layers.length - 1];
    assert(head.kind === 'dense', 'the last layer of a quantized model is dense');
    this.states = lstms.map((l) => ({ hidden: new Int32Array(l.units), cell: new Int32Array(l.units) }));
    this.logits = new Int32Array(head.units);
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
    let lstmIndex = 0;
    for (const layer of this.model.layers) {
      if (layer.kind === 'lstm') {
        const state = this.states[lstmIndex++];
        lstmStep(layer, state, activations);
        activations = state.hidden;
      } else {
        denseLogits(layer, activations, this.logits);
      }
    }
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
