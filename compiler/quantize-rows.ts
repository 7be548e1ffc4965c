/**
 * Per-row weight quantization, requantization multipliers and the accumulator
 * proofs, shared by every layer kind.
 *
 *   weights   w_q = round(w * q_max / max|row|), q_max = 127 (int8) or 32767 (int16), half away from zero
 *   requant   M = s_w * s_in * 2^out_frac, split into mult * 2^-shift by quantizeMultiplier
 *   bias      b_q = round(b * 2^out_frac), int32
 *
 * Accumulators: int8 weights sum in int32, so every row needs
 * sum_j |w_q[j]| * max|x| < 2^31. int16 weights sum in int64, and every row
 * needs sum_j |w_q[j]| * max|x| < 2^47, so that acc * mult (mult < 2^15) stays
 * below 2^62 with room for the rounding term. A row that fails is rejected.
 */
import { UserError } from '../common/errors.js';
import { INT32_MAX, quantizeMultiplier } from './fixed-point.js';
import type { Requant, WeightBits } from './qmodel.js';

/** Largest |x_q| of an input frame: the runtimes take any int8 value, including -128. */
export const INPUT_ABS_MAX = 128;
/** Largest |x| of an int16 layer input: a Q0.15 hidden state or a hidden dense output. */
export const HIDDEN_ABS_MAX = 32768;
const INT32_ACCUMULATOR_LIMIT = 2 ** 31;
const INT64_ACCUMULATOR_LIMIT = 2 ** 47;
/** Every requantized term and every sum of them stays below this, so the reference computes them exactly in doubles. */
const EXACT_LIMIT = 2 ** 52;

export function roundHalfAwayFromZero(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value)) + 0; // + 0 turns -0 into 0
}

export function maxWeight(bits: WeightBits): number {
  return bits === 8 ? 127 : 32767;
}

export interface QuantizedRows {
  /** int8 or int16, [rows][cols]. */
  values: number[];
  /** Real value of one step, per row. */
  scales: number[];
  /** sum_j |w_q[j]| per row. */
  absSums: number[];
}

/** Quantizes a Keras-layout matrix [cols][rows] into rows [rows][cols], one scale per row. */
export function quantizeRows(matrix: Float32Array, cols: number, rows: number, bits: WeightBits): QuantizedRows {
  const qMax = maxWeight(bits);
  const values = new Array<number>(rows * cols);
  const scales: number[] = [];
  const absSums: number[] = [];
  for (let r = 0; r < rows; r++) {
    let maxAbs = 0;
    for (let c = 0; c < cols; c++) maxAbs = Math.max(maxAbs, Math.abs(matrix[c * rows + r]));
    let absSum = 0;
    for (let c = 0; c < cols; c++) {
      const q = maxAbs === 0 ? 0 : roundHalfAwayFromZero((matrix[c * rows + r] * qMax) / maxAbs);
      const clamped = Math.max(-qMax, Math.min(qMax, q));
      values[r * cols + c] = clamped;
      absSum += Math.abs(clamped);
    }
    scales.push(maxAbs / qMax);
    absSums.push(absSum);
  }
  return { values, scales, absSums };
}

export function buildRequant(realMultipliers: number[], where: (row: number) => string, what: string): Requant {
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

/**
 * Proves for every row that the accumulator of `rows` applied to inputs of at
 * most `inputAbsMax` fits its width (int32 for int8 weights, int64 for int16),
 * and returns the largest magnitude of each requantized term.
 */
export function checkAccumulators(
  rows: QuantizedRows,
  bits: WeightBits,
  inputAbsMax: number,
  requant: Requant,
  where: (row: number) => string,
  what: string,
): number[] {
  const limit = bits === 8 ? INT32_ACCUMULATOR_LIMIT : INT64_ACCUMULATOR_LIMIT;
  return rows.absSums.map((absSum, row) => {
    const bound = absSum * inputAbsMax;
    if (bound >= limit) {
      const width = bits === 8 ? 'does not fit in int32' : 'is not below 2^47, the bound of int64 accumulation with int16 weights';
      throw new UserError(
        `${where(row)}: the ${what} accumulator can reach ${absSum} * ${inputAbsMax} = ${bound}, which ${width}. ` +
          'Reduce the layer width or retrain with weight regularization.',
      );
    }
    return Math.ceil((bound * requant.mult[row]) / 2 ** requant.shift[row]) + 1;
  });
}

/** Rejects a row whose requantized terms and bias could add up to 2^52 or more, beyond exact double arithmetic. */
export function checkTermSum(termBounds: number[][], biases: number[][], where: (row: number) => string): void {
  const rows = termBounds[0].length;
  for (let row = 0; row < rows; row++) {
    let total = 0;
    for (const bounds of termBounds) total += bounds[row];
    for (const bias of biases) total += Math.abs(bias[row]);
    if (total >= EXACT_LIMIT) {
      throw new UserError(`${where(row)}: the requantized sums can reach ${total}, beyond 2^52. Retrain with smaller weights or a narrower input range.`);
    }
  }
}

export function quantizeBias(bias: ArrayLike<number>, fracBits: number, where: (row: number) => string): number[] {
  return Array.from(bias, (b, row) => {
    const q = roundHalfAwayFromZero(b * 2 ** fracBits);
    if (Math.abs(q) > INT32_MAX) throw new UserError(`${where(row)}: bias ${b} does not fit in int32 at 2^-${fracBits} per step; retrain the model.`);
    return q;
  });
}
