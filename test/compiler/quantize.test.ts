import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { UserError } from '../../common/errors.js';
import type { FloatModel } from '../../compiler/float-model.js';
import type { QDenseLayer, QLstmLayer } from '../../compiler/qmodel.js';
import { quantizeModel } from '../../compiler/quantize.js';
import { randomFloatModel, denseOf, lstmOf } from '../golden/random-model.js';

function smallModel(overrides: Partial<Parameters<typeof randomFloatModel>[0]> = {}): FloatModel {
  return randomFloatModel({
    name: 'quantize-test',
    seed: 21,
    inputSize: 7,
    units: 3,
    classes: 4,
    kernelStd: 0.4,
    recurrentStd: 0.4,
    denseStd: 1,
    biasStd: 0.3,
    forgetBias: 1,
    threshold: 0.95,
    inputMin: 0,
    inputMax: 1,
    ...overrides,
  });
}

/** Builds a model whose three weight matrices are filled with 0.5. */
function constantModel(inputSize: number, units: number, classes: number): FloatModel {
  const model = smallModel({ inputSize, units, classes });
  lstmOf(model).kernel.fill(0.5);
  lstmOf(model).recurrentKernel.fill(0.5);
  denseOf(model).kernel.fill(0.5);
  return model;
}

function rejectsWith(model: FloatModel, pattern: RegExp): void {
  assert.throws(
    () => quantizeModel(model),
    (error: unknown) => error instanceof UserError && pattern.test(error.message),
  );
}

describe('quantizeModel', () => {
  const model = smallModel();
  const qmodel = quantizeModel(model);
  const lstm = qmodel.layers[0] as QLstmLayer;
  const dense = qmodel.layers[1] as QDenseLayer;

  it('derives input scale and spike bound', () => {
    assert.equal(qmodel.inputScale, 1 / 127);
    assert.equal(qmodel.spikeBound, 68985);
    assert.equal(qmodel.inputSize, 7);
  });

  it('transposes to rows with the row maximum at 127', () => {
    const rows = 4 * 3;
    for (let r = 0; r < rows; r++) {
      const row = lstm.kernel.slice(r * 7, (r + 1) * 7);
      assert.equal(Math.max(...row.map(Math.abs)), 127, `row ${r}`);
      let maxAbs = 0;
      for (let c = 0; c < 7; c++) maxAbs = Math.max(maxAbs, Math.abs(lstmOf(model).kernel[c * rows + r]));
      for (let c = 0; c < 7; c++) {
        const real = lstmOf(model).kernel[c * rows + r];
        assert.ok(Math.abs(row[c] * (maxAbs / 127) - real) <= maxAbs / 254 + 1e-12, `row ${r} col ${c}`);
      }
    }
  });

  it('splits requantization multipliers to the real scales', () => {
    const rows = 12;
    for (let r = 0; r < rows; r++) {
      let maxAbs = 0;
      for (let c = 0; c < 7; c++) maxAbs = Math.max(maxAbs, Math.abs(lstmOf(model).kernel[c * rows + r]));
      const expected = (maxAbs / 127) * (1 / 127) * 4096;
      const actual = lstm.kernelRequant.mult[r] * 2 ** -lstm.kernelRequant.shift[r];
      assert.ok(Math.abs(actual - expected) / expected <= 2 ** -15, `kernel row ${r}`);
    }
    for (let r = 0; r < 4; r++) {
      let maxAbs = 0;
      for (let c = 0; c < 3; c++) maxAbs = Math.max(maxAbs, Math.abs(denseOf(model).kernel[c * 4 + r]));
      const expected = maxAbs / 127 / 8;
      const actual = dense.requant.mult[r] * 2 ** -dense.requant.shift[r];
      assert.ok(Math.abs(actual - expected) / expected <= 2 ** -15, `dense row ${r}`);
    }
  });

  it('rounds biases to Q.12', () => {
    assert.deepEqual(lstm.bias, Array.from(lstmOf(model).bias, (b) => Math.sign(b) * Math.round(Math.abs(b) * 4096) + 0));
    assert.deepEqual(dense.bias, Array.from(denseOf(model).bias, (b) => Math.sign(b) * Math.round(Math.abs(b) * 4096) + 0));
  });

  it('quantizes an all-zero row to zero weights and multiplier', () => {
    const zeroRow = smallModel();
    for (let c = 0; c < 7; c++) lstmOf(zeroRow).kernel[c * 12 + 5] = 0;
    const quantized = quantizeModel(zeroRow).layers[0] as QLstmLayer;
    assert.deepEqual(quantized.kernel.slice(5 * 7, 6 * 7), [0, 0, 0, 0, 0, 0, 0]);
    assert.equal(quantized.kernelRequant.mult[5], 0);
  });
});

describe('quantizeModel bounds', () => {
  it('accepts the largest kernel row that fits', () => {
    // 132104 * 127 * 128 = 2147482624 < 2^31
    const model = constantModel(132104, 1, 2);
    assert.doesNotThrow(() => quantizeModel(model));
  });

  it('rejects a kernel accumulator beyond int32', () => {
    // 132105 * 127 * 128 = 2147498880 >= 2^31
    rejectsWith(constantModel(132105, 1, 2), /layer "lstm" row 0 \(input gate, unit 0\): the kernel accumulator can reach 16777335 \* 128 = 2147498880/);
  });

  it('rejects a recurrent accumulator beyond int32', () => {
    // 517 * 127 * 32768 >= 2^31
    rejectsWith(constantModel(2, 517, 2), /layer "lstm" row 0 \(input gate, unit 0\): the recurrent accumulator can reach 65659 \* 32768/);
  });

  it('rejects a dense accumulator beyond int32', () => {
    const model = constantModel(2, 517, 2);
    // Keep the recurrent rows small: only column 0 of each row (Keras index r) is non-zero.
    lstmOf(model).recurrentKernel.fill(0);
    for (let r = 0; r < 4 * 517; r++) lstmOf(model).recurrentKernel[r] = 1;
    rejectsWith(model, /layer "dense" output 0: the dense accumulator can reach 65659 \* 32768/);
  });

  it('rejects a multiplier too large for the shift range', () => {
    const model = smallModel({ inputMin: -1e6, inputMax: 1e6 });
    rejectsWith(model, /layer "lstm" row 0 \(input gate, unit 0\): the kernel requantization multiplier .* is too large/);
  });

  it('rejects a bias beyond int32', () => {
    const model = smallModel();
    denseOf(model).bias[2] = 1e6;
    rejectsWith(model, /layer "dense" output 2: bias 1000000 does not fit in int32/);
  });
});
