/**
 * The integer layer steps of the reference simulator: LSTM, GRU and dense.
 * Every runtime reproduces them bit for bit; docs/FIXED_POINT.md states the
 * same equations. rq(acc, m) is the rounding requantization of fixed-point.ts,
 * `>>` a floor shift, (v + 2^(s-1)) >> s the round-half-up shift roundShift.
 *
 * Layer inputs are the int8 frame (first layer) or the int16 output of the
 * layer below. Hidden states and gate outputs are Q0.15, gate pre-activations
 * Q3.12, the LSTM cell Q16.15 in int32.
 */
import {
  ONE_Q15,
  SIGMOID_TABLE,
  TANH_TABLE,
  activationQ15,
  gateQ15,
  requantize,
  requantizeWide,
  roundingShift,
  saturate16,
  saturate32,
} from './fixed-point.js';
import type { QDenseLayer, QGruLayer, QLstmLayer, Requant, WeightBits } from './qmodel.js';

export interface RecurrentState {
  /** Q0.15, [units]. */
  hidden: Int32Array;
  /** LSTM cell state, Q16.15, [units]; empty for a GRU. */
  cell: Int32Array;
}

/**
 * rq(W_r . x) for row r of an int8 or int16 weight matrix [rows][length].
 * The dot product is exact: |acc| < 2^31 for int8 weights and < 2^47 for int16
 * weights, both proven by the compiler, and both below 2^53.
 */
export function requantizedRow(
  weights: number[],
  bits: WeightBits,
  requant: Requant,
  row: number,
  input: ArrayLike<number>,
  length: number,
): number {
  const offset = row * length;
  let acc = 0;
  for (let j = 0; j < length; j++) acc += weights[offset + j] * input[j];
  return bits === 8 ? requantize(acc, requant.mult[row], requant.shift[row]) : requantizeWide(acc, requant.mult[row], requant.shift[row]);
}

/**
 * Advances an LSTM layer by one frame, Keras gate order i, f, g, o. act is the
 * layer's gate activation.
 *   a_r  = sat16(rq(W_r . x, kx_r) + rq(U_r . h, kh_r) + b_r)       Q3.12
 *   i, f, o = act(a), g = tanh(a)                                  Q0.15 (act: [0, 32768])
 *   c'   = sat32((f * c + i * g + 2^14) >> 15)                     Q16.15
 *   h'   = sat16((o * tanh(sat16((c' + 4) >> 3)) + 2^14) >> 15)    Q0.15
 */
export function lstmStep(layer: QLstmLayer, state: RecurrentState, input: ArrayLike<number>): void {
  const units = layer.units;
  const gates = new Int32Array(4 * units);
  for (let r = 0; r < 4 * units; r++) {
    const fromInput = requantizedRow(layer.kernel, layer.weightBits, layer.kernelRequant, r, input, layer.inputSize);
    const fromHidden = requantizedRow(layer.recurrentKernel, layer.weightBits, layer.recurrentRequant, r, state.hidden, units);
    gates[r] = saturate16(fromInput + fromHidden + layer.bias[r]);
  }
  const act = layer.recurrentActivation;
  for (let u = 0; u < units; u++) {
    const inputGate = gateQ15(act, gates[u]);
    const forgetGate = gateQ15(act, gates[units + u]);
    const candidate = activationQ15(TANH_TABLE, gates[2 * units + u]);
    const outputGate = gateQ15(act, gates[3 * units + u]);
    const cell = saturate32(roundingShift(forgetGate * state.cell[u] + inputGate * candidate, 15));
    state.cell[u] = cell;
    const cellTanh = activationQ15(TANH_TABLE, saturate16(roundingShift(cell, 3)));
    state.hidden[u] = saturate16(roundingShift(outputGate * cellTanh, 15));
  }
}

