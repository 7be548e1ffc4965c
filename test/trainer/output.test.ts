import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { setLogLevel } from '../../common/log.js';
import { selectBackend } from '../../trainer/backend.js';
import type { RcModelShape } from '../../trainer/model.js';
import { outputLoss, readOutputRow } from '../../trainer/output.js';

before(async () => {
  setLogLevel('warn');
  await selectBackend('wasm');
});

const BASE: RcModelShape = { inputSize: 1, lstmUnits: [2], denseUnits: [], classes: 2, output: 'sigmoid', recurrentActivation: 'sigmoid' };
const ONE_UNIT = BASE;
const PER_CLASS: RcModelShape = { ...BASE, classes: 3 };
const SOFTMAX: RcModelShape = { ...BASE, classes: 3, output: 'softmax' };

test('one sigmoid unit spikes both ways', () => {
  const cases: [number, { prediction: number; spiked: boolean }][] = [
    [0.96, { prediction: 1, spiked: true }],
    [0.95, { prediction: 1, spiked: true }],
    [0.94, { prediction: 1, spiked: false }],
    [0.5, { prediction: 0, spiked: false }],
    [0.06, { prediction: 0, spiked: false }],
    [0.04, { prediction: 0, spiked: true }],
    [0, { prediction: 0, spiked: true }],
  ];
  for (const [y, expected] of cases) {
    const reading = readOutputRow(ONE_UNIT, [y], 0, 0.95);
    assert.equal(reading.prediction, expected.prediction, `y = ${y}`);
    assert.equal(reading.spiked, expected.spiked, `y = ${y}`);
    assert.equal(reading.confidence, Math.max(y, 1 - y), `y = ${y}`);
  }
  // Row 1 of a two-row output.
  assert.deepEqual(readOutputRow(ONE_UNIT, [0.5, 0.99], 1, 0.95), { prediction: 1, confidence: 0.99, spiked: true });
});

test('per-class sigmoid spikes on the max unit', () => {
  assert.deepEqual(readOutputRow(PER_CLASS, [0.2, 0.97, 0.96], 0, 0.95), { prediction: 1, confidence: 0.97, spiked: true });
  assert.deepEqual(readOutputRow(PER_CLASS, [0.01, 0.02, 0.03], 0, 0.95), { prediction: 2, confidence: 0.03, spiked: false });
  // Low scores on every unit are not a spike, unlike one sigmoid unit near 0.
  assert.equal(readOutputRow(PER_CLASS, [0, 0, 0], 0, 0.95).spiked, false);
  assert.equal(readOutputRow(PER_CLASS, [0.5, 0.5, 0.1], 0, 0.95).prediction, 0, 'ties go to the lower class');
  assert.deepEqual(readOutputRow(SOFTMAX, [0.1, 0.2, 0.7, 0.01, 0.01, 0.98], 1, 0.95), { prediction: 2, confidence: 0.98, spiked: true });
});

function lossValues(shape: RcModelShape, logits: number[][], labels: number[], beta: number): number[] {
  return tf.tidy(() => Array.from(outputLoss(shape, tf.tensor2d(logits), labels, beta).dataSync()));
}

function assertClose(actual: number[], expected: number[], message: string): void {
  actual.forEach((value, i) => assert.ok(Math.abs(value - expected[i]) < 1e-5, `${message}[${i}]: ${value}, expected ${expected[i]}`));
}

test('sigmoid loss is CE minus beta entropy', () => {
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const binaryEntropy = (y: number) => -(y * Math.log(y) + (1 - y) * Math.log(1 - y));
  // One unit: CE and H of [1 - y, y].
  const z = [0, 2, -3];
  const labels = [1, 0, 0];
  const expected = z.map((zi, i) => {
    const y = sigmoid(zi);
    const crossEntropy = labels[i] === 1 ? -Math.log(y) : -Math.log(1 - y);
    return crossEntropy - 0.4 * binaryEntropy(y);
  });
  assertClose(lossValues(ONE_UNIT, z.map((zi) => [zi]), labels, 0.4), expected, 'one unit');
  assertClose(lossValues(ONE_UNIT, [[0]], [1], 0), [Math.LN2], 'one unit, beta 0');
  // Large logits stay finite: -log(sigmoid(-100)) = 100.
  assertClose(lossValues(ONE_UNIT, [[-100]], [1], 0), [100], 'saturated unit');

  // Per class: the sum over units of the binary terms against the one-hot target.
  const logits = [0.5, -1, 2];
  const perClass = logits.reduce((sum, zi, j) => {
    const y = sigmoid(zi);
    const target = j === 2 ? 1 : 0;
    return sum - (target * Math.log(y) + (1 - target) * Math.log(1 - y)) - 0.2 * binaryEntropy(y);
  }, 0);
  assertClose(lossValues(PER_CLASS, [logits], [2], 0.2), [perClass], 'per class');
});

test('softmax loss is CE minus beta entropy', () => {
  const logits = [1, 2, 0.5];
  const total = logits.reduce((sum, zi) => sum + Math.exp(zi), 0);
  const p = logits.map((zi) => Math.exp(zi) / total);
  const entropy = -p.reduce((sum, pi) => sum + pi * Math.log(pi), 0);
  assertClose(lossValues(SOFTMAX, [logits], [0], 0.165), [-Math.log(p[0]) - 0.165 * entropy], 'softmax');
});
