/**
 * One LSTM step in fixed point, Keras gate order i, f, g (cell candidate), o;
 * act is the layer's gate activation (gates.ts):
 *   a_r  = sat16(rq(W_r . x, kx_r) + rq(U_r . h, kh_r) + b_r)       Q3.12
 *   i, f, o = act(a), g = tanh(a)                                  Q0.15, act in [0, 32768]
 *   c'   = sat32((f * c + i * g + 2^14) >> 15)                     Q16.15
 *   h'   = sat16((o * tanh(sat16((c' + 4) >> 3)) + 2^14) >> 15)    Q0.15
 * x is the int8 frame (first layer) or the int16 Q0.15 hidden state of the layer
 * below; rq is the rounding requantization. Same arithmetic as lstmStep in
 * compiler/simulator.ts.
 */
import { matVecI8I16, matVecI8I8, projectFrameI8 } from './dot';
import { activationQ15, requantize, roundingShift, saturate16, saturate32 } from './fixed-point';
import { gateQ15 } from './gates';
import { requantizedRow } from './matrix';

/**
 * Per-row parameters of an LSTM layer: five i32 values per gate row, in the order
 * kernel multiplier, kernel shift, recurrent multiplier, recurrent shift, bias (Q3.12).
 */
export const LSTM_ROW_PARAMS: i32 = 5;

/**
 * Advances one LSTM layer by one frame.
 *
 * Memory: `kernel` is [4 * units][inputSize] row-major, `recurrentKernel` is
 * [4 * units][units], both int16 when `weightsAreInt16` and int8 otherwise,
 * `rowParams` is i32 [4 * units][LSTM_ROW_PARAMS],
 * `hidden` is int16 [units] (Q0.15), `cell` is i32 [units] (Q16.15), `gates` is
 * i32 [8 * units] scratch. `hidden` and `cell` are read and then overwritten.
 * Every gate row reads the previous hidden state, because all accumulators are
 * computed before the second loop writes the new state.
 */
export function lstmStep(
  input: usize,
  inputIsInt16: bool,
  inputSize: i32,
  units: i32,
  kernel: usize,
  recurrentKernel: usize,
  weightsAreInt16: bool,
  rowParams: usize,
  hidden: usize,
  cell: usize,
  gates: usize,
  gateKind: i32,
  sigmoidTable: usize,
  tanhTable: usize,
): void {
  const rows = units << 2;
  if (weightsAreInt16) {
    for (let r = 0; r < rows; r++) {
      const params = rowParams + <usize>(r * LSTM_ROW_PARAMS) * 4;
      // Two requantized terms below 2^52 (proven by the compiler) plus an int32 bias: exact in i64.
      const preActivation =
        requantizedRow(kernel, true, r, inputSize, input, inputIsInt16, load<i32>(params, 0), load<i32>(params, 4)) +
        requantizedRow(recurrentKernel, true, r, units, hidden, true, load<i32>(params, 8), load<i32>(params, 12)) +
        <i64>load<i32>(params, 16);
      store<i32>(gates + (<usize>r << 2), saturate16(preActivation));
    }
  } else {
    int8PreActivations(input, inputIsInt16, inputSize, units, kernel, recurrentKernel, rowParams, hidden, gates);
  }
  updateCells(units, gates, hidden, cell, gateKind, sigmoidTable, tanhTable);
}

/**
 * Advances a first LSTM layer with int8 weights by one int8 frame, like lstmStep,
 * but skips zero inputs in W . x when the frame is sparse (projectFrameI8 in dot.ts).
 *
 * Memory: as lstmStep, plus `kernelColumns`, the kernel column-major
 * ([inputSize][4 * units] int8), and `nonzeroIndices`, scratch for inputSize i32.
 */
