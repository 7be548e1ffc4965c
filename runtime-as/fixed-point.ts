/**
 * Integer primitives of the fixed-point arithmetic, bit for bit the same as
 * compiler/fixed-point.ts (the reference). Formats: gate pre-activations Q3.12,
 * logits Q.12, gate outputs and hidden state Q0.15, cell state Q16.15, exp values Q0.16.
 *
 * The reference computes in exact doubles. Here every step that can leave the
 * int32 range runs in i64, and the comment of each function gives the bound that
 * keeps it exact.
 */

export const INT16_MIN: i32 = -32768;
export const INT16_MAX: i32 = 32767;
export const INT32_MIN: i64 = -2147483648;
export const INT32_MAX: i64 = 2147483647;

/** Activation tables: 513 int16 entries over the Q3.12 range [-8, 8], one every 2^7 LSBs. */
export const ACT_TABLE_SHIFT: i32 = 7;
/** Exp table: 257 int32 entries of exp(-k/16) in Q0.16, one every 2^8 LSBs of Q.12. */
export const EXP_TABLE_SHIFT: i32 = 8;
/** exp(-d) is taken as 0 for d >= 16.0, that is d >= 65536 in Q.12. */
export const EXP_INPUT_LIMIT: i64 = 65536;

/** Clamps to [-32768, 32767]. */
export function saturate16(value: i64): i32 {
  if (value < <i64>INT16_MIN) return INT16_MIN;
  if (value > <i64>INT16_MAX) return INT16_MAX;
  return <i32>value;
}

/** Clamps to [-2^31, 2^31 - 1]. */
export function saturate32(value: i64): i32 {
  if (value < INT32_MIN) return <i32>INT32_MIN;
  if (value > INT32_MAX) return <i32>INT32_MAX;
  return <i32>value;
}

/**
 * Rounding right shift, half up: floor((value + 2^(shift-1)) / 2^shift).
 * The i64 shift is arithmetic, so it floors. Exact for |value| < 2^62 and
 * 1 <= shift <= 62, a superset of the reference's |value| < 2^52.
 */
export function roundingShift(value: i64, shift: i32): i64 {
  return (value + (<i64>1 << <i64>(shift - 1))) >> <i64>shift;
}

/**
 * Requantizes an accumulator: round(acc * mult * 2^-shift), half up.
 * |acc| < 2^31 and 0 <= mult < 2^15 give |acc * mult| < 2^46, exact in i64.
 */
export function requantize(acc: i32, mult: i32, shift: i32): i64 {
  return roundingShift(<i64>acc * <i64>mult, shift);
}

/**
 * Looks up an activation with linear interpolation.
 * In: a, int16 Q3.12. Out: int16 Q0.15. `table` points to 513 int16 entries.
 *   u = a + 32768, i = u >> 7, f = u & 127
 *   y = T[i] + ((T[i+1] - T[i]) * f + 64) >> 7      (arithmetic shift, floor)
 * Since -32768 <= a <= 32767, 0 <= i <= 511, so T[i + 1] stays inside the table.
 */
export function activationQ15(table: usize, a: i32): i32 {
  const u = a + 32768;
  const i = u >> ACT_TABLE_SHIFT;
  const f = u & ((1 << ACT_TABLE_SHIFT) - 1);
  const entry = table + (<usize>i << 1);
  const low = <i32>load<i16>(entry);
  const high = <i32>load<i16>(entry, 2);
  return low + (((high - low) * f + (1 << (ACT_TABLE_SHIFT - 1))) >> ACT_TABLE_SHIFT);
}

/**
 * exp(-d) for a logit distance d >= 0.
 * In: d, Q.12. Out: Q0.16 in [0, 65536]. `table` points to 257 int32 entries.
 *   d >= 65536 -> 0
 *   i = d >> 8, f = d & 255
 *   e = E[i] - ((E[i] - E[i+1]) * f + 128) >> 8
 * Below the limit, 0 <= i <= 255, so E[i + 1] stays inside the table.
 */
export function expNegQ16(table: usize, d: i64): i32 {
  if (d >= EXP_INPUT_LIMIT) return 0;
  const distance = <i32>d;
  const i = distance >> EXP_TABLE_SHIFT;
  const f = distance & ((1 << EXP_TABLE_SHIFT) - 1);
  const entry = table + (<usize>i << 2);
  const current = load<i32>(entry);
  const next = load<i32>(entry, 4);
  return current - (((current - next) * f + (1 << (EXP_TABLE_SHIFT - 1))) >> EXP_TABLE_SHIFT);
}

/** Confidence in Q0.15 from the exp sum S (Q0.16, S >= 65536): min(32767, floor(2^31 / S)). */
export function confidenceQ15(expSum: i64): i32 {
  const quotient = <i64>2147483648 / expSum;
  return quotient > <i64>INT16_MAX ? INT16_MAX : <i32>quotient;
}
