/**
 * Float-versus-integer agreement on labelled sequences: accuracy of both models
 * at their spike step, mean spike step, how often the class and the spike step
 * agree, and the largest logit difference. Both models decide with early exit,
 * as the runtimes do.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../common/errors.js';
import { type FloatModel, FloatSimulator, type OutputKind, type SpikeDecision, decideFrame, outputLayer, outputScores } from './float-model.js';
import { GATE_FRAC_BITS } from './fixed-point.js';
import type { QModel } from './qmodel.js';
import { ReferenceSimulator, quantizeInput } from './simulator.js';

export interface LabelledSequence {
  /** Real-valued frames, each with the model's input size. */
  frames: number[][];
  /** Class index of the true label. */
  label: number;
}

export interface AgreementReport {
  sequences: number;
  floatAccuracy: number;
  integerAccuracy: number;
  floatMeanStep: number;
  integerMeanStep: number;
  /** Fraction of sequences where both predict the same class. */
  classAgreement: number;
  /** Fraction of sequences where both spike (or both do not) at the same step. */
  stepAgreement: number;
  /** Fraction of sequences where both decide at the same step (spiked or not) and on the same class. */
  agreement: number;
  /** Largest |z_float - z_integer| over every logit of every frame that the integer model computed, in real logit units. */
  largestLogitError: number;
  /** Input values in the data, over every frame of every sequence. */
  inputValues: number;
  /** Input values that saturate at +-127 when quantized to int8: |x| >= 127.5 * inputScale. */
  saturatedInputs: number;
  /** Largest |x| in the data. */
  largestInput: number;
}

/**
 * Reads an evaluation file: {"sequences": [{"frames": [[...], ...], "label": 3}, ...]}
 * with real-valued frames in the model's input range.
 */
export function readSequences(path: string, inputSize: number, classes: number): LabelledSequence[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`evaluation data ${path} could not be read as JSON (${(error as Error).message}).`);
  }
  const sequences = (json as { sequences?: unknown })?.sequences;
  if (!Array.isArray(sequences) || sequences.length === 0) {
    throw new UserError(`evaluation data ${path} has no "sequences" list; expected {"sequences": [{"frames": [[...]], "label": 0}]}.`);
  }
  return sequences.map((raw, index) => {
    const { frames, label } = (raw ?? {}) as { frames?: unknown; label?: unknown };
    const framesValid =
      Array.isArray(frames) &&
      frames.length > 0 &&
      frames.every((f) => Array.isArray(f) && f.length === inputSize && f.every((v) => typeof v === 'number' && Number.isFinite(v)));
    if (!framesValid) {
      throw new UserError(`sequence ${index} in ${path} needs "frames": a non-empty list of frames with ${inputSize} finite numbers each.`);
    }
    if (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || label >= classes) {
      throw new UserError(`sequence ${index} in ${path} has label ${JSON.stringify(label)}; expected a class index in 0..${classes - 1}.`);
    }
    return { frames: frames as number[][], label };
  });
}

interface FloatRun {
  decision: SpikeDecision;
  /** Logits after every frame, also after the spike. */
  logits: Float64Array[];
}

/** Runs the float model on every frame and decides with the rank-coding rule of its output layer (decideFrame): t_sp is the first frame that spikes. */
function runFloatWithLogits(model: FloatModel, frames: number[][]): FloatRun {
  const simulator = new FloatSimulator(model);
  const kind = outputLayer(model).activation as OutputKind;
  const logits = frames.map((frame) => simulator.stepLogits(frame));
  let decision: SpikeDecision = { spiked: false, step: 0, classIndex: 0, confidence: 0 };
  for (let t = 0; t < logits.length; t++) {
    decision = decideFrame(kind, outputScores(kind, logits[t]), model.settings.threshold, t + 1);
    if (decision.spiked) break;
  }
  return { decision, logits };
}

/** Runs both models on every sequence and returns the agreement figures. */
export function measureAgreement(model: FloatModel, qmodel: QModel, sequences: LabelledSequence[]): AgreementReport {
  const simulator = new ReferenceSimulator(qmodel);
  const totals = { floatCorrect: 0, integerCorrect: 0, floatSteps: 0, integerSteps: 0, sameClass: 0, sameStep: 0, same: 0 };
  let largestLogitError = 0;
  const inputs = { values: 0, saturated: 0, largest: 0 };
  for (const sequence of sequences) {
    for (const frame of sequence.frames) {
      for (const value of frame) {
        inputs.values++;
        inputs.largest = Math.max(inputs.largest, Math.abs(value));
        if (Math.abs(value / qmodel.inputScale) >= 127.5) inputs.saturated++;
      }
    }
    const { decision: float, logits } = runFloatWithLogits(model, sequence.frames);
    simulator.reset();
    let integer = { spiked: false, classIndex: 0, step: 0, confidence: 0 };
    for (let t = 0; t < sequence.frames.length; t++) {
      integer = simulator.step(sequence.frames[t].map((value) => quantizeInput(value, qmodel.inputScale)));
      simulator.logits.forEach((z, c) => {
        largestLogitError = Math.max(largestLogitError, Math.abs(logits[t][c] - z / 2 ** GATE_FRAC_BITS));
      });
      if (integer.spiked) break;
    }
    const sameStep = float.step === integer.step && float.spiked === integer.spiked;
    const sameClass = float.classIndex === integer.classIndex;
    totals.floatCorrect += Number(float.classIndex === sequence.label);
    totals.integerCorrect += Number(integer.classIndex === sequence.label);
    totals.floatSteps += float.step;
    totals.integerSteps += integer.step;
    totals.sameClass += Number(sameClass);
    totals.sameStep += Number(sameStep);
    totals.same += Number(sameStep && sameClass);
  }
  const count = sequences.length;
  return {
    sequences: count,
    floatAccuracy: totals.floatCorrect / count,
    integerAccuracy: totals.integerCorrect / count,
    floatMeanStep: totals.floatSteps / count,
    integerMeanStep: totals.integerSteps / count,
    classAgreement: totals.sameClass / count,
    stepAgreement: totals.sameStep / count,
    agreement: totals.same / count,
    largestLogitError,
    inputValues: inputs.values,
    saturatedInputs: inputs.saturated,
    largestInput: inputs.largest,
  };
}
