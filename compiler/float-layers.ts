/**
 * The float layers of a loaded model and their forward steps in float64, as
 * Keras and TensorFlow.js define them. The compiler uses them to measure what
 * quantization costs, and tests compare them with tfjs-layers `predict`.
 *
 * Weight layouts are those of Keras and TensorFlow.js: a kernel is
 * [inputs][gates * units] and a recurrent kernel [units][gates * units], with
 * the gate blocks side by side along the columns.
 */

/**
 * The gate activation of a recurrent layer. Keras 2 and tfjs-layers define
 * hard_sigmoid(x) = clip(0.2 x + 0.5, 0, 1); Keras 3 defines it as
 * relu6(x + 3) / 6 = clip(x / 6 + 0.5, 0, 1). The topology parser picks one
 * by the keras_version that wrote model.json.
 */
export type GateActivation = 'sigmoid' | 'hard_sigmoid_keras2' | 'hard_sigmoid_keras3';

/** Activation of a Dense layer: relu, linear or sigmoid for a hidden layer, softmax or sigmoid for the output layer. */
export type DenseActivation = 'relu' | 'linear' | 'sigmoid' | 'softmax';

/** LSTM: gate blocks i, f, c (cell candidate), o along the columns. */
export interface FloatLstmLayer {
  kind: 'lstm';
  name: string;
  inputSize: number;
  units: number;
  /** [inputSize][4 * units]. */
  kernel: Float32Array;
  /** [units][4 * units]. */
  recurrentKernel: Float32Array;
  /** [4 * units]; zeros when the layer has no bias. */
  bias: Float32Array;
  recurrentActivation: GateActivation;
}

/** GRU: gate blocks z (update), r (reset), h (candidate) along the columns, as in Keras. */
export interface FloatGruLayer {
  kind: 'gru';
  name: string;
  inputSize: number;
  units: number;
  /** [inputSize][3 * units]. */
  kernel: Float32Array;
  /** [units][3 * units]. */
  recurrentKernel: Float32Array;
  /** [3 * units], added to x W; zeros when the layer has no bias. */
  inputBias: Float32Array;
  /** [3 * units], added to h U (reset_after true only); zeros when reset_after is false. */
  recurrentBias: Float32Array;
  /** Keras reset_after: apply the reset gate after the recurrent product (true) or before it (false). */
  resetAfter: boolean;
  recurrentActivation: GateActivation;
}

export interface FloatDenseLayer {
  kind: 'dense';
  /** The name that prefixes its weights: the TimeDistributed wrapper's name when wrapped. */
  name: string;
  inputSize: number;
  units: number;
  /** [inputSize][units]. */
  kernel: Float32Array;
  /** [units]; zeros when the layer has no bias. */
  bias: Float32Array;
  activation: DenseActivation;
}

export type FloatLayer = FloatLstmLayer | FloatGruLayer | FloatDenseLayer;

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Applies a gate activation to a real pre-activation. */
export function gateActivation(kind: GateActivation, x: number): number {
  switch (kind) {
    case 'sigmoid':
      return sigmoid(x);
    case 'hard_sigmoid_keras2':
      return Math.min(1, Math.max(0, 0.2 * x + 0.5));
    case 'hard_sigmoid_keras3':
      return Math.min(1, Math.max(0, x / 6 + 0.5));
  }
}

/** Adds x M to `out` for a row-major matrix M of [x.length][out.length]; zero inputs are skipped. */
function addProduct(out: Float64Array, input: ArrayLike<number>, matrix: Float32Array): void {
  const width = out.length;
  for (let j = 0; j < input.length; j++) {
    const x = input[j];
    if (x === 0) continue;
    const row = j * width;
    for (let k = 0; k < width; k++) out[k] += x * matrix[row + k];
  }
}

/** State of a recurrent layer: the hidden state, and the cell state of an LSTM (empty for a GRU). */
export interface FloatRecurrentState {
  hidden: Float64Array;
  cell: Float64Array;
}

/**
 * Advances an LSTM layer by one frame, in place on `state`:
 *   z = x W + h U + b;  i, f, o = act(z_i, z_f, z_o);  g = tanh(z_c)
 *   c' = f c + i g;  h' = o tanh(c')
 */
