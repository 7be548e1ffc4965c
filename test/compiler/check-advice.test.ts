/** The advice of a failed rc-compile --check, for each cause it can measure. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { disagreementAdvice } from '../../compiler/check-advice.js';
import type { MeasuredAgreement } from '../../compiler/evaluate.js';
import type { FloatModel } from '../../compiler/float-model.js';
import { randomNetwork, type RandomLayerSpec } from '../golden/random-model.js';

const lstm: RandomLayerSpec = { kind: 'lstm', units: 4, kernelStd: 0.5, recurrentStd: 0.5, biasStd: 0.1 };
const sigmoidOutput: RandomLayerSpec = { kind: 'dense', units: 1, activation: 'sigmoid', std: 1, biasStd: 0.1 };
const reluHidden: RandomLayerSpec = { kind: 'dense', units: 4, activation: 'relu', std: 1, biasStd: 0.1 };

function model(layers: RandomLayerSpec[], inputRangeStated = true): FloatModel {
  const built = randomNetwork({ name: 'advice', seed: 1, inputSize: 3, threshold: 0.9, inputMin: -0.93, inputMax: 1.14, layers });
  return { ...built, settings: { ...built.settings, inputRangeStated } };
}

function agreement(disagreeing: number, inputGridDisagreeing: number, largestInput: number): MeasuredAgreement {
  const share = 1 - disagreeing / 100;
  return {
    sequences: 100,
    floatAccuracy: 0.9,
    integerAccuracy: 0.9,
    floatMeanStep: 5,
    integerMeanStep: 5,
    classAgreement: share,
    stepAgreement: share,
    agreement: share,
    largestLogitError: 0.1,
    inputValues: 1000,
    saturatedInputs: 0,
    largestInput,
    disagreeing,
    inputGridDisagreeing,
  };
}

const INPUT_SCALE = 1.14 / 127;

describe('disagreementAdvice', () => {
  it('input grid explains most on narrow data', () => {
    const advice = disagreementAdvice(agreement(12, 10, 0.05), { model: model([lstm, sigmoidOutput]), inputScale: INPUT_SCALE, weightBits: 8, calibrated: false });
    assert.match(advice, /^Input quantization alone explains 10 of the 12 disagreeing sequences/);
    assert.match(advice, /The int8 input step is 0\.00898 for the input range \[-0\.93, 1\.14\], but the data reaches only \|x\| = 0\.0500\./);
    assert.match(advice, /Narrow the model's input range in userDefinedMetadata\.rankcode\.input/);
    assert.doesNotMatch(advice, /Try /);
  });

  it('input grid explains most on full-range data', () => {
    const advice = disagreementAdvice(agreement(12, 10, 1.1), { model: model([lstm, sigmoidOutput]), inputScale: INPUT_SCALE, weightBits: 8, calibrated: false });
    assert.match(advice, /the model decides differently on input changes of one step/);
    assert.doesNotMatch(advice, /Narrow the model's input range/);
  });

  it('no calibrated layers: int16 only', () => {
    const advice = disagreementAdvice(agreement(12, 2, 1.1), { model: model([lstm, sigmoidOutput]), inputScale: INPUT_SCALE, weightBits: 8, calibrated: false });
    assert.match(advice, /Input quantization alone explains 2 of the 12 disagreeing sequences/);
    assert.match(advice, /Try --weights int16, or retrain the model\.$/);
    assert.doesNotMatch(advice, /--calibrate/);
  });

  it('hidden relu layer: int16 or calibrate', () => {
    const layers = [lstm, reluHidden, sigmoidOutput];
    const advice = disagreementAdvice(agreement(12, 2, 1.1), { model: model(layers), inputScale: INPUT_SCALE, weightBits: 8, calibrated: false });
    assert.match(advice, /Try --weights int16 or --calibrate, or retrain the model\.$/);
  });

  it('unstated input range: calibrate', () => {
    const advice = disagreementAdvice(agreement(12, 2, 1.1), { model: model([lstm, sigmoidOutput], false), inputScale: INPUT_SCALE, weightBits: 16, calibrated: false });
    assert.match(advice, /Try --calibrate, or retrain the model\.$/);
  });

  it('int16 and calibrated: retrain only', () => {
    const layers = [lstm, reluHidden, sigmoidOutput];
    const advice = disagreementAdvice(agreement(12, 2, 1.1), { model: model(layers), inputScale: INPUT_SCALE, weightBits: 16, calibrated: true });
    assert.match(advice, /Retrain the model\.$/);
    assert.doesNotMatch(advice, /--weights int16|--calibrate/);
  });
});
