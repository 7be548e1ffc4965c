/**
 * Sigmoid output and hidden layers in the compiler: the spike bound L, the
 * integer spike test of the reference simulator, the float spike rule, and the
 * formats the quantizer picks for a hidden Dense sigmoid layer.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { setLogLevel } from '../../common/log.js';
import { calibrate } from '../../compiler/calibrate.js';
import {
  GATE_FRAC_BITS,
  INT32_MAX,
  INT32_MIN,
  SIGMOID_TABLE,
  STATE_FRAC_BITS,
  activationQ15,
  sigmoidConfidenceQ15,
  sigmoidSpikeBoundFor,
} from '../../compiler/fixed-point.js';
import { type FloatModel, FloatSimulator, classCount, decideFrame, outputLayer } from '../../compiler/float-model.js';
import { loadModel } from '../../compiler/loader.js';
import { type QDenseLayer, classCountOf, outputKindOf } from '../../compiler/qmodel.js';
import { quantizeModel } from '../../compiler/quantize.js';
import { PACKAGE_ROOT } from '../../compiler/render.js';
import { ReferenceSimulator, sigmoidSpikeTest } from '../../compiler/simulator.js';
import { type RandomLayerSpec, randomNetwork } from '../golden/random-model.js';

setLogLevel('error');

const ONE = 2 ** GATE_FRAC_BITS;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function network(layers: RandomLayerSpec[], threshold = 0.9): FloatModel {
  return randomNetwork({ name: 'sigmoid', seed: 7, inputSize: 5, layers, threshold, inputMin: -1, inputMax: 1 });
}

const lstm: RandomLayerSpec = { kind: 'lstm', units: 6, kernelStd: 0.5, recurrentStd: 0.3, biasStd: 0.3 };

describe('sigmoid spike bound L', () => {
  it('is ceil(2^12 ln(theta / (1 - theta))) for common thresholds', () => {
    assert.equal(sigmoidSpikeBoundFor(0.95), 12061);
    assert.equal(sigmoidSpikeBoundFor(0.9), 9000);
    assert.equal(sigmoidSpikeBoundFor(0.99), Math.ceil(ONE * Math.log(99)));
  });

  it('is 0 at theta 0.5 and negative below', () => {
    assert.equal(sigmoidSpikeBoundFor(0.5), 0);
    assert.ok(sigmoidSpikeBoundFor(0.3) < 0);
    assert.equal(sigmoidSpikeBoundFor(0.3), Math.ceil(ONE * Math.log(0.3 / 0.7)));
  });

  it('is INT32_MAX at theta 1', () => {
    assert.equal(sigmoidSpikeBoundFor(1), INT32_MAX);
  });

  it('stays inside int32 at the threshold limits', () => {
    const nearOne = sigmoidSpikeBoundFor(1 - 2 ** -52);
    assert.equal(nearOne, Math.ceil(ONE * Math.log((1 - 2 ** -52) / 2 ** -52)));
    const smallest = sigmoidSpikeBoundFor(2 ** -15 + 2 ** -40);
    assert.ok(smallest > INT32_MIN, `L ${smallest}`);
    assert.ok(smallest < -40000, `L ${smallest}`);
  });

  // theta between sigmoid((z - 1) / 2^12) and sigmoid(z / 2^12) must give L = z exactly.
  it('lands on z between adjacent sigmoids', () => {
    for (let z = -42000; z <= 42000; z += 997) {
      const threshold = (sigmoid((z - 1) / ONE) + sigmoid(z / ONE)) / 2;
      assert.equal(sigmoidSpikeBoundFor(threshold), z, `theta ${threshold}`);
    }
  });

  it('is the smallest logit whose sigmoid reaches theta', () => {
    fc.assert(
      fc.property(fc.double({ min: 2 ** -14, max: 1 - 2 ** -30, noNaN: true }), (threshold) => {
        const bound = sigmoidSpikeBoundFor(threshold);
        const exact = ONE * (Math.log(threshold) - Math.log1p(-threshold));
        return bound >= exact - 1e-6 && bound - 1 < exact + 1e-6;
      }),
      { numRuns: 2000, seed: 3 },
    );
  });
});

describe('sigmoid spike test of the reference simulator', () => {
  const bound = sigmoidSpikeBoundFor(0.9);

  it('one unit spikes both ways', () => {
    assert.deepEqual(sigmoidSpikeTest(Int32Array.from([bound]), bound), { spiked: true, classIndex: 1, confidence: sigmoidConfidenceQ15(bound) });
    assert.deepEqual(sigmoidSpikeTest(Int32Array.from([bound - 1]), bound).spiked, false);
    assert.deepEqual(sigmoidSpikeTest(Int32Array.from([-bound]), bound), { spiked: true, classIndex: 0, confidence: sigmoidConfidenceQ15(bound) });
    assert.equal(sigmoidSpikeTest(Int32Array.from([1 - bound]), bound).spiked, false);
  });

  it('takes class 1 only for z > 0', () => {
    assert.equal(sigmoidSpikeTest(Int32Array.from([0]), bound).classIndex, 0);
    assert.equal(sigmoidSpikeTest(Int32Array.from([1]), bound).classIndex, 1);
    assert.equal(sigmoidSpikeTest(Int32Array.from([0]), 0).spiked, true, 'theta 0.5 spikes on every frame');
  });

  it('reports the sigmoid of the class logit, saturated to Q3.12', () => {
    assert.equal(sigmoidSpikeTest(Int32Array.from([-ONE]), bound).confidence, activationQ15(SIGMOID_TABLE, ONE));
    // sat16 stops at 32767, just below 8.0, where the table gives round(sigmoid(8) * 2^15) = 32757.
    const top = activationQ15(SIGMOID_TABLE, 32767);
    assert.equal(top, 32757);
    assert.equal(sigmoidSpikeTest(Int32Array.from([INT32_MAX]), bound).confidence, top);
    assert.equal(sigmoidSpikeTest(Int32Array.from([INT32_MIN]), bound).confidence, top);
    assert.equal(sigmoidConfidenceQ15(10 * ONE), top);
  });

  it('spikes at theta 1 only on a saturated logit', () => {
    const never = sigmoidSpikeBoundFor(1);
    assert.equal(sigmoidSpikeTest(Int32Array.from([INT32_MAX - 1]), never).spiked, false);
    assert.equal(sigmoidSpikeTest(Int32Array.from([INT32_MAX]), never).spiked, true);
    assert.equal(sigmoidSpikeTest(Int32Array.from([INT32_MIN]), never).spiked, true);
    assert.equal(sigmoidSpikeTest(Int32Array.from([3, INT32_MAX]), never).classIndex, 1);
  });

  it('per-class ties take lowest index', () => {
    assert.deepEqual(sigmoidSpikeTest(Int32Array.from([bound, bound, 3]), bound), { spiked: true, classIndex: 0, confidence: sigmoidConfidenceQ15(bound) });
    assert.equal(sigmoidSpikeTest(Int32Array.from([-5, bound - 1, 3]), bound).spiked, false);
    assert.equal(sigmoidSpikeTest(Int32Array.from([-5, bound - 1, 3]), bound).classIndex, 1);
  });
});

describe('float sigmoid spike rule', () => {
  it('reads one unit as [1 - y, y]', () => {
    assert.deepEqual(decideFrame('sigmoid', Float64Array.from([0.95]), 0.95, 3), { spiked: true, step: 3, classIndex: 1, confidence: 0.95 });
    const negative = decideFrame('sigmoid', Float64Array.from([0.04]), 0.95, 1);
    assert.equal(negative.spiked, true);
    assert.equal(negative.classIndex, 0);
    assert.ok(Math.abs(negative.confidence - 0.96) < 1e-12);
    assert.equal(decideFrame('sigmoid', Float64Array.from([0.5]), 0.95, 1).classIndex, 0);
    assert.equal(decideFrame('sigmoid', Float64Array.from([0.6]), 0.95, 1).spiked, false);
  });

  it('takes the top unit for one unit per class', () => {
    assert.deepEqual(decideFrame('sigmoid', Float64Array.from([0.2, 0.91, 0.91]), 0.9, 2), { spiked: true, step: 2, classIndex: 1, confidence: 0.91 });
    assert.equal(decideFrame('sigmoid', Float64Array.from([0.2, 0.89, 0.95]), 0.96, 2).spiked, false);
  });

  it('keeps a one-unit softmax as one class', () => {
    assert.equal(decideFrame('softmax', Float64Array.from([1]), 0.95, 1).classIndex, 0);
  });
});

describe('quantized sigmoid layers', () => {
  const sigmoidHead: RandomLayerSpec = { kind: 'dense', units: 1, activation: 'sigmoid', std: 2, biasStd: 0.3 };
  const hidden: RandomLayerSpec = { kind: 'dense', units: 4, activation: 'sigmoid', std: 3, biasStd: 0.3 };
  const softmax: RandomLayerSpec = { kind: 'dense', units: 3, activation: 'softmax', std: 2, biasStd: 0.3 };

  it('counts two classes for one sigmoid unit', () => {
    const model = network([lstm, sigmoidHead]);
    assert.equal(classCount(outputLayer(model)), 2);
    assert.deepEqual(model.settings.labels, ['class 0', 'class 1']);
    const qmodel = quantizeModel(model);
    assert.equal(classCountOf(qmodel), 2);
    assert.equal(outputKindOf(qmodel), 'sigmoid');
    assert.equal(qmodel.spikeBound, sigmoidSpikeBoundFor(0.9));
    assert.equal(qmodel.version, 3);
  });

  it('give a hidden sigmoid layer a Q3.12 sum and a Q0.15 output', () => {
    const model = network([lstm, hidden, softmax]);
    const qmodel = quantizeModel(model);
    const [, qhidden, head] = qmodel.layers as [unknown, QDenseLayer, QDenseLayer];
    assert.equal(qhidden.activation, 'sigmoid');
    assert.equal(qhidden.outputFracBits, GATE_FRAC_BITS);
    // The head reads Q0.15, so its multipliers are s_v * 2^-15 * 2^12, as after a recurrent layer.
    const floatHead = model.layers[2];
    assert.ok(floatHead.kind === 'dense');
    for (let r = 0; r < head.units; r++) {
      let maxAbs = 0;
      for (let j = 0; j < floatHead.inputSize; j++) maxAbs = Math.max(maxAbs, Math.abs(floatHead.kernel[j * floatHead.units + r]));
      const real = head.requant.mult[r] * 2 ** -head.requant.shift[r];
      const expected = (maxAbs / 127) * 2 ** (GATE_FRAC_BITS - STATE_FRAC_BITS);
      assert.ok(Math.abs(real / expected - 1) < 2 ** -13, `row ${r}: multiplier ${real}, expected ${expected}`);
    }
  });

  it('do not calibrate a hidden sigmoid layer', () => {
    const model = network([lstm, hidden, { kind: 'dense', units: 3, activation: 'relu', std: 1, biasStd: 0.3 }, softmax]);
    const frames = Array.from({ length: 6 }, (_, t) => Array.from({ length: 5 }, (__, j) => Math.sin(t + j)));
    const result = calibrate(model, [{ frames }]);
    assert.deepEqual([...result.hiddenRanges.keys()], [2]);
    const withRanges = quantizeModel(model, { calibratedRanges: new Map([[1, 100], ...result.hiddenRanges]) });
    assert.equal((withRanges.layers[1] as QDenseLayer).outputFracBits, GATE_FRAC_BITS, 'a range for a sigmoid layer is ignored');
  });

  it('give logits close to the float model through a hidden sigmoid layer', () => {
    const model = network([lstm, hidden, { kind: 'dense', units: 3, activation: 'sigmoid', std: 2, biasStd: 0.3 }], 1);
    const qmodel = quantizeModel(model);
    const simulator = new ReferenceSimulator(qmodel);
    const float = new FloatSimulator(model);
    let largest = 0;
    for (let t = 0; t < 20; t++) {
      const frame = Array.from({ length: 5 }, (_, j) => Math.round(100 * Math.cos(3 * t + j)));
      const result = simulator.step(frame);
      assert.equal(result.spiked, false, 'theta 1 never spikes on unsaturated logits');
      const logits = float.stepLogits(frame.map((value) => value * qmodel.inputScale));
      simulator.logits.forEach((z, c) => (largest = Math.max(largest, Math.abs(z / ONE - logits[c]))));
    }
    assert.ok(largest < 0.05, `largest logit error ${largest}`);
  });
});

describe('sigmoid fixtures', () => {
  it('load one sigmoid unit with two labels', () => {
    const model = loadModel(join(PACKAGE_ROOT, 'test', 'fixtures', 'lstm-sigmoid-binary', 'model.json'));
    assert.equal(outputLayer(model).activation, 'sigmoid');
    assert.equal(outputLayer(model).units, 1);
    assert.deepEqual(model.settings.labels, ['a', 'b']);
  });

  it('load a hidden sigmoid layer', () => {
    const model = loadModel(join(PACKAGE_ROOT, 'test', 'fixtures', 'lstm-dense-sigmoid', 'model.json'));
    assert.deepEqual(
      model.layers.map((layer) => (layer.kind === 'dense' ? layer.activation : layer.kind)),
      ['lstm', 'sigmoid', 'softmax'],
    );
  });
});
