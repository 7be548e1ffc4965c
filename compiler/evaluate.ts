/**
 * Float-versus-integer agreement on labelled sequences: accuracy of both models
 * at their spike step, mean spike step, how often the class and the spike step
 * agree, and the largest logit difference. Both models decide with early exit,
 * as the runtimes do.
 */
import { existsSync, readFileSync } from 'node:fs';
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

/** The agreement figures of one run of measureAgreement, with the counts behind the advice of a failed check. */
export interface MeasuredAgreement extends AgreementReport {
  /** Sequences where the integer model differs from the float model in spike step or class. */
  disagreeing: number;
  /**
   * Disagreeing sequences where the float model itself decides differently
   * (spike step or class) when it runs on the data rounded to the int8 input
   * grid (dequantized), so that input quantization alone explains them.
   */
  inputGridDisagreeing: number;
}

/** The format of an evaluation file, for messages. */
export const SEQUENCES_FORMAT = '{"sequences": [{"frames": [[...], ...], "label": 0}, ...]}';
const FORMAT_ADVICE =
  `expected one JSON object ${SEQUENCES_FORMAT}, with a class index or label per sequence ` +
  '(docs/NETWORKS.md, "Checking the integer model"); the .jsonl, .csv and .npy files of rc-train --data are not read here';

/** Returns the class index of a label given as an index or as one of the model's label strings, or undefined. */
function readLabel(label: unknown, labels: string[]): number | undefined {
  if (typeof label === 'number') return Number.isInteger(label) && label >= 0 && label < labels.length ? label : undefined;
  if (typeof label === 'string') {
    const index = labels.indexOf(label);
    return index >= 0 ? index : undefined;
  }
  return undefined;
}

/**
 * Reads an evaluation file: {"sequences": [{"frames": [[...], ...], "label": 3}, ...]}
 * with real-valued frames in the model's input range. A label is a class index
 * or one of the model's `labels`.
 */
export function readSequences(path: string, inputSize: number, labels: string[]): LabelledSequence[] {
  if (!existsSync(path)) throw new UserError(`evaluation data not found: ${path}; ${FORMAT_ADVICE}.`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`evaluation data ${path} could not be read as JSON (${(error as Error).message}); ${FORMAT_ADVICE}.`);
  }
  const sequences = (json as { sequences?: unknown })?.sequences;
  if (!Array.isArray(sequences)) throw new UserError(`evaluation data ${path} has no "sequences" list; ${FORMAT_ADVICE}.`);
  if (sequences.length === 0) throw new UserError(`evaluation data ${path} has an empty "sequences" list; add at least one sequence.`);
  return sequences.map((raw, index) => {
    const { frames, label } = (raw ?? {}) as { frames?: unknown; label?: unknown };
    const framesValid =
      Array.isArray(frames) &&
      frames.length > 0 &&
      frames.every((f) => Array.isArray(f) && f.length === inputSize && f.every((v) => typeof v === 'number' && Number.isFinite(v)));
    if (!framesValid) {
      throw new UserError(`sequence ${index} in ${path} needs "frames": a non-empty list of frames with ${inputSize} finite numbers each.`);
    }
    const classIndex = readLabel(label, labels);
    if (classIndex === undefined) {
      throw new UserError(
        `sequence ${index} in ${path} has label ${JSON.stringify(label)}; expected a class index in 0..${labels.length - 1} ` +
          `or one of the labels of model.json: ${labels.map((name) => JSON.stringify(name)).join(', ')}.`,
      );
    }
    return { frames: frames as number[][], label: classIndex };
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

function sameDecision(a: SpikeDecision, b: SpikeDecision): boolean {
  return a.spiked === b.spiked && a.step === b.step && a.classIndex === b.classIndex;
}

/**
 * Runs both models on every sequence and returns the agreement figures. The
 * float model also runs on the data rounded to the int8 input grid, which
 * separates the disagreement that input quantization alone causes.
 */
export function measureAgreement(model: FloatModel, qmodel: QModel, sequences: LabelledSequence[]): MeasuredAgreement {
  const simulator = new ReferenceSimulator(qmodel);
  const totals = { floatCorrect: 0, integerCorrect: 0, floatSteps: 0, integerSteps: 0, sameClass: 0, sameStep: 0, same: 0, disagreeing: 0, inputGridDisagreeing: 0 };
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
    const gridFrames = sequence.frames.map((frame) => frame.map((value) => quantizeInput(value, qmodel.inputScale) * qmodel.inputScale));
    const { decision: floatOnGrid } = runFloatWithLogits(model, gridFrames);
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
    if (!(sameStep && sameClass)) {
      totals.disagreeing++;
      if (!sameDecision(float, floatOnGrid)) totals.inputGridDisagreeing++;
    }
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
    disagreeing: totals.disagreeing,
    inputGridDisagreeing: totals.inputGridDisagreeing,
  };
}