export function lstmStepSparseInput(
  input: usize,
  inputSize: i32,
  units: i32,
  kernel: usize,
  kernelColumns: usize,
  nonzeroIndices: usize,
  recurrentKernel: usize,
  rowParams: usize,
  hidden: usize,
  cell: usize,
  gates: usize,
  gateKind: i32,
  sigmoidTable: usize,
  tanhTable: usize,
): void {
  projectFrameI8(kernel, kernelColumns, units << 2, inputSize, input, nonzeroIndices, gates);
  finishInt8PreActivations(units, recurrentKernel, rowParams, hidden, gates);
  updateCells(units, gates, hidden, cell, gateKind, sigmoidTable, tanhTable);
}

/** Computes the gate pre-activations of int8 weights, four rows at a time with the matrix-vector products of dot.ts. */
function int8PreActivations(
  input: usize,
  inputIsInt16: bool,
  inputSize: i32,
  units: i32,
  kernel: usize,
  recurrentKernel: usize,
  rowParams: usize,
  hidden: usize,
  gates: usize,
): void {
  const rows = units << 2;
  if (inputIsInt16) matVecI8I16(kernel, rows, inputSize, input, gates);
  else matVecI8I8(kernel, rows, inputSize, input, gates);
  finishInt8PreActivations(units, recurrentKernel, rowParams, hidden, gates);
}

/**
 * Adds U . h to the accumulators W . x in gates[0, 4 units) and overwrites them
 * with the saturated pre-activations. gates[4 units, 8 units) gets U . h.
 */
function finishInt8PreActivations(units: i32, recurrentKernel: usize, rowParams: usize, hidden: usize, gates: usize): void {
  const rows = units << 2;
  const hiddenAccumulators = gates + (<usize>rows << 2);
  matVecI8I16(recurrentKernel, rows, units, hidden, hiddenAccumulators);

  for (let r = 0; r < rows; r++) {
    const params = rowParams + <usize>(r * LSTM_ROW_PARAMS) * 4;
    const gate = gates + (<usize>r << 2);
    // Two requantized terms of magnitude < 2^46 plus an int32 bias: exact in i64.
    const preActivation =
      requantize(load<i32>(gate), load<i32>(params, 0), load<i32>(params, 4)) +
      requantize(load<i32>(hiddenAccumulators + (<usize>r << 2)), load<i32>(params, 8), load<i32>(params, 12)) +
      <i64>load<i32>(params, 16);
    store<i32>(gate, saturate16(preActivation));
  }
}

/** Applies the gates (i32 Q3.12 at `gates`, rows i, f, g, o) to every unit's cell and hidden state. */
function updateCells(units: i32, gates: usize, hidden: usize, cell: usize, gateKind: i32, sigmoidTable: usize, tanhTable: usize): void {
  for (let u = 0; u < units; u++) {
    const inputGate = gateQ15(gateKind, sigmoidTable, load<i32>(gates + (<usize>u << 2)));
    const forgetGate = gateQ15(gateKind, sigmoidTable, load<i32>(gates + (<usize>(units + u) << 2)));
    const candidate = activationQ15(tanhTable, load<i32>(gates + (<usize>(2 * units + u) << 2)));
    const outputGate = gateQ15(gateKind, sigmoidTable, load<i32>(gates + (<usize>(3 * units + u) << 2)));

    // f * c reaches 2^15 * 2^31 = 2^46, so the cell update runs in i64.
    // |i * g| <= 2^15 * 2^15 = 2^30 fits in i32.
    const cellAddress = cell + (<usize>u << 2);
    const cellSum = <i64>forgetGate * <i64>load<i32>(cellAddress) + <i64>(inputGate * candidate);
    const nextCell = saturate32(roundingShift(cellSum, 15));
    store<i32>(cellAddress, nextCell);

    // c' + 4 can pass 2^31 - 1, so the shift also runs in i64.
    const cellTanh = activationQ15(tanhTable, saturate16(roundingShift(<i64>nextCell, 3)));
    // 0 <= o <= 32768 and |tanh| <= 32768: the product and its rounding fit in i32.
    store<i16>(hidden + (<usize>u << 1), <i16>saturate16(roundingShift(<i64>(outputGate * cellTanh), 15)));
  }
}
