/**
 * Requantized rows of a weight matrix, rq(M_r . x) = round(acc * mult * 2^-shift)
 * half up, for int8 or int16 weights and int8 or int16 inputs. Same arithmetic
 * as requantizedRow in compiler/simulator-layers.ts.
 *
 * int8 weights accumulate in i32 (dot.ts), int16 weights in i64. The compiler
 * proves for every row that sum_j |w_j| * max|x| < 2^31 (int8 weights) or < 2^47
 * (int16 weights), so every sum is exact and |acc * mult| < 2^62 fits i64.
 *
 * NOTE: the int16-weight dot products are scalar loops in both builds; only the
 * int8-weight ones use wasm SIMD.
 */
import { dotI8I16, dotI8I8 } from './dot';
import { requantize, roundingShift } from './fixed-point';

/** Returns sum_j w[j] * x[j] for int16 weights and int8 inputs, in i64. */
export function dotI16I8(weights: usize, input: usize, length: i32): i64 {
  let acc: i64 = 0;
  for (let j = 0; j < length; j++) {
    acc += <i64>(<i32>load<i16>(weights + (<usize>j << 1)) * <i32>load<i8>(input + <usize>j));
  }
  return acc;
}

/** Returns sum_j w[j] * x[j] for int16 weights and int16 inputs, in i64; each product is below 2^31 in magnitude. */
export function dotI16I16(weights: usize, input: usize, length: i32): i64 {
  let acc: i64 = 0;
  for (let j = 0; j < length; j++) {
    const offset = <usize>j << 1;
    acc += <i64>(<i32>load<i16>(weights + offset) * <i32>load<i16>(input + offset));
  }
  return acc;
}

/**
 * Returns rq(M_r . x) for row `row` of a row-major matrix with `columns`
 * columns: int16 weights when `weightsAreInt16`, int8 otherwise.
 */
export function requantizedRow(
  matrix: usize,
  weightsAreInt16: bool,
  row: i32,
  columns: i32,
  input: usize,
  inputIsInt16: bool,
  mult: i32,
  shift: i32,
): i64 {
  if (weightsAreInt16) {
    const weights = matrix + ((<usize>row * <usize>columns) << 1);
    const acc = inputIsInt16 ? dotI16I16(weights, input, columns) : dotI16I8(weights, input, columns);
    return roundingShift(acc * <i64>mult, shift);
  }
  const weights = matrix + <usize>row * <usize>columns;
  const acc = inputIsInt16 ? dotI8I16(weights, input, columns) : dotI8I8(weights, input, columns);
  return requantize(acc, mult, shift);
}
