/**
 * The formats the quantizer picks: int16 weights, the int64 accumulator proof,
 * the hidden Dense format from the safe bound or from calibration.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { UserError } from '../../common/errors.js';
import { setLogLevel } from '../../common/log.js';
import { calibrate } from '../../compiler/calibrate.js';
import type { FloatDenseLayer, FloatModel } from '../../compiler/float-model.js';
import type { QDenseLayer, QGruLayer } from '../../compiler/qmodel.js';
import { hiddenFracBits, quantizeModel, safeOutputBound } from '../../compiler/quantize.js';
import { checkAccumulators } from '../../compiler/quantize-rows.js';
import { GoldenRandom, randomNetwork } from '../golden/random-model.js';

setLogLevel('error');

function network(hiddenStd: number): FloatModel {
  return randomNetwork({
    name: 'formats',
    seed: 61,
    inputSize: 5,
    threshold: 0.9,
    inputMin: -1,
    inputMax: 1,
    layers: [
      { kind: 'gru', units: 6, resetAfter: true, kernelStd: 0.5, recurrentStd: 0.5, biasStd: 0.3 },
      { kind: 'dense', units: 4, activation: 'relu', std: hiddenStd, biasStd: 0.1 },
      { kind: 'dense', units: 3, activation: 'softmax', std: 1, biasStd: 0.1 },
    ],
  });
}

describe('hidden Dense formats', () => {
  it('hiddenFracBits keeps the bound inside int16', () => {
    assert.equal(hiddenFracBits(0), 15);
    assert.equal(hiddenFracBits(0.9), 15); // Q0.15 holds up to 32767 / 32768
    assert.equal(hiddenFracBits(1), 14);
    assert.equal(hiddenFracBits(7.99), 12);
    assert.equal(hiddenFracBits(8), 11);
    assert.equal(hiddenFracBits(1e6), 0);
    for (let bound = 0.01; bound < 30000; bound *= 1.7) {
      const bits = hiddenFracBits(bound);
      assert.ok(bound * 2 ** bits <= 32767, `bound ${bound} fits Q${15 - bits}.${bits}`);
      if (bits < 15) assert.ok(bound * 2 ** (bits + 1) > 32767, `bound ${bound} needs no more than ${bits} fractional bits`);
    }
  });

  it('safeOutputBound is max_r sum_j |V_jr| * bound + |b_r|', () => {
    const layer: FloatDenseLayer = {
      kind: 'dense',
      name: 'd',
      inputSize: 2,
      units: 2,
      kernel: Float32Array.from([1, -2, -3, 0.5]), // [inputs][units]
      bias: Float32Array.from([0.25, -4]),
      activation: 'relu',
    };
    // unit 0: (1 + 3) * 2 + 0.25 = 8.25; unit 1: (2 + 0.5) * 2 + 4 = 9
    assert.equal(safeOutputBound(layer, 2), 9);
  });

  it('uses the safe bound without calibration and the measured range with it', () => {
    const model = network(3);
    const safe = quantizeModel(model).layers[1] as QDenseLayer;
    const dense = model.layers[1] as FloatDenseLayer;
    assert.equal(safe.outputFracBits, hiddenFracBits(safeOutputBound(dense, 1)));

    const random = new GoldenRandom(62);
    const sequences = Array.from({ length: 10 }, () => ({ frames: Array.from({ length: 8 }, () => Array.from({ length: 5 }, () => 2 * random.nextFloat() - 1)) }));
    const result = calibrate(model, sequences);
    assert.equal(result.frames, 80);
    assert.ok(result.inputMaxAbs <= 1);
    const range = result.hiddenRanges.get(1)!;
    assert.ok(range > 0, `calibrated range ${range}`);
    assert.ok(range < safeOutputBound(dense, 1), `calibrated range ${range} is below the safe bound`);
    const calibrated = quantizeModel(model, { calibratedRanges: result.hiddenRanges }).layers[1] as QDenseLayer;
    assert.equal(calibrated.outputFracBits, hiddenFracBits(range));
    assert.ok(calibrated.outputFracBits >= safe.outputFracBits);
    assert.deepEqual([...result.hiddenRanges.keys()], [1], 'only hidden Dense layers are calibrated');
  });
});

describe('input scale', () => {
  it('comes from calibration without a stated range', () => {
    const model = network(3);
    const sequences = [{ frames: [[3, -1.5, 0, 2, -0.25]] }];
    const inputMaxAbs = calibrate(model, sequences).inputMaxAbs;
    assert.equal(inputMaxAbs, 3);

    const unstated = { ...model, settings: { ...model.settings, inputRangeStated: false } };
    assert.equal(quantizeModel(unstated, { calibratedInputMaxAbs: inputMaxAbs }).inputScale, 3 / 127);
    assert.equal(quantizeModel(unstated).inputScale, Math.max(Math.abs(model.settings.inputMin), Math.abs(model.settings.inputMax)) / 127);
  });

  it('keeps the range that model.json states', () => {
    const model = network(3);
    const stated = { ...model, settings: { ...model.settings, inputRangeStated: true } };
    const expected = Math.max(Math.abs(model.settings.inputMin), Math.abs(model.settings.inputMax)) / 127;
    assert.equal(quantizeModel(stated, { calibratedInputMaxAbs: 3 }).inputScale, expected);
  });
});

describe('int16 weights', () => {
  it('use the full int16 range per row', () => {
    const qmodel = quantizeModel(network(1), { weightBits: 16 });
    const gru = qmodel.layers[0] as QGruLayer;
    for (let row = 0; row < 3 * gru.units; row++) {
      const values = gru.kernel.slice(row * gru.inputSize, (row + 1) * gru.inputSize);
      assert.equal(Math.max(...values.map(Math.abs)), 32767, `row ${row}`);
    }
    assert.ok(qmodel.layers.every((layer) => layer.weightBits === 16));
  });

  it('prove int64 accumulators below 2^47 and int32 ones below 2^31', () => {
    const requant = { mult: [16384], shift: [30] };
    const where = () => 'layer "x" row 0';
    const rows = (absSum: number) => ({ values: [], scales: [0], absSums: [absSum] });
    // int16 weights: sum |w| * 32768 must stay below 2^47.
    assert.doesNotThrow(() => checkAccumulators(rows(2 ** 32 - 1), 16, 32768, requant, where, 'kernel'));
    assert.throws(
      () => checkAccumulators(rows(2 ** 32), 16, 32768, requant, where, 'kernel'),
      (error: unknown) => error instanceof UserError && /layer "x" row 0: the kernel accumulator can reach 4294967296 \* 32768 = 140737488355328, which is not below 2\^47/.test(error.message),
    );
    // int8 weights: sum |w| * 128 must stay below 2^31.
    assert.doesNotThrow(() => checkAccumulators(rows(2 ** 24 - 1), 8, 128, requant, where, 'kernel'));
    assert.throws(() => checkAccumulators(rows(2 ** 24), 8, 128, requant, where, 'kernel'), /which does not fit in int32/);
  });

  it('bound each requantized term for the exact-sum proof', () => {
    const terms = checkAccumulators({ values: [], scales: [0], absSums: [1000] }, 16, 32768, { mult: [16384], shift: [20] }, () => 'row', 'kernel');
    // 1000 * 32768 * 16384 / 2^20 = 512000, plus one for the rounding.
    assert.deepEqual(terms, [512001]);
  });
});
