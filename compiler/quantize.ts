/**
 * Post-training quantization of the float model into the QModel that the integer
 * reference simulator runs.
 *
 *   input     x_q = round(x / s_x), int8, s_x = max(|min|, |max|) / 127 from the metadata input range
 *   weights   w_q = round(w / s_w), int8 symmetric per output row, s_w = max|row| / 127
 *   requant   kernel    M = s_w * s_x / 2^-12   (int8 x int8   -> Q3.12)
 *             recurrent M = s_u * 2^-15 / 2^-12 (int8 x Q0.15  -> Q3.12)
 *             dense     M = s_v * 2^-15 / 2^-12 (int8 x Q0.15  -> Q.12 logits)
 *             each M split into mult * 2^-shift by quantizeMultiplier
 *   bias      b_q = round(b * 2^12), int32
 * Rounding is half away from zero. For every row the compiler proves that the
 * int32 accumulator cannot overflow: sum_j |w_q[j]| * max|x_q| < 2^31.
 */
import { UserError } from '../common/errors.js';
import { GATE_FRAC_BITS, INT32_MAX, STATE_FRAC_BITS, quantizeMultiplier, spikeBoundFor } from './fixed-point.js';
import type { FloatModel } from './float-model.js';
import type { QDenseLayer, QLstmLayer, QModel, Requant } from './qmodel.js';

/** Largest |x_q| of an input frame: the runtimes take any int8 value, including -128. */
export const INPUT_ABS_MAX = 128;
/** Largest |h| of a Q0.15 hidden state held in int16. */
export const HIDDEN_ABS_MAX = 32768;
const ACCUMULATOR_LIMIT = 2 ** 31;
/** The exp sum of the spike test, at most classes * 2^16, must stay below 2^31. */
export const MAX_CLASSES = 32767;

const GATE_NAMES = ['input gate', 'forget gate', 'cell candidate', 'output gate'];

function roundHalfAwayFromZero(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value));
}

interface QuantizedRows {
  /** int8, [rows][cols]. */
  values: number[];
  /** Real value of one step, per row. */
  scales: number[];
  /** sum_j |w_q[j]| per row. */
  absSums: number[];
}

/** Quantizes a Keras-layout matrix [cols][rows] into int8 rows [rows][cols], one scale per row. */
function quantizeRows(matrix: Float32Array, cols: number, rows: number): QuantizedRows {
  const values = new Array<number>(rows * cols);
  const scales: number[] = [];
  const absSums: number[] = [];
  for (let r = 0; r < rows; r++) {
    let maxAbs = 0;
    for (let c = 0; c < cols; c++) maxAbs = Math.max(maxAbs, Math.abs(matrix[c * rows + r]));
    let absSum = 0;
    for (let c = 0; c < cols; c++) {
      const q = maxAbs === 0 ? 0 : roundHalfAwayFromZero((matrix[c * rows + r] * 127) / maxAbs);
      const clamped = Math.max(-127, Math.min(127, q));
      values[r * cols + c] = clamped + 0; // + 0 turns -0 into 0
      absSum += Math.abs(clamped);
    }
    scales.push(maxAbs / 127);
    absSums.push(absSum);
  }
  return { values, scales, absSums };
}

function describeRow(layerName: string, row: number, units: number, isLstm: boolean): string {
  if (!isLstm) return `layer "${layerName}" output ${row}`;
  return `layer "${layerName}" row ${row} (${GATE_NAMES[Math.floor(row / units)]}, unit ${row % units})`;
}

function buildRequant(realMultipliers: number[], where: (row: number) => string, what: string): Requant {
  const requant: Requant = { mult: [], shift: [] };
  realMultipliers.forEach((real, row) => {
    const split = quantizeMultiplier(real);
    if ('error' in split) {
      throw new UserError(`${where(row)}: the ${what} requantization ${split.error}. Retrain with smaller weights or a narrower input range.`);
    }
    requant.mult.push(split.mult);
    requant.shift.push(split.shift);
  });
  return requant;
}

