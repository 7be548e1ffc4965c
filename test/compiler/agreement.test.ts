/**
 * Float versus integer agreement on a random model: the quantized model must
 * track the float one closely. int8 per-row weights carry up to 0.4 % error per
 * weight and the activation tables up to 2^-10, so probabilities may differ by a
 * percent or two after many frames. The largest difference here is 1.4 %, and the
 * bounds leave about twice that.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { floatProbabilities, softmax } from '../../compiler/float-model.js';
import { measureAgreement } from '../../compiler/evaluate.js';
import { quantizeModel } from '../../compiler/quantize.js';
import type { QDenseLayer, QLstmLayer } from '../../compiler/qmodel.js';
import { denseLogits, lstmStep, quantizeInput } from '../../compiler/simulator.js';
import { GoldenRandom, randomFloatModel, denseOf, lstmOf } from '../golden/random-model.js';

const model = randomFloatModel({
  name: 'agreement',
  seed: 31,
  inputSize: 20,
  units: 16,
  classes: 5,
  kernelStd: 0.3,
  recurrentStd: 0.3,
  denseStd: 1.5,
  biasStd: 0.3,
  forgetBias: 1,
  threshold: 0.9,
  inputMin: -1,
  inputMax: 1,
});
const qmodel = quantizeModel(model);
const lstm = qmodel.layers[0] as QLstmLayer;
const dense = qmodel.layers[1] as QDenseLayer;
const random = new GoldenRandom(32);

function randomSequence(frames: number): number[][] {
  return Array.from({ length: frames }, () => Array.from({ length: lstmOf(model).inputSize }, () => 2 * random.nextFloat() - 1));
}

describe('float versus integer', () => {
  it('probabilities agree at every frame', () => {
    let frames = 0;
    let sameClass = 0;
    let maxDifference = 0;
    for (let sequence = 0; sequence < 20; sequence++) {
      const real = randomSequence(30);
      const expected = floatProbabilities(model, real);
      // Step the layers directly: the simulator would stop at the first spike.
      const state = { hidden: new Int32Array(lstm.units), cell: new Int32Array(lstm.units) };
      const logits = new Int32Array(dense.units);
      const integerProbabilities = real.map((frame) => {
        lstmStep(lstm, state, frame.map((value) => quantizeInput(value, qmodel.inputScale)));
        denseLogits(dense, state.hidden, logits);
        return softmax(Float64Array.from(logits, (z) => z / 4096));
      });
      for (let t = 0; t < real.length; t++) {
        frames++;
        let floatBest = 0;
        let integerBest = 0;
        for (let c = 0; c < 5; c++) {
          maxDifference = Math.max(maxDifference, Math.abs(expected[t][c] - integerProbabilities[t][c]));
          if (expected[t][c] > expected[t][floatBest]) floatBest = c;
          if (integerProbabilities[t][c] > integerProbabilities[t][integerBest]) integerBest = c;
        }
        sameClass += Number(floatBest === integerBest);
      }
    }
    assert.ok(maxDifference < 0.03, `largest probability difference ${maxDifference}`);
    assert.ok(sameClass / frames >= 0.97, `class agreement ${sameClass} of ${frames}`);
  });

  it('measureAgreement reports matching decisions', () => {
    const sequences = Array.from({ length: 40 }, (_, k) => ({ frames: randomSequence(25), label: k % 5 }));
    const report = measureAgreement(model, qmodel, sequences);
    assert.equal(report.sequences, 40);
    assert.ok(report.classAgreement >= 0.95, `class agreement ${report.classAgreement}`);
    assert.ok(report.stepAgreement >= 0.9, `spike step agreement ${report.stepAgreement}`);
    assert.ok(Math.abs(report.floatMeanStep - report.integerMeanStep) < 1, `mean steps ${report.floatMeanStep} and ${report.integerMeanStep}`);
  });
});