export function lstmForward(layer: FloatLstmLayer, state: FloatRecurrentState, input: ArrayLike<number>): void {
  const units = layer.units;
  const gates = Float64Array.from(layer.bias);
  addProduct(gates, input, layer.kernel);
  addProduct(gates, state.hidden, layer.recurrentKernel);
  for (let u = 0; u < units; u++) {
    const inputGate = gateActivation(layer.recurrentActivation, gates[u]);
    const forgetGate = gateActivation(layer.recurrentActivation, gates[units + u]);
    const candidate = Math.tanh(gates[2 * units + u]);
    const outputGate = gateActivation(layer.recurrentActivation, gates[3 * units + u]);
    state.cell[u] = forgetGate * state.cell[u] + inputGate * candidate;
    state.hidden[u] = outputGate * Math.tanh(state.cell[u]);
  }
}

/**
 * Advances a GRU layer by one frame, in place on `state.hidden`, as Keras GRUCell computes it:
 *   x_z, x_r, x_h = x W + b_in
 *   reset_after false:  z = act(x_z + h U_z), r = act(x_r + h U_r), hh = tanh(x_h + (r * h) U_h)
 *   reset_after true:   with (m_z, m_r, m_h) = h U + b_rec,
 *                       z = act(x_z + m_z), r = act(x_r + m_r), hh = tanh(x_h + r * m_h)
 *   h' = z h + (1 - z) hh
 */
export function gruForward(layer: FloatGruLayer, state: FloatRecurrentState, input: ArrayLike<number>): void {
  const units = layer.units;
  const width = 3 * units;
  const fromInput = Float64Array.from(layer.inputBias);
  addProduct(fromInput, input, layer.kernel);
  const fromHidden = Float64Array.from(layer.recurrentBias);
  const hidden = state.hidden;

  if (layer.resetAfter) {
    addProduct(fromHidden, hidden, layer.recurrentKernel);
  } else {
    // z and r read h; the candidate block reads r * h, which needs r first.
    for (let j = 0; j < units; j++) {
      for (let k = 0; k < 2 * units; k++) fromHidden[k] += hidden[j] * layer.recurrentKernel[j * width + k];
    }
  }

  const update = new Float64Array(units);
  const candidate = new Float64Array(units);
  const reset = new Float64Array(units);
  for (let u = 0; u < units; u++) {
    update[u] = gateActivation(layer.recurrentActivation, fromInput[u] + fromHidden[u]);
    reset[u] = gateActivation(layer.recurrentActivation, fromInput[units + u] + fromHidden[units + u]);
  }
  if (!layer.resetAfter) {
    for (let j = 0; j < units; j++) {
      const resetHidden = reset[j] * hidden[j];
      for (let u = 0; u < units; u++) fromHidden[2 * units + u] += resetHidden * layer.recurrentKernel[j * width + 2 * units + u];
    }
  }

  for (let u = 0; u < units; u++) {
    const recurrentTerm = layer.resetAfter ? reset[u] * fromHidden[2 * units + u] : fromHidden[2 * units + u];
    candidate[u] = Math.tanh(fromInput[2 * units + u] + recurrentTerm);
  }
  for (let u = 0; u < units; u++) hidden[u] = update[u] * hidden[u] + (1 - update[u]) * candidate[u];
}

/** Dense logits z = x V + b, before the activation: the output layer's result, from which the caller takes softmax or sigmoid. */
export function denseLogitsForward(layer: FloatDenseLayer, input: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(layer.bias);
  addProduct(out, input, layer.kernel);
  return out;
}

/** Hidden Dense layer: y = act(x V + b) with act relu, sigmoid or the identity. */
export function denseForward(layer: FloatDenseLayer, input: ArrayLike<number>): Float64Array {
  const out = denseLogitsForward(layer, input);
  if (layer.activation === 'relu') for (let k = 0; k < out.length; k++) out[k] = Math.max(0, out[k]);
  if (layer.activation === 'sigmoid') for (let k = 0; k < out.length; k++) out[k] = sigmoid(out[k]);
  return out;
}
