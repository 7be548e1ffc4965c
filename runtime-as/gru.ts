/**
 * One GRU step in fixed point, Keras gate order z (update), r (reset), h
 * (candidate). act is the layer's gate activation (gates.ts), b the input bias,
 * and b' the recurrent bias, which is zero unless reset_after. Same arithmetic
 * as gruStep in compiler/simulator-layers.ts:
 *   a_z, a_r = sat16(rq(W . x) + b + rq(U . h) + b')                           Q3.12
 *   z, r = act(a_z), act(a_r)                                                   Q0.15, [0, 32768]
 *   reset_after false:  rh = (r * h + 2^14) >> 15                                Q0.15
 *                       a_h = sat16(rq(W_h . x) + b_h + rq(U_h . rh) + b'_h)     Q3.12
 *   reset_after true:   m = sat32(rq(U_h . h) + b'_h)                            Q3.12
 *                       a_h = sat16(rq(W_h . x) + b_h + ((r * m + 2^14) >> 15))  Q3.12
 *   h' = sat16((z * h + (32768 - z) * tanh(a_h) + 2^14) >> 15)                   Q0.15
 */
import { activationQ15, roundingShift, saturate16, saturate32 } from './fixed-point';
import { gateQ15, ONE_Q15 } from './gates';
import { requantizedRow } from './matrix';

/**
 * Per-row parameters of a GRU layer: six i32 values per gate row, in the order
 * kernel multiplier, kernel shift, recurrent multiplier, recurrent shift,
 * input bias (Q3.12), recurrent bias (Q3.12).
 */
export const GRU_ROW_PARAMS: i32 = 6;

/**
 * Advances one GRU layer by one frame.
 *
 * Memory: `kernel` is [3 * units][inputSize] and `recurrentKernel`
 * [3 * units][units], row-major, int16 when `weightsAreInt16` and int8
 * otherwise. `rowParams` is i32 [3 * units][GRU_ROW_PARAMS]. `hidden` is int16
 * [units] (Q0.15), read and then overwritten. `scratch` has at least 14 * units
 * bytes: i32 [3 * units] pre-activations, then int16 [units] r * h.
 */
export function gruStep(
  input: usize,
  inputIsInt16: bool,
  inputSize: i32,
  units: i32,
  kernel: usize,
  recurrentKernel: usize,
  weightsAreInt16: bool,
  rowParams: usize,
  resetAfter: bool,
  hidden: usize,
  scratch: usize,
  gateKind: i32,
  sigmoidTable: usize,
  tanhTable: usize,
): void {
  const resetHidden = scratch + (<usize>(3 * units) << 2);

  // 1. Update and reset gates, from the previous hidden state.
  for (let r = 0; r < 2 * units; r++) {
    const params = rowParams + <usize>(r * GRU_ROW_PARAMS) * 4;
    const pre =
      requantizedRow(kernel, weightsAreInt16, r, inputSize, input, inputIsInt16, load<i32>(params, 0), load<i32>(params, 4)) +
      <i64>load<i32>(params, 16) +
      requantizedRow(recurrentKernel, weightsAreInt16, r, units, hidden, true, load<i32>(params, 8), load<i32>(params, 12)) +
      <i64>load<i32>(params, 20);
    store<i32>(scratch + (<usize>r << 2), saturate16(pre));
  }

  // 2. Candidate pre-activations; both forms still read the previous hidden state.
  if (!resetAfter) {
    // 0 <= r <= 32768, so r * h rounds to a value inside int16.
    for (let u = 0; u < units; u++) {
      const reset = gateQ15(gateKind, sigmoidTable, load<i32>(scratch + (<usize>(units + u) << 2)));
      const product = <i64>reset * <i64>load<i16>(hidden + (<usize>u << 1));
      store<i16>(resetHidden + (<usize>u << 1), <i16>roundingShift(product, 15));
    }
  }
  for (let u = 0; u < units; u++) {
    const row = 2 * units + u;
    const params = rowParams + <usize>(row * GRU_ROW_PARAMS) * 4;
    const fromInput =
      requantizedRow(kernel, weightsAreInt16, row, inputSize, input, inputIsInt16, load<i32>(params, 0), load<i32>(params, 4)) +
      <i64>load<i32>(params, 16);
    let fromHidden: i64;
    if (resetAfter) {
      const reset = gateQ15(gateKind, sigmoidTable, load<i32>(scratch + (<usize>(units + u) << 2)));
      const recurrent =
        requantizedRow(recurrentKernel, weightsAreInt16, row, units, hidden, true, load<i32>(params, 8), load<i32>(params, 12)) +
        <i64>load<i32>(params, 20);
      // |r * m| <= 2^15 * 2^31 = 2^46.
      fromHidden = roundingShift(<i64>reset * <i64>saturate32(recurrent), 15);
    } else {
      fromHidden =
        requantizedRow(recurrentKernel, weightsAreInt16, row, units, resetHidden, true, load<i32>(params, 8), load<i32>(params, 12)) +
        <i64>load<i32>(params, 20);
    }
    store<i32>(scratch + (<usize>row << 2), saturate16(fromInput + fromHidden));
  }

  // 3. The new hidden state, a convex combination of h and the candidate: |sum| <= 2^30.
  for (let u = 0; u < units; u++) {
    const update = gateQ15(gateKind, sigmoidTable, load<i32>(scratch + (<usize>u << 2)));
    const candidate = activationQ15(tanhTable, load<i32>(scratch + (<usize>(2 * units + u) << 2)));
    const address = hidden + (<usize>u << 1);
    const sum = <i64>update * <i64>load<i16>(address) + <i64>(ONE_Q15 - update) * <i64>candidate;
    store<i16>(address, <i16>saturate16(roundingShift(sum, 15)));
  }
}
