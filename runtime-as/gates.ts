/**
 * Gate activations of the recurrent layers, bit for bit gateQ15 of
 * compiler/fixed-point.ts. In: a, int16 Q3.12. Out: Q0.15, in [0, 32767] for
 * the sigmoid table and [0, 32768] for the hard sigmoids, which reach 1.0.
 */
import { activationQ15 } from './fixed-point';

/** Gate kinds, the values the model module passes. */
export const GATE_SIGMOID: i32 = 0;
/** clip(0.2 a + 0.5, 0, 1), the hard sigmoid of Keras 2 and tfjs-layers. */
export const GATE_HARD_SIGMOID_KERAS2: i32 = 1;
/** relu6(a + 3) / 6 = clip(a / 6 + 0.5, 0, 1), the hard sigmoid of Keras 3. */
export const GATE_HARD_SIGMOID_KERAS3: i32 = 2;

/** 1.0 in Q0.15. */
export const ONE_Q15: i32 = 32768;

/**
 * Keras 2: a <= -10240 -> 0, a >= 10240 -> 32768, else (16 a + 163845) / 10,
 * that is round(1.6 a + 16384) half up. The numerator lies in [21, 327669],
 * so the signed division floors.
 */
export function hardSigmoidKeras2Q15(a: i32): i32 {
  if (a <= -10240) return 0;
  if (a >= 10240) return ONE_Q15;
  return (16 * a + 163845) / 10;
}

/**
 * Keras 3: a <= -12288 -> 0, a >= 12288 -> 32768, else (8 a + 98307) / 6,
 * that is round(4 a / 3 + 16384) half up. The numerator lies in [11, 196603].
 */
export function hardSigmoidKeras3Q15(a: i32): i32 {
  if (a <= -12288) return 0;
  if (a >= 12288) return ONE_Q15;
  return (8 * a + 98307) / 6;
}

/** Applies gate activation `kind` to a Q3.12 pre-activation. */
export function gateQ15(kind: i32, sigmoidTable: usize, a: i32): i32 {
  if (kind == GATE_HARD_SIGMOID_KERAS2) return hardSigmoidKeras2Q15(a);
  if (kind == GATE_HARD_SIGMOID_KERAS3) return hardSigmoidKeras3Q15(a);
  return activationQ15(sigmoidTable, a);
}
