/**
 * The float model as loaded from model.json, and its forward pass in float64.
 * The compiler uses it to measure what quantization costs: float accuracy and
 * spike-time agreement against the integer reference simulator. The layers and
 * their steps are in float-layers.ts.
 */
import { assert } from '../common/errors.js';
import {
  type FloatDenseLayer,
  type FloatLayer,
  type FloatRecurrentState,
  denseForward,
  denseLogitsForward,
  gruForward,
  lstmForward,
  sigmoid,
} from './float-layers.js';

export type { DenseActivation, FloatDenseLayer, FloatGruLayer, FloatLayer, FloatLstmLayer, GateActivation } from './float-layers.js';

/** The rank-coding settings stored in userDefinedMetadata.rankcode, with defaults filled in. */
export interface RankcodeSettings {
  /** Spike threshold theta on the class score: the top softmax probability or sigmoid output. */
  threshold: number;
  labels: string[];
  /** Frames per training sequence; 0 when neither the metadata nor the input shape states it. */
  frames: number;
  /** Real input range; the int8 input scale is max(|inputMin|, |inputMax|) / 127. */
  inputMin: number;
  inputMax: number;
  /** True when userDefinedMetadata.rankcode.input states the range; false for the default [-1, 1]. */
  inputRangeStated: boolean;
  task?: string;
  mode?: string;
  beta?: number;
}

export interface FloatModel {
  name: string;
  /** sha256 of model.json and its weight shards, hex. */
  sourceHash: string;
  /** Recurrent layers (LSTM or GRU), then hidden Dense layers (relu, linear or sigmoid), then the Dense softmax or sigmoid output layer. */
  layers: FloatLayer[];
  settings: RankcodeSettings;
}

/** Outcome of one sequence under the rank-coding decision rule. */
export interface SpikeDecision {
  spiked: boolean;
  /** 1-based frame of the spike, or the last frame when none spiked. */
  step: number;
  classIndex: number;
  /** Score of the class at `step`: the top softmax probability, the top sigmoid output, or max(y, 1 - y) for one sigmoid unit. */
  confidence: number;
}

/** Activation of the output layer, which picks the spike rule. */
export type OutputKind = 'softmax' | 'sigmoid';

/** Returns the Keras class name of a layer kind: LSTM, GRU or Dense. */
export function layerKindName(kind: FloatLayer['kind']): string {
  return kind === 'dense' ? 'Dense' : kind.toUpperCase();
}

/** Returns the output layer of a model: its last layer, a Dense softmax or sigmoid layer. */
export function outputLayer(model: FloatModel): FloatDenseLayer {
  const last = model.layers[model.layers.length - 1];
  assert(
    last !== undefined && last.kind === 'dense' && (last.activation === 'softmax' || last.activation === 'sigmoid'),
    'the last layer of a float model is Dense softmax or sigmoid',
  );
  return last;
}

/** Returns the number of classes of an output layer: 2 for one sigmoid unit, its units otherwise. */
export function classCount(output: { units: number; activation: string }): number {
  return output.activation === 'sigmoid' && output.units === 1 ? 2 : output.units;
}

/** Streaming float forward pass of the whole network. */
export class FloatSimulator {
  private readonly states: FloatRecurrentState[];

  constructor(readonly model: FloatModel) {
    this.states = model.layers.map((layer) => ({
      hidden: new Float64Array(layer.kind === 'dense' ? 0 : layer.units),
      cell: new Float64Array(layer.kind === 'lstm' ? layer.units : 0),
    }));
  }

  reset(): void {
    for (const state of this.states) {
      state.hidden.fill(0);
      state.cell.fill(0);
    }
  }

  /**
   * Runs one real-valued frame through every layer and returns the logits of the
   * output layer. `observe` receives the output of every layer on the way.
   */
  stepLogits(frame: ArrayLike<number>, observe?: (layerIndex: number, output: ArrayLike<number>) => void): Float64Array {
    let activations: ArrayLike<number> = frame;
    const last = this.model.layers.length - 1;
    this.model.layers.forEach((layer, index) => {
      const state = this.states[index];
      if (layer.kind === 'lstm') {
        lstmForward(layer, state, activations);
        activations = state.hidden;
      } else if (layer.kind === 'gru') {
        gruForward(layer, state, activations);
        activations = state.hidden;
      } else {
        activations = index === last ? denseLogitsForward(layer, activations) : denseForward(layer, activations);
      }
      observe?.(index, activations);
    });
    return activations as Float64Array;
  }

  /** Runs one real-valued frame and returns the output scores: softmax probabilities or sigmoid outputs. */
  step(frame: ArrayLike<number>): Float64Array {
    return outputScores(outputLayer(this.model).activation as OutputKind, this.stepLogits(frame));
  }
}

/** Returns the output scores of one frame's logits: their softmax, or the sigmoid of each. */
export function outputScores(kind: OutputKind, logits: Float64Array): Float64Array {
  return kind === 'softmax' ? softmax(logits) : logits.map(sigmoid);
}

/** Numerically stable softmax. */
export function softmax(logits: Float64Array): Float64Array {
  let max = -Infinity;
  for (const z of logits) max = Math.max(max, z);
  const probabilities = logits.map((z) => Math.exp(z - max));
  let sum = 0;
  for (const p of probabilities) sum += p;
  return probabilities.map((p) => p / sum);
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
  return best;
}

/** Returns the output scores after every frame of a sequence: softmax probabilities or sigmoid outputs. */
export function floatProbabilities(model: FloatModel, frames: ArrayLike<number>[]): Float64Array[] {
  const simulator = new FloatSimulator(model);
  return frames.map((frame) => simulator.step(frame));
}

/**
 * Runs a sequence with early exit: t_sp is the first frame that spikes by the
 * rule of decideFrame, and frames after it are not computed. Without a spike,
 * t_sp is the last frame.
 */
export function runFloat(model: FloatModel, frames: ArrayLike<number>[]): SpikeDecision {
  const simulator = new FloatSimulator(model);
  const kind = outputLayer(model).activation as OutputKind;
  let decision: SpikeDecision = { spiked: false, step: 0, classIndex: 0, confidence: 0 };
  for (let t = 0; t < frames.length; t++) {
    decision = decideFrame(kind, simulator.step(frames[t]), model.settings.threshold, t + 1);
    if (decision.spiked) break;
  }
  return decision;
}

/**
 * Returns the rank-coding decision at 1-based frame `step` from the output
 * scores of one frame (softmax probabilities or sigmoid outputs):
 * - softmax, or one sigmoid output per class: the argmax class (lowest index on ties), a spike when its score is >= theta;
 * - one sigmoid output y = P(class 1), read as [1 - y, y]: class 1 when y > 0.5, else 0,
 *   confidence max(y, 1 - y), a spike when y >= theta or y <= 1 - theta.
 */
export function decideFrame(kind: OutputKind, scores: Float64Array, threshold: number, step: number): SpikeDecision {
  if (kind === 'sigmoid' && scores.length === 1) {
    const y = scores[0];
    return { spiked: y >= threshold || y <= 1 - threshold, step, classIndex: y > 0.5 ? 1 : 0, confidence: Math.max(y, 1 - y) };
  }
  const classIndex = argmax(scores);
  const confidence = scores[classIndex];
  return { spiked: confidence >= threshold, step, classIndex, confidence };
}
