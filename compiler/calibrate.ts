/**
 * Calibration: runs the float model over sample sequences and records the
 * ranges that pick the activation formats. The quantizer uses the largest
 * |output| of each hidden relu or linear dense layer for its int16
 * Q(15 - f).f format; without calibration it uses the bound that the weights
 * imply (safeOutputBound), which never saturates but may leave fractional
 * bits unused.
 *
 * The largest |input| sets the input scale when model.json states no input
 * range. The other formats do not depend on data, because they already cover
 * every value their function can produce: recurrent outputs are Q0.15
 * (|h| < 1), gate pre-activations and hidden sigmoid sums Q3.12 (the tables
 * cover [-8, 8), where sigmoid and tanh saturate), hidden sigmoid outputs
 * Q0.15, the LSTM cell Q16.15 and the logits Q.12 in int32.
 */
import { log } from '../common/log.js';
import { type FloatModel, FloatSimulator } from './float-model.js';

export interface CalibrationResult {
  sequences: number;
  frames: number;
  /** Largest |x| of any input value. */
  inputMaxAbs: number;
  /** Largest |y| of each hidden dense layer's output, by layer index. */
  hiddenRanges: Map<number, number>;
}

/**
 * Returns the indices of the layers whose output format calibration sets: the
 * hidden Dense relu and linear layers. A sigmoid layer's output format is fixed
 * at Q0.15, and the output layer's at Q.12.
 */
export function calibratedLayers(model: FloatModel): number[] {
  const last = model.layers.length - 1;
  return model.layers.flatMap((layer, index) =>
    layer.kind === 'dense' && index < last && (layer.activation === 'relu' || layer.activation === 'linear') ? [index] : [],
  );
}

/**
 * Runs every frame of every sequence (past any spike, so that the ranges cover
 * what any stream can reach) and returns the ranges. Warns when the data
 * leaves the input range of model.json, where inputs saturate at +-127.
 */
export function calibrate(model: FloatModel, sequences: { frames: number[][] }[]): CalibrationResult {
  const hiddenRanges = new Map<number, number>(calibratedLayers(model).map((index) => [index, 0]));
  const simulator = new FloatSimulator(model);
  let inputMaxAbs = 0;
  let frames = 0;
  const observe = (index: number, output: ArrayLike<number>): void => {
    const range = hiddenRanges.get(index);
    if (range === undefined) return;
    let largest = range;
    for (let k = 0; k < output.length; k++) largest = Math.max(largest, Math.abs(output[k]));
    hiddenRanges.set(index, largest);
  };
  for (const sequence of sequences) {
    simulator.reset();
    for (const frame of sequence.frames) {
      for (const value of frame) inputMaxAbs = Math.max(inputMaxAbs, Math.abs(value));
      simulator.stepLogits(frame, observe);
      frames++;
    }
  }
  const { inputMin, inputMax } = model.settings;
  const rangeLimit = Math.max(Math.abs(inputMin), Math.abs(inputMax));
  if (model.settings.inputRangeStated && inputMaxAbs > rangeLimit) {
    log.warn(
      `the calibration data reaches |x| = ${inputMaxAbs.toPrecision(4)}, beyond the input range [${inputMin}, ${inputMax}] of model.json; ` +
        'such inputs saturate at +-127. Set userDefinedMetadata.rankcode.input to the real input range.',
    );
  }
  return { sequences: sequences.length, frames, inputMaxAbs, hiddenRanges };
}
