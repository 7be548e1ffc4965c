/**
 * The integer spike tests, the same arithmetic as spikeTest and sigmoidSpikeTest
 * in compiler/simulator.ts.
 * softmax: with S = sum_j exp(z_j - z_max) in Q0.16, the top softmax probability
 *   reaches theta exactly when S <= 2^16 / theta, so a frame spikes when S <= K
 *   (K = floor(2^16 / theta), the model's spike bound).
 * sigmoid: L, the model's spike bound, is the smallest Q.12 logit with
 *   sigmoid(L / 2^12) >= theta, so a class score reaches theta when its logit is >= L.
 */
import { activationQ15, confidenceQ15, expNegQ16, saturate16 } from './fixed-point';

/** Output kinds, by the activation of the output layer. */
export const OUTPUT_SOFTMAX: i32 = 0;
export const OUTPUT_SIGMOID: i32 = 1;

/** Byte offsets of the result block: four i32 values read by the JavaScript loader. */
export const RESULT_SPIKED: usize = 0;
export const RESULT_CLASS: usize = 4;
export const RESULT_STEP: usize = 8;
export const RESULT_CONFIDENCE: usize = 12;
export const RESULT_BYTES: i32 = 16;

/**
 * Tests `classes` logits (i32 Q.12) against the spike bound. Writes the class
 * (argmax, lowest index on ties) and the confidence (Q0.15) into the result
 * block at `result`, and returns whether the frame spikes. It leaves the
 * spiked flag and the step of the block to the caller.
 */
export function spikeTest(logits: usize, classes: i32, spikeBound: i32, expTable: usize, result: usize): bool {
  let classIndex: i32 = 0;
  let maxLogit = load<i32>(logits);
  for (let j = 1; j < classes; j++) {
    const logit = load<i32>(logits + (<usize>j << 2));
    if (logit > maxLogit) {
      maxLogit = logit;
      classIndex = j;
    }
  }

  // z_max - z_j reaches 2^32 - 1 for saturated logits, so the distance is i64.
  // The sum of at most 2^31 terms of at most 65536 also fits in i64.
  let expSum: i64 = 0;
  for (let j = 0; j < classes; j++) {
    expSum += <i64>expNegQ16(expTable, <i64>maxLogit - <i64>load<i32>(logits + (<usize>j << 2)));
  }

  store<i32>(result + RESULT_CLASS, classIndex);
  store<i32>(result + RESULT_CONFIDENCE, confidenceQ15(expSum));
  return expSum <= <i64>spikeBound;
}

/**
 * Tests sigmoid logits (i32 Q.12) against the bound L. Writes the class and the
 * confidence (Q0.15) into the result block at `result`, and returns whether
 * the frame spikes. It leaves the spiked flag and the step to the caller.
 *   one logit (two classes):  class = z > 0 ? 1 : 0; spike when z >= L or z <= -L;
 *                             confidence = sigmoid(z) for class 1, sigmoid(-z) for class 0
 *   C logits (one per class): class = argmax z, lowest index on ties; spike when z_class >= L;
 *                             confidence = sigmoid(z_class)
 * sigmoid is the table at `sigmoidTable` on the logit saturated to Q3.12; -z and
 * -L are taken in i64, because -2^31 has no i32 negation.
 */
export function sigmoidSpikeTest(logits: usize, count: i32, spikeBound: i32, sigmoidTable: usize, result: usize): bool {
  if (count == 1) {
    const z = <i64>load<i32>(logits);
    const positive = z > 0;
    store<i32>(result + RESULT_CLASS, positive ? 1 : 0);
    store<i32>(result + RESULT_CONFIDENCE, activationQ15(sigmoidTable, saturate16(positive ? z : -z)));
    return z >= <i64>spikeBound || z <= -(<i64>spikeBound);
  }
  let classIndex: i32 = 0;
  let maxLogit = load<i32>(logits);
  for (let j = 1; j < count; j++) {
    const logit = load<i32>(logits + (<usize>j << 2));
    if (logit > maxLogit) {
      maxLogit = logit;
      classIndex = j;
    }
  }
  store<i32>(result + RESULT_CLASS, classIndex);
  store<i32>(result + RESULT_CONFIDENCE, activationQ15(sigmoidTable, saturate16(<i64>maxLogit)));
  return maxLogit >= spikeBound;
}