function checkAccumulators(rows: QuantizedRows, inputAbsMax: number, where: (row: number) => string, what: string): void {
  rows.absSums.forEach((absSum, row) => {
    const bound = absSum * inputAbsMax;
    if (bound >= ACCUMULATOR_LIMIT) {
      throw new UserError(
        `${where(row)}: the ${what} accumulator can reach ${absSum} * ${inputAbsMax} = ${bound}, which does not fit in int32. ` +
          'Reduce the layer width or retrain with weight regularization.',
      );
    }
  });
}

function quantizeBias(bias: Float32Array, where: (row: number) => string): number[] {
  return Array.from(bias, (b, row) => {
    const q = roundHalfAwayFromZero(b * 2 ** GATE_FRAC_BITS) + 0;
    if (Math.abs(q) > INT32_MAX) throw new UserError(`${where(row)}: bias ${b} does not fit in int32 at 2^-12 per step; retrain the model.`);
    return q;
  });
}

function quantizeLstm(model: FloatModel, inputScale: number): QLstmLayer {
  const { name, inputSize, units, kernel, recurrentKernel, bias } = model.lstm;
  const rows = 4 * units;
  const where = (row: number) => describeRow(name, row, units, true);
  const input = quantizeRows(kernel, inputSize, rows);
  const recurrent = quantizeRows(recurrentKernel, units, rows);
  checkAccumulators(input, INPUT_ABS_MAX, where, 'kernel');
  checkAccumulators(recurrent, HIDDEN_ABS_MAX, where, 'recurrent');
  return {
    kind: 'lstm',
    name,
    inputSize,
    units,
    kernel: input.values,
    kernelRequant: buildRequant(input.scales.map((s) => s * inputScale * 2 ** GATE_FRAC_BITS), where, 'kernel'),
    recurrentKernel: recurrent.values,
    recurrentRequant: buildRequant(recurrent.scales.map((s) => s * 2 ** (GATE_FRAC_BITS - STATE_FRAC_BITS)), where, 'recurrent'),
    bias: quantizeBias(bias, where),
    recurrentActivation: 'sigmoid',
  };
}

function quantizeDense(model: FloatModel): QDenseLayer {
  const { name, inputSize, units, kernel, bias } = model.dense;
  if (units > MAX_CLASSES) throw new UserError(`layer "${name}" has ${units} classes; the integer spike test supports at most ${MAX_CLASSES}.`);
  const where = (row: number) => describeRow(name, row, units, false);
  const rows = quantizeRows(kernel, inputSize, units);
  checkAccumulators(rows, HIDDEN_ABS_MAX, where, 'dense');
  return {
    kind: 'dense',
    name,
    inputSize,
    units,
    kernel: rows.values,
    requant: buildRequant(rows.scales.map((s) => s * 2 ** (GATE_FRAC_BITS - STATE_FRAC_BITS)), where, 'dense'),
    bias: quantizeBias(bias, where),
    activation: 'softmax',
  };
}

/** Returns the real value of one int8 input step for the metadata input range. */
export function inputScaleFor(inputMin: number, inputMax: number): number {
  return Math.max(Math.abs(inputMin), Math.abs(inputMax)) / 127;
}

/** Quantizes a float model; throws UserError when a multiplier, bias or accumulator does not fit. */
export function quantizeModel(model: FloatModel): QModel {
  const { settings } = model;
  const inputScale = inputScaleFor(settings.inputMin, settings.inputMax);
  return {
    format: 'rankcode-qmodel',
    version: 1,
    name: model.name,
    sourceHash: model.sourceHash,
    inputSize: model.lstm.inputSize,
    frames: settings.frames,
    inputScale,
    threshold: settings.threshold,
    spikeBound: spikeBoundFor(settings.threshold),
    labels: [...settings.labels],
    layers: [quantizeLstm(model, inputScale), quantizeDense(model)],
  };
}
