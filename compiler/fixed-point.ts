/**
 * Integer primitives and lookup tables shared by the reference simulator and the
 * code emitters. Every runtime reproduces these bit for bit; docs/FIXED_POINT.md
 * states the same rules in prose.
 *
 * All values are JavaScript numbers holding exact integers. Every intermediate
 * product stays below 2^53 in magnitude, so double arithmetic is exact here.
 */
import { assert } from '../common/errors.js';

export const INT16_MIN = -32768;
export const INT16_MAX = 32767;
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** Fractional bits of the gate pre-activations (Q3.12) and of the logits (Q.12). */
export const GATE_FRAC_BITS = 12;
/** Fractional bits of the hidden state, gate outputs (Q0.15) and cell state (Q16.15). */
export const STATE_FRAC_BITS = 15;

/** Activation tables: 513 entries over the Q3.12 range [-8, 8], one every 2^7 LSBs (1/32). */
export const ACT_TABLE_SIZE = 513;
export const ACT_TABLE_SHIFT = 7;
/** Exp table: 257 entries of exp(-k/16) in Q0.16 for k = 0..256, one every 2^8 LSBs of Q.12. */
export const EXP_TABLE_SIZE = 257;
export const EXP_TABLE_SHIFT = 8;
/** exp(-d) is taken as 0 for d >= 16.0, that is d >= 65536 in Q.12. */
export const EXP_INPUT_LIMIT = 65536;

export function saturate16(value: number): number {
  if (value < INT16_MIN) return INT16_MIN;
  if (value > INT16_MAX) return INT16_MAX;
  return value;
}

export function saturate32(value: number): number {
  if (value < INT32_MIN) return INT32_MIN;
  if (value > INT32_MAX) return INT32_MAX;
  return value;
}

/**
 * Rounding right shift: floor((value + 2^(shift-1)) / 2^shift), that is round half up.
 * Requires an exact integer |value| < 2^52 and 1 <= shift <= 62.
 */
export function roundingShift(value: number, shift: number): number {
  assert(shift >= 1 && shift <= 62, () => `shift ${shift} out of range 1..62`);
  assert(Math.abs(value) < 2 ** 52, () => `value ${value} exceeds the exact range`);
  const scale = 2 ** shift;
  return Math.floor((value + scale / 2) / scale);
}

/** Requantizes an accumulator: round(acc * mult * 2^-shift), half up. */
export function requantize(acc: number, mult: number, shift: number): number {
  return roundingShift(acc * mult, shift);
}

/**
 * Splits a positive real multiplier into mult * 2^-shift with 2^14 <= mult < 2^15.
 * A zero multiplier gives mult = 0. Multipliers too large or too small for a
 * shift in 1..62 are reported to the caller, which names the layer.
 */
export function quantizeMultiplier(real: number): { mult: number; shift: number } | { error: string } {
  if (!(real >= 0) || !Number.isFinite(real)) return { error: `multiplier ${real} is not a finite non-negative number` };
  if (real === 0) return { mult: 0, shift: 1 };
  let shift = 14 - Math.floor(Math.log2(real));
  let mult = Math.round(real * 2 ** shift);
  if (mult >= 2 ** 15) {
    mult = Math.round(mult / 2);
    shift -= 1;
  }
  if (mult < 2 ** 14 && mult > 0) {
    // Math.log2 can be off by one ulp near powers of two.
    mult *= 2;
    shift += 1;
  }
  if (shift > 62) return { mult: 0, shift: 1 };
  if (shift < 1) return { error: `multiplier ${real} is too large (it must be below 2^14)` };
  return { mult, shift };
}

function buildActivationTable(fn: (x: number) => number): Int32Array {
  const table = new Int32Array(ACT_TABLE_SIZE);
  for (let k = 0; k < ACT_TABLE_SIZE; k++) {
    const x = (k * (1 << ACT_TABLE_SHIFT) - 32768) / (1 << GATE_FRAC_BITS);
    table[k] = saturate16(Math.round(fn(x) * (1 << STATE_FRAC_BITS)));
  }
  return table;
}

