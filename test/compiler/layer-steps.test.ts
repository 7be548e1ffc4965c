/**
 * The integer layer steps of compiler/simulator-layers.ts against the float
 * layers of compiler/float-layers.ts, for every layer kind and both weight
 * widths, and the saturation of the LSTM cell over long sequences.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { INT32_MAX } from '../../compiler/fixed-point.js';
import { floatProbabilities, softmax } from '../../compiler/float-model.js';
import type { QLstmLayer, QModel } from '../../compiler/qmodel.js';
import { quantizeModel } from '../../compiler/quantize.js';
import { type RecurrentState, denseHidden, denseLogits, gruStep, lstmStep, quantizeInput } from '../../compiler/simulator.js';
import { GoldenRandom, type RandomLayerSpec, randomNetwork } from '../golden/random-model.js';

/** Runs every frame through the integer layers, without the early exit of the simulator; returns the probabilities. */
function integerProbabilities(qmodel: QModel, frames: number[][]): Float64Array[] {
  const states: RecurrentState[] = qmodel.layers.map((layer) => ({
    hidden: new Int32Array(layer.units),
    cell: new Int32Array(layer.kind === 'lstm' ? layer.units : 0),
  }));
  const logits = new Int32Array(qmodel.labels.length);
  return frames.map((frame) => {
    let input: ArrayLike<number> = frame.map((value) => quantizeInput(value, qmodel.inputScale));
    qmodel.layers.forEach((layer, index) => {
      const state = states[index];
      if (layer.kind === 'lstm') lstmStep(layer, state, input);
      else if (layer.kind === 'gru') gruStep(layer, state, input);
      else if (layer.activation === 'softmax') denseLogits(layer, input, logits);
      else denseHidden(layer, input, state.hidden);
      input = state.hidden;
    });
    return softmax(Float64Array.from(logits, (z) => z / 4096));
  });
}

const recurrent = { kernelStd: 0.4, recurrentStd: 0.3, biasStd: 0.4 };
const NETWORKS: [string, RandomLayerSpec[]][] = [
  ['stacked LSTM', [{ kind: 'lstm', units: 12, ...recurrent }, { kind: 'lstm', units: 10, ...recurrent }, { kind: 'dense', units: 4, activation: 'softmax', std: 1, biasStd: 0.2 }]],
  ['GRU reset_after true', [{ kind: 'gru', units: 12, resetAfter: true, ...recurrent }, { kind: 'dense', units: 4, activation: 'softmax', std: 1, biasStd: 0.2 }]],
  ['GRU reset_after false', [{ kind: 'gru', units: 12, resetAfter: false, ...recurrent }, { kind: 'dense', units: 4, activation: 'softmax', std: 1, biasStd: 0.2 }]],
  ['hard sigmoid LSTM and dense head', [
    { kind: 'lstm', units: 12, activation: 'hard_sigmoid_keras2', ...recurrent },
    { kind: 'dense', units: 10, activation: 'relu', std: 0.5, biasStd: 0.2 },
    { kind: 'dense', units: 6, activation: 'linear', std: 0.5, biasStd: 0.2 },
    { kind: 'dense', units: 4, activation: 'softmax', std: 1, biasStd: 0.2 },
  ]],
  ['Keras 3 hard sigmoid GRU', [{ kind: 'gru', units: 12, resetAfter: true, activation: 'hard_sigmoid_keras3', ...recurrent }, { kind: 'dense', units: 4, activation: 'softmax', std: 1, biasStd: 0.2 }]],
];

function largestDifference(name: string, layers: RandomLayerSpec[], weightBits: 8 | 16): number {
  const model = randomNetwork({ name, seed: 71, inputSize: 16, layers, threshold: 0.9, inputMin: -1, inputMax: 1 });
  const qmodel = quantizeModel(model, { weightBits });
  const random = new GoldenRandom(72);
  let largest = 0;
  for (let sequence = 0; sequence < 8; sequence++) {
    const frames = Array.from({ length: 25 }, () => Array.from({ length: 16 }, () => 2 * random.nextFloat() - 1));
    const expected = floatProbabilities(model, frames);
    const actual = integerProbabilities(qmodel, frames);
    for (let t = 0; t < frames.length; t++) {
      for (let c = 0; c < 4; c++) largest = Math.max(largest, Math.abs(expected[t][c] - actual[t][c]));
    }
  }
  return largest;
}

describe('integer layers track the float layers', () => {
  for (const [name, layers] of NETWORKS) {
    it(`${name}, int8 and int16 weights`, () => {
      const int8 = largestDifference(name, layers, 8);
      const int16 = largestDifference(name, layers, 16);
      // int8 weights carry up to 0.4 % error each and the tables up to 2^-10; probabilities stay within a few percent.
      assert.ok(int8 < 0.05, `${name}: int8 largest probability difference ${int8}`);
      // int16 weights remove the weight error; what is left is the activation tables and the Q0.15 states.
      assert.ok(int16 < 0.02, `${name}: int16 largest probability difference ${int16}`);
      assert.ok(int16 <= int8, `${name}: int16 (${int16}) is not closer than int8 (${int8})`);
    });
  }
});

/**
 * Returns an LSTM of one unit whose gates i, f, o are at 3.0 (exactly 1.0
 * through the hard sigmoid) and whose candidate saturates at tanh(8). Its cell
 * grows by 32767 (about 1.0) per frame until sat32 stops it, and an input of
 * 127 drives the forget gate to 0.
 */
function saturatingLstm(): QLstmLayer {
  return {
    kind: 'lstm',
    name: 'saturating',
    inputSize: 1,
    units: 1,
    weightBits: 8,
    kernel: [0, -127, 0, 0],
    // 127 * 127 * mult * 2^-shift = 24576 (6.0) lowers the forget gate from 3.0 to -3.0.
    kernelRequant: { mult: [0, 24965, 0, 0], shift: [1, 14, 1, 1] },
    recurrentKernel: [0, 0, 0, 0],
    recurrentRequant: { mult: [0, 0, 0, 0], shift: [1, 1, 1, 1] },
    bias: [12288, 12288, 32767, 12288],
    recurrentActivation: 'hard_sigmoid_keras2',
  };
}

describe('LSTM cell over long sequences', () => {
  it('grows by one step per frame, saturates at INT32_MAX and recovers', () => {
    const layer = saturatingLstm();
    const state = { hidden: new Int32Array(1), cell: new Int32Array(1) };
    const perFrame = 32767;
    const framesToSaturate = Math.ceil(INT32_MAX / perFrame);
    for (let t = 1; t <= framesToSaturate + 100; t++) {
      lstmStep(layer, state, [0]);
      assert.equal(state.cell[0], Math.min(t * perFrame, INT32_MAX), `cell after frame ${t}`);
    }
    // Beyond 8.0 the tanh input is clipped, so h stays at round(tanh(8) * 2^15) from frame 9 on.
    assert.equal(state.hidden[0], 32767);
    // The forget gate drops to exactly 0: the cell restarts from i * g alone.
    lstmStep(layer, state, [127]);
    assert.equal(state.cell[0], perFrame);
  });
});
