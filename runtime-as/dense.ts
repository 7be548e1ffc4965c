/**
 * Dense logits: z_r = sat32(rq(V_r . x, m_r) + b_r) in Q.12, where x is the int16
 * Q0.15 hidden state of the last LSTM layer (or the int8 frame when the model has
 * no LSTM layer). Same arithmetic as denseLogits in compiler/simulator.ts.
 */
import { matVecI8I16, matVecI8I8 } from './dot';
import { requantize, saturate32 } from './fixed-point';

/** Per-row parameters of a dense layer: three i32 values per row, multiplier, shift, bias (Q.12). */
export const DENSE_ROW_PARAMS: i32 = 3;

/**
 * Computes the logits of one frame into `logits` (i32 [units]).
 * `kernel` is int8 [units][inputSize] row-major, `rowParams` is i32 [units][DENSE_ROW_PARAMS].
 */
export function denseLogits(
  input: usize,
  inputIsInt16: bool,
  inputSize: i32,
  units: i32,
  kernel: usize,
  rowParams: usize,
  logits: usize,
): void {
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
