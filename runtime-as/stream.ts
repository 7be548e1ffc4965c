/**
 * The early-exit streaming loop, the same shape in every runtime:
 *   reset()          clears the state, the frame counter and the held result.
 *   step()           computes the frame in the input area unless a spike is held.
 *   run(count)       resets, then steps through `count` contiguous frames in the
 *                    input area and stops at the first spike.
 * After a spike, step() returns at once without computing until reset().
 *
 * A model module calls configureStream() once at start with its sizes, its
 * frame function and its state-clearing function, then re-exports these
 * functions as the wasm interface.
 */
import { ensureInputCapacity, INPUT_AREA } from './memory';
import { OUTPUT_SIGMOID, RESULT_BYTES, RESULT_SPIKED, RESULT_STEP, sigmoidSpikeTest, spikeTest } from './spike';

/** The result block of the last step: i32 spiked, class, step, confidence (Q0.15). */
const RESULT: usize = memory.data(RESULT_BYTES, 16);

let frameSize: i32 = 0;
let logitTotal: i32 = 0;
let spikeBound: i32 = 0;
let outputKind: i32 = 0;
let logits: usize = 0;
let expTable: usize = 0;
let sigmoidTable: usize = 0;
let computeFrame: (frame: usize) => void = (frame: usize): void => {};
let clearState: () => void = (): void => {};

let framesComputedSinceReset: i32 = 0;
let spikeHeld: bool = false;

/**
 * Sets the model that the loop runs. `computeLogits` reads one frame of
 * `inputSize` int8 values and writes `logitCount` i32 logits (Q.12) to
 * `logitsAddress`; `clearModelState` zeroes every hidden, cell and logit value.
 * `kind` (OUTPUT_SOFTMAX or OUTPUT_SIGMOID) picks the spike test, and `bound`
 * is its K or L.
 */
export function configureStream(
  inputSize: i32,
  logitCount: i32,
  kind: i32,
  bound: i32,
  logitsAddress: usize,
  expTableAddress: usize,
  sigmoidTableAddress: usize,
  computeLogits: (frame: usize) => void,
  clearModelState: () => void,
): void {
  frameSize = inputSize;
  logitTotal = logitCount;
  outputKind = kind;
  spikeBound = bound;
  logits = logitsAddress;
  expTable = expTableAddress;
  sigmoidTable = sigmoidTableAddress;
  computeFrame = computeLogits;
  clearState = clearModelState;
}

/** Runs the spike test on the logits of the frame just computed and records the result. */
function finishFrame(): bool {
  framesComputedSinceReset++;
  const spiked =
    outputKind == OUTPUT_SIGMOID ? sigmoidSpikeTest(logits, logitTotal, spikeBound, sigmoidTable, RESULT) : spikeTest(logits, logitTotal, spikeBound, expTable, RESULT);
  store<i32>(RESULT + RESULT_SPIKED, spiked ? 1 : 0);
  store<i32>(RESULT + RESULT_STEP, framesComputedSinceReset);
  spikeHeld = spiked;
  return spiked;
}

/** Clears the model state, the frame counter and the result block (spiked 0, class 0, step 0, confidence 0). */
export function reset(): void {
  clearState();
  framesComputedSinceReset = 0;
  spikeHeld = false;
  memory.fill(RESULT, 0, RESULT_BYTES);
}

/**
 * Computes the frame at the start of the input area, unless a spike is held.
 * Returns 1 when the result block holds a spike, 0 otherwise.
 */
export function step(): i32 {
  if (spikeHeld) return 1;
  computeFrame(INPUT_AREA);
  return finishFrame() ? 1 : 0;
}

/**
 * Resets, then computes `count` frames stored one after another in the input
 * area and stops at the first spike. Returns 1 on a spike, 0 otherwise; the
 * result block holds the spike, or the last frame, or zeros when `count` is 0.
 * The caller reserves the frames with reserveFrames(count) first.
 */
export function run(count: i32): i32 {
  reset();
  let frame = INPUT_AREA;
  for (let t = 0; t < count; t++) {
    computeFrame(frame);
    if (finishFrame()) return 1;
    frame += <usize>frameSize;
  }
  return 0;
}

/** Makes room for `count` frames in the input area. Returns its address, or 0 when the memory cannot grow. */
export function reserveFrames(count: i32): usize {
  if (count < 0) return 0;
  return ensureInputCapacity(<u64>count * <u64>frameSize) ? INPUT_AREA : 0;
}

export function framesComputed(): i32 {
  return framesComputedSinceReset;
}

export function resultAddress(): usize {
  return RESULT;
}

export function logitsAddress(): usize {
  return logits;
}

export function inputSize(): i32 {
  return frameSize;
}

/** Returns the number of logits per frame: one per class, or one for a two-class sigmoid output. */
export function logitCount(): i32 {
  return logitTotal;
}

/** Returns 1 when this build uses the SIMD dot products. */
export function simdEnabled(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}