/** sigmoid over Q3.12 in Q0.15; entry k is round(sigmoid(k/32 - 8) * 2^15), saturated to 32767. */
export const SIGMOID_TABLE = buildActivationTable((x) => 1 / (1 + Math.exp(-x)));
/** tanh over Q3.12 in Q0.15; entry k is round(tanh(k/32 - 8) * 2^15), saturated to int16. */
export const TANH_TABLE = buildActivationTable(Math.tanh);

/** exp(-k/16) in Q0.16 for k = 0..256; entry 0 is exactly 65536. */
export const EXP_TABLE: Int32Array = (() => {
  const table = new Int32Array(EXP_TABLE_SIZE);
  for (let k = 0; k < EXP_TABLE_SIZE; k++) table[k] = Math.round(Math.exp(-k / 16) * 65536);
  return table;
})();

/**
 * Looks up an activation with linear interpolation.
 * In: a, int16 Q3.12. Out: int16 Q0.15.
 *   u = a + 32768, i = u >> 7, f = u & 127
 *   y = T[i] + ((T[i+1] - T[i]) * f + 64) >> 7      (arithmetic shift, floor)
 */
export function activationQ15(table: Int32Array, a: number): number {
  const u = a + 32768;
  const i = u >> ACT_TABLE_SHIFT;
  const f = u & ((1 << ACT_TABLE_SHIFT) - 1);
  return table[i] + (((table[i + 1] - table[i]) * f + (1 << (ACT_TABLE_SHIFT - 1))) >> ACT_TABLE_SHIFT);
}

/**
 * exp(-d) for a logit distance d >= 0.
 * In: d, Q.12 (any non-negative integer). Out: Q0.16 in [0, 65536].
 *   d >= 65536 -> 0
 *   i = d >> 8, f = d & 255
 *   e = E[i] - ((E[i] - E[i+1]) * f + 128) >> 8
 */
export function expNegQ16(d: number): number {
  if (d >= EXP_INPUT_LIMIT) return 0;
  const i = d >> EXP_TABLE_SHIFT;
  const f = d & ((1 << EXP_TABLE_SHIFT) - 1);
  return EXP_TABLE[i] - (((EXP_TABLE[i] - EXP_TABLE[i + 1]) * f + (1 << (EXP_TABLE_SHIFT - 1))) >> EXP_TABLE_SHIFT);
}

/** Returns the integer spike bound K = floor(2^16 / theta) for a threshold theta in [2^-15, 1], so that K fits in int32. */
export function spikeBoundFor(threshold: number): number {
  return Math.floor(65536 / threshold);
}

/** Confidence in Q0.15 from the exp sum S (Q0.16, S >= 65536): min(32767, floor(2^31 / S)). */
export function confidenceQ15(expSum: number): number {
  return Math.min(INT16_MAX, Math.floor(2147483648 / expSum));
}

/**
 * Returns true when sigmoid(z / 2^12) >= theta for an integer logit z and theta in (0, 1).
 * sigmoid(x) >= theta is 1 >= theta (1 + e^-x), that is theta e^-x <= 1 - theta,
 * and 1 - theta is exact in a double for theta >= 0.5.
 */
function sigmoidReaches(z: number, threshold: number): boolean {
  return threshold * Math.exp(-z / 2 ** GATE_FRAC_BITS) <= 1 - threshold;
}

/**
 * Returns the integer spike bound L of a sigmoid output: the smallest integer
 * logit z in Q.12 with sigmoid(z / 2^12) >= theta, for theta in (2^-15, 1].
 * Real sigmoid never reaches 1, so theta = 1 gives L = INT32_MAX: only a logit
 * saturated at INT32_MAX spikes. A theta of 0.5 or less gives L <= 0.
 *
 * L starts at ceil(2^12 * ln(theta / (1 - theta))) and moves by single steps
 * until sigmoidReaches is true at L and false at L - 1, so the rounding of the
 * logarithm does not matter. NOTE: sigmoidReaches rounds too, so a theta within
 * about 1e-15 (relative) of sigmoid(z / 2^12) for an integer z may get L = z or z + 1.
 */
