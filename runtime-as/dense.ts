/**
 * Dense layers. The output layer gives the logits z_r = sat32(rq(V_r . x, m_r) + b_r)
 * in Q.12. A hidden layer gives, in int16:
 *   relu, linear:  y_r = sat16(act(rq(V_r . x, m_r) + b_r))        Q(15 - f).f
 *   sigmoid:       y_r = sigmoid(sat16(rq(V_r . x, m_r) + b_r))    Q3.12 sum, Q0.15 output
 * x is the int8 frame or the int16 output of the layer below. Same arithmetic
 * as denseLogits and denseHidden in compiler/simulator-layers.ts.
 */
import { matVecI8I16, matVecI8I8 } from './dot';
import { activationQ15, requantize, saturate16, saturate32 } from './fixed-point';
import { requantizedRow } from './matrix';

/** Per-row parameters of a dense layer: three i32 values per row, multiplier, shift, bias (units of the requantized sum). */
export const DENSE_ROW_PARAMS: i32 = 3;

/** Activation codes of a hidden dense layer. */
export const DENSE_LINEAR: i32 = 0;
export const DENSE_RELU: i32 = 1;
export const DENSE_SIGMOID: i32 = 2;

/**
 * Computes the logits of one frame into `logits` (i32 [units]).
 * `kernel` is [units][inputSize] row-major, int16 when `weightsAreInt16` and int8
 * otherwise; `rowParams` is i32 [units][DENSE_ROW_PARAMS].
 */
export function denseLogits(
  input: usize,
  inputIsInt16: bool,
  inputSize: i32,
  units: i32,
  kernel: usize,
  weightsAreInt16: bool,
  rowParams: usize,
  logits: usize,
): void {
  if (weightsAreInt16) {
    for (let r = 0; r < units; r++) {
      const params = rowParams + <usize>(r * DENSE_ROW_PARAMS) * 4;
      const value = requantizedRow(kernel, true, r, inputSize, input, inputIsInt16, load<i32>(params, 0), load<i32>(params, 4)) + <i64>load<i32>(params, 8);
      store<i32>(logits + (<usize>r << 2), saturate32(value));
    }
    return;
  }
  // The logits buffer first receives the accumulators, then the logits in place.
  if (inputIsInt16) matVecI8I16(kernel, units, inputSize, input, logits);
  else matVecI8I8(kernel, units, inputSize, input, logits);
  for (let r = 0; r < units; r++) {
    const params = rowParams + <usize>(r * DENSE_ROW_PARAMS) * 4;
    const logit = logits + (<usize>r << 2);
    // |rq| < 2^46 plus an int32 bias: exact in i64 before saturation.
    const value = requantize(load<i32>(logit), load<i32>(params, 0), load<i32>(params, 4)) + <i64>load<i32>(params, 8);
    store<i32>(logit, saturate32(value));
  }
}

/**
 * Computes a hidden dense layer into `output` (int16 [units]). `activation` is
 * DENSE_LINEAR, DENSE_RELU (max(0, v) before saturation) or DENSE_SIGMOID (the
 * sigmoid table at `sigmoidTable` on the sum saturated to Q3.12). Layouts as for denseLogits.
 */
export function denseHidden(
  input: usize,
  inputIsInt16: bool,
  inputSize: i32,
  units: i32,
  kernel: usize,
  weightsAreInt16: bool,
  rowParams: usize,
  activation: i32,
  sigmoidTable: usize,
  output: usize,
): void {
  for (let r = 0; r < units; r++) {
    const params = rowParams + <usize>(r * DENSE_ROW_PARAMS) * 4;
    let value =
      requantizedRow(kernel, weightsAreInt16, r, inputSize, input, inputIsInt16, load<i32>(params, 0), load<i32>(params, 4)) + <i64>load<i32>(params, 8);
    if (activation == DENSE_SIGMOID) {
      store<i16>(output + (<usize>r << 1), <i16>activationQ15(sigmoidTable, saturate16(value)));
      continue;
    }
    if (activation == DENSE_RELU && value < 0) value = 0;
    store<i16>(output + (<usize>r << 1), <i16>saturate16(value));
  }
}