/**
 * Advances a GRU layer by one frame, Keras gate order z, r, h. act is the
 * layer's gate activation, b the input bias, and b' the recurrent bias, which
 * is zero unless reset_after.
 *   a_z, a_r = sat16(rq(W . x) + b + rq(U . h) + b')                           Q3.12
 *   z, r = act(a_z), act(a_r)                                                   Q0.15, [0, 32768]
 *   reset_after false:  rh = (r * h + 2^14) >> 15                                Q0.15
 *                       a_h = sat16(rq(W_h . x) + b_h + rq(U_h . rh))            Q3.12
 *   reset_after true:   m = sat32(rq(U_h . h) + b'_h)                            Q3.12
 *                       a_h = sat16(rq(W_h . x) + b_h + ((r * m + 2^14) >> 15))  Q3.12
 *   hh = tanh(a_h);  h' = sat16((z * h + (32768 - z) * hh + 2^14) >> 15)         Q0.15
 * rh never leaves int16 because r <= 1.0, and |z h + (1 - z) hh| <= 2^30.
 */
export function gruStep(layer: QGruLayer, state: RecurrentState, input: ArrayLike<number>): void {
  const units = layer.units;
  const bits = layer.weightBits;
  const hidden = state.hidden;
  const act = layer.recurrentActivation;
  const fromInput = (row: number) => requantizedRow(layer.kernel, bits, layer.kernelRequant, row, input, layer.inputSize) + layer.bias[row];
  const fromHidden = (row: number, vector: ArrayLike<number>) =>
    requantizedRow(layer.recurrentKernel, bits, layer.recurrentRequant, row, vector, units) + layer.recurrentBias[row];

  const gates = new Int32Array(3 * units);
  for (let r = 0; r < 2 * units; r++) gates[r] = saturate16(fromInput(r) + fromHidden(r, hidden));
  if (layer.resetAfter) {
    for (let u = 0; u < units; u++) {
      const row = 2 * units + u;
      const recurrent = saturate32(fromHidden(row, hidden));
      gates[row] = saturate16(fromInput(row) + roundingShift(gateQ15(act, gates[units + u]) * recurrent, 15));
    }
  } else {
    const resetHidden = new Int32Array(units);
    for (let u = 0; u < units; u++) resetHidden[u] = roundingShift(gateQ15(act, gates[units + u]) * hidden[u], 15);
    for (let u = 0; u < units; u++) {
      const row = 2 * units + u;
      gates[row] = saturate16(fromInput(row) + fromHidden(row, resetHidden));
    }
  }
  for (let u = 0; u < units; u++) {
    const update = gateQ15(act, gates[u]);
    const candidate = activationQ15(TANH_TABLE, gates[2 * units + u]);
    hidden[u] = saturate16(roundingShift(update * hidden[u] + (ONE_Q15 - update) * candidate, 15));
  }
}

/** Dense logits: z_r = sat32(rq(V_r . x, m_r) + b_r) in Q.12. */
export function denseLogits(layer: QDenseLayer, input: ArrayLike<number>, out: Int32Array): void {
  for (let r = 0; r < layer.units; r++) {
    out[r] = saturate32(requantizedRow(layer.kernel, layer.weightBits, layer.requant, r, input, layer.inputSize) + layer.bias[r]);
  }
}

/**
 * Hidden dense layer.
 *   relu, linear:  y_r = sat16(act(rq(V_r . x, m_r) + b_r))        Q(15 - f).f, act max(0, v) or the identity
 *   sigmoid:       y_r = sigmoid(sat16(rq(V_r . x, m_r) + b_r))    sum Q3.12 (f = 12), y Q0.15 in [0, 32767]
 */
export function denseHidden(layer: QDenseLayer, input: ArrayLike<number>, out: Int32Array): void {
  for (let r = 0; r < layer.units; r++) {
    const value = requantizedRow(layer.kernel, layer.weightBits, layer.requant, r, input, layer.inputSize) + layer.bias[r];
    if (layer.activation === 'sigmoid') out[r] = activationQ15(SIGMOID_TABLE, saturate16(value));
    else out[r] = saturate16(layer.activation === 'relu' ? Math.max(0, value) : value);
  }
}
