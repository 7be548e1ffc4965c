/**
 * Build entry of the kernel test module (build/runtime-as/kernels*.wasm): it
 * exports every kernel so that test/runtime-as compares each one with the
 * reference in compiler/, and an echo model for the streaming loop whose logits
 * are the frame values in Q.12 (z_j = x_j * 2^12), so tests choose the logits of
 * every frame directly.
 */
import { ensureInputCapacity, INPUT_AREA } from './memory';
import { configureStream } from './stream';

export { activationQ15, confidenceQ15, expNegQ16, requantize, roundingShift, saturate16, saturate32 } from './fixed-point';
export { collectNonzeroIndices, dotI8I16, dotI8I8, matVecI8I16, matVecI8I8, projectFrameI8, sparseMatVecI8I8 } from './dot';
export { lstmStep, lstmStepSparseInput } from './lstm';
export { gruStep } from './gru';
export { denseHidden, denseLogits } from './dense';
export { gateQ15 } from './gates';
export { dotI16I16, dotI16I8, requantizedRow } from './matrix';
export { sigmoidSpikeTest, spikeTest } from './spike';
export {
  logitCount,
  framesComputed,
  inputSize,
  logitsAddress,
  reserveFrames,
  reset,
  resultAddress,
  run,
  simdEnabled,
  step,
} from './stream';

/** Returns the input area after growing it to `bytes`, or 0 when the memory cannot grow. Kernel tests place their operands there. */
export function scratchAddress(bytes: i32): usize {
  return ensureInputCapacity(<u64>bytes) ? INPUT_AREA : 0;
}

const ECHO_MAX_CLASSES: i32 = 64;
/** Exp table of the echo model, 257 i32 entries written by the test. */
const ECHO_EXP_TABLE: usize = memory.data(257 * 4, 16);
const ECHO_LOGITS: usize = memory.data(ECHO_MAX_CLASSES * 4, 16);
let echoClasses: i32 = 0;

export function echoExpTableAddress(): usize {
  return ECHO_EXP_TABLE;
}

function computeEchoLogits(frame: usize): void {
  for (let j = 0; j < echoClasses; j++) {
    store<i32>(ECHO_LOGITS + (<usize>j << 2), <i32>load<i8>(frame + <usize>j) << 12);
  }
}

function clearEchoLogits(): void {
  memory.fill(ECHO_LOGITS, 0, <usize>(ECHO_MAX_CLASSES * 4));
}

/**
 * Configures the streaming loop with the echo model of `classes` inputs and
 * logits (at most 64). Returns 0 when `classes` is out of range, 1 otherwise.
 */
export function configureEchoModel(classes: i32, spikeBound: i32): i32 {
  if (classes < 1 || classes > ECHO_MAX_CLASSES) return 0;
  echoClasses = classes;
  configureStream(classes, classes, 0, spikeBound, ECHO_LOGITS, ECHO_EXP_TABLE, 0, computeEchoLogits, clearEchoLogits);
  return 1;
}
