/**
 * Float-versus-integer agreement on labelled sequences: accuracy of both models
 * at their spike step, mean spike step, and how often the class and the spike
 * step agree. Both models decide with early exit, as the runtimes do.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../common/errors.js';
import { type FloatModel, runFloat } from './float-model.js';
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

/** Runs both models on every sequence and returns the agreement figures. */
export function measureAgreement(model: FloatModel, qmodel: QModel, sequences: LabelledSequence[]): AgreementReport {
  const simulator = new ReferenceSimulator(qmodel);
  const totals = { floatCorrect: 0, integerCorrect: 0, floatSteps: 0, integerSteps: 0, sameClass: 0, sameStep: 0 };
  for (const sequence of sequences) {
    const float = runFloat(model, sequence.frames);
    const quantized = sequence.frames.map((frame) => frame.map((value) => quantizeInput(value, qmodel.inputScale)));
    const integer = simulator.run(quantized);
    totals.floatCorrect += Number(float.classIndex === sequence.label);
    totals.integerCorrect += Number(integer.classIndex === sequence.label);
    totals.floatSteps += float.step;
    totals.integerSteps += integer.step;
    totals.sameClass += Number(float.classIndex === integer.classIndex);
    totals.sameStep += Number(float.step === integer.step && float.spiked === integer.spiked);
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
  };
}
