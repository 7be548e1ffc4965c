import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { quantizeModel } from '../../compiler/quantize.js';
import { buildReport, formatReport } from '../../compiler/report.js';
import { randomFloatModel } from '../golden/random-model.js';

const qmodel = quantizeModel(
  randomFloatModel({
    name: 'report',
    seed: 51,
    inputSize: 4,
    units: 3,
    classes: 2,
    kernelStd: 0.5,
    recurrentStd: 0.5,
    denseStd: 1,
    biasStd: 0.2,
    forgetBias: 1,
    threshold: 0.95,
    inputMin: -1,
    inputMax: 1,
  }),
);

describe('buildReport', () => {
  const report = buildReport(qmodel);

  it('counts parameters and MACs', () => {
    // LSTM 4 * 3 * (4 + 3) weights + 12 biases, Dense 3 * 2 weights + 2 biases.
    assert.equal(report.parameters, 84 + 12 + 6 + 2);
    assert.equal(report.macsPerFrame, 84 + 6);
  });

  it('counts flash bytes of the stored constants', () => {
    assert.deepEqual(report.flashBytes, {
      total: 90 + 78 + 56 + 3080,
      weights: 90, // int8
      requantization: 26 * 3, // 12 + 12 + 2 rows of int16 mult and uint8 shift
      biases: 14 * 4, // int32
      tables: 2 * 513 * 2 + 257 * 4, // sigmoid and tanh int16, exp int32
    });
  });

  it('counts RAM bytes of the state struct', () => {
    // held 16 + counter 4 + cell 12 + logits 8 + hidden 6 = 46, gates 24, padding 2.
    assert.deepEqual(report.ramBytes, { total: 72, state: 48, scratch: 24 });
  });

  it('formats a table', () => {
    const table = formatReport(report);
    assert.match(table, /^model +report \(sha256 [0-9a-f]{16}\.\.\.\)$/m);
    assert.match(table, /^network +LSTM 4-3, Dense 2 softmax$/m);
    assert.match(table, /^flash bytes +3304 \(weights 90, requantization 78, biases 56, tables 3080\)$/m);
    assert.match(table, /^RAM bytes +72 \(state 48, scratch 24\)$/m);
    assert.match(table, /^MACs per frame +90$/m);
    assert.doesNotMatch(table, /accuracy/);
  });

  it('adds agreement rows when measured', () => {
    const agreement = { sequences: 10, floatAccuracy: 0.9, integerAccuracy: 0.8, floatMeanStep: 3, integerMeanStep: 3.5, classAgreement: 0.9, stepAgreement: 0.7, agreement: 0.6, largestLogitError: 0.25, inputValues: 120, saturatedInputs: 0, largestInput: 1 };
    const table = formatReport(buildReport(qmodel, agreement));
    assert.match(table, /^accuracy +float 90.00 %, integer 80.00 %$/m);
    assert.match(table, /^agreement +class 90.00 %, spike step 70.00 %, both 60.00 %$/m);
    assert.match(table, /^largest logit error +0.2500$/m);
  });
});
