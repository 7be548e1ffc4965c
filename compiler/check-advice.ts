/**
 * The verdict of rc-compile --check: the failure message, with advice on the
 * cause that the agreement figures can measure.
 */
import { calibratedLayers } from './calibrate.js';
import type { MeasuredAgreement } from './evaluate.js';
import type { FloatModel } from './float-model.js';

/** A --check that measured too little float-versus-integer agreement. */
export class CheckFailure extends Error {}

/** Formats a share in [0, 1] as a percentage with two decimals, such as "97.55 %". */
export function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(2)} %`;
}

/** The quantization settings that the advice of a failed check depends on. */
export interface CheckContext {
  model: FloatModel;
  inputScale: number;
  weightBits: number;
  calibrated: boolean;
}

/**
 * Explains a disagreement that no saturation explains. The input step is too
 * coarse for the data when the float model already decides differently on the
 * data rounded to the int8 input grid in at least half of the disagreeing
 * sequences. Neither wider weights nor calibration changes that step.
 */
export function disagreementAdvice(agreement: MeasuredAgreement, context: CheckContext): string {
  const { settings } = context.model;
  const explained =
    `Input quantization alone explains ${agreement.inputGridDisagreeing} of the ${agreement.disagreeing} disagreeing sequences, ` +
    'counted as those where the float model already decides differently on the data rounded to the int8 input grid.';
  if (agreement.disagreeing > 0 && 2 * agreement.inputGridDisagreeing >= agreement.disagreeing) {
    const step = `The int8 input step is ${context.inputScale.toPrecision(3)} for the input range [${settings.inputMin}, ${settings.inputMax}]`;
    const unchanged = '--weights int16 and --calibrate do not change the input step.';
    const rangeLimit = Math.max(Math.abs(settings.inputMin), Math.abs(settings.inputMax));
    if (agreement.largestInput < rangeLimit / 2) {
      return (
        `${explained} ${step}, but the data reaches only |x| = ${agreement.largestInput.toPrecision(3)}. Narrow the model's input range in ` +
        `userDefinedMetadata.rankcode.input to the range of the data, or scale the data up to fill the input range; ${unchanged}`
      );
    }
    return `${explained} ${step}, and the model decides differently on input changes of one step; ${unchanged} Retrain the model so that it tolerates them.`;
  }
  // --calibrate sets the formats of hidden Dense relu and linear layers, and the input scale when model.json states no input range.
  const options: string[] = [];
  if (context.weightBits === 8) options.push('--weights int16');
  if (!context.calibrated && (calibratedLayers(context.model).length > 0 || !settings.inputRangeStated)) options.push('--calibrate');
  if (options.length === 0) return `${explained} Retrain the model.`;
  return `${explained} Try ${options.join(' or ')}, or retrain the model.`;
}

/**
 * Throws CheckFailure when the share of sequences with the same spike step and
 * class is below `minimum`. The advice names the cause it can measure: input
 * saturation when the data leaves the model's input range, then the share of
 * the disagreement that input quantization alone explains.
 */
export function enforceAgreement(agreement: MeasuredAgreement, minimum: number, dataPath: string, context: CheckContext): void {
  if (agreement.agreement >= minimum) return;
  const settings = context.model.settings;
  const figures =
    `check failed: float and integer models agree on spike step and class in ${percent(agreement.agreement)} of the ` +
    `${agreement.sequences} sequences of ${dataPath}, below --min-agreement ${percent(minimum)} ` +
    `(class ${percent(agreement.classAgreement)}, spike step ${percent(agreement.stepAgreement)}, largest logit error ` +
    `${agreement.largestLogitError.toPrecision(4)}).`;
  if (agreement.saturatedInputs > 0) {
    const range = `[${settings.inputMin}, ${settings.inputMax}]${settings.inputRangeStated ? '' : ' (the default, as model.json states none)'}`;
    throw new CheckFailure(
      `${figures} ${agreement.saturatedInputs} of the ${agreement.inputValues} input values of ${dataPath} lie outside the model's input range ` +
        `${range} (largest |x| ${agreement.largestInput.toPrecision(4)}) and saturate at +-127 when quantized to int8, ` +
        'so the integer model sees other inputs than the float model. Scale the data into that range, or retrain or ' +
        're-export the model with userDefinedMetadata.rankcode.input set to the range of the data.',
    );
  }
  throw new CheckFailure(`${figures} ${disagreementAdvice(agreement, context)}`);
}