export function sigmoidSpikeBoundFor(threshold: number): number {
  if (threshold >= 1) return INT32_MAX;
  let bound = Math.ceil(2 ** GATE_FRAC_BITS * (Math.log(threshold) - Math.log1p(-threshold)));
  while (!sigmoidReaches(bound, threshold)) bound++;
  while (sigmoidReaches(bound - 1, threshold)) bound--;
  return bound;
}

/**
 * Returns the sigmoid of an int32 logit z in Q.12 as a Q0.15 confidence: the
 * sigmoid table on sat16(z), which saturates beyond [-8, 8).
 */
export function sigmoidConfidenceQ15(z: number): number {
  return activationQ15(SIGMOID_TABLE, saturate16(z));
}

/** 1.0 in Q0.15. The hard sigmoids reach it exactly, so their gate values lie in [0, 32768] and are held in int32. */
export const ONE_Q15 = 32768;

/**
 * Keras 2 and tfjs-layers hard sigmoid, clip(0.2 a + 0.5, 0, 1).
 * In: a, int16 Q3.12. Out: Q0.15 in [0, 32768].
 *   a <= -10240 (-2.5) -> 0,  a >= 10240 (2.5) -> 32768
 *   otherwise y = floor((16 a + 163845) / 10), that is round(1.6 a + 16384) half up
 * The numerator lies in [21, 327669] there, so the division is of positive values.
 */
export function hardSigmoidKeras2Q15(a: number): number {
  if (a <= -10240) return 0;
  if (a >= 10240) return ONE_Q15;
  return Math.floor((16 * a + 163845) / 10);
}

/**
 * Keras 3 hard sigmoid, relu6(a + 3) / 6 = clip(a / 6 + 0.5, 0, 1).
 * In: a, int16 Q3.12. Out: Q0.15 in [0, 32768].
 *   a <= -12288 (-3.0) -> 0,  a >= 12288 (3.0) -> 32768
 *   otherwise y = floor((8 a + 98307) / 6), that is round(4 a / 3 + 16384) half up
 * The numerator lies in [11, 196603] there, so the division is of positive values.
 */
export function hardSigmoidKeras3Q15(a: number): number {
  if (a <= -12288) return 0;
  if (a >= 12288) return ONE_Q15;
  return Math.floor((8 * a + 98307) / 6);
}

/** Applies the gate activation `kind` of a recurrent layer. In: int16 Q3.12. Out: Q0.15 in [0, 32767] (sigmoid table) or [0, 32768] (hard sigmoids). */
export function gateQ15(kind: 'sigmoid' | 'hard_sigmoid_keras2' | 'hard_sigmoid_keras3', a: number): number {
  if (kind === 'sigmoid') return activationQ15(SIGMOID_TABLE, a);
  return kind === 'hard_sigmoid_keras2' ? hardSigmoidKeras2Q15(a) : hardSigmoidKeras3Q15(a);
}

/**
 * Requantizes an int64 accumulator of int16 weights: round(acc * mult * 2^-shift), half up.
 * |acc| < 2^47 and mult < 2^15, so the exact product stays below 2^62, as in the
 * int64 arithmetic of the runtimes. Products at or above 2^52 go through BigInt;
 * the compiler proves that the result stays below 2^52.
 */
export function requantizeWide(acc: number, mult: number, shift: number): number {
  const product = acc * mult;
  if (Math.abs(product) < 2 ** 52) return roundingShift(product, shift);
  assert(shift >= 1 && shift <= 62, () => `shift ${shift} out of range 1..62`);
  const exact = (BigInt(acc) * BigInt(mult) + (1n << BigInt(shift - 1))) >> BigInt(shift);
  return Number(exact);
}
